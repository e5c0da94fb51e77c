"""Celery tasks: glue around portal.nightly, the deadline reminders and the daily digest
(the per-event notification task is agencies.tasks)."""

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from agencies import notify
from performance import reminders
from performance.contracts import SCHEDULER_SEEN_KEY, SCHEDULER_SEEN_SECONDS

from . import nightly


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.RECOMPUTE_SOFT_TIME_LIMIT,
    time_limit=settings.RECOMPUTE_TIME_LIMIT,
    max_retries=settings.NIGHTLY_RETRIES,
)
def nightly_task(self, trigger: str = "beat") -> int | None:
    """The nightly job (recompute, then rules) for tonight; id of its score run, or None.

    Tried again after NIGHTLY_RETRY_SECONDS (trigger "retry") when the database went away
    mid-run (a restart, a failover), or when the job's lock is held while the night is not
    done: the holder may be a killed worker's session whose last statement PostgreSQL is
    still running (ops/chaos.py's worker-child-kill). Once the night is done, a retry is a
    no-op; the watchdog stays the last resort."""
    retry = {"kwargs": {"trigger": "retry"}, "countdown": settings.NIGHTLY_RETRY_SECONDS}
    try:
        entry = nightly.run_nightly(trigger=trigger)
    except (OperationalError, InterfaceError) as exc:
        raise self.retry(exc=exc, **retry) from exc
    if entry is None and not nightly.night_done():
        raise self.retry(**retry)
    return entry.run_id if entry else None


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=settings.RECOMPUTE_TIME_LIMIT)
def watchdog_task() -> int | None:
    """Every 30 minutes: starts a night's job that beat missed (see nightly.watchdog), and
    notes that the scheduler runs (`performance.contracts.scheduler_running`)."""
    cache.set(SCHEDULER_SEEN_KEY, timezone.now().isoformat(), timeout=SCHEDULER_SEEN_SECONDS)
    entry = nightly.watchdog()
    return entry.run_id if entry else None


@shared_task(acks_late=True, reject_on_worker_lost=True)
def reminders_task() -> int:
    """Each morning: the deadline reminders due today (performance.reminders)."""
    return reminders.send_reminders()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def digest_task() -> int:
    """Each morning: one mail to each user who chose the daily digest (agencies.notify)."""
    return notify.send_digests()
