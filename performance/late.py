"""Time and late changes of realisations (DESIGN.md, Integrity).

- A quarter that has not started takes no realisation (`not_started_problem`).
- A realisation entered or changed after its quarter closed (the scheme's grace days, in
  WITA) is *late*: it does not touch the `Realisation` row the recompute reads. It waits, as
  a `LateChange` with the officer's reason, for an approver of the agency who is not the
  person who entered it; until then the previous value counts (or none). Confirmed, the
  realisation takes the new value and is marked late with the day it was entered, recorded
  in the audit trail with the officer's reason; rejected, nothing changes.
- Only a change of the value is late: an explanation or evidence changed beside the same
  value changes no figure and is saved at once (and recorded).
- The command-line import is the administrator's act: it writes late values directly,
  marked late (`performance.imports`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from agencies.access import agencies_for
from agencies.models import Membership, quarter_name

from . import scoring
from .models import LateChange, PerformanceContract, Realisation, ScoringScheme

Status = LateChange.Status


class LateDecisionError(Exception):
    """Late changes that may not be decided as asked: `problems` says why, one line each.
    Nothing was changed."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


# --- time ----------------------------------------------------------------------------------


def grace_days(years: Iterable[int]) -> dict[int, int]:
    """{year: the entry grace days of its scheme (the default without one)}. One query."""
    wanted = set(years)
    found = dict(
        ScoringScheme.objects.filter(year__in=wanted).values_list("year", "entry_grace_days")
    )
    return {y: found.get(y, scoring.DEFAULT_SCHEME.entry_grace_days) for y in wanted}


def closes_on(year: int, quarter: int, grace: int) -> datetime.date:
    """The last day a realisation of the quarter is on time (its last day plus the grace
    days); from the day after it is late."""
    return scoring.quarter_last_day(year, quarter) + datetime.timedelta(days=grace)


def has_started(year: int, quarter: int, today: datetime.date) -> bool:
    return quarter in scoring.started_quarters(year, today)


def not_started_problem(year: int, quarter: int, today: datetime.date) -> str | None:
    """Why no realisation can be entered for the quarter on `today`, or None when it can."""
    if has_started(year, quarter, today):
        return None
    return _(
        "%(q)s %(year)d has not started yet: its realisations can be entered from %(day)s."
    ) % {
        "q": quarter_name(quarter),
        "year": year,
        "day": date_format(scoring.quarter_first_day(year, quarter), "DATE_FORMAT"),
    }


def is_late(year: int, quarter: int, today: datetime.date, grace: int) -> bool:
    """Whether a realisation entered on `today` for the quarter is late (it has closed)."""
    return scoring.quarter_is_closed(year, quarter, today, grace)


# --- requests ------------------------------------------------------------------------------


def request_change(
    *,
    indicator,
    quarter: int,
    existing: Realisation | None,
    value: Decimal | None,
    explanation: str,
    evidence_url: str,
    evidence_file=None,
    clear_evidence: bool = False,
    reason: str,
    user,
) -> LateChange:
    """Ask for a late change of the indicator's realisation in `quarter` (call inside a
    transaction): the new state of the realisation (`value` None: remove it) waits for an
    approver. A pending change of the same indicator and quarter is superseded."""
    LateChange.objects.pending().filter(indicator=indicator, quarter=quarter).update(
        status=Status.SUPERSEDED, decided_at=timezone.now()
    )
    change = LateChange(
        indicator=indicator,
        quarter=quarter,
        old_value=existing.value if existing is not None else None,
        new_value=value,
        explanation=explanation if value is not None else "",
        evidence_url=evidence_url if value is not None else "",
        reason=reason,
        entered_by=user,
    )
    if value is not None and evidence_file is not None:
        change.evidence_name = evidence_file.name[:200]
        change.evidence_file.save(evidence_file.name, evidence_file, save=False)
    elif value is not None and existing is not None and not clear_evidence:
        # The evidence stays as it is: the confirmed realisation keeps its file.
        change.evidence_file = existing.evidence_file.name
        change.evidence_name = existing.evidence_name
    change.save()
    return change


# --- the approvers' queue ------------------------------------------------------------------


def queue_for(user) -> QuerySet:
    """The pending late changes of the agencies `user` approves for, oldest first, with the
    value counting now (`current_value`) and what the page shows, in one query."""
    current = Realisation.objects.filter(
        indicator=OuterRef("indicator"), quarter=OuterRef("quarter")
    ).values("value")[:1]
    return (
        LateChange.objects.pending()
        .filter(indicator__contract__agency__in=agencies_for(user, Membership.Role.APPROVER))
        .select_related(
            "indicator__contract__agency", "indicator__contract__employee", "entered_by"
        )
        .annotate(current_value=Subquery(current))
        .order_by("entered_at", "pk")
    )


