"""The distribution check (issue 20): for each agency and closed year, its rated staff's
predikat (the 6/2022 matrix) against the pattern for the agency's own predikat, end to end:
ratings in, the recompute's counts, the leaders' coherence page out. Counts only; on a
public page suppressed below the group minimum."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from performance import scoring
from performance.models import PerformanceContract, StaffCount
from performance.services import recompute_scores
from tests.conftest import AFTER_2025
from tests.factories import AgencyFactory, StaffRatingFactory
from tests.performance.test_ratings import skp
from tests.portal.workspace.data import contract_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SB, B, BP, K, SK = scoring.STAFF_PREDIKAT
CELL = {  # a pair of ratings for each predikat
    SB: ("above", "above"),
    B: ("as_expected", "as_expected"),
    BP: ("below", "as_expected"),
    K: ("as_expected", "below"),
    SK: ("below", "below"),
}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(AFTER_2025, tick=False):
        yield


def agency_with(region, name: str, pk_score: str, staff: dict[str, int], unrated: int = 0):
    """An agency whose own contract and staff score `pk_score` every quarter (so that is its
    score, and its predikat), with rated civil servants by predikat and some unrated ones."""
    agency = AgencyFactory(name=name, region=region)
    own = contract_of(
        agency, status=PerformanceContract.Status.APPROVED, indicators=1, realised=False
    )
    for q in (1, 2, 3, 4):
        own.indicators.get().realisations.create(quarter=q, value=pk_score)
    for predikat, n in staff.items():
        for _ in range(n):
            results, behaviour = CELL[predikat]
            StaffRatingFactory(contract=skp(agency, pk_score), results=results, behaviour=behaviour)
    for _ in range(unrated):
        skp(agency, pk_score)
    return agency


def test_the_check_flags_what_breaches_which_rule_and_says_nothing_when_it_fits(cast, leader):
    region = cast.agency_a.region
    # Baik (its score of about 100) with nobody Butuh Perbaikan or Kurang.
    baik = agency_with(region, "A Baik tanpa BP", "100", {SB: 5, B: 5})
    # Istimewa (115) with 8 of 10 Sangat Baik: more than 70 %.
    istimewa = agency_with(region, "B Istimewa 80 persen", "115", {SB: 8, B: 2}, unrated=5)
    # Baik with 60 % Baik and some Butuh Perbaikan and Kurang: compliant.
    fits = agency_with(region, "C Baik sesuai", "100", {SB: 1, B: 6, BP: 2, K: 1})
    run = recompute_scores(today=AFTER_2025)
    # The counts are of rated staff only (the five unrated are not counted).
    counts = dict(
        StaffCount.objects.filter(run=run, agency=istimewa).values_list("predikat", "count")
    )
    assert counts == {SB: 8, B: 2}

    response = leader.get(reverse("dashboard:coherence") + "?year=2025")
    rows = {r.agency.pk: r for r in response.context["rows"]}
    assert (rows[baik.pk].predikat, rows[baik.pk].flags) == (
        "Baik",
        ["some Butuh Perbaikan or Kurang: none of the rated staff"],
    )
    assert (rows[istimewa.pk].predikat, rows[istimewa.pk].n, rows[istimewa.pk].flags) == (
        "Istimewa",
        10,
        ["at most 70% Sangat Baik: 80.00% of the rated staff"],
    )
    assert (rows[fits.pk].predikat, rows[fits.pk].flags) == ("Baik", [])
    page = response.content.decode()
    assert "at most 70% Sangat Baik: 80.00% of the rated staff" in page
    assert "Pegawai" not in page  # counts only, never a person


@pytest.mark.parametrize(
    ("organisation", "counts", "breached"),
    [
        ("Baik", {SB: 5, B: 5}, [("Baik", (BP, K), "some", 0)]),
        ("Baik", {B: 7, BP: 3}, []),
        ("Istimewa", {SB: 71, B: 29}, [("Istimewa", (SB,), "max", 70)]),
        ("Istimewa", {SB: 70, B: 30}, []),
        ("Sangat Kurang", {SK: 60, K: 10, B: 30}, []),
        (
            "Sangat Kurang",
            {SK: 59, K: 10, SB: 1, B: 30},
            [
                ("Sangat Kurang", (SK,), "min", 60),
                ("Sangat Kurang", (SB,), "max", 0),
            ],
        ),
    ],
)
def test_the_five_rules_of_the_regulation(organisation, counts, breached):
    found = scoring.distribution_breaches(organisation, counts)
    assert [(r.organisation, r.staff, r.bound, r.percent) for r in found] == breached


def test_the_public_scorecard_counts_rated_staff_suppressed_below_the_minimum(cast, anonymous):
    agency = agency_with(cast.agency_a.region, "Dinas Kecil", "100", {B: 4, BP: 2}, unrated=9)
    recompute_scores(today=AFTER_2025)
    html = anonymous.get(agency.get_absolute_url()).content.decode()
    section = html.split('id="staff-heading"')[1].split("</section>")[0]
    # Six rated (the nine unrated are not counted): every cell and the total hidden.
    assert section.count(">&lt; 10</span>") == 6
    assert "rated for the year" in section
