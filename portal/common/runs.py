"""The published score run a request reads: every page of one request shows one run."""

from __future__ import annotations

from django.http import HttpRequest

from performance.caching import published_run as cached_run
from performance.caching import published_run_id
from performance.models import ScoreRun
from portal.common.replica import run_to_read


def published_run(request: HttpRequest) -> ScoreRun | None:
    """The latest published run, read once per request (through the cache). The public page
    cache sets `request.published_run_id` when it has just read it. None before the first.
    A request on the read replica reads a run the replica holds (`run_to_read`)."""
    if not hasattr(request, "_published_run"):
        run_id = getattr(request, "published_run_id", None)
        if run_id is None:
            run_id = run_to_read(published_run_id())
        request._published_run = cached_run(run_id)
    return request._published_run
