"""The page cache's compressed copy and its validators (portal/public/pagecache.py)."""

import gzip

import pytest

pytestmark = pytest.mark.django_db


def test_a_client_accepting_gzip_gets_the_page_compressed_once(
    client, django_assert_max_num_queries
):
    plain = client.get("/")
    with django_assert_max_num_queries(0):
        zipped = client.get("/", HTTP_ACCEPT_ENCODING="br, gzip, deflate")
    assert plain.status_code == zipped.status_code == 200
    assert "Content-Encoding" not in plain
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    assert len(zipped.content) < len(plain.content) / 2
    for response in (plain, zipped):
        assert "Accept-Encoding" in response["Vary"] and "Cookie" in response["Vary"]
    # Two representations, two validators.
    assert zipped["ETag"] != plain["ETag"] and zipped["ETag"].endswith('-gzip"')


def test_each_representation_revalidates_with_its_own_etag(client):
    plain = client.get("/")
    zipped = client.get("/", HTTP_ACCEPT_ENCODING="gzip")
    again = client.get("/", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=zipped["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == zipped["ETag"] and "Accept-Encoding" in again["Vary"]
    assert client.get("/", HTTP_IF_NONE_MATCH=plain["ETag"]).status_code == 304
    # The plain page's validator does not stand for the compressed one, nor the reverse.
    assert (
        client.get("/", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=plain["ETag"])
    ).status_code == 200
    assert client.get("/", HTTP_IF_NONE_MATCH=zipped["ETag"]).status_code == 200


def test_a_client_without_gzip_gets_the_page_as_it_is(client):
    assert "Content-Encoding" not in client.get("/", HTTP_ACCEPT_ENCODING="identity")


def _publish():
    from django.utils import timezone

    from performance.caching import forget_published_run
    from performance.models import ScoreRun

    now = timezone.now()
    run = ScoreRun.objects.create(status=ScoreRun.Status.PUBLISHED, published_at=now)
    forget_published_run()
    return run


def test_after_a_new_run_one_request_renders_and_the_others_get_the_old_whole_page(client, rf):
    from django.core.cache import cache

    from portal.public import pagecache

    first = _publish()
    old = client.get("/")
    assert old["ETag"].startswith(f'"{first.pk}-')
    second = _publish()
    lock = pagecache._key(rf.get("/"), "id") + ":rendering"
    assert cache.add(lock, 1)  # another request is rendering the page for the new run
    meanwhile = client.get("/")
    assert meanwhile.status_code == 200
    assert meanwhile["ETag"] == old["ETag"] and meanwhile.content == old.content
    assert meanwhile["Cache-Control"] == pagecache.STALE_CACHE_CONTROL
    cache.delete(lock)  # it finished (or gave up): the next request renders
    new = client.get("/")
    assert new["ETag"].startswith(f'"{second.pk}-')
    assert new["Cache-Control"] == pagecache.CACHE_CONTROL
    assert cache.get(lock) is None  # the renderer released it


def test_with_no_older_page_every_request_renders(client, rf):
    from django.core.cache import cache

    from portal.public import pagecache

    run = _publish()
    lock = pagecache._key(rf.get("/"), "id") + ":rendering"
    assert cache.add(lock, 1)
    response = client.get("/")
    assert response.status_code == 200 and response["ETag"].startswith(f'"{run.pk}-')
    assert cache.get(lock) == 1  # not its lock: left alone


def test_a_worker_answers_a_revalidation_from_its_memory_without_the_cache(client, rf):
    from django.core.cache import cache

    from portal.public import pagecache

    _publish()
    page = client.get("/")
    cache.delete(pagecache._key(rf.get("/"), "id"))  # the cached page is gone
    again = client.get("/", HTTP_IF_NONE_MATCH=page["ETag"])
    assert again.status_code == 304 and again["ETag"] == page["ETag"]
    assert again["Cache-Control"] == pagecache.CACHE_CONTROL and "Accept-Encoding" in again["Vary"]
    # A validator that does not match is not answered from memory: the page is rendered.
    other = client.get("/", HTTP_IF_NONE_MATCH='"0-id-0"')
    assert other.status_code == 200 and other["ETag"] == page["ETag"]


def test_a_new_run_published_in_the_worker_shows_at_once(client):
    _publish()
    page = client.get("/")
    second = _publish()
    again = client.get("/", HTTP_IF_NONE_MATCH=page["ETag"])
    assert again.status_code == 200 and again["ETag"].startswith(f'"{second.pk}-')


def test_a_run_published_elsewhere_shows_once_the_workers_memory_is_older_than_allowed(
    client, settings
):
    from django.core.cache import cache
    from django.utils import timezone

    from performance.caching import PUBLISHED_RUN_KEY
    from performance.models import ScoreRun

    _publish()
    page = client.get("/")
    # Another process (the nightly worker) publishes: the cache forgets the run, this
    # worker's memory does not.
    second = ScoreRun.objects.create(status=ScoreRun.Status.PUBLISHED, published_at=timezone.now())
    cache.delete(PUBLISHED_RUN_KEY)
    settings.PAGE_RUN_MEMORY_SECONDS = 3600
    assert client.get("/", HTTP_IF_NONE_MATCH=page["ETag"]).status_code == 304
    settings.PAGE_RUN_MEMORY_SECONDS = 0
    again = client.get("/", HTTP_IF_NONE_MATCH=page["ETag"])
    assert again.status_code == 200 and again["ETag"].startswith(f'"{second.pk}-')


def test_the_workers_memory_of_validators_is_bounded(client, monkeypatch, rf):
    from portal.public import pagecache

    _publish()
    monkeypatch.setattr(pagecache, "MEMORY_PAGES", 2)
    for path in ("/", "/rankings/", "/methodology/"):
        assert client.get(path).status_code == 200
    remembered = set(pagecache._validators)
    assert len(remembered) == 2
    assert pagecache._key(rf.get("/"), "id") not in remembered  # the oldest went
    assert all(
        "content" not in v and v["gzip"] in (True, False) for v in pagecache._validators.values()
    )


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_a_public_page_refuses_to_be_written_to(client, method):
    response = getattr(client, method)("/")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert client.head("/").status_code == 200
