"""Who is told of what happens to contracts and realisations (issue 23), through the one
notify service (`agencies.notify`): call inside the transaction of the change, so nothing is
mailed for a change that was rolled back.

- submitted -> the agency's approvers (as `agencies_for` grants the role: the agency's own
  and its parent's), never the person who submitted it, and nobody else;
- approved or returned -> the person who submitted it;
- a late change waiting -> the agency's approvers, never the person who entered it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.urls import reverse

from agencies.access import users_with_role_on
from agencies.models import Membership, Notification
from agencies.notify import notify

from .models import PerformanceContract

Kind = Notification.Kind
Role = Membership.Role


def _params(contract: PerformanceContract) -> dict:
    return {
        "agency": contract.agency.name,
        "year": contract.year,
        "holder": "employee" if contract.employee_id else "agency",
    }


def _path(contract: PerformanceContract) -> str:
    return reverse("workspace:contract", args=[contract.pk])


def contract_submitted(contract: PerformanceContract, by) -> list[int]:
    approvers = users_with_role_on([contract.agency_id], Role.APPROVER)[contract.agency_id]
    return notify(
        approvers - {by.pk},
        Kind.CONTRACT_SUBMITTED,
        params=_params(contract),
        path=_path(contract),
    )


def contracts_uploaded(
    contracts: Iterable[PerformanceContract], agency_names: dict[int, str], by
) -> list[int]:
    """The contracts an officer's upload just submitted: one notification per agency and
    year to its approvers (never the uploader), however many contracts the file held."""
    per = Counter((c.agency_id, c.year) for c in contracts)
    approvers = users_with_role_on({agency_id for agency_id, _y in per}, Role.APPROVER)
    ids = []
    for (agency_id, year), n in sorted(per.items()):
        ids += notify(
            approvers[agency_id] - {by.pk},
            Kind.CONTRACTS_UPLOADED,
            params={"agency": agency_names[agency_id], "year": year, "n": n},
            path=reverse("workspace:contracts") + f"?year={year}&status=submitted",
        )
    return ids


def contract_decided(contract: PerformanceContract, *, approved: bool) -> list[int]:
    if contract.submitted_by_id is None:  # imported, or submitted before this was recorded
        return []
    return notify(
        [contract.submitted_by_id],
        Kind.CONTRACT_APPROVED if approved else Kind.CONTRACT_RETURNED,
        params=_params(contract),
        path=_path(contract),
    )


def late_changes_waiting(counts: Counter, by_id: int | None) -> list[int]:
    """`counts`: {(agency id, agency name, year, quarter): late changes just entered by the
    user `by_id`}: one notification per agency, year and quarter to the agency's approvers
    (never the person who entered them), however many rows they were."""
    approvers = users_with_role_on({key[0] for key in counts}, Role.APPROVER)
    ids = []
    for (agency_id, name, year, quarter), n in sorted(counts.items()):
        ids += notify(
            approvers[agency_id] - {by_id},
            Kind.LATE_CHANGE,
            params={"agency": name, "year": year, "quarter": quarter, "n": n},
            path=reverse("workspace:late_changes"),
        )
    return ids
