"""The dashboard's checks: staff-rating coherence against the agency's own predikat (each
clause of the scheme's distribution pattern, the five rules of PermenPAN-RB 6/2022, at its
boundary) and data compliance (realisations entered, on time,
late by N days, missing)."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from performance import scoring
from performance.models import Realisation, ScoringScheme
from portal.dashboard.queries import coherence_flags
from tests.conftest import AFTER_2025
from tests.factories import (
    ContractFactory,
    EmployeeFactory,
    IndicatorFactory,
    RealisationFactory,
    TargetFactory,
)
from tests.portal.dashboard.data import agency_score, published_run, staff_scores

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SB, B, BP, K, SK = "Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang", "Sangat Kurang"
IS = "Istimewa"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(AFTER_2025, tick=False):
        yield


# --- coherence rules: the distribution pattern of the scheme ---------------------------


@pytest.mark.parametrize(
    ("organisation", "counts", "broken"),
    [
        # Istimewa: at most 70 % Sangat Baik.
        (IS, {SB: 70, B: 30}, False),
        (IS, {SB: 71, B: 29}, True),
        # Baik: at most 70 % Baik, and some Butuh Perbaikan or Kurang.
        (B, {B: 70, BP: 30}, False),
        (B, {B: 71, BP: 29}, True),
        (B, {SB: 60, B: 30, K: 10}, False),  # Sangat Baik is not Baik
        (B, {SB: 50, B: 50}, True),  # nobody Butuh Perbaikan or Kurang
        # Butuh Perbaikan: at least 60 % Butuh Perbaikan, at most 10 % Sangat Baik.
        (BP, {BP: 60, B: 40}, False),
        (BP, {BP: 59, B: 41}, True),
        (BP, {BP: 30, K: 30, B: 40}, True),  # Kurang is not Butuh Perbaikan
        (BP, {BP: 89, SB: 11}, True),
        # Kurang: at least 60 % Kurang, at least 10 % Butuh Perbaikan, at most 10 % SB.
        (K, {K: 60, BP: 10, B: 30}, False),
        (K, {K: 60, BP: 9, B: 31}, True),
        (K, {SB: 8, K: 2}, True),
        # Sangat Kurang: at least 60 % SK, at least 10 % Kurang or BP, no Sangat Baik.
        (SK, {SK: 60, K: 5, BP: 5, B: 30}, False),
        (SK, {SK: 90, B: 10}, True),
        (SK, {SK: 89, K: 10, SB: 1}, True),
        # Nothing to compare without rated staff or an agency predikat.
        (K, {}, False),
        (None, {SB: 10}, False),
    ],
)
def test_coherence_rules_at_their_boundaries(organisation, counts, broken):
    flags = coherence_flags(organisation, counts, scoring.DEFAULT_SCHEME)
    assert bool(flags) is broken


def test_butuh_perbaikan_can_break_both_rules_at_once():
    flags = coherence_flags(BP, {SB: 50, B: 50}, scoring.DEFAULT_SCHEME)
    assert flags == [
        "at least 60% Butuh Perbaikan: 0.00% of the rated staff",
        "at most 10% Sangat Baik: 50.00% of the rated staff",
    ]


def test_the_pattern_comes_from_the_scheme():
    pattern = [
        {"organisation": B, "staff": [B], "bound": "max", "percent": 80},
    ]
    scheme = ScoringScheme(year=2025, distribution=pattern).as_scheme()
    assert coherence_flags(B, {B: 80, SB: 20}, scheme) == []  # no "some" clause any more
    assert coherence_flags(B, {B: 81, SB: 19}, scheme) == [
        "at most 80% Baik: 81.00% of the rated staff"
    ]


def test_the_pattern_and_the_matrix_are_validated():
    scheme = ScoringScheme(
        year=2025,
        distribution=[{"organisation": B, "staff": [B], "bound": "max", "percent": 101}],
        staff_matrix=[["above", "above", "Istimewa"]],
    )
    with pytest.raises(ValidationError) as info:
        scheme.full_clean()
    assert set(info.value.message_dict) == {"distribution", "staff_matrix"}
    ScoringScheme(year=2025).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        ScoringScheme.objects.create(
            year=2026, rating_above_from=Decimal(90), rating_below_under=Decimal(95)
        )


# --- coherence page --------------------------------------------------------------------


def test_coherence_page_flags_crafted_distributions(leader, cast):
    run = published_run()
    agency_score(run, cast.agency_a, "Y", "95")  # Baik
    agency_score(run, cast.agency_b, "Y", "60")  # Kurang
    staff_scores(run, cast.agency_a, {B: 7, BP: 3})  # 70 %, some BP: within
    staff_scores(run, cast.agency_b, {SB: 8, B: 2})  # Kurang with most staff Sangat Baik
    response = leader.get(reverse("dashboard:coherence") + "?year=2025")
    rows = {r.agency.code: r for r in response.context["rows"]}
    assert rows["DIKES"].flags == []
    assert rows["DIKES"].n == 10
    assert dict(rows["DIKES"].shares)[B] == Decimal("70.00")
    flags = [
        "at least 60% Kurang: 0.00% of the rated staff",
        "at least 10% Butuh Perbaikan: 0.00% of the rated staff",
        "at most 10% Sangat Baik: 80.00% of the rated staff",
    ]
    assert rows["DIKBUD"].flags == flags
    assert dict(rows["DIKBUD"].shares)[SB] == Decimal("80.00")
    page = response.content.decode()
    assert "implausible" in page
    assert "at most 10% Sangat Baik: 80.00% of the rated staff" in page
    assert "Rahasia Staf" not in page  # counts only, never a person

    body = leader.get(reverse("dashboard:coherence_csv") + "?year=2025").content.decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    dikbud = next(r for r in rows if r["agency_code"] == "DIKBUD")
    assert (dikbud["predikat"], dikbud["staff_rated"], dikbud["percent_sangat_baik"]) == (
        "Kurang",
        "10",
        "80.00",
    )
    assert dikbud["flags"] == "; ".join(flags)


def test_coherence_uses_the_edited_scheme(leader, cast):
    ScoringScheme.objects.create(
        year=2025,
        distribution=[{"organisation": B, "staff": [B], "bound": "max", "percent": 60}],
    )
    run = published_run()
    agency_score(run, cast.agency_a, "Y", "95")
    staff_scores(run, cast.agency_a, {B: 7, BP: 3})
    response = leader.get(reverse("dashboard:coherence"))
    row = next(r for r in response.context["rows"] if r.agency == cast.agency_a)
    assert row.flags == ["at most 60% Baik: 70.00% of the rated staff"]


def test_coherence_reads_only_the_published_run(leader, cast):
    old = published_run()
    staff_scores(old, cast.agency_a, {SB: 5})
    run = published_run()
    agency_score(run, cast.agency_a, "Y", "40")
    staff_scores(run, cast.agency_a, {SK: 4, K: 1})
    response = leader.get(reverse("dashboard:coherence"))
    row = next(r for r in response.context["rows"] if r.agency == cast.agency_a)
    assert (row.n, row.flags) == (5, [])


# --- compliance ------------------------------------------------------------------------

WITA = datetime.timezone(datetime.timedelta(hours=8))


def entered(realisation: Realisation, when: str) -> None:
    """Pretend the realisation was saved at `when` (WITA): entered_at is auto_now."""
    moment = datetime.datetime.fromisoformat(when).replace(tzinfo=WITA)
    Realisation.objects.filter(pk=realisation.pk).update(entered_at=moment)


@pytest.fixture
def compliance_data(cast):
    """DIKES in Q1 2025 (due 15 April): a PK with three indicators (on time, late by 5 days,
    missing) and two SKP contracts (one entered on the due day's last minute, one a minute
    later); a draft contract that does not count."""
    published_run()
    pk = ContractFactory(agency=cast.agency_a)
    indicators = IndicatorFactory.create_batch(3, contract=pk)
    for indicator in indicators:
        TargetFactory(indicator=indicator, quarter=1)
    entered(RealisationFactory(indicator=indicators[0], quarter=1), "2025-04-10T09:00")
    entered(RealisationFactory(indicator=indicators[1], quarter=1), "2025-04-20T12:00")
    for when in ("2025-04-15T23:59", "2025-04-16T00:00"):
        skp = ContractFactory(agency=cast.agency_a, employee=EmployeeFactory(agency=cast.agency_a))
        indicator = IndicatorFactory(contract=skp)
        TargetFactory(indicator=indicator, quarter=1)
        entered(RealisationFactory(indicator=indicator, quarter=1), when)
    draft = ContractFactory(
        agency=cast.agency_a,
        employee=EmployeeFactory(agency=cast.agency_a),
        status="draft",
    )
    TargetFactory(indicator=IndicatorFactory(contract=draft), quarter=1)
    # Q2: one PK indicator, reported on time.
    TargetFactory(indicator=indicators[0], quarter=2)
    entered(RealisationFactory(indicator=indicators[0], quarter=2), "2025-07-01T08:00")
    return cast


def test_compliance_figures_on_crafted_data(leader, compliance_data):
    response = leader.get(reverse("dashboard:compliance") + "?year=2025")
    assert response.context["quarters"] == [1, 2, 3, 4]
    rows = {(r.agency.code, r.quarter): r for r in response.context["rows"]}
    q1 = rows["DIKES", 1]
    assert q1.due == datetime.date(2025, 4, 15)
    assert (q1.targets, q1.entered) == ({"pk": 3, "skp": 2}, {"pk": 2, "skp": 2})
    assert q1.missing == 1
    assert q1.pk_share == Decimal("66.67")
    assert q1.skp_share == Decimal("100.00")
    # late: the PK one 5 days after, the SKP one a minute after the due day
    assert (q1.late, q1.late_share, q1.days_late) == (2, Decimal("50.00"), 5)
    q2 = rows["DIKES", 2]
    assert (q2.total_targets, q2.total_entered, q2.late, q2.days_late) == (1, 1, 0, 0)
    q3 = rows["DIKES", 3]
    assert (q3.total_targets, q3.days_late) == (0, None)
    assert rows["DIKBUD", 1].total_targets == 0
    page = response.content.decode()
    assert "66.67%" in page
    assert "Rahasia" not in page


def test_compliance_shows_only_closed_quarters(leader, compliance_data):
    with time_machine.travel("2025-07-15 09:00 +0800", tick=False):  # Q2 closes after 15 July
        response = leader.get(reverse("dashboard:compliance") + "?year=2025")
    assert response.context["quarters"] == [1]
    with time_machine.travel("2025-04-15 09:00 +0800", tick=False):
        response = leader.get(reverse("dashboard:compliance") + "?year=2025")
    assert response.context["quarters"] == []
    assert "No quarter of 2025 is closed yet." in response.content.decode()


def test_compliance_csv(leader, compliance_data):
    response = leader.get(reverse("dashboard:compliance_csv") + "?year=2025")
    assert "kinerja-ntb-dashboard-compliance-2025.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    q1 = next(r for r in rows if (r["agency_code"], r["quarter"]) == ("DIKES", "Q1"))
    assert q1 == {
        "agency_code": "DIKES",
        "agency": "Dinas Kesehatan",
        "region": "Provinsi Nusa Tenggara Barat",
        "year": "2025",
        "quarter": "Q1",
        "due_date": "2025-04-15",
        "pk_indicators": "3",
        "pk_entered": "2",
        "skp_indicators": "2",
        "skp_entered": "2",
        "missing": "1",
        "entered_late": "2",
        "latest_days_late": "5",
    }
    assert len(rows) == 2 * 4  # two agencies, four closed quarters
