"""Who is told of what needs a leader (issue 23), through the one notify service
(`agencies.notify`), inside the transaction of the change: recommended decisions and
objections go to the leaders whose authority holds the agency (`agencies.access.leaders_over`,
the reverse of `authority_for`), and to nobody else."""

from __future__ import annotations

from django.urls import reverse

from agencies.access import leaders_over
from agencies.models import Agency, Notification
from agencies.notify import notify

Kind = Notification.Kind


def decisions_waiting(counts: dict[int, int]) -> list[int]:
    """{agency id: recommended decisions just made or made again}: one notification per
    agency to its leaders."""
    if not counts:
        return []
    leaders = leaders_over(counts)
    names = dict(Agency.objects.filter(pk__in=counts).values_list("pk", "name"))
    ids = []
    for agency_id, n in sorted(counts.items()):
        ids += notify(
            leaders[agency_id],
            Kind.DECISIONS,
            params={"agency": names[agency_id], "n": n},
            path=reverse("rewards:queue") + f"?agency={agency_id}",
        )
    return ids


def objection_lodged(agency: Agency) -> list[int]:
    return notify(
        leaders_over([agency.pk])[agency.pk],
        Kind.OBJECTION,
        params={"agency": agency.name},
        path=reverse("rewards:objections"),
    )
