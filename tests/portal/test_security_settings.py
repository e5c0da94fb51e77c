"""ASVS V13/V3 configuration: the production settings as a deployment gets them (loaded in a
fresh interpreter with production environment variables), the headers every response
carries, and requests that must be refused (TRACE, a forged Host, off-site redirects)."""

import json
import subprocess
import sys
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.test import Client

PROBE = """
import json, django
from django.conf import settings as s
django.setup()
print(json.dumps({
    "DEBUG": s.DEBUG,
    "HSTS": s.SECURE_HSTS_SECONDS, "HSTS_SUB": s.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
    "SESSION_COOKIE": [
        s.SESSION_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,
        s.SESSION_COOKIE_SAMESITE,
    ],
    "CSRF_COOKIE": [s.CSRF_COOKIE_NAME, s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_SAMESITE],
    "IDLE": s.SESSION_IDLE_SECONDS, "ABSOLUTE": s.SESSION_ABSOLUTE_SECONDS,
    "MIDDLEWARE": s.MIDDLEWARE,
    "BACKENDS": s.AUTHENTICATION_BACKENDS,
    "AXES_COOLOFF": s.AXES_COOLOFF_TIME.total_seconds() if s.AXES_COOLOFF_TIME else None,
    "SCRIPT_SRC": [str(v) for v in s.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"]],
    "MIN_LENGTH": [v.get("OPTIONS", {}).get("min_length") for v in s.AUTH_PASSWORD_VALIDATORS],
    "STAFF_2FA": s.STAFF_2FA,
    "SILENCED": s.SILENCED_SYSTEM_CHECKS,
    "CACHE": s.CACHES["default"]["BACKEND"],
}))
"""


@pytest.fixture(scope="module")
def production() -> dict:
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "SECRET_KEY": "production-like-" + "x" * 50,
        "ALLOWED_HOSTS": "kinerja.ntbprov.go.id",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    out = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "-c", PROBE],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_production_defaults(production):
    assert production["DEBUG"] is False
    assert production["HSTS"] >= 365 * 24 * 60 * 60 and production["HSTS_SUB"]
    assert production["SSL_REDIRECT"] is True
    assert production["SESSION_COOKIE"] == ["__Host-sessionid", True, True, "Lax"]
    assert production["CSRF_COOKIE"] == ["__Host-csrftoken", True, "Lax"]
    assert production["IDLE"] == 30 * 60 and production["ABSOLUTE"] == 12 * 60 * 60
    assert production["STAFF_2FA"] is True
    assert production["SILENCED"] == []
    assert production["CACHE"].endswith("RedisCache")  # rate limits need a shared cache


def test_production_middleware_and_backends(production):
    middleware = production["MIDDLEWARE"]
    for required in (
        "csp.middleware.CSPMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django_otp.middleware.OTPMiddleware",
        "portal.twofactor.staff_2fa_middleware",
        "portal.security.session_limits_middleware",
        "axes.middleware.AxesMiddleware",
    ):
        assert required in middleware
    assert middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware") < (
        middleware.index("portal.twofactor.staff_2fa_middleware")
    )
    assert production["BACKENDS"][0] == "axes.backends.AxesStandaloneBackend"
    assert production["AXES_COOLOFF"] == 15 * 60  # a cool-off, never a permanent lock
    assert "'unsafe-inline'" not in production["SCRIPT_SRC"]
    assert 12 in production["MIN_LENGTH"]
    assert not any("test" in m.lower() for m in middleware)


def test_every_response_carries_the_security_headers(db):
    response = Client().get("/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "charset=utf-8" in response["Content-Type"]


@pytest.mark.parametrize("method", ["TRACE", "TRACK"])
def test_trace_is_refused(db, method):
    response = Client().generic(method, "/")
    assert response.status_code == 405


def test_a_forged_host_is_refused(db):
    assert Client().get("/", HTTP_HOST="evil.example").status_code == 400


def _on_site(location: str) -> bool:
    """Where a browser on a portal page would go: still this host, over http(s)."""
    target = urlsplit(urljoin("http://testserver/accounts/login/", location))
    return target.scheme in ("http", "https") and target.netloc == "testserver"


OFF_SITE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example",
    "https:evil.example",
    "%2F%2Fevil.example",
    "http://127.0.0.1.evil.example/",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_never_redirects_off_site(cast, target):
    cast.officer_a.set_password("a long enough passphrase")
    cast.officer_a.save()
    response = Client().post(
        f"/accounts/login/?next={target}",
        {"username": "officer_a", "password": "a long enough passphrase", "next": target},
    )
    assert response.status_code == 302
    assert _on_site(response["Location"])


@pytest.mark.parametrize("target", OFF_SITE)
def test_language_switch_never_redirects_off_site(db, target):
    response = Client().post("/i18n/setlang/", {"language": "en", "next": target})
    assert response.status_code == 302
    assert _on_site(response["Location"])
