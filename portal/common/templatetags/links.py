"""The main menu every page carries (offering the leaders' dashboard to those who may use
it), the current page marked."""

from __future__ import annotations

from django import template
from django.urls import reverse
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
    ("goals", _("Goals")),
    ("methodology", _("Methodology")),
    ("open_data", _("Open data")),
    ("workspace:dashboard", _("Workspace")),
)
DASHBOARD_NAV = ("dashboard:overview", _("Dashboard"))


def dashboard_allowed(request) -> bool:
    """True for leaders and auditors. Anonymous visitors get False without a query, so the
    public pages cached whole for them never carry the link; a logged-in user's pages are
    never taken from that cache (`portal.public.pagecache`)."""
    return request is not None and may_use_dashboard(request.user)


@register.inclusion_tag("includes/_main_nav.html", takes_context=True)
def main_nav(context) -> dict:
    """The main menu's items, the current page's marked `aria-current="page"`."""
    request = context.get("request")
    items = [*MAIN_NAV, DASHBOARD_NAV] if dashboard_allowed(request) else MAIN_NAV
    path = getattr(request, "path", None)
    links = [(url, label, url == path) for url, label in ((reverse(n), lb) for n, lb in items)]
    return {"links": links}
