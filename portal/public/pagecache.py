"""Whole public pages cached per published score run.

A page is the same for everyone until the next run is published, so it is rendered once
per run, language and query and then served from the cache (Redis in production). The query
is the page's own parameters only (`public_page(params=...)`): the view sees no other, and a
request carrying others (`?utm_source=...`, a random cache-buster) is answered from the
entry of the same URL without them, never stored apart. Every request to a public page
counts against the client's loose limit, every render against a tighter one
(`portal.common.ratelimits`); a revalidation a worker answers from its memory (below) costs
nothing and is not counted. Each entry
records the run it was rendered from, and is only served while that run is the published
one: a new run shows at once, with no purge (its first visitor renders the page again, over
the old entry). Clients get an ETag (run, language and a hash of the content) and
Last-Modified (the run's publication time), so a revalidation costs a 304 and no rendering.

A cached page costs one cache round trip: the published run's id and the page are read
together (`get_many`), and the entry holds its response headers ready to send (measured in
`make bench PART=pages`, docs/performance.md). The entry also holds the page gzipped,
compressed once when it is rendered, for clients that accept gzip (every browser): a 23 KB
scorecard travels as 5 KB at no cost per request. Its ETag differs from the plain page's
(another representation), and responses vary on Accept-Encoding. Public pages carry no
secret (no CSRF token, no session), so compression gives BREACH nothing to find.

A revalidation costs no round trip at all when the worker has served the page before: each
worker remembers the validators of the pages it served (not their bytes, at most
`MEMORY_PAGES` of them) and the published run's id, re-read at most every
`settings.PAGE_RUN_MEMORY_SECONDS` (1 s). A worker may thus answer 304 for a page of the
previous run for up to that second after a new run is published elsewhere (a browser may
keep the page for `MAX_AGE` without asking at all); a publication in the worker's own process
shows at once.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import threading
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, QueryDict
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language
from django_ratelimit.exceptions import Ratelimited

from performance.caching import (
    PUBLISHED_RUN_KEY,
    published_run_id,
    recent_published_run_id,
    remember_published_run_id,
)
from portal.common.ratelimits import get_many_counting, over_page_limit, over_render_limit
from portal.common.replica import run_to_read
from portal.common.runs import published_run

MAX_AGE = 300  # seconds a browser or proxy may reuse a page without asking
PAGE_TTL = 24 * 60 * 60  # an old run's page is replaced by its next visit, or expires
COPIED_HEADERS = ("Content-Type", "Content-Disposition", "Content-Language")
CACHE_CONTROL = f"public, max-age={MAX_AGE}"
STALE_CACHE_CONTROL = "public, max-age=0, must-revalidate"  # the previous run's page
RENDER_LOCK_SECONDS = 60  # at most this long one request renders a page for a new run
VARY = "Accept-Encoding, Cookie"  # the language comes from a cookie (portal/locale.py)
GZIP_MIN_BYTES = 200  # below this gzip saves nothing worth a header
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")  # as django.middleware.gzip
# What a 304 repeats of the page's headers (RFC 9110 15.4.5, as Django's own 304s do).
NOT_MODIFIED_HEADERS = ("Cache-Control", "ETag", "Last-Modified", "Vary")
MEMORY_PAGES = 4096  # validators a worker remembers (a few hundred bytes each)
# {page key: the entry's validators and headers, no bytes}; see the module's docstring.
_validators: dict[str, dict] = {}
_validators_lock = threading.Lock()


def forget_validators() -> None:
    """Empty this worker's memory of validators (tests: between two databases)."""
    _validators.clear()


def _remember(key: str, entry: dict) -> None:
    known = {k: v for k, v in entry.items() if k not in ("content", "gzip")}
    known["gzip"] = entry.get("gzip") is not None
    with _validators_lock:  # a threaded server (runserver) may remember two pages at once
        if key not in _validators and len(_validators) >= MEMORY_PAGES:
            del _validators[next(iter(_validators))]  # the oldest
        _validators[key] = known


