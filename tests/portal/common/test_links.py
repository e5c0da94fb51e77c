"""The links every page carries (`portal.templatetags.links`): the main menu marks the page
the visitor is on, and fixed links reversed once still follow the URL conf and the script
prefix they are served under."""

import pytest
from django.http import HttpResponse
from django.template import Context, Template
from django.test import RequestFactory, override_settings
from django.urls import path, reverse, set_script_prefix
from django.utils import translation

from portal.common.templatetags.links import MAIN_NAV, cached_reverse

pytestmark = pytest.mark.django_db


def menu(path: str) -> str:
    request = RequestFactory().get(path)
    request.user = type("Anonymous", (), {"is_authenticated": False})()
    return Template("{% load links %}{% main_nav %}").render(Context({"request": request}))


def test_the_menu_marks_only_the_page_the_visitor_is_on():
    html = menu(reverse("rankings"))
    assert f'<li><a href="{reverse("rankings")}" aria-current="page">' in html
    assert html.count('aria-current="page"') == 1
    assert html.count("<li>") == len(MAIN_NAV)
    assert 'aria-current="page"' not in menu("/not-in-the-menu/")


def test_the_menu_is_in_the_visitors_language():
    with translation.override("id"):
        assert ">Beranda</a>" in menu("/")
    with translation.override("en"):
        assert ">Home</a>" in menu("/")


def test_a_cached_link_follows_the_script_prefix():
    path = reverse("open_data_file", args=["ikm", "csv"])
    assert cached_reverse("open_data_file", "ikm", "csv") == path
    set_script_prefix("/kinerja/")
    try:
        assert cached_reverse("open_data_file", "ikm", "csv") == "/kinerja" + path
        assert Template("{% load links %}{% link 'home' %}").render(Context()) == "/kinerja/"
    finally:
        set_script_prefix("/")
    assert cached_reverse("home") == "/"


# A URL conf of this module's own, where "rankings" is elsewhere.
urlpatterns = [path("elsewhere/", lambda request: HttpResponse(), name="rankings")]


def test_a_cached_link_follows_the_url_conf():
    assert cached_reverse("rankings") == reverse("rankings") == "/rankings/"
    with override_settings(ROOT_URLCONF=__name__):
        assert cached_reverse("rankings") == "/elsewhere/"
    assert cached_reverse("rankings") == "/rankings/"
