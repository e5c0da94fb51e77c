"""The published score run a request reads: every page of one request shows one run."""

from __future__ import annotations

from django.http import HttpRequest

from performance.caching import published_run as cached_run
from performance.models import ScoreRun


def published_run(request: HttpRequest) -> ScoreRun | None:
    """The latest published run, read once per request (through the cache). The public page
    cache sets `request.published_run_id` when it has just read it. None before the first."""
    if not hasattr(request, "_published_run"):
        request._published_run = cached_run(getattr(request, "published_run_id", None))
    return request._published_run
