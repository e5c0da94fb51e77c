"""Caching keyed on the published score run: a new run shows at once, with no purge."""

from __future__ import annotations

from django.core.cache import cache

from .models import ScoreRun

PUBLISHED_RUN_KEY = "published-run-id"


def published_run_id() -> int:
    """Id of the latest published run (0 before the first), read through the cache. The
    recompute calls `forget_published_run` after it publishes."""
    run_id = cache.get(PUBLISHED_RUN_KEY)
    if run_id is None:
        run = ScoreRun.objects.latest_published()
        run_id = run.pk if run else 0
        cache.set(PUBLISHED_RUN_KEY, run_id, timeout=60)
    return run_id


def forget_published_run() -> None:
    cache.delete(PUBLISHED_RUN_KEY)


def run_cache_key(*parts: object) -> str:
    """A cache key that changes when a new run is published: `run-<id>:<parts...>`."""
    return ":".join([f"run-{published_run_id()}", *map(str, parts)])
