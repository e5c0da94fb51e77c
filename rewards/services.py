"""Decisions on recommendations and objections: one function per action, called by the views,
the tests and the commands.

Who may do what is checked here as well as in the views, with `agencies.access`:
- leaders decide (approve, reject, reverse) and answer objections for the agencies in their
  authority (`authority_for`: a province leader the province's own agencies, a regency's or
  city's leader its agencies), however wide what they see; auditors read and change nothing;
- an agency's HR officers lodge objections, on behalf of the civil servant, against approved
  penalties about their agency and against a civil servant's predikat (their ratings), and
  are e-mailed when decisions about it are taken; a civil servant with their own account
  lodges their own (`agencies.access.civil_servant_of`), within the same limit.

A state change locks the rows it changes (`select_for_update`) and re-checks their status
under the lock, so of two leaders acting at once exactly one changes a decision; the other is
told it was already decided. Every change gets a history record with its reason.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_update_with_history

from agencies.access import agencies_for, authority_for, civil_servant_of
from agencies.models import Agency, Membership
from performance.models import ScoreRun, StaffRating
from performance.services import recompute_scores

from . import notifications, reasons
from .models import OBJECTION_DAYS, Decision, Objection, Outcome, objection_last_day
from .rules import Summary, apply_rules

log = logging.getLogger(__name__)
Role = Membership.Role
Status = Decision.Status


class DecisionError(Exception):
    """An action that is not allowed in the decision's current state, or a missing reason.
    The message is for the user."""


def recompute_and_apply(
    *, year: int | None = None, today: datetime.date | None = None
) -> tuple[ScoreRun, Summary]:
    """The nightly job in one call: recompute and publish the scores, then apply the rules
    to the run just published."""
    run = recompute_scores(year=year, today=today)
    return run, apply_rules(run=run)


def decisions_for(user: AbstractBaseUser, *roles: str):
    """The decisions about the agencies `user` holds one of `roles` for."""
    return Decision.objects.for_agencies(agencies_for(user, *roles))


def waiting_for_leader(user: AbstractBaseUser) -> dict[str, int]:
    """What needs `user` as a leader now, in every year: recommended decisions and
    unanswered objections about the agencies in their authority (two queries; zero for
    anyone who is not a leader)."""
    authority = authority_for(user)
    return {
        "decisions": Decision.objects.for_agencies(authority)
        .filter(status=Status.RECOMMENDED)
        .count(),
        "objections": Objection.objects.filter(objections_in(authority), answered_at=None)
        .order_by()
        .count(),
    }


def can_decide(user: AbstractBaseUser, decision: Decision) -> bool:
    """Whether `user` decides on `decision`: a leader whose authority holds its agency."""
    return authority_for(user).filter(pk=decision.agency_id).exists()


@dataclass
class Outcomes:
    """What a (bulk) decision did: the decisions changed, and the ids left alone because they
    were already decided (or withdrawn) when the lock was taken."""

    changed: list[Decision] = field(default_factory=list)
    not_pending: list[int] = field(default_factory=list)


def decide(
    *,
    user: AbstractBaseUser,
    ids: Iterable[int],
    approve: bool,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> Outcomes:
    """Approve (or reject) the recommended decisions `ids` as leader `user`. A rejection needs
    a reason; an approval may have one. Ids outside the user's authority are ignored as if
    they did not exist (the pages refuse them first, 404); ids no longer recommended are
    returned in `not_pending`. The agencies' HR officers are e-mailed after the commit."""
    reason = (reason or "").strip()
    if not approve and not reason:
        raise DecisionError(_("Give a reason for the rejection."))
    ids = set(ids)
    now = now or timezone.now()
    result = Outcomes()
    status = Status.APPROVED if approve else Status.REJECTED
    with transaction.atomic():
        locked = list(
            Decision.objects.select_for_update()
            .filter(pk__in=ids, agency__in=authority_for(user))
            .order_by("pk")
        )
        for d in locked:
            if d.status != Status.RECOMMENDED:
                result.not_pending.append(d.pk)
                continue
            d.status, d.decided_by, d.decided_at, d.reason = status, user, now, reason
            d._change_reason = reason or (_(reasons.APPROVED) if approve else _(reasons.REJECTED))
            result.changed.append(d)
        if result.changed:
            bulk_update_with_history(
                result.changed,
                Decision,
                ["status", "decided_by", "decided_at", "reason"],
                default_user=user,
            )
            transaction.on_commit(lambda: notify_officers(result.changed), robust=True)
    return result


