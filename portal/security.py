"""Request-level security controls Django has no setting for (ASVS V3 session management,
V7 error handling): staff sessions that end after 30 idle minutes and 12 hours at most,
`Cache-Control: no-store` on every authenticated response, an incident id per request
that error pages show and every log line of the request carries, and a Permissions-Policy
header on every response."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.cache import patch_cache_control

STARTED_KEY = "_auth_started"
SEEN_KEY = "_auth_seen"
# The idle clock is written at most once a minute, so a page view is not a session write.
SEEN_RESOLUTION = 60


def mark_session_start(
    sender: object, request: HttpRequest, user: object, **kwargs: object
) -> None:
    """`user_logged_in` receiver: start both session clocks at login."""
    now = int(time.time())
    request.session[STARTED_KEY] = now
    request.session[SEEN_KEY] = now


def session_expired(session: object, now: int) -> bool:
    """True when a logged-in session is past the idle or the absolute limit (or predates the
    clocks, which only a session from before this control can)."""
    started = session.get(STARTED_KEY)
    seen = session.get(SEEN_KEY)
    if started is None or seen is None:
        return True
    return (
        now - seen > settings.SESSION_IDLE_SECONDS
        or now - started > settings.SESSION_ABSOLUTE_SECONDS
    )


def incident_middleware(get_response: Callable[[HttpRequest], HttpResponse]):
    """Give every request an incident id: error pages show it, log lines carry it
    (`IncidentFilter`), and the response names it in `X-Request-ID`."""

    def middleware(request: HttpRequest) -> HttpResponse:
        request.incident_id = secrets.token_hex(6)
        if request.method in ("TRACE", "TRACK"):  # never echo a request back (WSTG-CONF-06)
            response = HttpResponseNotAllowed(["GET", "HEAD", "POST"])
        else:
            response = get_response(request)
        response["X-Request-ID"] = request.incident_id
        return response

    return middleware


def permissions_policy_middleware(get_response: Callable[[HttpRequest], HttpResponse]):
    """Every response (pages, files, errors, static files) names the browser features the
    portal never uses, so no page, and nothing injected into one, can ask for them."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response

    return middleware


def session_limits_middleware(get_response: Callable[[HttpRequest], HttpResponse]):
    """Log out a session past its idle or absolute limit before the view runs, and mark every
    authenticated response `no-store` so no shared cache or browser history keeps personal
    data. Must come after AuthenticationMiddleware."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            if session_expired(request.session, now):
                logout(request)
            elif now - request.session[SEEN_KEY] >= SEEN_RESOLUTION:
                request.session[SEEN_KEY] = now
        response = get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response

    return middleware


class IncidentFilter(logging.Filter):
    """Adds `incident` to every log record: the id of the request being served, or "-"."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        record.incident = getattr(request, "incident_id", "-")
        return True
