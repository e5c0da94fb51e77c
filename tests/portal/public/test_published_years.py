"""Which year public pages show (DESIGN.md, "Integrity of what is published"): the latest
year with a closed quarter, never a year that has not started, whatever was entered for it;
a later year only when asked for, once it has published figures."""

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse

from performance.queries import default_year
from performance.services import recompute_scores
from tests.factories import (
    AgencyFactory,
    ContractFactory,
    IndicatorFactory,
    RealisationFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db

DEC_6_2026 = datetime.date(2026, 12, 6)


def contract(agency, year, quarters=(1, 2, 3)):
    c = ContractFactory(agency=agency, employee=None, year=year, status="approved")
    indicator = IndicatorFactory(contract=c, code="IKU1")
    for q in quarters:
        TargetFactory(indicator=indicator, quarter=q, value=D(100))
        RealisationFactory(indicator=indicator, quarter=q, value=D(90))
    return c


@pytest.fixture
def next_year_entered(db):
    """Three agencies with 2026 figures, and one whose officer already prepared next year's
    (2027) contract with a realisation, recomputed on 6 December 2026."""
    agencies = [AgencyFactory(name=f"Dinas {n}") for n in ("Satu", "Dua", "Tiga")]
    for agency in agencies:
        contract(agency, 2026)
    early = agencies[0]
    contract(early, 2027, quarters=(1,))
    return recompute_scores(today=DEC_6_2026), agencies


def test_the_default_year_is_the_latest_with_a_closed_quarter(next_year_entered):
    run, _ = next_year_entered
    assert run.years == [2027, 2026]
    assert default_year(run) == 2026
    # In the first half of January 2027 no quarter of 2027 is closed, nor Q4 2026: still 2026.
    assert default_year(run, datetime.date(2027, 1, 10)) == 2026
    # Once 2027's first quarter has closed, 2027 it is.
    assert default_year(run, datetime.date(2027, 4, 16)) == 2027


@pytest.mark.parametrize("url", ["home", "agencies:list", "rankings"])
def test_next_years_figures_do_not_take_over_the_pages(next_year_entered, client, url):
    html = client.get(reverse(url)).content.decode()
    assert "2026" in html
    assert "2027" not in html.split("<main", 1)[1].split('name="year"')[0]


def test_next_year_is_reached_only_when_asked_for(next_year_entered, client):
    run, agencies = next_year_entered
    url = reverse("agencies:detail", args=[agencies[0].slug])
    assert "2027" not in client.get(url).content.decode().split('name="year"')[0]
    asked = client.get(url + "?year=2027")
    assert asked.context["year"] == 2027
