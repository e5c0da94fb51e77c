"""A service standard's texts as lists, and the status of a follow-up plan as word + shape +
colour (never colour alone) with its overdue mark: the same on the service page, the
workspace and the dashboard."""

from __future__ import annotations

import datetime
import re

from django import template
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from agencies.models import FollowUpPlan

from .kinerja import _badge

register = template.Library()
LIST_MARK = re.compile(r"^(?:[-*•·–]|\d{1,2}[.)])\s+")

Status = FollowUpPlan.Status
# Shape and CSS modifier (the indicator statuses' colours) of each plan status.
PLAN_STYLE = {
    Status.PLANNED: ("○", "pending"),
    Status.IN_PROGRESS: ("◐", "near"),
    Status.DONE: ("✔", "met"),
}


@register.filter
def lines(text: str) -> list[str]:
    """The non-empty lines of a text (a requirements list, a procedure's steps), stripped,
    with a leading bullet, dash or number ("1.", "2)") taken off: the page numbers or bullets
    them itself."""
    out = []
    for line in (text or "").splitlines():
        line = LIST_MARK.sub("", line.strip()).strip()
        if line:
            out.append(line)
    return out


@register.simple_tag
def plan_status(status: str) -> SafeString:
    """A plan's status: planned, in progress or done, in words with a shape."""
    shape, modifier = PLAN_STYLE[status]
    return _badge(f"status status--{modifier}", shape, Status(status).label)


@register.simple_tag
def plan_overdue(plan: FollowUpPlan, today: datetime.date) -> SafeString | str:
    """ "Overdue since <due date>" for a plan not done whose due date has passed, else
    nothing."""
    if not plan.is_overdue(today):
        return ""
    word = _("Overdue: due %(date)s") % {"date": date_format(plan.due_date, "SHORT_DATE_FORMAT")}
    return _badge("status status--overdue", "⚠", word)
