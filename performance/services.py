"""Work that runs from several entry points (Celery, management commands, views, tests)."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import agencies_for
from agencies.models import Membership, SurveyResponse

from . import history, recompute
from .caching import forget_published_run
from .corrections import record_corrections
from .models import (
    Achievement,
    AnnualAchievement,
    Edition,
    PerformanceContract,
    Score,
    ScoreRun,
    ScoringScheme,
    Support,
)

log = logging.getLogger(__name__)

# Any constant will do: it names the recompute's PostgreSQL advisory lock.
RECOMPUTE_LOCK_ID = 52_2025_01


def submitter_id(contract: PerformanceContract) -> int | None:
    """Who submitted the contract now waiting for approval: `submitted_by`, or, where that
    was not recorded, the user of the history record that made it submitted."""
    if contract.submitted_by_id is not None:
        return contract.submitted_by_id
    submission = None
    for row in contract.history.order_by("-history_date", "-history_id").only(
        "status", "history_user"
    ):
        if row.status != PerformanceContract.Status.SUBMITTED:
            break
        submission = row  # the earliest record of the current submission
    return submission.history_user_id if submission is not None else None


def approval_problem(contract: PerformanceContract, approver) -> str | None:
    """Why `approver` may not approve `contract`, or None when they may (DESIGN.md,
    Integrity: a contract reaches `approved` only through an approver of its agency who is
    not the person who submitted it; the other way is the administrator's command-line
    import). Every path that approves asks this first."""
    if contract.status != PerformanceContract.Status.SUBMITTED:
        return _("Only a submitted contract can be approved.")
    if not agencies_for(approver, Membership.Role.APPROVER).filter(pk=contract.agency_id).exists():
        return _("Only an approver of the contract's agency can approve it.")
    if submitter_id(contract) == approver.pk:
        return _("You submitted this contract: another approver must approve it.")
    return None


def scheme_for(year: int) -> ScoringScheme:
    """The scheme of `year`, created with the default parameters when it does not exist."""
    scheme, _ = ScoringScheme.objects.get_or_create(year=year)
    return scheme


def scored_years() -> list[int]:
    """Every year with an approved contract or a survey response."""
    years = set(
        PerformanceContract.objects.approved().values_list("year", flat=True).distinct()
    ) | set(SurveyResponse.objects.values_list("year", flat=True).distinct())
    return sorted(years)


def _engine() -> Callable:
    if connection.vendor == "postgresql":
        return recompute.write_year_sql
    return recompute.write_year_python


def recompute_scores(
    *,
    year: int | None = None,
    today: datetime.date | None = None,
    engine: Callable | None = None,
    on_publish: Callable[[ScoreRun], None] | None = None,
) -> ScoreRun:
    """Compute every score of `year` (all years when None) as of `today` (WITA; default: now)
    and publish them as a new run.

    All rows of the run are written in one transaction and the run is published in that same
    transaction, so readers see either the previous published run or the whole new one. When
    `year` is given, the other years' rows are carried over from the previous published run,
    so the newest run is always complete. On failure the run is kept, marked failed, with no
    rows. Concurrent calls queue on a database lock (PostgreSQL) rather than overlap.
    `on_publish(run)` runs inside the publishing transaction (the nightly ledger records the
    run there, so a crash can never leave a published run the ledger does not know of).
    The run records the fingerprint of its inputs (`history.input_fingerprint`), and is
    recorded as an edition when a quarter has closed or a figure was corrected since the last
    edition (`history.mark_edition`).
    """
    today = today or timezone.localdate()
    write_year = engine or _engine()
    run = ScoreRun.objects.create(as_of=today)
    try:
        # Its partition before its transaction, which would otherwise hold the lock that
        # creating a partition takes until the run is published.
        scores_table = history.add_partition(run.pk)
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RECOMPUTE_LOCK_ID])
            previous = ScoreRun.objects.latest_published()
            years = [year] if year is not None else scored_years()
            schemes = {y: scheme_for(y) for y in years}  # created with the defaults if new
            # Read before the rows: a change committed while the run computes makes the next
            # night's fingerprint differ, so it is never missed.
            run.inputs = history.input_fingerprint(today=today)
            snapshots = {}
            for y, scheme in schemes.items():
                snapshots[str(y)] = scheme.snapshot()
                write_year(run, y, scheme.as_scheme(), today)
            if year is not None and previous is not None:
                _carry_over(previous, run, exclude_year=year)
                snapshots = {**previous.schemes, **snapshots}
            if connection.vendor == "postgresql":
                # Fresh statistics before readers see the new rows: without them the planner
                # takes the run's half a million scores for a handful, and the first pages
                # rendered from it chose nested loops over them (seconds each; measured by
                # `make bench PART=load`). ANALYZE samples, about a second, and is
                # transactional: it sees this run's rows.
                # Partitioned, the run's own partition only: ANALYZE of the parent would
                # sample every run kept.
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"ANALYZE {scores_table}, performance_achievement,"  # noqa: S608 (fixed names)
                        " performance_annualachievement"
                    )
            now = timezone.now()
            # Before the run is marked published, in its transaction: a run is never
            # published without its corrections, nor an edition without its run.
            corrected = record_corrections(run, previous, snapshots, now)
            history.mark_edition(run, snapshots, corrected)
            run.schemes = snapshots
            run.counts = _counts(run)
            run.status = ScoreRun.Status.PUBLISHED
            run.finished_at = now
            run.published_at = now
            run.save()
            if on_publish is not None:
                on_publish(run)
    except BaseException as exc:
        ScoreRun.objects.filter(pk=run.pk).update(
            status=ScoreRun.Status.FAILED, finished_at=timezone.now(), error=repr(exc)[:2000]
        )
        log.exception("recompute run %s failed", run.pk)
        raise
    log.info("recompute run %s published: %s", run.pk, run.counts)
    forget_published_run()
    prune_runs()
    return run


def _carry_over(previous: ScoreRun, run: ScoreRun, *, exclude_year: int) -> None:
    """Copy the previous run's rows of the other years into `run` (one INSERT ... SELECT a
    table)."""
    score_cols = [
        "agency_id",
        "contract_id",
        "year",
        "period",
        "k",
        "e",
        "s",
        "staff_count",
        "respondents",
        "missing",
        "score",
        "predikat",
        "results_rating",
        "behaviour_rating",
        "ikm",
        "final",
        "complete",
    ]
    ach_cols = ["indicator_id", "quarter", "value", "missing"]
    annual_cols = ["indicator_id", "target", "realisation", "value", "missing"]
    other_years = (
        "indicator_id IN (SELECT i.id FROM performance_indicator i JOIN "
        "performance_performancecontract c ON c.id = i.contract_id WHERE c.year <> %s)"
    )
    with connection.cursor() as cursor:
        for table, cols, where in (
            (Score._meta.db_table, score_cols, "year <> %s"),
            (Achievement._meta.db_table, ach_cols, other_years),
            (AnnualAchievement._meta.db_table, annual_cols, other_years),
            (
                Support._meta.db_table,
                ["indicator_id", "year", "indicators", "staff", "mean_achievement"],
                "year <> %s",
            ),
        ):
            col_list = ", ".join(cols)
            cursor.execute(
                f"INSERT INTO {table} (run_id, {col_list}) "  # noqa: S608 (fixed names)
                f"SELECT %s, {col_list} FROM {table} WHERE run_id = %s AND {where}",
                [run.pk, previous.pk, exclude_year],
            )


def _counts(run: ScoreRun) -> dict:
    scores = Score.objects.filter(run=run)
    return {
        "contract_scores": scores.contract_level().count(),
        "agency_scores": scores.agency_level().count(),
        "achievements": Achievement.objects.filter(run=run).count(),
        "annual_achievements": AnnualAchievement.objects.filter(run=run).count(),
    }


def prune_runs(*, now: datetime.datetime | None = None) -> int:
    """Delete runs older than SCORE_HISTORY_DAYS, never the latest published one, an edition's
    (kept for good: `?edition=`) nor one that may still be running. Returns the number of
    runs deleted. On PostgreSQL a run's scores go with its partition (dropped, not deleted
    row by row); elsewhere they are deleted."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.SCORE_HISTORY_DAYS)
    # A run still "running" after the task's hard time limit was killed (SIGKILL, OOM, a
    # lost worker) before it could mark itself failed: it has no rows, nothing will finish
    # it, and without this it would be kept forever.
    alive_since = now - datetime.timedelta(seconds=settings.RECOMPUTE_TIME_LIMIT)
    keep = ScoreRun.objects.latest_published()
    old = (
        ScoreRun.objects.filter(started_at__lt=cutoff)
        .exclude(Q(pk=keep.pk) if keep else Q(pk__in=[]))
        .exclude(status=ScoreRun.Status.RUNNING, started_at__gte=alive_since)
        .exclude(pk__in=Edition.objects.values("run_id"))
    )
    ids = list(old.values_list("pk", flat=True))
    if not ids:
        return 0
    with transaction.atomic():
        history.drop_partitions(ids)
        Score.objects.filter(run_id__in=ids).delete()  # rows outside a partition, if any
        Achievement.objects.filter(run_id__in=ids).delete()
        AnnualAchievement.objects.filter(run_id__in=ids).delete()
        ScoreRun.objects.filter(pk__in=ids).delete()
    return len(ids)
