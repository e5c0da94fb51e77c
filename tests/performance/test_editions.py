"""Editions and the inputs' fingerprint (issue 24, performance/history.py): the first run
published after a quarter closes, or after a correction of a closed period, is kept as a
dated edition that pruning never deletes; the runs between editions are pruned; equal
inputs on a day in the same period give an equal fingerprint, and any change another."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from agencies.models import SurveyResponse
from performance import late
from performance.history import input_fingerprint, unchanged_run
from performance.models import Edition, LateChange, Score, ScoreRun, ScoringScheme
from performance.services import prune_runs, recompute_scores
from tests.performance.late_data import DEC_6, agency_pk, row, save

pytestmark = pytest.mark.django_db
DEC_7 = DEC_6 + datetime.timedelta(days=1)


@pytest.fixture
def pk(cast):
    return agency_pk(cast.agency_a)


def editions() -> list[tuple]:
    return list(Edition.objects.order_by("date").values_list("date", "run_id", "quarters"))


def correct(pk, cast) -> None:
    """A confirmed late change of Q3 2026 (closed): the next run corrects its figures."""
    save(pk, [row(pk, "IKU1", "120"), row(pk, "IKU2", None)], cast.officer_a)
    late.confirm(list(LateChange.objects.values_list("pk", flat=True)), cast.approver_a)


def test_the_first_run_after_a_quarter_closes_is_an_edition_and_the_nights_between_are_not(
    pk,
):
    oct_10 = recompute_scores(today=datetime.date(2026, 10, 10))  # Q1, Q2 closed; Q3 open
    recompute_scores(today=datetime.date(2026, 10, 12))
    oct_16 = recompute_scores(today=datetime.date(2026, 10, 16))  # Q3 closed this day
    recompute_scores(today=datetime.date(2026, 10, 20))
    assert editions() == [
        (datetime.date(2026, 10, 10), oct_10.pk, ["2026-Q1", "2026-Q2"]),
        (datetime.date(2026, 10, 16), oct_16.pk, ["2026-Q3"]),
    ]


def test_a_run_that_corrects_a_closed_figure_is_an_edition(pk, cast):
    first = recompute_scores(today=DEC_6)
    correct(pk, cast)
    second = recompute_scores(today=DEC_7)
    assert editions() == [
        (DEC_6, first.pk, ["2026-Q1", "2026-Q2", "2026-Q3"]),
        (DEC_7, second.pk, []),
    ]
    assert Edition.objects.get(date=DEC_7).corrections == 4  # Q3 score, K, two achievements


def test_a_second_edition_of_the_day_becomes_the_days_edition_with_both_reasons(pk, cast):
    recompute_scores(today=DEC_6)
    correct(pk, cast)
    later = recompute_scores(today=DEC_6)
    edition = Edition.objects.get()
    assert (edition.date, edition.run_id) == (DEC_6, later.pk)
    assert (edition.quarters, edition.corrections) == (["2026-Q1", "2026-Q2", "2026-Q3"], 4)


def test_pruning_keeps_the_editions_and_their_scores_and_drops_the_runs_between(pk, cast, settings):
    first = recompute_scores(today=DEC_6)
    between = recompute_scores(today=DEC_6)
    correct(pk, cast)
    corrected = recompute_scores(today=DEC_7)
    latest = recompute_scores(today=DEC_7)
    edition_scores = Score.objects.filter(run=first).count()
    settings.SCORE_HISTORY_DAYS = 0

    assert prune_runs(now=timezone.now() + datetime.timedelta(days=1)) == 1

    assert set(ScoreRun.objects.values_list("pk", flat=True)) == {
        first.pk,
        corrected.pk,
        latest.pk,
    }
    assert not Score.objects.filter(run=between).exists()
    assert Score.objects.filter(run=first).count() == edition_scores > 0
    q3 = Score.objects.get(run=first, contract=None, year=2026, period="Q3")
    assert q3.score == D("85.00")  # as first published, after the correction


def test_equal_inputs_on_a_day_of_the_same_period_give_the_same_fingerprint(pk):
    run = recompute_scores(today=DEC_6)
    assert run.inputs == input_fingerprint(today=DEC_6)
    assert input_fingerprint(today=DEC_7) == run.inputs  # no quarter closed or started
    assert unchanged_run(today=DEC_7) == run


@pytest.mark.parametrize(
    "change",
    ["realisation", "late change", "scheme", "survey response", "quarter closed"],
)
def test_any_change_of_the_inputs_changes_the_fingerprint(pk, cast, change):
    run = recompute_scores(today=DEC_6)
    day = DEC_6
    if change == "realisation":
        save(pk, [row(pk, "IKU1", "95", quarter=4)], cast.officer_a, quarter=4, reason="")
    elif change == "late change":
        save(pk, [row(pk, "IKU1", "120")], cast.officer_a)  # waits for an approver
    elif change == "scheme":
        ScoringScheme.objects.filter(year=2026).update(
            cap=D(110), updated_at=timezone.now() + datetime.timedelta(seconds=1)
        )
    elif change == "survey response":
        SurveyResponse.objects.create(
            service=cast.agency_a.services.create(code="S1", name="Layanan"),
            year=2026,
            quarter=4,
            **{f"u{i}": 3 for i in range(1, 10)},
        )
    else:
        run = recompute_scores(today=datetime.date(2027, 1, 15))
        day = datetime.date(2027, 1, 16)  # Q4 closes: the same data score otherwise
    assert input_fingerprint(today=day) != run.inputs
    assert unchanged_run(today=day) is None


def test_the_fingerprint_takes_two_queries_whatever_the_data(pk, django_assert_num_queries):
    with django_assert_num_queries(2):
        input_fingerprint(today=DEC_6)
