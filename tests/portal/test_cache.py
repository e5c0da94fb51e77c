"""The Redis cache backend builds one client per connection pool, not one per call."""

from portal.cache import PortalRedisCache


def test_one_client_serves_every_call():
    cache = PortalRedisCache("redis://127.0.0.1:6379/15", {})
    first = cache._cache.get_client("a")
    assert cache._cache.get_client("b") is first
    assert cache._cache.get_client("c", write=True) is first  # one server: one pool
    assert first.connection_pool is cache._cache._get_connection_pool(False)
