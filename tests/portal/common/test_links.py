"""The main menu every page carries (`portal.common.templatetags.links`): it marks the page
the visitor is on, speaks the visitor's language and offers the dashboard to those who may
use it."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from portal.common.templatetags.links import MAIN_NAV

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


def test_leaders_and_auditors_see_the_dashboard_in_the_menu(cast):
    for user, shown in ((cast.leader, True), (cast.auditor, True), (cast.officer_a, False)):
        request = RequestFactory().get("/")
        request.user = user
        html = Template("{% load links %}{% main_nav %}").render(Context({"request": request}))
        assert (reverse("dashboard:overview") in html) is shown
