"""Links every page carries: the main menu (offering the leaders' dashboard to those who may
use it), and `{% link %}`, a URL reversed once per process."""

from __future__ import annotations

import functools

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from agencies.access import may_use_dashboard

register = template.Library()

# (URL name, label) of the main menu, in its order; the dashboard's item is added for the
# users who may use it.
MAIN_NAV = (
    ("home", _("Home")),
    ("agencies:list", _("Agencies")),
    ("rankings", _("Rankings")),
    ("compare", _("Compare")),
    ("methodology", _("Methodology")),
    ("open_data", _("Open data")),
    ("workspace:dashboard", _("Workspace")),
)
DASHBOARD_NAV = ("dashboard:overview", _("Dashboard"))
CURRENT = format_html(' aria-current="{}"', "page")


@functools.lru_cache(maxsize=256)
def _reverse(name: str, args: tuple, urlconf: str, prefix: str) -> str:
    return reverse(name, args=args, urlconf=urlconf)


def cached_reverse(name: str, *args: object) -> str:
    """`reverse(name, args=args)`, looked up once per URL conf and script prefix: a page's
    fixed links (the menu, the footer, the open-data downloads) were two dozen `{% url %}`
    tags, 4.4% of the instructions of a scorecard's render (docs/performance.md)."""
    return _reverse(name, args, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


@receiver(setting_changed)
def _forget_urls(**kwargs: object) -> None:
    _reverse.cache_clear()


def dashboard_allowed(request) -> bool:
    """True for leaders and auditors. Anonymous visitors get False without a query, so the
    public pages cached whole for them never carry the link; a logged-in user's pages are
    never taken from that cache (`agencies.pagecache`)."""
    return request is not None and may_use_dashboard(request.user)


@register.simple_tag(takes_context=True)
def main_nav(context) -> SafeString:
    """The main menu's items (`<li>`), the current page's marked `aria-current="page"`."""
    request = context.get("request")
    items = [*MAIN_NAV, DASHBOARD_NAV] if dashboard_allowed(request) else MAIN_NAV
    path = getattr(request, "path", None)
    rows = []
    for name, label in items:
        url = cached_reverse(name)
        rows.append((url, CURRENT if url == path else "", label))
    return format_html_join("", '<li><a href="{}"{}>{}</a></li>', rows)


@register.simple_tag
def link(name: str, *args: object) -> str:
    """`{% url name args %}` for a link whose arguments are fixed in the template (no
    object's key): reversed once per process (`cached_reverse`)."""
    return cached_reverse(name, *args)
