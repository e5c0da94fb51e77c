"""Auditors read; they never change anything. Where a write refuses them, the pages answer
with a page that says so (403), not Django's bare 404: an auditor sees every agency, so the
answer tells them nothing they may not know, and "not found" on a contract they have just
read would be a lie.

The writes are listed here by URL name (with the methods that change data, and who does
them); `ReadOnlyMiddleware` turns the 404 a write view raises for a user whose only role is
the auditor's into that page. Other users keep the 404 (an object outside their scope is
indistinguishable from one that does not exist). tests/security/policy.py says which
answer each role gets.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from agencies.access import roles_of
from agencies.models import Membership

Role = Membership.Role
BOTH = ("GET", "POST")
POST = ("POST",)
OFFICER = _("an HR officer of the agency")
APPROVER = _("an approver of the agency")
LEADER = _("a leader with authority over the agency")
CIVIL_SERVANT = _("the civil servant concerned, through their own account")

# URL name: (methods that write, what the page does, who does it)
WRITES: dict[str, tuple[tuple[str, ...], object, object]] = {
    "workspace:contract_create": (BOTH, _("create a performance contract"), OFFICER),
    "workspace:upload": (BOTH, _("import a file"), OFFICER),
    "workspace:upload_confirm": (POST, _("import a file"), OFFICER),
    "workspace:preview": (BOTH, _("preview a recompute of the agency's scores"), OFFICER),
    "workspace:late_changes": (BOTH, _("confirm late changes"), APPROVER),
    "workspace:contract_edit": (BOTH, _("edit a contract"), OFFICER),
    "workspace:contract_submit": (POST, _("submit a contract"), OFFICER),
    "workspace:contract_approve": (POST, _("approve a contract"), APPROVER),
    "workspace:contract_return": (BOTH, _("return a contract"), APPROVER),
    "workspace:contract_revise": (BOTH, _("revise an approved contract"), OFFICER),
    "workspace:realisations": (BOTH, _("enter realisations"), OFFICER),
    "workspace:bulk_choose": (BOTH, _("enter realisations"), OFFICER),
    "workspace:bulk_realisations": (BOTH, _("enter realisations"), OFFICER),
    "workspace:employee_create": (BOTH, _("add a civil servant"), OFFICER),
    "workspace:employee_edit": (BOTH, _("edit a civil servant"), OFFICER),
    "workspace:employee_transfer": (BOTH, _("transfer a civil servant"), OFFICER),
    "workspace:employee_end": (BOTH, _("end a civil servant's employment"), OFFICER),
    "services:paper": (BOTH, _("enter paper survey forms"), OFFICER),
    "services:metrics_edit": (BOTH, _("enter a service's figures"), OFFICER),
    "services:standard": (BOTH, _("edit a service standard"), OFFICER),
    "services:plan_create": (BOTH, _("write a follow-up plan"), OFFICER),
    "services:plan_edit": (BOTH, _("edit a follow-up plan"), OFFICER),
    "services:plan_update": (BOTH, _("report on a follow-up plan"), OFFICER),
    "staff_decisions:object": (POST, _("lodge an objection"), OFFICER),
    "ratings:agency": (POST, _("rate civil servants"), APPROVER),
    "ratings:person": (POST, _("rate a civil servant"), APPROVER),
    "ratings:upload": (BOTH, _("import ratings"), APPROVER),
    "ratings:object": (POST, _("lodge an objection"), OFFICER),
    "workspace:account_create": (POST, _("create a civil servant's own account"), OFFICER),
    "workspace:account_link": (POST, _("make a new first-login link"), OFFICER),
    "workspace:accounts_create_all": (POST, _("create civil servants' own accounts"), OFFICER),
    "me:rating_object": (POST, _("lodge an objection"), CIVIL_SERVANT),
    "me:decision_object": (POST, _("lodge an objection"), CIVIL_SERVANT),
    "rewards:decide": (POST, _("decide a recommendation"), LEADER),
    "rewards:reverse": (POST, _("reverse a decision"), LEADER),
    "rewards:answer": (POST, _("answer an objection"), LEADER),
}


def read_only(user) -> bool:
    """Whether every role the user holds is the auditor's (and there is at least one)."""
    return roles_of(user) == {Role.AUDITOR}


class ReadOnlyMiddleware:
    """The read-only page (403) for an auditor where a write view answers 404."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, Http404):
            return None
        match = request.resolver_match
        write = WRITES.get(match.view_name) if match else None
        if write is None or request.method not in write[0] or not read_only(request.user):
            return None
        _methods, what, who = write
        return render(
            request, "registration/read_only.html", {"what": what, "who": who}, status=403
        )
