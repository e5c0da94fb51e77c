"""Settings of the pages benchmark only: the production settings, plus

- `bench.urls`: the portal's URLs and the 13-byte baseline view, which exists nowhere else;
- static files collected under `bench-results/` (git-ignored), not the checkout's
  `staticfiles/`;
- with `BENCH_PAGE_CACHE=0`, a Redis cache in which a cached page is never found
  (`bench.cache.NoPageRedisCache`), so every request renders its page in full; the other
  keys (the published run) work as usual, as on a real cache miss.

Read by the gunicorn the bench starts and by its in-process query counts; never by the
portal itself.
"""

import os

from portal.settings import *  # noqa: F403
from portal.settings import BASE_DIR, CACHES

ROOT_URLCONF = "bench.urls"
STATIC_ROOT = BASE_DIR / "bench-results" / "staticfiles"

if os.environ.get("BENCH_PAGE_CACHE", "1") == "0":
    CACHES = {"default": {**CACHES["default"], "BACKEND": "bench.cache.NoPageRedisCache"}}
