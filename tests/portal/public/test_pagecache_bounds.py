"""The public page cache cannot be grown from outside (issue 16, finding 3): an entry keys on
the page's own parameters only, a request with others is answered from the entry without
them (and cannot change its content), and every public page has a per-client limit on
every request (loose) and on every render. Counted on the configured cache: local memory
by default, Redis where REDIS_URL is set (CI)."""

from __future__ import annotations

import secrets
import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver
from django.utils import timezone

from performance.caching import forget_published_run
from performance.models import ScoreRun
from portal.public.api.views import LIST_PARAMS
from portal.public.corrections import CorrectionFilter
from portal.public.filters import (
    AgencyFilter,
    CompareForm,
    PeriodForm,
    RankingFilter,
    ServiceFilter,
)
from portal.public.goals import GoalYearForm
from portal.public.opendata import DATASETS, FilterForm
from portal.public.pagecache import public_page
from portal.public.results import ServiceYearForm
from tests.factories import AgencyFactory, ServiceFactory

pytestmark = pytest.mark.django_db
REQUESTS = 1000
MAX_NEW_ENTRIES = 11
SCORECARD_FRAGMENTS = 3  # trend, agreement, staff and services: per run, year and quarter


def cache_keys() -> set[str]:
    """Every key this test run has in the cache (Redis: under its prefix)."""
    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        client = cache._cache.get_client(write=False)
        prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
        return {k.decode() for k in client.scan_iter(f"{prefix}:*")}
    return set(cache._cache)  # LocMemCache's own dictionary


@pytest.fixture
def agency():
    ScoreRun.objects.create(status=ScoreRun.Status.PUBLISHED, published_at=timezone.now())
    forget_published_run()
    return AgencyFactory(slug="dikes", code="DIKES")


def test_1000_requests_with_random_unknown_parameters_add_a_fixed_small_number_of_entries(
    agency, settings
):
    settings.PAGE_RATE_LIMIT = f"{2 * REQUESTS}/m"  # one client; the limit itself below
    client = Client()
    url = agency.get_absolute_url()

    def request():
        response = client.get(url, {f"utm_{secrets.token_hex(4)}": secrets.token_hex(8)})
        assert response.status_code == 200
        return response["ETag"]

    before = cache_keys()
    with CaptureQueriesContext(connection) as queries:
        etags = {request()}
        after_one = cache_keys()
        etags |= {request() for _ in range(REQUESTS - 1)}
    after = cache_keys()
    print(
        f"page cache: {len(before)} keys before, {len(after_one)} after one request, "
        f"{len(after)} after {REQUESTS} with random unknown parameters "
        f"({settings.CACHES['default']['BACKEND']}): {sorted(after - before)}"
    )
    # One request's entries (the page, the published run and its id, the sample-data flag,
    # the two limits' counters, the scorecard's fragments), and at most a new window of each
    # counter since.
    assert len(after - before) <= MAX_NEW_ENTRIES
    assert len({k for k in after if ":template.cache." in k}) == SCORECARD_FRAGMENTS
    assert {k for k in after - after_one if ":rl:" not in k} == set()
    assert len(etags) == 1  # one page, the canonical one
    assert client.get(url)["ETag"] in etags
    assert len(queries.captured_queries) < 20  # one render's queries, not a thousand's


def test_unknown_parameters_never_reach_the_page_or_its_cached_content(agency):
    client = Client()
    url = agency.get_absolute_url()
    first = client.get(url, {"utm_source": "marker-xyz", "quarter": "2"})
    assert "marker-xyz" not in first.content.decode()
    assert "utm_source" not in first.content.decode()
    # The page's own parameter still makes its own page, the same for a clean request.
    same = client.get(url, {"quarter": "2"})
    assert same["ETag"] == first["ETag"]
    assert client.get(url)["ETag"] != first["ETag"]


def test_the_comparison_keeps_the_order_of_its_agencies(agency):
    AgencyFactory(slug="dikbud", code="DIKBUD")
    client = Client()
    one = client.get("/compare/?a=dikes&a=dikbud")
    other = client.get("/compare/?a=dikbud&a=dikes")
    assert one["ETag"] != other["ETag"]
    html = other.content.decode()
    assert html.index("/agencies/dikbud/") < html.index("/agencies/dikes/")


