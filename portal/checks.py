"""System checks of the deployment that Django's own `check --deploy` does not make."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

# Caches every web worker shares and that count atomically (django-ratelimit's requirement).
SHARED_CACHES = ("RedisCache", "PyMemcacheCache", "PyLibMCCache")


@register(Tags.security, Tags.caches, deploy=True)
def rate_limits_need_a_shared_cache(app_configs: object, **kwargs: object) -> list[CheckMessage]:
    """With DEBUG off, the rate limits' cache must be shared by every worker: in a
    per-process cache (local memory, the laptop default without REDIS_URL) each gunicorn
    worker counts on its own, and a client gets the limit once per worker (the tester had
    40 survey posts accepted against a limit of 20)."""
    if settings.DEBUG:
        return []
    alias = getattr(settings, "RATELIMIT_USE_CACHE", "default")
    backend = settings.CACHES.get(alias, {}).get("BACKEND", "")
    if backend.endswith(SHARED_CACHES):
        return []
    return [
        Error(
            f"The cache '{alias}' ({backend or 'none'}) is not shared by the web workers: "
            "every rate limit (login, public pages, survey) would count per process.",
            hint="Set REDIS_URL (and REDIS_CACHE_URL for a cache apart from the broker).",
            id="portal.E001",
        )
    ]