def decide_one(
    *,
    user: AbstractBaseUser,
    decision: Decision,
    approve: bool,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> Decision:
    """Approve or reject one decision; refuses (DecisionError) one outside the leader's
    authority or already decided."""
    if not can_decide(user, decision):
        raise DecisionError(_("You cannot decide on this agency."))
    result = decide(user=user, ids=[decision.pk], approve=approve, reason=reason, now=now)
    if not result.changed:
        raise DecisionError(_("This decision was already decided or withdrawn."))
    return result.changed[0]


def reverse_decision(
    *,
    user: AbstractBaseUser,
    decision: Decision,
    reason: str,
    now: datetime.datetime | None = None,
) -> Decision:
    """Undo an approval or a rejection: the decision is recommended again, to be decided
    anew. Only a leader whose authority holds it; the reason is required and recorded in the audit
    trail together with who decided it before and how."""
    reason = (reason or "").strip()
    if not reason:
        raise DecisionError(_("Give a reason for the reversal."))
    with transaction.atomic():
        d = (
            Decision.objects.select_for_update()
            .filter(pk=decision.pk, agency__in=authority_for(user))
            .first()
        )
        if d is None:
            raise DecisionError(_("You cannot decide on this agency."))
        if not d.is_decided:
            raise DecisionError(_("Only an approved or rejected decision can be reversed."))
        was = d.get_status_display()
        d.status, d.decided_by, d.decided_at, d.reason = Status.RECOMMENDED, None, None, ""
        d._history_user = user
        d._change_reason = _(reasons.REVERSED) % {
            "status": was,
            "reason": reason,
        }
        d.save(update_fields=["status", "decided_by", "decided_at", "reason"])
        transaction.on_commit(lambda: notify_officers([d], reversed_=True), robust=True)
    return d


# --- objections --------------------------------------------------------------------------


def may_object_for(user: AbstractBaseUser, *, agency_id: int, employee_id: int | None) -> bool:
    """Whether `user` may lodge an objection about civil servant `employee_id` of agency
    `agency_id`: an HR officer of the agency (on the person's behalf), or the civil servant
    themself through their own account."""
    own = civil_servant_of(user)
    if own is not None and employee_id is not None and own.pk == employee_id:
        return True
    return agencies_for(user, Role.HR_OFFICER).filter(pk=agency_id).exists()


def can_object(decision: Decision, today: datetime.date) -> bool:
    """Whether an objection can still be lodged against `decision` on `today` (WITA): an
    approved penalty, decided at most 14 days before, with no objection yet."""
    deadline = decision.objection_deadline()
    return (
        decision.status == Status.APPROVED
        and decision.rule.outcome == Outcome.PENALTY
        and deadline is not None
        and today <= deadline
    )


def lodge_objection(
    *,
    user: AbstractBaseUser,
    decision: Decision,
    text: str,
    now: datetime.datetime | None = None,
) -> Objection:
    """Lodge an objection (keberatan) against an approved penalty, as an HR officer of its
    agency or as the civil servant it is about, up to 14 days (WITA) after the decision. One
    per decision."""
    now = now or timezone.now()
    text = (text or "").strip()
    if not text:
        raise DecisionError(_("Write the objection."))
    if not may_object_for(user, agency_id=decision.agency_id, employee_id=decision.employee_id):
        raise DecisionError(_("You are not an HR officer of this agency."))
    with transaction.atomic():
        d = Decision.objects.select_for_update().select_related("rule").get(pk=decision.pk)
        if d.status != Status.APPROVED or d.rule.outcome != Outcome.PENALTY:
            raise DecisionError(_("Only an approved penalty can be objected to."))
        if not can_object(d, timezone.localdate(now)):
            raise DecisionError(
                _("The %(days)s days to object to this decision are over.")
                % {"days": OBJECTION_DAYS}
            )
        if d.objections.exists():
            raise DecisionError(_("An objection to this decision has already been lodged."))
        objection = Objection(decision=d, lodged_by=user, text=text, lodged_at=now)
        objection._history_user = user
        objection._change_reason = _(reasons.OBJECTION_LODGED)
        objection.save()
        notifications.objection_lodged(d.agency)
    return objection


def answer_objection(
    *,
    user: AbstractBaseUser,
    objection: Objection,
    answer: str,
    now: datetime.datetime | None = None,
) -> Objection:
    """The leader's answer to an objection (to a penalty or to a predikat), once, by a leader
    whose authority holds the civil servant's agency; both stay in the record."""
    answer = (answer or "").strip()
    if not answer:
        raise DecisionError(_("Write the answer."))
    with transaction.atomic():
        # The authority's filter as a subquery: its outer joins (a decision's or a rating's
        # agency) cannot be locked FOR UPDATE on PostgreSQL; the objection row alone is.
        allowed = Objection.objects.filter(objections_in(authority_for(user))).values("pk")
        o = Objection.objects.select_for_update().filter(pk=objection.pk, pk__in=allowed).first()
        if o is None:
            raise DecisionError(_("You cannot decide on this agency."))
        if o.answered_at is not None:
            raise DecisionError(_("This objection has already been answered."))
        o.answer, o.answered_by, o.answered_at = answer, user, now or timezone.now()
        o._history_user = user
        o._change_reason = _(reasons.OBJECTION_ANSWERED)
        o.save(update_fields=["answer", "answered_by", "answered_at"])
    return o


def objections_in(agencies) -> Q:
    """The objections about `agencies`: to their decisions, or to their civil servants'
    predikat."""
    return Q(decision__agency__in=agencies) | Q(rating__contract__agency__in=agencies)


def can_object_to_rating(rating: StaffRating, today: datetime.date) -> bool:
    """Whether an objection to the predikat of `rating` can still be lodged on `today`
    (WITA): up to 14 days after the ratings were given or last changed."""
    return today <= objection_last_day(rating.changed_at)


def lodge_rating_objection(
    *,
    user: AbstractBaseUser,
    rating: StaffRating,
    text: str,
    now: datetime.datetime | None = None,
) -> Objection:
    """Lodge an objection (keberatan) to a civil servant's predikat on their behalf, as an HR
    officer of their agency (or as the civil servant themself), up to 14 days (WITA) after
    the ratings were given or changed. One per rating; a leader whose authority holds the
    agency answers it."""
    now = now or timezone.now()
    text = (text or "").strip()
    if not text:
        raise DecisionError(_("Write the objection."))
    contract = rating.contract
    if not may_object_for(user, agency_id=contract.agency_id, employee_id=contract.employee_id):
        raise DecisionError(_("You are not an HR officer of this agency."))
    with transaction.atomic():
        r = StaffRating.objects.select_for_update().get(pk=rating.pk)
        if not can_object_to_rating(r, timezone.localdate(now)):
            raise DecisionError(
                _("The %(days)s days to object to this predikat are over.")
                % {"days": OBJECTION_DAYS}
            )
        if Objection.objects.filter(rating=r).exists():
            raise DecisionError(_("An objection to this predikat has already been lodged."))
        objection = Objection(rating=r, lodged_by=user, text=text, lodged_at=now)
        objection._history_user = user
        objection._change_reason = _(reasons.PREDIKAT_OBJECTION_LODGED)
        objection.save()
        notifications.objection_lodged(rating.contract.agency)
    return objection


# --- notifications -----------------------------------------------------------------------


def officer_emails(agency_ids: Iterable[int]) -> dict[int, list[str]]:
    """The e-mail addresses of the HR officers of each agency (an officer of a parent agency
    covers its units too): one query."""
    agencies = {
        a.pk: a.parent_id for a in Agency.objects.filter(pk__in=set(agency_ids)).only("parent")
    }
    wanted = set(agencies) | {p for p in agencies.values() if p}
    by_agency: dict[int, set[str]] = defaultdict(set)
    for agency_id, email in (
        Membership.objects.filter(role=Role.HR_OFFICER, agency_id__in=wanted, user__is_active=True)
        .exclude(user__email="")
        .values_list("agency_id", "user__email")
    ):
        by_agency[agency_id].add(email)
    return {
        pk: sorted(by_agency[pk] | (by_agency[parent] if parent else set()))
        for pk, parent in agencies.items()
    }


def notify_officers(decisions: list[Decision], *, reversed_: bool = False) -> int:
    """E-mail each agency's HR officers one message about the decisions taken about it: how
    many, of which kind, and where to read them. No names or NIPs in the mail (it travels
    outside the portal): the officer reads the details in the workspace. Returns the number
    of messages sent."""
    per_agency: dict[int, list[Decision]] = defaultdict(list)
    for d in decisions:
        per_agency[d.agency_id].append(d)
    recipients = officer_emails(per_agency)
    names = dict(Agency.objects.filter(pk__in=per_agency).values_list("pk", "name"))
    path = reverse("staff_decisions:list")
    messages = []
    for agency_id, items in per_agency.items():
        if not recipients.get(agency_id):
            continue
        counts: dict[str, int] = defaultdict(int)
        for d in items:
            counts[d.get_status_display()] += 1
        lines = [f"- {status}: {n}" for status, n in sorted(counts.items())]
        subject = ngettext(
            "Kinerja NTB: %(n)s decision about %(agency)s",
            "Kinerja NTB: %(n)s decisions about %(agency)s",
            len(items),
        ) % {"n": len(items), "agency": names.get(agency_id, "")}
        intro = (
            _("Decisions were reversed and are open again:")
            if reversed_
            else _("Decisions were taken by the leader:")
        )
        body = "\n".join(
            [
                intro,
                *lines,
                "",
                _("Read them in the workspace, under Decisions: %(path)s") % {"path": path},
                _("Objections to a penalty can be lodged there within %(days)s days.")
                % {"days": OBJECTION_DAYS},
            ]
        )
        messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, recipients[agency_id]))
    if messages:
        send_mass_mail(messages, fail_silently=False)
    return len(messages)
