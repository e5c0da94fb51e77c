"""Per-client rate limits on the shared cache (Redis in production; `check --deploy` refuses
a per-process cache, portal/checks.py). Over a limit the client gets the 429 page
(`portal.errors.too_many_requests`, RATELIMIT_VIEW).

- the login form: `LOGIN_RATE_LIMIT` (django-ratelimit);
- every public page (`portal.public.pagecache.public_page`), two limits per client
  address: every request, loosely (`PAGE_RATE_LIMIT`, all public pages together: far above
  a person's browsing, a scraper's flood stops), counted in one cache round trip; and every
  render (a page not in the cache: a search, another filter, the first visit after a new
  run) of each page (`PUBLIC_RATE_LIMIT`), which is what costs.
"""

from __future__ import annotations

import ipaddress
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django_ratelimit.core import is_ratelimited
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


_RATE = re.compile(r"(\d+)/(\d*)([smhd])")
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int] | None:
    """(count, seconds) of a django-ratelimit rate such as "600/m" or "30/10m"; None for an
    empty setting (no limit)."""
    if not rate:
        return None
    match = _RATE.fullmatch(rate.strip())
    if match is None:
        raise ValueError(f"not a rate: {rate!r} (count/period, e.g. 600/m)")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * _PERIODS[unit]


def client_network(request: HttpRequest) -> str:
    """The client's address as a limit counts it: IPv4 as it is, IPv6 per /64 (one
    household's or phone's prefix, which its owner may walk through)."""
    address = client_address(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:100]
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return address


def count_hit(key: str, seconds: int) -> int:
    """Add one to the counter `key`, created to expire after `seconds`; its new value. One
    round trip on the portal's Redis cache (`portal.cache.PortalRedisCache.count`), two on
    other caches (`add`, else `incr`)."""
    count = getattr(cache, "count", None)
    if count is not None:
        return count(key, seconds)
    if cache.add(key, 1, timeout=seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=seconds)
        return 1


def _page_counter(request: HttpRequest) -> tuple[str, int, int] | None:
    """(counter key, limit, seconds) of the client's `PAGE_RATE_LIMIT` window now."""
    rate = parse_rate(settings.PAGE_RATE_LIMIT)
    if rate is None:
        return None
    limit, seconds = rate
    window = int(time.time()) // seconds
    return f"rl:page:{client_network(request)}:{seconds}:{window}", limit, seconds


def over_page_limit(request: HttpRequest) -> bool:
    """Count this request to a public page against the client's `PAGE_RATE_LIMIT` (a fixed
    window); True when it is over."""
    counter = _page_counter(request)
    if counter is None:
        return False
    key, limit, seconds = counter
    return count_hit(key, seconds) > limit


def get_many_counting(keys: list[str], request: HttpRequest) -> tuple[dict, bool]:
    """`cache.get_many(keys)`, counting the request against the client's `PAGE_RATE_LIMIT`:
    (what was found, whether the request is over the limit). In the same round trip on the
    portal's Redis cache (`portal.cache.PortalRedisCache.get_many_and_count`)."""
    counter = _page_counter(request)
    if counter is None:
        return cache.get_many(keys), False
    key, limit, seconds = counter
    both = getattr(cache, "get_many_and_count", None)
    if both is not None:
        found, count = both(keys, key, seconds)
    else:
        found, count = cache.get_many(keys), count_hit(key, seconds)
    return found, count > limit


def over_render_limit(request: HttpRequest, view: Callable[..., HttpResponse]) -> bool:
    """Count a render of `view` against the client's `PUBLIC_RATE_LIMIT` for that view (the
    counter the `limited` decorator on the view would use); True when it is over."""
    return is_ratelimited(
        request,
        group=f"{view.__module__}.{view.__qualname__}",
        key=_client,
        rate=_rate_from("PUBLIC_RATE_LIMIT"),
        increment=True,
    )
