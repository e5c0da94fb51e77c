"""The portal opens in Bahasa Indonesia unless the visitor picks English with the switcher,
whatever the browser's language (many phones in Indonesia are set to English); and it has a
favicon."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_browser_set_to_english_gets_bahasa_indonesia(client):
    response = client.get(reverse("methodology"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "id"
    assert '<html lang="id">' in response.content.decode()
    assert "Accept-Language" not in response.get("Vary", "")


def test_the_switcher_chooses_english_and_back(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get(reverse("methodology"))
    assert page["Content-Language"] == "en" and '<html lang="en">' in page.content.decode()
    client.post(reverse("set_language"), {"language": "id", "next": "/"})
    assert client.get(reverse("methodology"))["Content-Language"] == "id"


def test_an_unknown_language_cookie_falls_back_to_indonesian(client):
    client.cookies["lang"] = "fr"
    assert client.get(reverse("methodology"))["Content-Language"] == "id"


def test_the_favicon_is_served_at_the_root(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert 'rel="icon"' in client.get(reverse("methodology")).content.decode()
