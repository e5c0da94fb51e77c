"""Telling people what needs them, by mail (issue 23): one service every event goes through.

- `notify` records a `Notification` per recipient inside the caller's transaction; once it
  commits, a Celery task mails those whose owners want each event at once
  (`send_immediate`). Nothing is mailed for a change that was rolled back.
- Users who chose the daily digest get one mail a day with everything pending
  (`send_digests`, run by the beat).
- A mail is written when it is sent, in the recipient's language (their
  `NotificationPreference`, else the portal's default), from the notification's `kind` and
  language-neutral `params`, with a link to the page to open. It names agencies, years,
  quarters and counts, never a civil servant's name, NIP, score or decision: a mail leaves
  the portal, and the recipient reads the details there, where access is checked.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Notification, NotificationPreference, quarter_name

log = logging.getLogger(__name__)
Kind = Notification.Kind
Delivery = NotificationPreference.Delivery


def notify(
    user_ids: Iterable[int], kind: str, *, params: dict, path: str, key: str = ""
) -> list[int]:
    """Record `kind` for each active user of `user_ids` who has a mail address and, once the
    current transaction commits, mail at once those who want each event so (a Celery task).
    `key` (a reminder's name) skips users who already had that notification. Returns the
    ids of the notifications recorded."""
    users = get_user_model().objects.filter(pk__in=set(user_ids), is_active=True).exclude(email="")
    if key:
        users = users.exclude(notifications__key=key)
    created = Notification.objects.bulk_create(
        [Notification(user=u, kind=kind, params=params, path=path, key=key) for u in users]
    )
    ids = [n.pk for n in created]
    if ids:
        # Imported here: the task module imports this one.
        from .tasks import send_notifications_task

        transaction.on_commit(lambda: send_notifications_task.delay(ids))
    return ids


def preference_of(user) -> NotificationPreference:
    """The user's preference (unsaved defaults when they never chose)."""
    try:
        return user.notification_preference
    except NotificationPreference.DoesNotExist:
        return NotificationPreference(user=user)


def set_preference(user, *, delivery: str, language: str) -> NotificationPreference:
    """Save how `user` wants to be told. Leaving the digest for immediate mail sends what was
    pending at once (after commit), so nothing waits for a digest that no longer comes."""
    with transaction.atomic():
        pref, _created = NotificationPreference.objects.update_or_create(
            user=user, defaults={"delivery": delivery, "language": language}
        )
        if delivery == Delivery.IMMEDIATE:
            pending = list(
                Notification.objects.pending().filter(user=user).values_list("pk", flat=True)
            )
            if pending:
                from .tasks import send_notifications_task

                transaction.on_commit(lambda: send_notifications_task.delay(pending))
    return pref


# --- what a mail says ------------------------------------------------------------------------


def _holder(params: dict) -> str:
    return _("Perjanjian Kinerja") if params.get("holder") == "agency" else _("SKP")


def _values(params: dict) -> dict:
    """The notification's values as the active language writes them: the quarter by its
    name (TW III, Q3), the day in the locale's format."""
    values = dict(params)
    if "quarter" in values:
        values["q"] = quarter_name(values["quarter"])
    if "due" in values:
        values["due"] = date_format(datetime.date.fromisoformat(values["due"]), "DATE_FORMAT")
    return values


def _line(n: Notification) -> str:
    """One sentence saying what happened, in the active language."""
    p = _values(n.params)
    texts: dict[str, Callable[[], str]] = {
        Kind.CONTRACT_SUBMITTED: lambda: (
            _(
                "A performance contract (%(holder)s %(year)s) of %(agency)s waits for your "
                "approval. Status: %(status)s."
            )
            % {**p, "holder": _holder(p), "status": _("submitted")}
        ),
        Kind.CONTRACTS_UPLOADED: lambda: (
            ngettext(
                "%(n)s performance contract of %(agency)s (%(year)s) was submitted by upload and "
                "waits for your approval. Status: %(status)s.",
                "%(n)s performance contracts of %(agency)s (%(year)s) were submitted by upload "
                "and wait for your approval. Status: %(status)s.",
                p["n"],
            )
            % {**p, "status": _("submitted")}
        ),
        Kind.CONTRACT_APPROVED: lambda: (
            _(
                "The performance contract (%(holder)s %(year)s) of %(agency)s you submitted was "
                "approved. Status: %(status)s."
            )
            % {**p, "holder": _holder(p), "status": _("approved")}
        ),
        Kind.CONTRACT_RETURNED: lambda: (
            _(
                "The performance contract (%(holder)s %(year)s) of %(agency)s you submitted was "
                "returned; read the approver's reason in the workspace. Status: %(status)s."
            )
            % {**p, "holder": _holder(p), "status": _("returned for revision")}
        ),
        Kind.LATE_CHANGE: lambda: (
            ngettext(
                "%(n)s late change of realisations of %(agency)s (%(q)s %(year)s) waits "
                "for your confirmation.",
                "%(n)s late changes of realisations of %(agency)s (%(q)s %(year)s) wait "
                "for your confirmation.",
                p["n"],
            )
            % p
        ),
        Kind.DECISIONS: lambda: (
            ngettext(
                "%(n)s recommended decision about %(agency)s awaits a leader's decision.",
                "%(n)s recommended decisions about %(agency)s await a leader's decision.",
                p["n"],
            )
            % p
        ),
        Kind.OBJECTION: lambda: _("An objection about %(agency)s awaits a leader's answer.") % p,
        Kind.REMINDER_MISSING: lambda: (
            ngettext(
                "%(q)s %(year)s closes for entries after %(due)s: %(agency)s still has "
                "%(n)s of %(targets)s realisation missing.",
                "%(q)s %(year)s closes for entries after %(due)s: %(agency)s still has "
                "%(n)s of %(targets)s realisations missing.",
                p["targets"],
            )
            % p
        ),
        Kind.REMINDER_WAITING: lambda: (
            _(
                "%(q)s %(year)s closes for entries after %(due)s. Waiting for an approver "
                "of %(agency)s: %(contracts)s submitted contracts, %(late)s late changes."
            )
            % p
        ),
    }
    return texts[n.kind]()


def _subject(n: Notification) -> str:
    p = _values(n.params)
    subjects: dict[str, Callable[[], str]] = {
        Kind.CONTRACT_SUBMITTED: lambda: _("A contract of %(agency)s waits for approval"),
        Kind.CONTRACTS_UPLOADED: lambda: _("Contracts of %(agency)s wait for approval"),
        Kind.CONTRACT_APPROVED: lambda: _("A contract of %(agency)s was approved"),
        Kind.CONTRACT_RETURNED: lambda: _("A contract of %(agency)s was returned"),
        Kind.LATE_CHANGE: lambda: _("A late change of %(agency)s waits for confirmation"),
        Kind.DECISIONS: lambda: _("Decisions about %(agency)s await a leader"),
        Kind.OBJECTION: lambda: _("An objection about %(agency)s awaits an answer"),
        Kind.REMINDER_MISSING: lambda: _("%(q)s %(year)s closes soon: realisations missing"),
        Kind.REMINDER_WAITING: lambda: _("%(q)s %(year)s closes soon: approvals waiting"),
    }
    return "Kinerja NTB: " + subjects[n.kind]() % p


def link(path: str) -> str:
    return f"{settings.SITE_URL}{path}" if path else settings.SITE_URL + "/"


def _footer() -> list[str]:
    return [
        "",
        _("Choose a mail for each event or one mail a day, and its language: %(url)s")
        % {"url": link("/workspace/notifications/")},
    ]


def _send(user, language: str, subject: str, lines: list[str]) -> None:
    EmailMessage(
        subject,
        "\n".join(lines + _footer()),
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
        headers={"Content-Language": language},
    ).send(fail_silently=False)


def _language(user) -> str:
    return preference_of(user).language or settings.LANGUAGE_CODE


# --- sending ---------------------------------------------------------------------------------


def _claim(ids: list[int], now: datetime.datetime) -> int:
    """Mark the notifications sent, if nobody did meanwhile (a conditional UPDATE: of two
    workers with the same notifications, one sends them). Call inside the transaction that
    sends the mail, so a failed mail leaves them pending."""
    return Notification.objects.pending().filter(pk__in=ids).update(sent_at=now)


def send_immediate(ids: Iterable[int]) -> int:
    """Mail each pending notification of `ids` whose user wants each event at once: one mail
    per notification, in the user's language. Digest users' notifications stay pending for
    the digest. Returns the number of mails sent."""
    sent = 0
    rows = (
        Notification.objects.pending()
        .filter(pk__in=list(ids))
        .select_related("user__notification_preference")
    )
    for n in rows:
        if preference_of(n.user).delivery == Delivery.DIGEST:
            continue
        language = _language(n.user)
        with transaction.atomic(), translation.override(language):
            if not _claim([n.pk], timezone.now()):
                continue
            _send(n.user, language, _subject(n), [_line(n), "", link(n.path)])
        sent += 1
    return sent


def send_digests(*, today: datetime.date | None = None) -> int:
    """Mail every digest user with pending notifications one mail listing them all, at most
    once a day (WITA) however often it runs, and mark them sent. Returns the mails sent."""
    today = today or timezone.localdate()
    prefs = (
        NotificationPreference.objects.filter(
            delivery=Delivery.DIGEST, user__is_active=True, user__notifications__sent_at=None
        )
        .exclude(last_digest_on=today)
        .distinct()
        .values_list("pk", flat=True)
    )
    sent = 0
    for pk in list(prefs):
        with transaction.atomic():
            pref = (
                NotificationPreference.objects.select_for_update().select_related("user").get(pk=pk)
            )
            if pref.last_digest_on == today:
                continue  # another run sent today's digest meanwhile
            items = list(Notification.objects.pending().filter(user=pref.user))
            if not items or not _claim([n.pk for n in items], timezone.now()):
                continue
            pref.last_digest_on = today
            pref.save(update_fields=["last_digest_on"])
            with translation.override(pref.language):
                subject = "Kinerja NTB: " + ngettext(
                    "%(n)s notification of the day", "%(n)s notifications of the day", len(items)
                ) % {"n": len(items)}
                lines = []
                for n in items:
                    lines += [f"- {_line(n)}", f"  {link(n.path)}"]
                _send(pref.user, pref.language, subject, lines)
        sent += 1
    return sent
