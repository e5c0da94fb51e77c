"""A Redis cache for the pages benchmark's full-render mode (`BENCH_PAGE_CACHE=0`)."""

from __future__ import annotations

from portal.cache import PortalRedisCache

# `agencies.pagecache` keys its pages "page:<language>:<digest>".
PAGE_PREFIX = "page:"


class NoPageRedisCache(PortalRedisCache):
    """Redis, except that a cached public page is never found: `public_page` renders every
    request in full (and stores it, as on any miss). Every other key works as usual."""

    def get(self, key, default=None, version=None):
        if key.startswith(PAGE_PREFIX):
            return default
        return super().get(key, default, version)

    def get_many(self, keys, version=None):
        return super().get_many([k for k in keys if not k.startswith(PAGE_PREFIX)], version)

    def get_many_and_count(self, keys, counter_key, seconds):
        # The page cache reads the page with the client's rate counter in one round trip
        # (issue 16): without this the "full" lines measured cached pages.
        return super().get_many_and_count(
            [k for k in keys if not k.startswith(PAGE_PREFIX)], counter_key, seconds
        )
