"""The civil servants of an agency in the workspace (issue 23): the list, a new hire, an edit,
a transfer to another agency and the end of employment. Read by any role over the agency;
changed by its HR officers. Another agency's civil servant is a 404. The rules are
`performance.employees`; every page about one person is logged (`PersonalDataAccess`)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from agencies.access import agencies_for
from agencies.models import Membership
from performance import employees
from performance.accesslog import log_personal_access
from performance.models import Employee, PerformanceContract
from portal.common.decorators import staff_view

from .employee_forms import EmployeeCreateForm, EmployeeFilter, EmployeeForm, EndForm, TransferForm

OFFICER = (Membership.Role.HR_OFFICER,)
PAGE_SIZE = 50
EVENT_LABELS = {
    "employee.add": gettext_lazy("added"),
    "employee.edit": gettext_lazy("details changed"),
    "employee.transfer": gettext_lazy("transferred"),
    "employee.end": gettext_lazy("employment ended"),
}


def _employee_for_user(request: HttpRequest, pk: int, *roles: str) -> Employee:
    """The civil servant `pk` when their agency is one the user holds one of `roles` for (any
    role when none given); else 404. Logs the access."""
    visible = Employee.objects.for_agencies(agencies_for(request.user, *roles))
    employee = get_object_or_404(visible.select_related("agency"), pk=pk)
    log_personal_access(request, agency_id=employee.agency_id, employee_id=employee.pk)
    return employee


def _form_error(form, exc: Exception) -> None:
    """A domain refusal on the form, on its field when it names one."""
    if isinstance(exc, ValidationError):
        form.add_error(None, exc)
        return
    field = getattr(exc, "field", None)
    form.add_error(field if field in form.fields else None, str(exc))


@staff_view
@require_GET
def employee_list(request: HttpRequest) -> HttpResponse:
    agencies = agencies_for(request.user)
    listed = Employee.objects.for_agencies(agencies).select_related("agency").order_by("name", "pk")
    data = request.GET.copy()
    data.setdefault("status", "current")  # also on page 2 of an unfiltered list
    filters = EmployeeFilter(data, queryset=listed, agencies=agencies.order_by("name"))
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    if page.object_list:
        for agency_id in {e.agency_id for e in page.object_list}:
            log_personal_access(request, agency_id=agency_id, employee_id=None)
    return render(
        request,
        "workspace/employees/list.html",
        {
            "filter": filters,
            "page": page,
            "is_officer": agencies_for(request.user, *OFFICER).exists(),
        },
    )


@staff_view
def employee_create(request: HttpRequest) -> HttpResponse:
    agencies = agencies_for(request.user, *OFFICER).order_by("name")
    if not agencies.exists():
        raise Http404
    form = EmployeeCreateForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        employee = employees.add_employee(
            actor=request.user,
            agency=data["agency"],
            nip=data["nip"],
            name=data["name"],
            position=data["position"],
            leads_unit=data["leads_unit"],
            start=data["start"],
        )
        messages.success(request, _("Civil servant added."))
        return redirect("workspace:employee", pk=employee.pk)
    return render(request, "workspace/employees/form.html", {"form": form, "employee": None})


@staff_view
@require_GET
def employee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    employee = _employee_for_user(request, pk)
    visible = agencies_for(request.user)
    return render(
        request,
        "workspace/employees/detail.html",
        {
            "employee": employee,
            "postings": employees.postings(employee),
            # Their SKPs at the agencies the user reads (a transferred civil servant's
            # earlier agency keeps its own).
            "contracts": list(
                PerformanceContract.objects.filter(employee=employee, agency__in=visible)
                .select_related("agency")
                .order_by("-year", "agency__name")
            ),
            "events": [
                (event, EVENT_LABELS.get(event.action, event.action))
                for event in employees.events(employee, visible)[:100]
            ],
            "is_officer": agencies_for(request.user, *OFFICER)
            .filter(pk=employee.agency_id)
            .exists(),
        },
    )


@staff_view
def employee_edit(request: HttpRequest, pk: int) -> HttpResponse:
    employee = _employee_for_user(request, pk, *OFFICER)
    form = EmployeeForm(request.POST or None, instance=Employee.objects.get(pk=employee.pk))
    if request.method == "POST" and form.is_valid():
        changed = employees.edit_employee(
            actor=request.user,
            employee=employee,
            **{f: form.cleaned_data[f] for f in employees.EDITABLE_FIELDS},
        )
        messages.success(request, _("Saved.") if changed else _("Nothing changed."))
        return redirect("workspace:employee", pk=employee.pk)
    return render(request, "workspace/employees/form.html", {"form": form, "employee": employee})


@staff_view
def employee_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    employee = _employee_for_user(request, pk, *OFFICER)
    form = TransferForm(request.POST or None, employee=employee)
    if request.method == "POST" and form.is_valid():
        to = form.cleaned_data["agency"]
        try:
            new = employees.transfer_employee(
                actor=request.user, employee=employee, to=to, on=form.cleaned_data["on"]
            )
        except employees.EmployeeError as exc:
            _form_error(form, exc)
        else:
            if new is not None:
                messages.success(
                    request,
                    _(
                        "Transferred to %(agency)s. Their SKP of %(year)d there is a draft "
                        "for that agency's officers."
                    )
                    % {"agency": to, "year": new.year},
                )
            else:
                messages.success(request, _("Transferred to %(agency)s.") % {"agency": to})
            # The civil servant is the new agency's now: the officer may no longer read them.
            if agencies_for(request.user).filter(pk=to.pk).exists():
                return redirect("workspace:employee", pk=employee.pk)
            return redirect("workspace:employees")
    return render(
        request, "workspace/employees/transfer.html", {"form": form, "employee": employee}
    )


@staff_view
def employee_end(request: HttpRequest, pk: int) -> HttpResponse:
    employee = _employee_for_user(request, pk, *OFFICER)
    form = EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            removed = employees.end_employment(
                actor=request.user,
                employee=employee,
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
            )
        except employees.EmployeeError as exc:
            _form_error(form, exc)
        else:
            message = _("Employment ended.")
            if removed:
                message += " " + _("Targets removed: %(q)s.") % {"q": ", ".join(removed)}
            messages.success(request, message)
            return redirect("workspace:employee", pk=employee.pk)
    return render(request, "workspace/employees/end.html", {"form": form, "employee": employee})
