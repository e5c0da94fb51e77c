"""Django's Redis cache, with one Redis client per connection pool instead of a new client
object on every call: a cached page makes one cache call, and building the client was a
measurable share of it (about 0.07 ms of 0.5; docs/performance.md). Redis clients are
thread-safe and the pool is Django's own, so nothing else changes.

It also counts a request against a per-client limit in the round trip that reads the page
(`get_many_and_count`, for the limit on every public page, `portal.common.ratelimits`):
a separate counter (Django's `add` then `incr`: SET NX, EXISTS, INCR) would add two or three
round trips to a cached page that costs one."""

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


# KEYS[1] the counter, KEYS[2..] the keys read; ARGV[1] the counter's lifetime in seconds.
# Atomic, so a counter always gets its expiry with its first count.
GET_MANY_AND_COUNT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local out = {n}
if #KEYS > 1 then
    local values = redis.call('MGET', unpack(KEYS, 2))
    for i = 1, #KEYS - 1 do out[i + 1] = values[i] end
end
return out
"""


class PortalRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        self._scripts: dict[int, object] = {}  # the script, registered with each client

    def count(self, key: str, seconds: int) -> int:
        """Add one to the counter `key`, which expires `seconds` after its first count, in
        one round trip; its new value."""
        return self.get_many_and_count([], key, seconds)[1]

    def get_many_and_count(self, keys: list[str], counter: str, seconds: int) -> tuple[dict, int]:
        """`get_many(keys)` and `count(counter, seconds)` in one round trip: one Lua script,
        one command and one reply, which costs what the MGET alone does (a pipeline of the
        three commands measured slower)."""
        names = {self.make_and_validate_key(key): key for key in keys}
        counter = self.make_and_validate_key(counter)
        client = self._cache.get_client(counter, write=True)
        script = self._scripts.get(id(client))
        if script is None:
            script = self._scripts[id(client)] = client.register_script(GET_MANY_AND_COUNT)
        count, *values = script(keys=[counter, *names], args=[seconds])
        loads = self._cache._serializer.loads
        found = {names[k]: loads(v) for k, v in zip(names, values, strict=True) if v is not None}
        return found, count
