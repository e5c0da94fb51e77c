"""Staff accounts: the one-time codes that open a first authenticator enrolment, and the mail
a user gets whenever an authenticator is enrolled on their account or their password
changes (ASVS 6.3, 6.4: a password alone never adds a second factor, and every change of a
factor is told to its owner, who can tell whether it was them).

A code is issued by an administrator (`manage.py issue_enrolment_code USERNAME`, or the
action on the admin's list of users), shown once and given to the user out of band; it is
stored only as a keyed hash (HMAC-SHA256 with the SECRET_KEY), expires after
`ENROLMENT_CODE_HOURS` and is used once, when the device it enrolled is confirmed. A new code
for a user revokes the unused ones.
"""

from __future__ import annotations

import datetime
import logging
import secrets

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from agencies.audit import record

from .models import EnrolmentCode

log = logging.getLogger(__name__)

# 31 letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L), 16 of them:
# 79 bits, grouped by four for reading out over the phone.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16


def _digest(code: str) -> str:
    normal = "".join(c for c in code.upper() if c in ALPHABET)
    return salted_hmac("portal.accounts.enrolment", normal, algorithm="sha256").hexdigest()


def issue_code(user, *, by, hours: int | None = None) -> tuple[str, EnrolmentCode]:
    """A new enrolment code for `user`, issued by `by` (recorded in the audit trail): the
    code as the user types it, shown once, and its record. Earlier unused codes of the
    user are revoked."""
    hours = settings.ENROLMENT_CODE_HOURS if hours is None else hours
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    with transaction.atomic():
        EnrolmentCode.objects.filter(user=user, used_at__isnull=True).delete()
        issued = EnrolmentCode.objects.create(
            user=user,
            digest=_digest(code),
            created_by=by,
            expires_at=timezone.now() + datetime.timedelta(hours=hours),
        )
        record(by, "2fa:enrolment-code", user.get_username(), hours=hours)
    return "-".join(code[i : i + 4] for i in range(0, CODE_LENGTH, 4)), issued


def valid_code(user, code: str) -> EnrolmentCode | None:
    """The user's unused, unexpired enrolment code that `code` is, or None."""
    return EnrolmentCode.objects.filter(
        user=user, digest=_digest(code), used_at__isnull=True, expires_at__gt=timezone.now()
    ).first()


def still_valid(user, code_id: int | None) -> bool:
    return (
        code_id is not None
        and EnrolmentCode.objects.filter(
            pk=code_id, user=user, used_at__isnull=True, expires_at__gt=timezone.now()
        ).exists()
    )


def use_code(user, code_id: int) -> bool:
    """Mark the code used; False when it was used, revoked or expired meanwhile (a
    conditional UPDATE: of two sessions with one code, one wins)."""
    now = timezone.now()
    return bool(
        EnrolmentCode.objects.filter(
            pk=code_id, user=user, used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
    )


def _mail(user, subject: str, body: str) -> None:
    """Mail the user once the current transaction commits; a failing mail server is logged,
    never the cause of a failed change."""
    if not user.email:
        log.warning("no e-mail address for %s: not told of: %s", user.get_username(), subject)
        return

    def send() -> None:
        try:
            send_mail(subject, body, None, [user.email])
        except Exception:  # noqa: BLE001 - the change stands; the log says the mail failed
            log.exception("could not mail %s: %s", user.get_username(), subject)

    transaction.on_commit(send)


def _now() -> str:
    return timezone.localtime().strftime("%Y-%m-%d %H:%M")


def notify_device_enrolled(user) -> None:
    record(user, "2fa:device-enrolled", user.get_username())
    _mail(
        user,
        _("Kinerja NTB: a new authenticator on your account"),
        _(
            "An authenticator app was enrolled on your Kinerja NTB account %(username)s on "
            "%(when)s WITA.\n\nIf it was not you, tell your administrator at once: they can "
            "remove the device and lock the account."
        )
        % {"username": user.get_username(), "when": _now()},
    )


def notify_password_changed(user) -> None:
    _mail(
        user,
        _("Kinerja NTB: your password was changed"),
        _(
            "The password of your Kinerja NTB account %(username)s was changed on %(when)s "
            "WITA.\n\nIf it was not you, tell your administrator at once."
        )
        % {"username": user.get_username(), "when": _now()},
    )


class PasswordChangeNotice:
    """Not a rule on passwords: Django calls every password validator's `password_changed`
    whenever a user's password is set and saved, on any path (the password page, the admin,
    a management command), so this one mails the user then. An account's first password,
    before it has ever been used to log in, is not news to anyone."""

    def validate(self, password: str, user=None) -> None:
        return None

    def password_changed(self, password: str, user=None) -> None:
        if user is not None and user.last_login is not None:
            notify_password_changed(user)

    def get_help_text(self) -> str:
        return _("You get an e-mail whenever your password changes.")
