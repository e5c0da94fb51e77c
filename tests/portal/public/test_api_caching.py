"""The API and the catalogue behind the public page cache (issue 24): cached per published
run and revalidated with 304, their absolute links per host, the public rate limits, and
only GET."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from performance.caching import forget_published_run
from performance.models import ScoreRun

pytestmark = pytest.mark.django_db
URLS = [
    "/api/v1/",
    "/api/v1/agencies/",
    "/api/v1/agency-scores/?year=2025",
    "/api/v1/openapi.json",
    "/open-data/catalog.jsonld",
]


def publish() -> ScoreRun:
    run = ScoreRun.objects.create(
        status=ScoreRun.Status.PUBLISHED,
        published_at=timezone.now(),
        schemes={"2025": {}},
    )
    forget_published_run()
    return run


@pytest.mark.parametrize("url", URLS)
def test_a_response_is_revalidated_with_304_until_the_next_run(
    client, cast, url, django_assert_max_num_queries
):
    publish()
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    assert first["Cache-Control"] == "public, max-age=300"
    with django_assert_max_num_queries(0):
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    publish()
    after = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200 and after["ETag"] != first["ETag"]


def test_links_are_those_of_the_host_asked_each_cached_apart(cast):
    publish()
    client = Client()
    inside = client.get("/api/v1/", HTTP_HOST="127.0.0.1").json()
    outside = client.get("/api/v1/", HTTP_HOST="localhost").json()
    assert inside["schema"] == "http://127.0.0.1/api/v1/openapi.json"
    assert outside["schema"] == "http://localhost/api/v1/openapi.json"
    catalogue = client.get("/open-data/catalog.jsonld", HTTP_HOST="localhost").content.decode()
    assert "http://localhost/open-data/" in catalogue and "127.0.0.1" not in catalogue
    # A host the portal does not serve is refused, not cached.
    assert client.get("/api/v1/", HTTP_HOST="evil.example").status_code == 400


def test_renders_count_against_the_public_rate_limit(cast, settings):
    settings.PUBLIC_RATE_LIMIT = "2/m"
    publish()
    client = Client()
    url = reverse("api:agency-scores")
    statuses = [
        client.get(url, {"year": str(2020 + n)}, REMOTE_ADDR="10.9.0.1").status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]
    # What is cached is still served, and another dataset has its own budget.
    assert client.get(url, {"year": "2020"}, REMOTE_ADDR="10.9.0.1").status_code == 200
    other = client.get(reverse("api:agencies"), REMOTE_ADDR="10.9.0.1")
    assert other.status_code == 200


def test_requests_count_against_the_page_limit(cast, settings):
    settings.PAGE_RATE_LIMIT = "3/m"
    publish()
    client = Client()
    statuses = [client.get("/api/v1/", REMOTE_ADDR="10.9.0.2").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


@pytest.mark.parametrize("url", URLS)
def test_only_get_is_answered(client, cast, url):
    assert client.post(url, {}).status_code == 405
    assert client.options(url).status_code == 405
    assert client.head(url).status_code == 200


def test_before_the_first_run_the_lists_are_empty_and_say_so(client, cast):
    page = client.get(reverse("api:agency-scores")).json()
    assert page["run"] is None and page["count"] == 0 and page["results"] == []
    agencies = client.get(reverse("api:agencies")).json()
    assert agencies["run"] is None and agencies["count"] == 2  # the cast's two agencies
