"""Celery tasks: two-line glue around portal.nightly."""

from celery import shared_task
from django.conf import settings

from . import nightly


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.RECOMPUTE_SOFT_TIME_LIMIT,
    time_limit=settings.RECOMPUTE_TIME_LIMIT,
)
def nightly_task(trigger: str = "beat") -> int | None:
    """The nightly job (recompute, then rules) for tonight; id of its score run, or None."""
    entry = nightly.run_nightly(trigger=trigger)
    return entry.run_id if entry else None


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=settings.RECOMPUTE_TIME_LIMIT)
def watchdog_task() -> int | None:
    """Every 30 minutes: starts a night's job that beat missed (see nightly.watchdog)."""
    entry = nightly.watchdog()
    return entry.run_id if entry else None
