"""Error pages that show no internals, only what happened in plain words and the incident id
that the log line of the same request carries (`portal.security.IncidentFilter`)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader


def _page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    # Rendered without context processors: the 500 page must not touch the database or the
    # cache that may be what failed.
    body = loader.get_template(template).render(
        {"incident_id": getattr(request, "incident_id", ""), "request_path": request.path}
    )
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _page(request, "errors/400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _page(request, "errors/403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _page(request, "errors/404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _page(request, "errors/500.html", 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    # The reason stays in the log (django.security.csrf), not on the page.
    return _page(request, "errors/403_csrf.html", 403)


def too_many_requests(request: HttpRequest, exception: Exception) -> HttpResponse:
    """django-ratelimit's RATELIMIT_VIEW: a polite 429 page."""
    response = _page(request, "errors/429.html", 429)
    response["Retry-After"] = "60"
    return response


def locked_out(request: HttpRequest, response: HttpResponse, credentials: dict) -> HttpResponse:
    """django-axes' lockout page: 429 with the cool-off in minutes, saying nothing about
    whether the account exists."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    locked = render(
        request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429
    )
    locked["Retry-After"] = str(minutes * 60)
    return locked
