"""The nightly job: recompute every score, then apply the reward and punishment rules, with a
ledger (`NightlyRun`) so each night publishes exactly one run.

Whatever starts it (beat at 01:00 WITA, a second beat by mistake, a manual trigger, a broker
redelivery after a killed worker, the watchdog) runs `run_nightly`, which

1. takes the job's lock, or returns at once when another process holds it. On PostgreSQL
   the lock is a session advisory lock: a killed worker's connection closes and the lock goes
   with it. Not at once, though: the server notices the lost client only when the statement
   it is running ends, so a redelivery arriving meanwhile finds the lock held (the task then
   tries again shortly, see tasks.nightly_task). Elsewhere (the laptop default) a cache lock.
2. reads the night's ledger row: `done` or `unchanged` -> nothing to do; `published` -> only
   the rules are left; otherwise, when the inputs did not change since the latest published
   run (`performance.history.unchanged_run`), no recompute: the rules are applied to that
   run and the night is marked `unchanged`; else it recomputes, recording the published
   run in the publishing transaction.
3. applies the rules and marks the night done.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
from collections.abc import Iterator

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from performance.history import unchanged_run
from performance.models import ScoreRun
from performance.services import recompute_scores
from rewards.rules import apply_rules

from .models import NightlyRun

log = logging.getLogger(__name__)

NIGHTLY_LOCK_ID = 52_2025_07  # names the job's PostgreSQL advisory lock
CACHE_LOCK_KEY = "nightly-job-lock"
Status = NightlyRun.Status
FINISHED = (Status.DONE, Status.UNCHANGED)  # a night with nothing left to do


@contextlib.contextmanager
def job_lock() -> Iterator[bool]:
    """Yields True when this process holds the nightly job's lock, False when another does."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [NIGHTLY_LOCK_ID])
            held = cursor.fetchone()[0]
        try:
            yield held
        finally:
            if held:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [NIGHTLY_LOCK_ID])
        return
    held = cache.add(CACHE_LOCK_KEY, "1", timeout=settings.RECOMPUTE_TIME_LIMIT)
    try:
        yield held
    finally:
        if held:
            cache.delete(CACHE_LOCK_KEY)


def night_of(now: datetime.datetime | None = None) -> datetime.date:
    """The night a job started at `now` is for: the WITA date (the 01:00 run of 28 November
    is the night of 28 November)."""
    return timezone.localdate(now)


def night_done(night: datetime.date | None = None) -> bool:
    """Whether the ledger says `night` (default: tonight) is done (or was unchanged)."""
    return NightlyRun.objects.filter(night=night or night_of(), status__in=FINISHED).exists()


def run_nightly(
    *, night: datetime.date | None = None, trigger: str = "beat", today: datetime.date | None = None
) -> NightlyRun | None:
    """Run the job for `night` (default: tonight) unless it is done or running elsewhere.
    Returns the ledger row, or None when another process holds the lock."""
    night = night or night_of()
    with job_lock() as held:
        if not held:
            log.warning(
                "nightly job for %s skipped (%s): already running elsewhere", night, trigger
            )
            return None
        entry, _ = NightlyRun.objects.get_or_create(
            night=night, defaults={"status": Status.STARTED}
        )
        if entry.status in FINISHED:
            log.info("nightly job for %s skipped (%s): already %s", night, trigger, entry.status)
            return entry
        NightlyRun.objects.filter(pk=entry.pk).update(
            attempts=entry.attempts + 1, trigger=trigger, started_at=timezone.now(), error=""
        )
        final = Status.DONE
        try:
            same = None
            if entry.status != Status.PUBLISHED:
                same = unchanged_run(today=today or timezone.localdate())
            if same is not None:
                # Nothing the recompute reads changed: the latest run stands (no new rows).
                NightlyRun.objects.filter(pk=entry.pk).update(run=same)
                final = Status.UNCHANGED
            elif entry.status != Status.PUBLISHED:

                def record(run: ScoreRun) -> None:
                    NightlyRun.objects.filter(pk=entry.pk).update(status=Status.PUBLISHED, run=run)

                recompute_scores(today=today, on_publish=record)
            entry.refresh_from_db()
            summary = apply_rules(run=entry.run)
        except BaseException as exc:
            # A published run stays published: only the rules are left for the next attempt.
            if entry.status != Status.PUBLISHED:
                NightlyRun.objects.filter(pk=entry.pk).exclude(status=Status.PUBLISHED).update(
                    status=Status.FAILED, error=repr(exc)[:2000], finished_at=timezone.now()
                )
            raise
        with transaction.atomic():
            NightlyRun.objects.filter(pk=entry.pk).update(status=final, finished_at=timezone.now())
        log.info(
            "nightly job for %s %s (%s): run %s, %s", night, final, trigger, entry.run_id, summary
        )
        entry.refresh_from_db()
        return entry


def watchdog(*, now: datetime.datetime | None = None) -> NightlyRun | None:
    """Start tonight's job when beat missed it: after WATCHDOG_AFTER (02:00 WITA by default)
    the night must have a `done` ledger row; if not, run it now (trigger "watchdog")."""
    now = timezone.localtime(now)
    night = night_of(now)
    if now.time() < settings.NIGHTLY_WATCHDOG_AFTER:
        return None
    if night_done(night):
        return None
    log.warning("watchdog: the nightly job for %s has not finished; starting it", night)
    return run_nightly(night=night, trigger="watchdog")
