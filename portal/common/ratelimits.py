"""Per-client rate limits on the expensive public endpoints (search, exports) and the login
form, with django-ratelimit on the shared cache (Redis in production). Over the limit the
client gets the 429 page (`portal.errors.too_many_requests`, RATELIMIT_VIEW)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django_ratelimit.decorators import ratelimit


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the last address in the header a trusted
    reverse proxy sets (`CLIENT_IP_HEADER`, e.g. HTTP_X_REAL_IP). Never trust such a header
    without that proxy: anyone could send it."""
    header = settings.CLIENT_IP_HEADER
    forwarded = request.META.get(header, "") if header else ""
    return forwarded.split(",")[-1].strip() or request.META.get("REMOTE_ADDR", "")


def _client(group: str, request: HttpRequest) -> str:
    return client_address(request)


def _rate_from(setting: str) -> Callable[[str, HttpRequest], str | None]:
    # Read per request, so a deployment (or the benchmark's own settings) can change it;
    # an empty setting means no limit.
    def rate(group: str, request: HttpRequest) -> str | None:
        return getattr(settings, setting) or None

    return rate


def limited(setting: str, *, methods: tuple[str, ...] = ("GET", "HEAD", "POST")):
    """Decorator: at most `settings.<setting>` requests (e.g. "120/m") per client address to
    the decorated view, all its URLs together."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        return ratelimit(key=_client, rate=_rate_from(setting), method=list(methods))(view)

    return decorator
