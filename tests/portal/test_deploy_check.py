"""Production refuses a per-process cache for rate limits (issue 16, finding 5):
`check --deploy --fail-level WARNING`, as `make lint` runs it, fails with DEBUG off and the
local-memory cache (no REDIS_URL), saying why, and passes with Redis configured, which it
does not need to reach."""

import subprocess
import sys

import pytest
from django.conf import settings
from django.core.checks import Error
from django.test import override_settings

from portal.checks import rate_limits_need_a_shared_cache

PRODUCTION = {
    "PATH": "/usr/bin:/bin",
    "DJANGO_SETTINGS_MODULE": "portal.settings",
    "DEBUG": "0",
    "SECRET_KEY": "lint-check-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789",
    "ALLOWED_HOSTS": "kinerja.ntbprov.go.id",
}


def check_deploy(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={**PRODUCTION, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_fails_with_a_per_process_cache():
    result = check_deploy()
    assert result.returncode != 0
    assert "portal.E001" in result.stderr
    assert "every rate limit (login, public pages, survey) would count per process" in (
        result.stderr
    )


def test_check_deploy_passes_with_redis_which_it_does_not_reach():
    result = check_deploy(REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens on port 1
    assert result.returncode == 0, result.stderr
    assert "portal.E001" not in result.stderr


@pytest.mark.parametrize(
    ("debug", "backend", "errors"),
    [
        (False, "django.core.cache.backends.locmem.LocMemCache", 1),
        (False, "django.core.cache.backends.db.DatabaseCache", 1),
        (False, "django.core.cache.backends.filebased.FileBasedCache", 1),
        (False, "portal.cache.PortalRedisCache", 0),
        (False, "django.core.cache.backends.redis.RedisCache", 0),
        (True, "django.core.cache.backends.locmem.LocMemCache", 0),  # a laptop
    ],
)
def test_the_check_names_every_cache_a_worker_keeps_to_itself(debug, backend, errors):
    with override_settings(DEBUG=debug, CACHES={"default": {"BACKEND": backend}}):
        found = rate_limits_need_a_shared_cache(None)
    assert len(found) == errors
    assert all(isinstance(e, Error) and e.id == "portal.E001" for e in found)
