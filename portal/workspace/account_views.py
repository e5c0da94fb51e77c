"""Civil servants' own accounts (issue 23, self-service), at /workspace/accounts/: an HR
officer lists their agencies' staff with and without an account, creates one person's
account or, in one go (all or nothing), one for everyone of an agency who has none, and is
shown each new account's one-time first-login link to hand over (employees carry no mail
address; the link is never stored). The rules are `performance.selfservice`'s.

Officers only: any other role gets 403 on the list, and a 404 on a creation (as for a
civil servant outside their agencies; the auditor: the read-only page).
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.access import agencies_for
from agencies.models import Agency, Membership
from performance import selfservice
from performance.accesslog import log_personal_access
from performance.models import Employee
from portal.common.decisions import require_role
from portal.common.decorators import staff_view

from .forms import AccountFilter

Role = Membership.Role
PAGE_SIZE = 100


def _link_days() -> int:
    """For how many days a first-login link works (Django's password-reset timeout)."""
    return max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)


@staff_view
def account_list(request: HttpRequest) -> HttpResponse:
    require_role(request, Role.HR_OFFICER)
    agencies = agencies_for(request.user, Role.HR_OFFICER).order_by("name")
    filters = AccountFilter(
        request.GET,
        queryset=Employee.objects.filter(agency__in=agencies)
        .select_related("agency", "user")
        .order_by("agency__name", "name", "nip"),
        agencies=agencies,
    )
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for agency_id in sorted({e.agency_id for e in page}):  # names and NIPs of their staff
        log_personal_access(request, agency_id=agency_id, employee_id=None)
    without = dict(
        Employee.objects.filter(agency__in=agencies, user__isnull=True)
        .values("agency")
        .annotate(n=Count("pk"))
        .values_list("agency", "n")
        .order_by()
    )
    return render(
        request,
        "workspace/accounts/list.html",
        {
            "filter": filters,
            "page": page,
            "bulk": [(a, without[a.pk]) for a in agencies if without.get(a.pk)],
            "days": _link_days(),
        },
    )


def _created(
    request: HttpRequest, created: list[selfservice.NewAccount], *, new_links: bool = False
) -> HttpResponse:
    rows = [(a.employee, request.build_absolute_uri(a.path)) for a in created]
    return render(
        request,
        "workspace/accounts/created.html",
        {"rows": rows, "days": _link_days(), "new_links": new_links},
    )


def _refused(request: HttpRequest, exc: selfservice.AccountRefused) -> HttpResponse:
    return render(
        request, "workspace/accounts/refused.html", {"problems": exc.problems}, status=409
    )


@staff_view
@require_POST
def account_create(request: HttpRequest, pk: int) -> HttpResponse:
    """One civil servant's account, and its one-time link."""
    try:
        created = selfservice.create_account(employee_id=pk, officer=request.user)
    except Employee.DoesNotExist:
        raise Http404(_("No such civil servant in your agencies.")) from None
    except selfservice.AccountRefused as exc:
        return _refused(request, exc)
    log_personal_access(request, agency_id=created.employee.agency_id, employee_id=pk)
    return _created(request, [created])


@staff_view
@require_POST
def accounts_create_all(request: HttpRequest, agency_pk: int) -> HttpResponse:
    """An account for everyone of the agency who has none: all or nothing."""
    try:
        created = selfservice.create_accounts(agency_id=agency_pk, officer=request.user)
    except Agency.DoesNotExist:
        raise Http404(_("No such agency among yours.")) from None
    except selfservice.AccountRefused as exc:
        return _refused(request, exc)
    log_personal_access(request, agency_id=agency_pk, employee_id=None)
    return _created(request, created)


@staff_view
@require_POST
def account_link(request: HttpRequest, pk: int) -> HttpResponse:
    """A new one-time link for an account not used yet (the old one stops working)."""
    try:
        issued = selfservice.new_link(employee_id=pk, officer=request.user)
    except Employee.DoesNotExist:
        raise Http404(_("No such account in your agencies.")) from None
    except selfservice.AccountRefused as exc:
        return _refused(request, exc)
    log_personal_access(request, agency_id=issued.employee.agency_id, employee_id=pk)
    return _created(request, [issued], new_links=True)
