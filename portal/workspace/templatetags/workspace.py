"""Formatting for the workspace pages: contract status as word + shape + colour, stored
decimals without trailing zeros, and the user's roles for the menus."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from agencies.access import has_role
from agencies.models import Membership
from performance.contracts import plain
from performance.models import LateChange, PerformanceContract

register = template.Library()
Status = PerformanceContract.Status

# Shapes differ so the status reads without colour too.
STATUS_SHAPES = {
    Status.DRAFT: "✎",
    Status.SUBMITTED: "◔",
    Status.APPROVED: "✔",
    Status.RETURNED: "↩",
}


@register.inclusion_tag("includes/_status.html")
def contract_status(status: str) -> dict:
    return {
        "status": f"contract-{status}",
        "shape": STATUS_SHAPES.get(status, ""),
        "word": Status(status).label if status in Status.values else status,
    }


@register.inclusion_tag("includes/_status.html")
def gap_badge(gap) -> dict:
    """A quarter's reporting state: all reported, overdue (closed with gaps) or still due."""
    if not gap.missing:
        return {"status": "met", "shape": "✔", "word": _("all reported")}
    if gap.closed:
        return {"status": "overdue", "shape": "⚠", "word": _("overdue")}
    return {
        "status": "pending",
        "shape": "○",
        "word": _("due by %(date)s") % {"date": date_format(gap.due, "DATE_FORMAT")},
    }


@register.filter
def value(number: Decimal | None) -> str:
    """A stored figure as typed (88.2, not 88.2000); "–" when there is none."""
    if number is None:
        return "–"
    number = plain(number)
    places = max(0, -number.as_tuple().exponent)
    return number_format(number, places, use_l10n=True)


@register.simple_tag(takes_context=True)
def workspace_roles(context) -> dict:
    """Which workspace menus the user gets (memberships are read once per request)."""
    user = context["request"].user
    return {
        "officer": has_role(user, Membership.Role.HR_OFFICER),
        "approver": has_role(user, Membership.Role.APPROVER),
        "auditor": has_role(user, Membership.Role.AUDITOR),
    }


@register.filter
def role_label(role: str) -> str:
    return str(dict(Membership.Role.choices).get(role, role))


LATE_BADGES = {
    LateChange.Status.PENDING: ("pending", "◔"),
    LateChange.Status.CONFIRMED: ("met", "✔"),
    LateChange.Status.REJECTED: ("below", "✖"),
    LateChange.Status.SUPERSEDED: ("contract-draft", "↷"),
}


@register.inclusion_tag("includes/_status.html")
def late_status(status: str) -> dict:
    """A late change's state as word + shape + colour."""
    css, shape = LATE_BADGES.get(status, ("pending", ""))
    label = LateChange.Status(status).label if status in LateChange.Status.values else status
    return {"status": css, "shape": shape, "word": label}
