"""Civil servants' own accounts (issue 23, self-service): an HR officer of the agency creates
them, one or every one of the agency's staff without an account at once, and gives each
person a one-time link to choose their password (the first login).

An account is an ordinary user named by the NIP, with no usable password and no role
(`Membership`): every staff page refuses it, and what it reads is the records of its own
civil servant (`agencies.access.civil_servant_of`). The link is Django's password-reset token
under its own salt (`first_login_tokens`): it holds a hash of the account's password and last
login, so it stops working once the password is set (used once), and after
`PASSWORD_RESET_TIMEOUT` (3 days by default). Employees carry no mail address, so the link is
shown to the officer, who hands it over; it is never stored. A link lost or expired before
the first login: the officer issues a new one (`new_link`), which voids the old.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from agencies import audit
from agencies.access import agencies_for
from agencies.models import Agency, Membership

from .models import Employee


class FirstLoginTokenGenerator(PasswordResetTokenGenerator):
    """Tokens of the first-login links: a password-reset token of another salt, so that
    neither kind of link opens the other's page."""

    key_salt = "performance.selfservice.first-login"


first_login_tokens = FirstLoginTokenGenerator()


class AccountRefused(Exception):
    """Nothing was created; `problems` says why, one line per civil servant."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class NewAccount:
    employee: Employee
    path: str  # the first-login link's path (the page adds the site's address)


def first_login_path(user) -> str:
    """The path of a fresh one-time link for `user` to choose their password."""
    return reverse(
        "first_login",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": first_login_tokens.make_token(user),
        },
    )


def _officer_scope(officer) -> Agency:
    return agencies_for(officer, Membership.Role.HR_OFFICER)


def _problem(employee: Employee, taken: set[str]) -> str | None:
    if employee.user_id is not None:
        return _("%(nip)s (%(name)s) already has an account.") % {
            "nip": employee.nip,
            "name": employee.name,
        }
    if employee.nip in taken:
        return _("%(nip)s (%(name)s): another account already has the NIP as its user name.") % {
            "nip": employee.nip,
            "name": employee.name,
        }
    return None


def _create(employees: list[Employee], *, officer) -> list[NewAccount]:
    """Create the accounts of `employees` (locked rows, all of them one agency's officer's
    to act on), all or none."""
    User = get_user_model()
    taken = set(
        User.objects.filter(username__in=[e.nip for e in employees]).values_list(
            "username", flat=True
        )
    )
    problems = [p for e in employees if (p := _problem(e, taken))]
    if problems:
        raise AccountRefused(problems)
    # Set-based: an agency of a thousand civil servants is three statements, not three
    # thousand. Each account's unusable password is random, so each link is its own.
    users = [
        User(username=e.nip, first_name=e.name[:150], password=make_password(None))
        for e in employees
    ]
    User.objects.bulk_create(users)
    for employee, user in zip(employees, users, strict=True):
        employee.user = user
    Employee.objects.bulk_update(employees, ["user"])
    for agency_id in sorted({e.agency_id for e in employees}):
        mine = [e for e in employees if e.agency_id == agency_id]
        audit.record(
            officer,
            "account.create",
            ", ".join(e.nip for e in mine),
            agency_id=agency_id,
            employees=[e.pk for e in mine],
        )
    return [NewAccount(employee=e, path=first_login_path(e.user)) for e in employees]


def create_account(*, employee_id: int, officer) -> NewAccount:
    """The own account of civil servant `employee_id`, created by `officer`, an HR officer of
    their agency (else `Employee.DoesNotExist`: the caller answers 404). Refused when the
    person has an account already."""
    with transaction.atomic():
        employee = (
            Employee.objects.select_for_update()
            .filter(agency__in=_officer_scope(officer))
            .get(pk=employee_id)
        )
        return _create([employee], officer=officer)[0]


def create_accounts(*, agency_id: int, officer) -> list[NewAccount]:
    """An account for every civil servant of agency `agency_id` (an agency of `officer`'s,
    else `Agency.DoesNotExist`) who has none yet, in one transaction: all or none. An empty
    list when everyone has one."""
    with transaction.atomic():
        agency = _officer_scope(officer).get(pk=agency_id)
        employees = list(
            Employee.objects.select_for_update()
            .filter(agency=agency, user__isnull=True)
            .order_by("name", "nip")
        )
        return _create(employees, officer=officer)


def new_link(*, employee_id: int, officer) -> NewAccount:
    """A new first-login link for civil servant `employee_id` (of `officer`'s agencies, else
    `Employee.DoesNotExist`), whose account has not been used yet: the earlier links stop
    working (the account's unusable password is drawn anew, and the tokens hash it). Refused
    once the person has chosen a password: then it is theirs to change, or an
    administrator's to reset."""
    with transaction.atomic():
        employee = (
            Employee.objects.select_for_update()
            .select_related("user")
            .filter(agency__in=_officer_scope(officer), user__isnull=False)
            .get(pk=employee_id)
        )
        user = employee.user
        if user.has_usable_password():
            raise AccountRefused(
                [
                    _("%(nip)s (%(name)s) has chosen a password already.")
                    % {"nip": employee.nip, "name": employee.name}
                ]
            )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        audit.record(
            officer,
            "account.new_link",
            employee.nip,
            agency_id=employee.agency_id,
            employee=employee.pk,
        )
        return NewAccount(employee=employee, path=first_login_path(user))
