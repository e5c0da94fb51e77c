"""Where the cache lives (issue 16, finding 3): REDIS_URL alone keeps working as before (the
cache and the broker in one Redis), REDIS_CACHE_URL puts the cache in a Redis of its own,
bounded, apart from the broker. Loaded in a fresh interpreter, as a deployment does."""

import json
import subprocess
import sys

import pytest
from django.conf import settings

PROBE = """
import json, django
from django.conf import settings as s
django.setup()
print(json.dumps({
    "cache": [s.CACHES["default"]["BACKEND"], s.CACHES["default"].get("LOCATION")],
    "broker": s.CELERY_BROKER_URL, "eager": s.CELERY_TASK_ALWAYS_EAGER,
}))
"""


def probe(**env: str) -> dict:
    out = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "-c", PROBE],
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "SECRET_KEY": "production-like-" + "x" * 50,
            **env,
        },
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("env", "cache", "broker"),
    [
        ({"REDIS_URL": "redis://r:6379/0"}, "redis://r:6379/0", "redis://r:6379/0"),
        (
            {"REDIS_URL": "redis://r:6379/0", "REDIS_CACHE_URL": "redis://c:6379/0"},
            "redis://c:6379/0",
            "redis://r:6379/0",
        ),
    ],
)
def test_the_cache_follows_redis_cache_url_and_the_broker_redis_url(env, cache, broker):
    found = probe(**env)
    assert found["cache"] == ["portal.cache.PortalRedisCache", cache]
    assert (found["broker"], found["eager"]) == (broker, False)


def test_without_redis_the_laptop_defaults_stay():
    found = probe(DEBUG="1")
    assert found["cache"][0].endswith("LocMemCache")
    assert (found["broker"], found["eager"]) == ("memory://", True)