def _is_personal(request: HttpRequest) -> bool:
    """A request that may see per-user content (a session, a flash message) is never served
    from or stored in the shared cache."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES


def _own_query(request: HttpRequest, params: frozenset[str]) -> str:
    """The request's query reduced to the page's own parameters, normalised: by name, each
    name's non-empty values in the order sent (the comparison's columns follow it)."""
    query = request.GET
    return urlencode([(k, v) for k in sorted(query) if k in params for v in query.getlist(k) if v])


def _key(request: HttpRequest, language: str, *, per_origin: bool = False) -> str:
    # Equivalent URLs share one entry; the wrapper has reduced the query to the page's own
    # parameters (`_own_query`). A page holding absolute URLs is stored per scheme and host
    # (both checked against ALLOWED_HOSTS), so no client gets links to another host.
    query = urlencode([(k, v) for k in sorted(request.GET) for v in request.GET.getlist(k) if v])
    origin = f"{request.scheme}://{request.get_host()}" if per_origin else ""
    digest = hashlib.sha256(f"{origin}{request.path}?{query}".encode()).hexdigest()
    return f"page:{language}:{digest}"


def _render(
    view: Callable[..., HttpResponse],
    request: HttpRequest,
    run_id: int,
    language: str,
    *args: object,
    **kwargs: object,
) -> tuple[HttpResponse, dict | None]:
    """Render the page: (the view's response, its cache entry, or None when it is not to be
    cached: only 200 responses are)."""
    response = view(request, *args, **kwargs)
    if response.status_code != 200 or response.streaming:
        return response, None
    run = published_run(request)
    digest = hashlib.sha256(response.content).hexdigest()[:20]
    etag = quote_etag(f"{run.pk if run else 0}-{language}-{digest}")
    last_modified = int(run.published_at.timestamp()) if run else None
    headers = {h: response[h] for h in COPIED_HEADERS if h in response}
    headers["ETag"] = etag
    if last_modified is not None:
        headers["Last-Modified"] = http_date(last_modified)
    headers["Cache-Control"] = CACHE_CONTROL
    headers["Vary"] = VARY
    compressed = None
    if len(response.content) >= GZIP_MIN_BYTES and not response.has_header("Content-Encoding"):
        compressed = gzip.compress(response.content, compresslevel=6, mtime=0)
    entry = {
        "run": run_id,
        "content": response.content,
        "headers": headers,
        "etag": etag,
        "last_modified": last_modified,
        "gzip": compressed,
        "gzip_etag": quote_etag(f"{run.pk if run else 0}-{language}-{digest}-gzip"),
    }
    return response, entry


def _is_revalidation(request: HttpRequest) -> bool:
    return "HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META


def _headers(request: HttpRequest, entry: dict, *, stale: bool = False) -> dict[str, str]:
    """The response headers of a cached entry for this request: its gzipped copy's when the
    client accepts gzip, marked to be asked for again when the entry is of an older run."""
    headers = entry["headers"]
    if stale:
        headers = {**headers, "Cache-Control": STALE_CACHE_CONTROL}
    if entry.get("gzip") and _ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        headers = {**headers, "ETag": entry["gzip_etag"], "Content-Encoding": "gzip"}
    return headers


def _conditional(request: HttpRequest, entry: dict, headers: dict[str, str]):
    """The 304 (or 412) this request's conditional headers call for, or None."""
    conditional = get_conditional_response(
        request, etag=headers["ETag"], last_modified=entry["last_modified"]
    )
    if conditional is not None and conditional.status_code == 304:
        for header in NOT_MODIFIED_HEADERS:
            if header in headers:
                conditional[header] = headers[header]
    return conditional


def public_page(
    view: Callable[..., HttpResponse] | None = None,
    *,
    params: tuple[str, ...] = (),
    per_origin: bool = False,
) -> Callable[..., HttpResponse]:
    """Serve a public GET page from the cache of the published run, with ETag,
    Last-Modified and `Cache-Control: public, max-age=300`. Only 200 responses are stored.

    `params`: the query parameters the page takes (its form's or FilterSet's fields); the
    view sees only those, and the cache keys on only those. `@public_page` alone: none.
    `per_origin`: the page holds absolute URLs (the API, the catalogue): cached per scheme
    and host."""
    if view is None:
        return lambda view: public_page(view, params=params, per_origin=per_origin)
    accepted = frozenset(params)

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            # A public page is only read: a POST (or PUT...) is refused, not rendered.
            return HttpResponseNotAllowed(["GET", "HEAD"])
        # The view, and what it renders (`request.get_full_path()` in the language form),
        # see the page's own parameters only: the entry is the same whoever rendered it.
        own = _own_query(request, accepted)
        request.META["QUERY_STRING"] = own
        request.GET = QueryDict(own)
        if _is_personal(request):
            # Rendered every time (a session cookie, real or not): both limits count it.
            if over_page_limit(request) or over_render_limit(request, view):
                raise Ratelimited
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_cache=True)
            return response
        language = get_language()
        key = _key(request, language, per_origin=per_origin)
        known = _validators.get(key)
        if known is not None and _is_revalidation(request):
            run_id = recent_published_run_id(settings.PAGE_RUN_MEMORY_SECONDS)
            if known["run"] == run_id:
                conditional = _conditional(request, known, _headers(request, known))
                if conditional is not None and conditional.status_code == 304:
                    return conditional
        found, over = get_many_counting([PUBLISHED_RUN_KEY, key], request)
        if over:
            raise Ratelimited
        run_id = found.get(PUBLISHED_RUN_KEY)
        if run_id is None:
            run_id = published_run_id()
        remember_published_run_id(run_id)
        # On the read replica: the run it holds, or the request moves to the primary.
        run_id = run_to_read(run_id)
        request.published_run_id = run_id  # for the view (`queries.published_run`)
        entry = found.get(key)
        stale = False
        if entry is None or entry.get("run") != run_id:
            # Right after a new run is published every page is out of date at once. One
            # request renders each page; the others meanwhile get the previous run's whole
            # page (never a mix of runs), marked to be asked for again, instead of all
            # rendering the same page together (measured: `make bench PART=load`).
            lock = f"{key}:rendering"
            locked = entry is not None and cache.add(lock, 1, timeout=RENDER_LOCK_SECONDS)
            if entry is not None and not locked:
                stale = True
            else:
                try:
                    if over_render_limit(request, view):
                        raise Ratelimited
                    response, entry = _render(view, request, run_id, language, *args, **kwargs)
                    if entry is None:
                        return response
                    cache.set(key, entry, timeout=PAGE_TTL)
                finally:
                    if locked:
                        cache.delete(lock)
        if not stale and (known is None or known["etag"] != entry["etag"]):
            _remember(key, entry)
        headers = _headers(request, entry, stale=stale)
        # A revalidation is answered (304, or 412 for a failed If-Match) before the page's
        # bytes are touched.
        conditional = _conditional(request, entry, headers)
        if conditional is not None:
            return conditional
        body = entry["gzip"] if "Content-Encoding" in headers else entry["content"]
        return HttpResponse(body, headers=headers)

    wrapper.page_params = accepted  # for the test that they cover the page's form
    return wrapper
