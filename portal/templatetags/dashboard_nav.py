"""Whether the main menu offers the leaders' dashboard to the user."""

from django import template

from portal.dashboard_queries import may_use_dashboard

register = template.Library()


@register.simple_tag(takes_context=True)
def dashboard_allowed(context) -> bool:
    """True for leaders and auditors. Anonymous visitors get False without a query, so the
    public pages cached whole for them never carry the link; a logged-in user's pages are
    never taken from that cache (`agencies.pagecache`)."""
    request = context.get("request")
    return request is not None and may_use_dashboard(request.user)
