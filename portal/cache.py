"""Django's Redis cache, with one Redis client per connection pool instead of a new client
object on every call: a cached page makes one cache call, and building the client was a
measurable share of it (about 0.07 ms of 0.5; docs/performance.md). Redis clients are
thread-safe and the pool is Django's own, so nothing else changes."""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients_by_pool", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class PortalRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
