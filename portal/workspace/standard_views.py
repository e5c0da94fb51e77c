"""The HR officer's pages of a service's standard and follow-up plans (namespace "services").

Who may do what (every queryset starts from `agencies_for`, as in `service_views`):
- a service's plans with their updates: any workspace role on the agency;
- the standard, a new plan, a plan's changes and updates: the agency's HR officers only.
A service or plan outside those agencies is not found (404) for every method. What is saved
here is public (the service page, open data): it shows there from the next publication of
the scores, when the public pages are rendered again.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies import services
from agencies.access import agencies_for
from agencies.models import FollowUpPlan, Service
from performance import followup
from portal.common.decorators import staff_view

from .service_views import OFFICER, READ, _service_for_user
from .standard_forms import PlanEditForm, PlanForm, PlanUpdateForm, StandardForm


def _plan_for_user(request: HttpRequest, pk: int, *roles: str) -> FollowUpPlan:
    """The plan `pk` when its service's agency is one the user holds one of `roles` for;
    else 404."""
    allowed = FollowUpPlan.objects.filter(service__agency__in=agencies_for(request.user, *roles))
    return get_object_or_404(allowed.select_related("service__agency"), pk=pk)


def _published_later(request: HttpRequest, message: str) -> None:
    messages.success(
        request,
        f"{message} "
        + _("The public service page shows it from the next publication of the scores."),
    )


def _finding(service: Service, today, plans=None) -> followup.Finding | None:
    """Whether the service's survey results call for a follow-up plan (`followup`), with the
    stored schemes (the workspace reads the data as it stands, not a published run)."""
    return followup.finding_for(service, today=today, run=None, plans=plans)


@staff_view
def standard_edit(request: HttpRequest, service_pk: int) -> HttpResponse:
    service = _service_for_user(request, service_pk, *OFFICER)
    status = 200
    if request.method == "POST":
        form = StandardForm(request.POST)
        if form.is_valid():
            try:
                changed = services.save_standard(
                    service=service,
                    values=form.values(),
                    loaded=form.loaded_at(),
                    user=request.user,
                )
            except services.StaleEdit as stale:
                messages.error(
                    request,
                    _(
                        "Nothing was saved: the standard was changed by someone else since "
                        "you opened it. Here it is as it is now; make your changes again."
                    ),
                )
                form = StandardForm(initial=StandardForm.initial_for(stale.current))
                status = 409
            else:
                if changed:
                    _published_later(request, _("Service standard saved."))
                else:
                    messages.info(request, _("Nothing changed."))
                return redirect("services:list")
        else:
            status = 400
    else:
        form = StandardForm(initial=StandardForm.initial_for(service))
    return render(
        request,
        "workspace/services/standard_form.html",
        {"service": service, "form": form},
        status=status,
    )


@staff_view
def plans(request: HttpRequest, service_pk: int) -> HttpResponse:
    """The service's follow-up plans, newest survey quarter first, each with its updates, and
    whether its survey results call for a plan that none answers yet."""
    service = _service_for_user(request, service_pk, *READ)
    today = timezone.localdate()
    rows = followup.plans_of(service)
    return render(
        request,
        "workspace/services/plans.html",
        {
            "service": service,
            "plans": rows,
            "finding": _finding(service, today, rows),
            "today": today,
            "can_edit": agencies_for(request.user, *OFFICER).filter(pk=service.agency_id).exists(),
        },
    )


@staff_view
def plan_create(request: HttpRequest, service_pk: int) -> HttpResponse:
    service = _service_for_user(request, service_pk, *OFFICER)
    today = timezone.localdate()
    status = 200
    if request.method == "POST":
        form = PlanForm(request.POST, today=today)
        if form.is_valid():
            services.create_plan(service=service, user=request.user, **form.cleaned_data)
            _published_later(request, _("Follow-up plan saved."))
            return redirect("services:plans", service_pk=service.pk)
        status = 400
    else:
        found = _finding(service, today)
        year, quarter = (found.year, found.quarter) if found else followup.latest_closed(today)
        form = PlanForm(initial={"year": year, "quarter": quarter}, today=today)
    return render(
        request,
        "workspace/services/plan_form.html",
        {"service": service, "form": form, "plan": None},
        status=status,
    )


@staff_view
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_for_user(request, pk, *OFFICER)
    today = timezone.localdate()
    status = 200
    if request.method == "POST":
        form = PlanEditForm(request.POST, plan=plan, today=today)
        if form.is_valid():
            data = form.cleaned_data
            try:
                changed = services.edit_plan(
                    plan=plan,
                    action=data["action"],
                    unit=data["unit"],
                    due_date=data["due_date"],
                    reason=data["reason"],
                    loaded=form.loaded_at(),
                    on=today,
                    user=request.user,
                )
            except services.StaleEdit as stale:
                messages.error(
                    request,
                    _(
                        "Nothing was saved: the plan was changed by someone else since you "
                        "opened it. Here it is as it is now; make your changes again."
                    ),
                )
                plan = stale.current
                form = PlanEditForm(initial=PlanEditForm.initial_for(plan), plan=plan, today=today)
                status = 409
            else:
                if changed:
                    _published_later(request, _("Follow-up plan saved."))
                else:
                    messages.info(request, _("Nothing changed."))
                return redirect("services:plans", service_pk=plan.service_id)
        else:
            status = 400
    else:
        form = PlanEditForm(initial=PlanEditForm.initial_for(plan), plan=plan, today=today)
    return render(
        request,
        "workspace/services/plan_form.html",
        {"service": plan.service, "form": form, "plan": plan},
        status=status,
    )


@staff_view
def plan_update(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_for_user(request, pk, *OFFICER)
    today = timezone.localdate()
    status = 200
    if request.method == "POST":
        form = PlanUpdateForm(request.POST, plan=plan, today=today)
        if form.is_valid():
            services.add_plan_update(plan=plan, user=request.user, **form.cleaned_data)
            _published_later(request, _("Update saved."))
            return redirect("services:plans", service_pk=plan.service_id)
        status = 400
    else:
        form = PlanUpdateForm(initial={"on": today, "status": plan.status}, plan=plan, today=today)
    return render(
        request,
        "workspace/services/plan_update.html",
        {"service": plan.service, "plan": plan, "form": form},
        status=status,
    )
