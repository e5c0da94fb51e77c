"""Celery tasks: two-line glue around the services."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from . import services

log = logging.getLogger(__name__)

LOCK_KEY = "recompute-scores-lock"


@shared_task(
    acks_late=True,
    soft_time_limit=settings.RECOMPUTE_SOFT_TIME_LIMIT,
    time_limit=settings.RECOMPUTE_TIME_LIMIT,
)
def recompute_scores_task(year: int | None = None) -> int | None:
    """The nightly recompute. Skips (and says so) when another recompute holds the lock; the
    lock expires with the task's hard time limit so a killed worker cannot hold it forever.
    Returns the id of the published run, or None when skipped."""
    if not cache.add(LOCK_KEY, "1", timeout=settings.RECOMPUTE_TIME_LIMIT):
        log.warning("recompute skipped: another recompute is still running")
        return None
    try:
        return services.recompute_scores(year=year).pk
    finally:
        cache.delete(LOCK_KEY)
