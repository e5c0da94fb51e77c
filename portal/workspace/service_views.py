"""The HR officer's service pages (`/workspace/services/`, namespace "services"): the
services list, paper survey batches, quarterly service metrics and citizens' suggestions.

Who may do what (every queryset starts from `agencies_for`):
- the services list and a service's metrics by quarter: any workspace role on the agency
  (HR officer, approver, leader of its region, auditor): these figures are public anyway;
- paper batches and metrics entry: the agency's HR officers only;
- suggestions (private citizen text): the agency's HR officers and approvers.
A service outside those agencies is not found (404) for every method, so a URL tells nothing
about another agency's services. Every page needs a login and is never cached.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from agencies import services
from agencies.access import agencies_for
from agencies.models import Membership, Service, SurveyResponse, quarter_name
from performance import followup, scoring
from performance.contracts import scheme_of
from portal.common.decorators import staff_view

from .service_forms import (
    DEFAULT_ROWS,
    MetricsForm,
    PaperBatchForm,
    PaperSetupForm,
    SuggestionFilter,
    paper_formset,
)

Role = Membership.Role
READ = ()  # any role
OFFICER = (Role.HR_OFFICER,)
SUGGESTION_READERS = (Role.HR_OFFICER, Role.APPROVER)
PAGE_SIZE = 50


def _service_for_user(request: HttpRequest, pk: int, *roles: str) -> Service:
    """The service `pk` when its agency is one the user holds one of `roles` for (any role
    when none given); else 404."""
    allowed = Service.objects.filter(agency__in=agencies_for(request.user, *roles))
    return get_object_or_404(allowed.select_related("agency"), pk=pk)


def _period(year: int, quarter: int) -> str:
    return f"{quarter_name(quarter)} {year}"


# --- services list ----------------------------------------------------------------------


@staff_view
def service_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    current = services.quarter_of(today)
    closed = services.Quarter(
        *scoring.last_closed_quarter(today, scheme_of(today.year).entry_grace_days)
    )
    rows = services.services_overview(
        Service.objects.filter(agency__in=agencies_for(request.user)).order_by(
            "agency__name", "name", "pk"
        ),
        current=current,
        closed=closed,
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    officer_of = set(agencies_for(request.user, *OFFICER).values_list("pk", flat=True))
    found = followup.findings(
        Service.objects.filter(pk__in=[s.pk for s in page]),
        today=today,
        scheme_for=followup.scheme_reader(None),
    )
    for service in page:
        service.finding = found.get(service.pk)
    return render(
        request,
        "workspace/services/list.html",
        {
            "page": page,
            "current": current,
            "closed": closed,
            "metric_count": len(services.METRIC_KINDS),
            "officer_of": officer_of,
            "reads_suggestions": agencies_for(request.user, *SUGGESTION_READERS).exists(),
        },
    )


# --- paper batches ----------------------------------------------------------------------


@staff_view
def paper_batch(request: HttpRequest, service_pk: int) -> HttpResponse:
    """Many paper questionnaires of one service and quarter in one submit: all rows are
    saved, or none (any invalid row names its row number and element)."""
    service = _service_for_user(request, service_pk, *OFFICER)
    today = timezone.localdate()
    setup = PaperSetupForm(request.GET, today=today)
    rows = setup.cleaned_data["rows"] if setup.is_valid() else DEFAULT_ROWS
    period, status = None, 200
    if request.method == "POST":
        batch = PaperBatchForm(request.POST, today=today)
        formset = paper_formset(extra=0)(request.POST, prefix="p")
        if batch.is_valid():
            period = (batch.cleaned_data["year"], batch.cleaned_data["quarter"])
        if period and formset.is_valid():
            saved = services.save_paper_batch(
                service=service,
                year=period[0],
                quarter=period[1],
                rows=formset.filled(),
                user=request.user,
                token=batch.cleaned_data["token"],
            )
            named = {"n": saved.responses, "service": service.name, "period": _period(*period)}
            if saved.again:
                messages.info(
                    request,
                    _(
                        "This batch was already saved (%(n)d paper responses for %(service)s, "
                        "%(period)s); it was not saved a second time."
                    )
                    % named,
                )
            else:
                messages.success(
                    request, _("%(n)d paper responses saved for %(service)s, %(period)s.") % named
                )
            query = urlencode({"year": period[0], "quarter": period[1], "rows": rows})
            return redirect(f"{reverse('services:paper', args=[service.pk])}?{query}")
        status = 400
    elif setup.is_valid():
        period = (setup.cleaned_data["year"], setup.cleaned_data["quarter"])
        batch = PaperBatchForm(initial={"year": period[0], "quarter": period[1]}, today=today)
        formset = paper_formset(extra=rows)(prefix="p")
    else:
        batch, formset = None, None
    entered = (
        SurveyResponse.objects.filter(
            service=service,
            year=period[0],
            quarter=period[1],
            channel=SurveyResponse.Channel.PAPER,
        ).count()
        if period
        else None
    )
    return render(
        request,
        "workspace/services/paper.html",
        {
            "service": service,
            # the settings in force, shown filled in (defaults too) unless they have errors
            "setup": PaperSetupForm(initial=setup.cleaned_data, today=today)
            if setup.is_valid()
            else setup,
            "batch": batch,
            "formset": formset,
            "row_errors": formset.row_errors() if formset is not None and formset.is_bound else [],
            "period": period,
            "period_label": _period(*period) if period else "",
            "entered": entered,
        },
        status=status,
    )


# --- service metrics --------------------------------------------------------------------


@staff_view
def metrics_list(request: HttpRequest, service_pk: int) -> HttpResponse:
    service = _service_for_user(request, service_pk, *READ)
    today = timezone.localdate()
    rows = services.metrics_by_quarter(service, today=today)
    can_edit = agencies_for(request.user, *OFFICER).filter(pk=service.agency_id).exists()
    return render(
        request,
        "workspace/services/metrics_list.html",
        {
            "service": service,
            "rows": [
                (q, [values.get(k) for k in services.METRIC_KINDS], bool(values))
                for q, values in rows
            ],
            "kinds": [services.Kind(k).label for k in services.METRIC_KINDS],
            "can_edit": can_edit,
        },
    )


@staff_view
def metrics_edit(request: HttpRequest, service_pk: int, year: int, quarter: int) -> HttpResponse:
    service = _service_for_user(request, service_pk, *OFFICER)
    if not services.metrics_period_allowed(year, quarter, timezone.localdate()):
        raise Http404
    stored = services.metric_values(service, year, quarter)
    status = 200
    if request.method == "POST":
        form = MetricsForm(request.POST, service=service)
        if form.is_valid():
            result = services.save_metrics(
                service=service, year=year, quarter=quarter, values=form.values(), user=request.user
            )
            messages.success(
                request,
                _("Service figures saved for %(service)s, %(period)s.")
                % {"service": service.name, "period": _period(year, quarter)}
                if result.changed
                else _("Nothing changed."),
            )
            return redirect("services:metrics", service_pk=service.pk)
        status = 400
    else:
        form = MetricsForm(initial={k: v.normalize() for k, v in stored.items()}, service=service)
    return render(
        request,
        "workspace/services/metrics_form.html",
        {
            "service": service,
            "form": form,
            "year": year,
            "quarter": quarter,
            "period_label": _period(year, quarter),
            "stored": bool(stored),
        },
        status=status,
    )


# --- suggestions ------------------------------------------------------------------------


@staff_view
def suggestions(request: HttpRequest) -> HttpResponse:
    """Citizens' suggestions to the user's agencies' services, newest first. Private: never
    cached, never on a public page or in open data."""
    agencies = agencies_for(request.user, *SUGGESTION_READERS)
    filters = SuggestionFilter(
        request.GET,
        queryset=services.suggestions(agencies),
        services_qs=Service.objects.filter(agency__in=agencies)
        .select_related("agency")
        .order_by("agency__name", "name"),
    )
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "workspace/services/suggestions.html",
        {
            "filter": filters,
            "page": page,
            "multi_agency": agencies.count() > 1,
        },
    )