def _public_views(patterns=None, namespace=""):
    """(name, view) of every URL pattern served through `public_page`, through includes;
    the name with its namespace, but for the agency pages' ("agencies")."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if hasattr(p, "url_patterns"):
            inner = p.namespace if p.namespace and p.namespace != "agencies" else namespace
            yield from _public_views(p.url_patterns, inner)
        elif hasattr(p.callback, "page_params"):
            yield (f"{namespace}:{p.name}" if namespace else p.name), p.callback


def test_every_public_page_declares_the_parameters_its_form_reads():
    forms = {
        "list": {*AgencyFilter.base_filters, "page"},
        "detail": set(PeriodForm.base_fields),
        "service": set(ServiceYearForm.base_fields),
        "rankings": set(RankingFilter.base_filters),
        "compare": set(CompareForm.base_fields),
        "open_data_file": set(FilterForm.base_fields),
        # The API's lists (issue 24), named by their dataset: the files' filters and pages.
        **{f"api:{slug}": set(LIST_PARAMS) for slug in DATASETS},
        "corrections": {*CorrectionFilter.base_filters, "page"},
        "service_search": {*ServiceFilter.base_filters, "page"},
        "goals": set(GoalYearForm.base_fields),
    }
    declared = dict(_public_views())
    assert {"home", "list", "detail", "service", "rankings", "compare", "methodology"} <= set(
        declared
    )
    for name, view in declared.items():
        assert view.page_params == frozenset(forms.get(name, ())), name


def test_a_page_without_declared_parameters_sees_none(rf, agency):
    seen = {}

    @public_page
    def page(request):
        from django.http import HttpResponse

        seen["query"] = (request.GET.dict(), request.get_full_path())
        return HttpResponse("ok")

    page(rf.get("/x/", {"utm_source": "y"}))
    assert seen["query"] == ({}, "/x/")


def test_every_request_to_a_public_page_counts_against_a_loose_per_client_limit(agency, settings):
    settings.PAGE_RATE_LIMIT = "5/m"
    client = Client()
    url = agency.get_absolute_url()
    statuses = [client.get(url, REMOTE_ADDR="10.3.0.1").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]  # a cached page too: a flood stops
    limited = client.get("/", REMOTE_ADDR="10.3.0.1")  # all public pages together
    assert limited.status_code == 429 and limited["Retry-After"] == "60"
    assert client.get(url, REMOTE_ADDR="10.3.0.2").status_code == 200  # another client
    # A (forged) session cookie renders the page every time: counted as well.
    forged = Client()
    forged.cookies[settings.SESSION_COOKIE_NAME] = "not-a-session"
    assert [forged.get(url, REMOTE_ADDR="10.3.0.3").status_code for _ in range(6)][-1] == 429


def test_every_render_of_any_public_page_counts_against_the_render_limit(agency, settings):
    settings.PUBLIC_RATE_LIMIT = "3/m"
    service = ServiceFactory(agency=agency, code="KIA")
    client = Client()
    for url in (agency.get_absolute_url(), "/rankings/", service.get_absolute_url()):
        statuses = [
            client.get(url, {"year": str(2000 + n)}, REMOTE_ADDR="10.4.0.1").status_code
            for n in range(4)
        ]
        assert statuses == [200, 200, 200, 429], url
        # What is cached is still served: a hit costs no render.
        assert client.get(url, {"year": "2000"}, REMOTE_ADDR="10.4.0.1").status_code == 200


def test_the_page_counter_rides_the_pages_read_and_expires_with_its_window(rf, settings):
    """On the portal's Redis cache one script reads the page and counts the request (one
    round trip); on another cache, `get_many` then `add`/`incr`. Either way the counter
    expires with its window, so counters cannot pile up."""
    from portal.common.ratelimits import _page_counter, get_many_counting

    settings.PAGE_RATE_LIMIT = "3/m"
    cache.set_many({"a": {"page": 1}, "b": 7})
    request = rf.get("/", REMOTE_ADDR="2001:db8::1")
    results = [get_many_counting(["a", "b", "missing"], request) for _ in range(4)]
    assert [over for _, over in results] == [False, False, False, True]
    assert all(found == {"a": {"page": 1}, "b": 7} for found, _ in results)
    # IPv6 counts per /64: another address of the same prefix shares the counter.
    assert get_many_counting(["a"], rf.get("/", REMOTE_ADDR="2001:db8::2"))[1] is True
    key, _, seconds = _page_counter(request)
    assert key.startswith("rl:page:2001:db8:::60:")
    if settings.CACHES["default"]["BACKEND"].endswith("PortalRedisCache"):
        assert hasattr(cache, "get_many_and_count")
        client = cache._cache.get_client(write=True)
        assert 0 < client.ttl(cache.make_key(key)) <= seconds
        assert cache.get(key) == 5
    else:
        assert cache._expire_info[cache.make_key(key)] <= time.time() + seconds
        assert cache.get(key) == 5
