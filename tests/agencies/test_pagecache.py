"""The page cache's compressed copy and its validators (agencies/pagecache.py)."""

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
        assert "Accept-Encoding" in response["Vary"] and "Accept-Language" in response["Vary"]
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
