"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL when DATABASE_URL
points at it (CI); the Celery worker tests need REDIS_URL."""

import datetime

import pytest
from django.conf import settings
from django.core.cache import cache

# A day when every quarter of 2025 is closed (Q4 2025 closes after 15 January 2026).
AFTER_2025 = datetime.date(2026, 2, 1)


def clear_cache() -> None:
    """Empty the cache without `cache.clear()`, which on Redis would flush the database the
    Celery broker shares with it: only this test run's keys go."""
    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        client = cache._cache.get_client(write=True)
        prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _clear_cache():
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def after_2025() -> datetime.date:
    return AFTER_2025
