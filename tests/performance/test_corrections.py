"""Corrections (DESIGN.md, Integrity; performance/corrections.py): a figure of a closed period
that changes between two published runs is recorded with the run that changed it, its old
and new value and the reason from the audit trail, when the run is published."""

import datetime
from decimal import Decimal as D

import pytest

from performance import late
from performance.models import Correction, Edition, LateChange, ScoringScheme
from performance.services import prune_runs, recompute_scores
from tests.performance.late_data import DEC_6, REASON, agency_pk, row, save
from tests.performance.test_recompute import ENGINES

pytestmark = pytest.mark.django_db


@pytest.fixture(params=sorted(ENGINES))
def engine(request):
    return ENGINES[request.param]


@pytest.fixture
def pk(cast):
    return agency_pk(cast.agency_a)


def corrections() -> set[tuple]:
    return {
        (c.period, c.figure, c.indicator_code, c.old_value, c.new_value, c.reason)
        for c in Correction.objects.all()
    }


def test_a_confirmed_late_change_is_a_correction_with_its_reason(pk, cast, engine):
    first = recompute_scores(today=DEC_6, engine=engine)
    save(pk, [row(pk, "IKU1", "120"), row(pk, "IKU2", None)], cast.officer_a)
    late.confirm(list(LateChange.objects.values_list("pk", flat=True)), cast.approver_a)

    second = recompute_scores(today=DEC_6, engine=engine)

    # Q3 2026 is final in both runs: its score, K and the two achievements changed. The
    # year (provisional) and Q4 (open) are not corrections.
    assert corrections() == {
        ("Q3", "score", "", D("85.00"), D("60.00"), REASON),
        ("Q3", "k", "", D("85.00"), D("60.00"), REASON),
        ("Q3", "achievement", "IKU1", D("80.00"), D("120.00"), REASON),
        ("Q3", "achievement", "IKU2", D("90.00"), D("0.00"), REASON),
    }
    c = Correction.objects.filter(figure="score").get()
    assert (c.run_id, c.previous_run_id, c.agency, c.year) == (
        second.pk,
        first.pk,
        cast.agency_a,
        2026,
    )
    assert c.published_at == second.published_at
    assert (c.scheme_from, c.scheme_to) == (None, None)


def test_the_first_run_and_an_unchanged_run_correct_nothing(pk, cast, engine):
    recompute_scores(today=DEC_6, engine=engine)
    recompute_scores(today=DEC_6, engine=engine)
    assert not Correction.objects.exists()


def test_a_change_of_an_open_quarter_is_no_correction(pk, cast, engine):
    save(pk, [row(pk, "IKU1", "50", quarter=4)], cast.officer_a, quarter=4, reason="")
    recompute_scores(today=DEC_6, engine=engine)
    save(pk, [row(pk, "IKU1", "70", quarter=4)], cast.officer_a, quarter=4, reason="")
    recompute_scores(today=DEC_6, engine=engine)
    assert not Correction.objects.exists()


def test_a_quarter_that_closed_between_the_runs_is_no_correction(pk, cast, engine):
    # On 10 October Q3 is open (the grace days): its scores are provisional.
    recompute_scores(today=datetime.date(2026, 10, 10), engine=engine)
    recompute_scores(today=DEC_6, engine=engine)
    assert not Correction.objects.exists()


def test_a_new_scheme_version_is_the_reason_of_its_corrections(pk, cast, engine):
    recompute_scores(today=DEC_6, engine=engine)
    # The cap lowered to 85, as the administrator's form would save it: a new version.
    ScoringScheme.objects.filter(year=2026).update(cap=D(85), version=2)

    recompute_scores(today=DEC_6, engine=engine)

    found = Correction.objects.filter(figure="achievement").get()
    assert (found.indicator_code, found.old_value, found.new_value) == ("IKU2", D(90), D(85))
    assert (found.scheme_from, found.scheme_to, found.reason) == (1, 2, "")


def test_corrections_outlive_their_runs(pk, cast, settings):
    recompute_scores(today=DEC_6)
    save(pk, [row(pk, "IKU1", "100")], cast.officer_a)
    late.confirm(list(LateChange.objects.values_list("pk", flat=True)), cast.approver_a)
    recompute_scores(today=DEC_6)
    recompute_scores(today=DEC_6)
    settings.SCORE_HISTORY_DAYS = 0
    Edition.objects.all().delete()  # editions are kept for good (test_editions.py)

    assert prune_runs(now=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)) == 2

    assert Correction.objects.count() == 3  # Q3 score, K and IKU1's achievement
