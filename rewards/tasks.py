"""Celery tasks: glue around the services."""

import logging

from celery import shared_task
from django.conf import settings

from performance.models import ScoreRun
from performance.tasks import recompute_scores_task

from .rules import apply_rules

log = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    soft_time_limit=settings.RECOMPUTE_SOFT_TIME_LIMIT,
    time_limit=settings.RECOMPUTE_TIME_LIMIT,
)
def nightly_task(year: int | None = None) -> int | None:
    """The nightly job, as one task: the recompute (performance's task, run here in-process,
    with its lock: skipped when another recompute holds it), then the reward and punishment
    rules on the run it published. Returns the run's id, or None when skipped."""
    run_id = recompute_scores_task(year=year)
    if run_id is None:
        return None
    summary = apply_rules(run=ScoreRun.objects.get(pk=run_id))
    log.info("nightly job: %s", summary)
    return run_id
