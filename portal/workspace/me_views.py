"""A civil servant's own records (issue 23, self-service), at /workspace/me/ (namespace "me"):
their contracts (SKP) with targets, realisations and published scores, their ratings and
predikat, the decisions about them and their objections; and their own objection to an
approved penalty or to their predikat, within the same 14 days as an HR officer's.

Every page needs a login and an account linked to a civil servant
(`agencies.access.civil_servant_of`; any other account gets a 403 page saying so). Every
object is read through `employee=<the account's civil servant>`, so another person's
record, of whatever agency, is a 404, as for one that does not exist. Every page is logged
as an access to that person's personal data, as the staff's pages are.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from performance.accesslog import log_personal_access
from performance.contracts import scheme_of
from performance.models import (
    Employee,
    PerformanceContract,
    Realisation,
    Score,
    ScoreRun,
    StaffRating,
    Target,
)
from portal.common.decorators import civil_servant_view
from rewards import services
from rewards.models import Decision, Objection, objection_last_day

from .forms import OwnObjectionForm as ObjectionForm

# What a civil servant reads of the decisions about them: those a leader has taken. A
# recommendation is the rules' proposal to the leader, not yet a decision about anyone.
SHOWN = (Decision.Status.APPROVED, Decision.Status.REJECTED)
LIST_LIMIT = 100  # contracts or decisions on the overview: one person's, a few dozen at most


def _log(request: HttpRequest, employee: Employee) -> None:
    log_personal_access(request, agency_id=employee.agency_id, employee_id=employee.pk)


def _contracts(employee: Employee):
    return PerformanceContract.objects.filter(employee=employee).select_related("agency")


def _decisions(employee: Employee):
    return (
        Decision.objects.filter(employee=employee, status__in=SHOWN)
        .with_subjects()
        .prefetch_related(
            Prefetch(
                "objections",
                queryset=Objection.objects.select_related("lodged_by", "answered_by"),
            )
        )
    )


def _annual_scores(run: ScoreRun | None, contract_ids: list[int]) -> dict[int, Score]:
    """The published year row of each contract (score, predikat) in `run`."""
    if run is None or not contract_ids:
        return {}
    rows = Score.objects.filter(run=run, contract_id__in=contract_ids, period="Y")
    return {s.contract_id: s for s in rows}


def _rating_of(contract: PerformanceContract) -> StaffRating | None:
    return StaffRating.objects.filter(contract=contract).first()


@civil_servant_view
def home(request: HttpRequest, employee: Employee) -> HttpResponse:
    """The overview: who they are on record, their contracts with the published annual
    score and predikat, the decisions about them and their objections."""
    _log(request, employee)
    contracts = list(_contracts(employee).order_by("-year")[:LIST_LIMIT])
    run = ScoreRun.objects.latest_published()
    annual = _annual_scores(run, [c.pk for c in contracts])
    for c in contracts:
        c.annual = annual.get(c.pk)
    objections = list(
        Objection.objects.filter(
            Q(decision__employee=employee, decision__status__in=SHOWN)
            | Q(rating__contract__employee=employee)
        )
        .select_related("decision__rule", "rating__contract")
        .order_by("-lodged_at", "-pk")[:LIST_LIMIT]
    )
    return render(
        request,
        "workspace/me/home.html",
        {
            "employee": employee,
            "contracts": contracts,
            "decisions": list(_decisions(employee).order_by("-year", "-pk")[:LIST_LIMIT]),
            "objections": objections,
            "run": run,
        },
    )


def _contract_page(
    request: HttpRequest,
    employee: Employee,
    contract: PerformanceContract,
    *,
    form: ObjectionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    indicators = list(
        contract.indicators.order_by("code").prefetch_related(
            Prefetch("targets", queryset=Target.objects.order_by("quarter")),
            Prefetch("realisations", queryset=Realisation.objects.order_by("quarter")),
        )
    )
    for ind in indicators:
        targets = {t.quarter: t.value for t in ind.targets.all()}
        realised = {r.quarter: r.value for r in ind.realisations.all()}
        ind.quarter_rows = [(q, targets.get(q), realised.get(q)) for q in (1, 2, 3, 4)]
    run = ScoreRun.objects.latest_published()
    scores = (
        list(Score.objects.filter(run=run, contract=contract).order_by("period"))
        if run is not None
        else []
    )
    rating = _rating_of(contract)
    objections = (
        list(rating.objections.select_related("lodged_by", "answered_by")) if rating else []
    )
    today = timezone.localdate()
    deadline = objection_last_day(rating.changed_at) if rating is not None else None
    may_object = (
        rating is not None and not objections and services.can_object_to_rating(rating, today)
    )
    return render(
        request,
        "workspace/me/contract.html",
        {
            "employee": employee,
            "contract": contract,
            "indicators": indicators,
            "quarters": (1, 2, 3, 4),
            "scores": scores,
            "run": run,
            "rating": rating,
            "predikat": rating.predikat(scheme_of(contract.year)) if rating else "",
            "objections": objections,
            "deadline": deadline,
            "form": (form or ObjectionForm()) if may_object else None,
        },
        status=status,
    )


def _own_contract(request: HttpRequest, employee: Employee, pk: int) -> PerformanceContract:
    """The civil servant's own contract `pk`; anyone else's (or none): 404. Logged."""
    contract = get_object_or_404(_contracts(employee), pk=pk)
    _log(request, employee)
    return contract


@civil_servant_view
def contract(request: HttpRequest, employee: Employee, pk: int) -> HttpResponse:
    """One of their contracts: indicators, quarterly targets and realisations, the published
    scores, the ratings and predikat of the year, and the objection to the predikat."""
    return _contract_page(request, employee, _own_contract(request, employee, pk))


@civil_servant_view
@require_POST
def rating_objection(request: HttpRequest, employee: Employee, pk: int) -> HttpResponse:
    """Their own objection to the predikat of contract `pk`'s year (refused after the 14 days,
    with the reason, by `rewards.services`)."""
    own = _own_contract(request, employee, pk)
    rating = get_object_or_404(StaffRating, contract=own)
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        return _contract_page(request, employee, own, form=form, status=400)
    try:
        services.lodge_rating_objection(
            user=request.user, rating=rating, text=form.cleaned_data["text"]
        )
    except services.DecisionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Objection lodged. A leader of the authority will answer it."))
    return redirect("me:contract", pk=own.pk)


def _decision_page(
    request: HttpRequest,
    decision: Decision,
    *,
    form: ObjectionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    objections = list(decision.objections.all())
    may_object = not objections and services.can_object(decision, timezone.localdate())
    return render(
        request,
        "workspace/me/decision.html",
        {
            "decision": decision,
            "objections": objections,
            "deadline": decision.objection_deadline(),
            "form": (form or ObjectionForm()) if may_object else None,
        },
        status=status,
    )


def _own_decision(request: HttpRequest, employee: Employee, pk: int) -> Decision:
    """A decision taken about the civil servant; anyone else's, or a mere recommendation:
    404. Logged."""
    decision = get_object_or_404(_decisions(employee), pk=pk)
    _log(request, employee)
    return decision


@civil_servant_view
def decision(request: HttpRequest, employee: Employee, pk: int) -> HttpResponse:
    return _decision_page(request, _own_decision(request, employee, pk))


@civil_servant_view
@require_POST
def decision_objection(request: HttpRequest, employee: Employee, pk: int) -> HttpResponse:
    """Their own objection to an approved penalty (refused after the 14 days, with the
    reason, by `rewards.services`)."""
    own = _own_decision(request, employee, pk)
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        return _decision_page(request, own, form=form, status=400)
    try:
        services.lodge_objection(user=request.user, decision=own, text=form.cleaned_data["text"])
    except services.DecisionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Objection lodged. The leader will answer it here."))
    return redirect("me:decision", pk=own.pk)
