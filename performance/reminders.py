"""Deadline reminders (issue 23): `reminder_days` (the scheme's, default 7) before a
quarter closes for entries (its last day plus the grace days, `late.closes_on`), the beat
tells

- the HR officers of each agency that still has realisations missing for that quarter
  (targets of approved contracts without one, `contracts.missing_realisations`) how many,
  and nobody at an agency with none missing;
- the approvers of each agency with something waiting for them (submitted contracts of any
  year, pending late changes) what waits.

Each reminder goes once (`Notification.key`), however often the beat runs that day."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from agencies.access import users_with_role_on
from agencies.models import Agency, Membership, Notification
from agencies.notify import notify

from . import contracts, late, scoring
from .models import LateChange, PerformanceContract, ScoringScheme

Kind = Notification.Kind
Role = Membership.Role
DEFAULT_REMINDER_DAYS = ScoringScheme._meta.get_field("reminder_days").default


def quarters_to_remind(today: datetime.date) -> list[tuple[int, int, datetime.date]]:
    """(year, quarter, last day on time) of the quarters that close for entries exactly
    their scheme's `reminder_days` after `today` (last year's Q4 closes in January)."""
    years = (today.year - 1, today.year)
    stored = {
        year: (grace, days)
        for year, grace, days in ScoringScheme.objects.filter(year__in=years).values_list(
            "year", "entry_grace_days", "reminder_days"
        )
    }
    due = []
    for year in years:
        grace, days = stored.get(
            year, (scoring.DEFAULT_SCHEME.entry_grace_days, DEFAULT_REMINDER_DAYS)
        )
        for quarter in contracts.QUARTER_NUMBERS:
            closes = late.closes_on(year, quarter, grace)
            if closes - today == datetime.timedelta(days=days):
                due.append((year, quarter, closes))
    return due


def _remind_officers(year: int, quarter: int, closes: datetime.date, today: datetime.date) -> int:
    gaps = contracts.missing_realisations(
        Agency.objects.all(), year, today, contracts.scheme_of(year)
    )
    missing = {
        agency_id: gap
        for agency_id, quarter_gaps in gaps.items()
        for gap in quarter_gaps
        if gap.quarter == quarter and gap.missing
    }
    if not missing:
        return 0
    officers = users_with_role_on(missing, Role.HR_OFFICER)
    names = dict(Agency.objects.filter(pk__in=missing).values_list("pk", "name"))
    sent = 0
    for agency_id, gap in sorted(missing.items()):
        sent += len(
            notify(
                officers[agency_id],
                Kind.REMINDER_MISSING,
                params={
                    "agency": names[agency_id],
                    "year": year,
                    "quarter": quarter,
                    "due": closes.isoformat(),
                    "n": gap.missing,
                    "targets": gap.targets,
                },
                path=reverse("workspace:bulk_realisations", args=[agency_id, year, quarter]),
                key=f"missing:{year}:{quarter}:{agency_id}",
            )
        )
    return sent


def _remind_approvers(year: int, quarter: int, closes: datetime.date) -> int:
    waiting: dict[int, dict[str, int]] = {}
    for agency_id, n in (
        PerformanceContract.objects.filter(status=PerformanceContract.Status.SUBMITTED)
        .values_list("agency_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        waiting.setdefault(agency_id, {"contracts": 0, "late": 0})["contracts"] = n
    for agency_id, n in (
        LateChange.objects.pending()
        .values_list("indicator__contract__agency_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        waiting.setdefault(agency_id, {"contracts": 0, "late": 0})["late"] = n
    if not waiting:
        return 0
    approvers = users_with_role_on(waiting, Role.APPROVER)
    names = dict(Agency.objects.filter(pk__in=waiting).values_list("pk", "name"))
    sent = 0
    for agency_id, counts in sorted(waiting.items()):
        sent += len(
            notify(
                approvers[agency_id],
                Kind.REMINDER_WAITING,
                params={
                    "agency": names[agency_id],
                    "year": year,
                    "quarter": quarter,
                    "due": closes.isoformat(),
                    **counts,
                },
                path=reverse("workspace:dashboard"),
                key=f"waiting:{year}:{quarter}:{agency_id}",
            )
        )
    return sent


def send_reminders(*, today: datetime.date | None = None) -> int:
    """Record (and, after commit, mail) the reminders due on `today` (WITA; default: now).
    Returns the number of notifications recorded."""
    today = today or timezone.localdate()
    sent = 0
    with transaction.atomic():
        for year, quarter, closes in quarters_to_remind(today):
            sent += _remind_officers(year, quarter, closes, today)
            sent += _remind_approvers(year, quarter, closes)
    return sent
