"""Provisional figures on the public pages (scoring contract version 2): a period that is not
closed is labelled provisional in words and carries no predikat anywhere; rankings compare
closed periods only (an open year on its closed quarters, labelled so) and list incomplete
scores apart."""

import datetime
import re
from decimal import Decimal as D

import pytest
from django.urls import reverse

from performance.models import Score
from performance.services import recompute_scores
from tests.factories import (
    AgencyFactory,
    ContractFactory,
    IndicatorFactory,
    RealisationFactory,
    ServiceFactory,
    SurveyResponseFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db

DEC_6_2026 = datetime.date(2026, 12, 6)  # Q1-Q3 2026 closed, Q4 open


def agency(name: str, realised: str, respondents: int):
    a = AgencyFactory(name=name)
    contract = ContractFactory(agency=a, employee=None, year=2026, status="approved")
    indicator = IndicatorFactory(contract=contract, code="IKU1")
    for q in (1, 2, 3, 4):
        TargetFactory(indicator=indicator, quarter=q, value=D(100))
    for q in (1, 2, 3, 4):  # Q4's realisation is early but already entered
        RealisationFactory(indicator=indicator, quarter=q, value=D(realised))
    service = ServiceFactory(agency=a)
    for q in (1, 2, 3, 4):
        SurveyResponseFactory.create_batch(respondents, service=service, year=2026, quarter=q)
    return a


@pytest.fixture
def province(db):
    agencies = {
        "high": agency("Dinas Tinggi", "105", 12),
        "low": agency("Dinas Rendah", "80", 12),
        "incomplete": agency("Dinas Tanpa Survei", "95", 3),  # a service, too few answers
    }
    run = recompute_scores(today=DEC_6_2026)
    return run, agencies


def test_the_store_has_no_predikat_for_the_open_quarter_and_the_open_year(province):
    run, _ = province
    open_rows = Score.objects.filter(run=run, year=2026, period__in=["Q4", "Y"])
    assert open_rows.exists()
    assert set(open_rows.values_list("final", "predikat")) == {(False, "")}


def test_the_scorecard_labels_provisional_figures_in_words(client, english, province):
    _, agencies = province
    html = client.get(reverse("agencies:detail", args=[agencies["high"].slug])).content.decode()
    headline = html.split('id="score-heading"')[1].split("</p>")[0]
    assert "Score 2026, Q1–Q3" in html
    assert "provisional" in headline and "predikat--" not in headline
    quarters = html.split('id="quarters-caption"')[1].split("</table>")[0]
    rows = re.findall(r"<tr><th scope=\"row\"[^>]*>(Q\d)</th>(.*?)</tr>", quarters)
    assert [q for q, _ in rows] == ["Q1", "Q2", "Q3", "Q4"]
    for quarter, cells in rows:
        if quarter == "Q4":
            assert "provisional" in cells and "predikat--" not in cells
        else:
            assert "predikat--" in cells and "provisional" not in cells


def test_an_open_quarter_is_never_ranked(client, english, province):
    html = client.get(reverse("rankings") + "?year=2026&period=Q4").content.decode()
    assert "Q4 2026 is still open" in html
    assert 'id="ranking-caption"' not in html
    assert "predikat--" not in html.split("<main")[1]


def test_an_open_year_is_ranked_on_its_closed_quarters_and_incomplete_scores_apart(
    client, english, province, django_assert_max_num_queries
):
    _, agencies = province
    with django_assert_max_num_queries(12):
        html = client.get(reverse("rankings")).content.decode()
    ranked = html.split('id="ranking-caption"')[1].split("</table>")[0]
    assert "Ranking: 2026, Q1–Q3" in ranked
    assert ranked.index("Dinas Tinggi") < ranked.index("Dinas Rendah")
    assert "Dinas Tanpa Survei" not in ranked
    apart = html.split('id="unranked-heading"')[1]
    assert "Not ranked: incomplete scores" in apart and "Dinas Tanpa Survei" in apart
    assert "not compared" in ranked  # a year so far is not measured against a whole year


def test_the_home_page_names_the_quarters_its_year_covers(client, english, province):
    html = client.get(reverse("home")).content.decode()
    assert "The province at a glance, 2026, Q1–Q3" in html
    assert "Agencies by region and predikat, Q3 2026" in html
    best = html.split('id="best-heading"')[1].split("</section>")[0]
    assert "Dinas Tinggi" in best and "Dinas Tanpa Survei" not in best


@pytest.mark.parametrize("language", ["id", "en"])
def test_no_page_shows_a_predikat_for_the_open_quarter(client, province, language):
    run, agencies = province
    client.cookies["lang"] = language
    q4 = Score.objects.get(run=run, agency=agencies["low"], contract=None, year=2026, period="Q4")
    compare = client.get(
        reverse("compare") + f"?a={agencies['low'].slug}&a={agencies['high'].slug}&year=2026"
    ).content.decode()
    q4_row = compare.split("Q4" if language == "en" else "TW IV")[-1].split("</tr>")[0]
    assert "predikat--" not in q4_row
    assert q4.score is not None


def test_open_data_says_final_and_leaves_the_provisional_predikat_empty(client, province):
    import csv
    import io

    body = client.get(reverse("open_data_file", args=["agency-scores", "csv"]), {"year": 2026})
    rows = list(csv.DictReader(io.StringIO(body.content.decode())))
    assert rows and {"final", "complete", "ikm"} <= set(rows[0])
    for row in rows:
        closed = row["period"] in ("Q1", "Q2", "Q3")
        assert row["final"] == ("yes" if closed else "no")
        assert bool(row["predikat"]) == closed
