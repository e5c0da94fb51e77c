"""Caching keyed on the published score run: a new run shows at once, with no purge."""

from __future__ import annotations

import time

from django.core.cache import cache

from .models import ScoreRun

PUBLISHED_RUN_KEY = "published-run-id"
# How long the cache may answer "which run is published" without asking the database. The
# recompute forgets the entry when it publishes, but only in its own cache: under `make run`
# (a local-memory cache per process) the server would not hear of a run published from a
# second terminal. One second bounds how late any process sees a new run (DESIGN.md,
# Integrity: freshness), for one indexed query a second per process.
PUBLISHED_RUN_TTL = 1
RUN_OBJECT_TTL = 60 * 60


def published_run_id() -> int:
    """Id of the latest published run (0 before the first), read through the cache. The
    recompute calls `forget_published_run` after it publishes."""
    run_id = cache.get(PUBLISHED_RUN_KEY)
    if run_id is None:
        run = ScoreRun.objects.latest_published()
        run_id = run.pk if run else 0
        cache.set(PUBLISHED_RUN_KEY, run_id, timeout=PUBLISHED_RUN_TTL)
        if run is not None:  # `published_run` then needs no second query for the same row
            cache.add(_run_key(run_id), run, timeout=RUN_OBJECT_TTL)
    return run_id


def _run_key(run_id: int) -> str:
    return f"score-run-object-{run_id}"


# (when this process read it, the id): see `recent_published_run_id`.
_recent: tuple[float, int] | None = None


def recent_published_run_id(max_age: float) -> int:
    """`published_run_id` as this process read it at most `max_age` seconds ago: no cache
    round trip for most calls. Only for what may lag a publication by that long (a page's
    revalidation, whose page a browser may keep for minutes anyway); a publication in this
    process shows at once."""
    global _recent
    now = time.monotonic()
    if _recent is None or now - _recent[0] > max_age:
        _recent = (now, published_run_id())
    return _recent[1]


def remember_published_run_id(run_id: int) -> None:
    """Note the published run's id, just read from the cache, for `recent_published_run_id`."""
    global _recent
    _recent = (time.monotonic(), run_id)


def forget_published_run() -> None:
    global _recent
    _recent = None
    cache.delete(PUBLISHED_RUN_KEY)


def published_run(run_id: int | None = None) -> ScoreRun | None:
    """The published run `run_id` (default: the latest), read through the cache so a warm
    page costs no query for it. None before the first run."""
    run_id = run_id or published_run_id()
    if not run_id:
        return None
    key = _run_key(run_id)
    run = cache.get(key)
    if run is None:
        run = ScoreRun.objects.filter(pk=run_id).first()
        cache.set(key, run, timeout=RUN_OBJECT_TTL)
    return run
