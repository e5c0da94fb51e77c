"""'What needs me now' (issue 23): the landing pages of the workspace and the dashboard open
with what waits for the signed-in user, in every year, each with a link to its queue."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from performance.contracts import waiting_for
from rewards.services import waiting_for_leader


@dataclass(frozen=True)
class Need:
    label: str
    count: int
    url: str


def needs_now(user) -> list[Need]:
    """What waits for `user` (only what has something waiting), in every year. Four
    queries."""
    counts = {**waiting_for(user), **waiting_for_leader(user)}
    contracts = reverse("workspace:contracts")
    items = (
        ("to_approve", _("Contracts to approve"), f"{contracts}?status=submitted"),
        ("late_changes", _("Late changes to confirm"), reverse("workspace:late_changes")),
        ("returned", _("Contracts returned for revision"), f"{contracts}?status=returned"),
        ("drafts", _("Contracts in draft, not submitted yet"), f"{contracts}?status=draft"),
        ("decisions", _("Recommended decisions to decide"), reverse("rewards:queue")),
        ("objections", _("Objections to answer"), reverse("rewards:objections")),
    )
    return [Need(str(label), counts[key], url) for key, label, url in items if counts[key]]
