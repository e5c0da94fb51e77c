"""Whole public pages cached per published score run.

A page is the same for everyone until the next run is published, so it is rendered once
per run, language and query and then served from the cache (Redis in production). The key
starts with the run id (`performance.caching.run_cache_key`): a new run shows at once, with
no purge. Clients get an ETag (run, language and a hash of the content) and Last-Modified
(the run's publication time), so a revalidation costs a 304 and no rendering.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language

from performance.caching import run_cache_key

from .queries import published_run

MAX_AGE = 300  # seconds a browser or proxy may reuse a page without asking
PAGE_TTL = 24 * 60 * 60  # keys carry the run id, so an old run's pages simply expire
COPIED_HEADERS = ("Content-Type", "Content-Disposition", "Content-Language")


def _is_personal(request: HttpRequest) -> bool:
    """A request that may see per-user content (a session, a flash message) is never served
    from or stored in the shared cache."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES


def _key(request: HttpRequest, language: str) -> str:
    # Normalised query (sorted, empty values dropped): equivalent URLs share one entry.
    query = urlencode(sorted((k, v) for k, values in request.GET.lists() for v in values if v))
    digest = hashlib.sha256(f"{request.path}?{query}".encode()).hexdigest()
    return run_cache_key("page", language, digest)


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve a public GET page from the cache of the published run, with ETag,
    Last-Modified and `Cache-Control: public, max-age=300`. Only 200 responses are stored."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or _is_personal(request):
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_cache=True)
            return response
        language = get_language()
        key = _key(request, language)
        entry = cache.get(key)
        if entry is None:
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming:
                return response
            run = published_run(request)
            digest = hashlib.sha256(response.content).hexdigest()[:20]
            entry = {
                "content": response.content,
                "headers": {h: response[h] for h in COPIED_HEADERS if h in response},
                "etag": quote_etag(f"{run.pk if run else 0}-{language}-{digest}"),
                "last_modified": int(run.published_at.timestamp()) if run else None,
            }
            cache.set(key, entry, timeout=PAGE_TTL)
        response = HttpResponse(entry["content"])
        for header, value in entry["headers"].items():
            response[header] = value
        response["ETag"] = entry["etag"]
        if entry["last_modified"] is not None:
            response["Last-Modified"] = http_date(entry["last_modified"])
        patch_cache_control(response, public=True, max_age=MAX_AGE)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return get_conditional_response(
            request,
            etag=entry["etag"],
            last_modified=entry["last_modified"],
            response=response,
        )

    return wrapper