def decision_problem(change: LateChange, user) -> str | None:
    """Why `user` may not decide `change`, or None (the agency's approver role is checked by
    the caller's queryset, `queue_for`, and again when deciding)."""
    label = f"{change.indicator.code} Q{change.quarter} {change.indicator.contract.year}"
    if change.status != Status.PENDING:
        return _("%(what)s: no longer awaiting confirmation.") % {"what": label}
    if change.entered_by_id == user.pk:
        return _("%(what)s: you entered this change; another approver must decide it.") % {
            "what": label
        }
    return None


def _locked(ids: Sequence[int]) -> list[LateChange]:
    """The late changes `ids`, locked for the decision (PostgreSQL: FOR UPDATE)."""
    return list(
        LateChange.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("indicator__contract")
        .order_by("pk")
    )


def _check(changes: list[LateChange], user, ids: Sequence[int], *, confirming: bool) -> None:
    """Raise LateDecisionError unless `user` may decide every one of `changes` (and, when
    `confirming`, each realisation still has the value its change was entered against)."""
    approver_of = set(agencies_for(user, Membership.Role.APPROVER).values_list("pk", flat=True))
    current = {}
    if confirming:
        current = {
            (r.indicator_id, r.quarter): r.value
            for r in Realisation.objects.filter(indicator_id__in=[c.indicator_id for c in changes])
        }
    problems = []
    if len(changes) != len(set(ids)):
        problems.append(_("Some of the late changes chosen do not exist any more."))
    for change in changes:
        if change.indicator.contract.agency_id not in approver_of:
            problems.append(_("Only an approver of the agency can decide its late changes."))
        elif problem := decision_problem(change, user):
            problems.append(problem)
        elif confirming and current.get((change.indicator_id, change.quarter)) != change.old_value:
            problems.append(
                _(
                    "%(what)s: the realisation changed after this late change was entered "
                    "(it was %(old)s, it is %(now)s); reject it and ask for a new entry."
                )
                % {
                    "what": f"{change.indicator.code} Q{change.quarter}",
                    "old": _plain(change.old_value),
                    "now": _plain(current.get((change.indicator_id, change.quarter))),
                }
            )
    if problems:
        raise LateDecisionError(problems)


def _plain(value: Decimal | None) -> str:
    if value is None:
        return "–"
    return format(value.normalize(), "f")


def confirm(ids: Sequence[int], user, note: str = "") -> list[LateChange]:
    """Confirm the late changes `ids`, all or none (`LateDecisionError` says why not): each
    realisation takes its new value (or is removed), marked late with the day the change was
    entered, recorded in the audit trail by `user` with the officer's reason. Only an
    approver of the agency who did not enter the change may, and only while the realisation
    still has the value the change was entered against."""
    with transaction.atomic():
        changes = _locked(ids)
        _check(changes, user, ids, confirming=True)
        now = timezone.now()
        existing = {
            (r.indicator_id, r.quarter): r
            for r in Realisation.objects.filter(indicator_id__in=[c.indicator_id for c in changes])
        }
        for change in changes:
            realisation = existing.get((change.indicator_id, change.quarter))
            if change.new_value is None:
                if realisation is not None:
                    realisation._change_reason = change.reason
                    realisation.delete()
            else:
                realisation = realisation or Realisation(
                    indicator_id=change.indicator_id, quarter=change.quarter
                )
                realisation.value = change.new_value
                realisation.explanation = change.explanation
                realisation.evidence_url = change.evidence_url
                realisation.evidence_file = change.evidence_file.name
                realisation.evidence_name = change.evidence_name
                realisation.entered_by_id = change.entered_by_id
                realisation.late_entered_at = change.entered_at
                realisation._change_reason = change.reason
                realisation.save()
            change.status = Status.CONFIRMED
            change.decided_by = user
            change.decided_at = now
            change.decision_note = note
            change.save()
        # Forms read before the confirmation must not overwrite it unseen.
        PerformanceContract.objects.filter(
            pk__in={c.indicator.contract_id for c in changes}
        ).update(version=F("version") + 1)
    return changes


def reject(ids: Sequence[int], user, note: str) -> list[LateChange]:
    """Reject the late changes `ids`, all or none, with `note` (why): the realisation keeps
    the value that counts."""
    with transaction.atomic():
        changes = _locked(ids)
        _check(changes, user, ids, confirming=False)
        now = timezone.now()
        for change in changes:
            change.status = Status.REJECTED
            change.decided_by = user
            change.decided_at = now
            change.decision_note = note
            change.save()
    return changes
