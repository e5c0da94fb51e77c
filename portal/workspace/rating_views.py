"""The ratings of civil servants under PermenPAN-RB 6/2022, at /workspace/ratings/
(namespace "ratings"): per agency and closed year, who is rated and who is not, with a bulk
form for the approver (all or nothing); one civil servant's ratings with a note per core
value, their history and objections; the upload of ratings.csv.

Reading: any role over the agency (`agencies_for`). Rating: its approvers only; anyone else
posting gets a 404, as for an agency outside their scope. An objection to a predikat: its HR
officers. Every page that shows civil servants is logged as an access to personal data. The
rules themselves (suggestion, reason, the unit leader, late changes) are
`performance.ratings`'.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from agencies.access import agencies_for
from agencies.csvio import ImportFailed
from agencies.models import Agency, Membership
from performance import ratings, scoring
from performance.accesslog import log_personal_access
from performance.contracts import scheme_of
from performance.models import PerformanceContract, StaffRating
from portal.common.decorators import staff_view
from rewards import services as decisions
from rewards.models import objection_last_day

from .rating_forms import (
    BulkConfirmForm,
    ObjectionForm,
    RatingForm,
    RatingRowForm,
    RatingsUploadForm,
)

Role = Membership.Role
PAGE_SIZE = 200  # civil servants per page of the bulk form: a few hundred rows at most
INDEX_LIMIT = 200
MAX_ERRORS_SHOWN = 1000
SHOW = {"unrated": False, "rated": True}


def _agency(request: HttpRequest, pk: int, *roles: str) -> Agency:
    return get_object_or_404(agencies_for(request.user, *roles), pk=pk)


def _may_rate(request: HttpRequest, agency_id: int) -> bool:
    return agencies_for(request.user, Role.APPROVER).filter(pk=agency_id).exists()


def _skp(request: HttpRequest, pk: int, *roles: str) -> PerformanceContract:
    """The approved SKP `pk` of an agency the user holds one of `roles` for (any role when
    none given), with its civil servant; else 404. Logged as an access to their record."""
    contract = get_object_or_404(
        PerformanceContract.objects.approved()
        .filter(employee__isnull=False, agency__in=agencies_for(request.user, *roles))
        .select_related("employee", "agency"),
        pk=pk,
    )
    log_personal_access(request, agency_id=contract.agency_id, employee_id=contract.employee_id)
    return contract


@staff_view
def index(request: HttpRequest) -> HttpResponse:
    """The agencies and closed years with civil servants to rate: how many are rated."""
    agencies = agencies_for(request.user)
    counts = (
        PerformanceContract.objects.approved()
        .filter(agency__in=agencies, employee__isnull=False)
        .values("agency_id", "agency__name", "year")
        .annotate(n=Count("id"), rated=Count("rating"))
        .order_by("agency__name", "agency_id", "-year")
    )
    closed: dict[int, bool] = {}
    rows = []
    for row in counts[: INDEX_LIMIT * 2]:
        year = row["year"]
        if year not in closed:
            closed[year] = ratings.year_is_closed(year)
        if closed[year]:
            rows.append({**row, "unrated": row["n"] - row["rated"]})
    approver_of = set(agencies_for(request.user, Role.APPROVER).values_list("pk", flat=True))
    return render(
        request,
        "workspace/ratings/index.html",
        {"rows": rows[:INDEX_LIMIT], "approver_of": approver_of},
    )


@staff_view
def agency(request: HttpRequest, agency_pk: int, year: int) -> HttpResponse:
    """Who of the agency's civil servants is rated for `year` and who is not, with the bulk
    form for its approvers (this page's rows; all or nothing)."""
    agency_obj = _agency(request, agency_pk)
    if not 2000 <= year <= 2100:
        raise Http404
    can_rate = _may_rate(request, agency_obj.pk)
    if request.method == "POST" and not can_rate:
        raise Http404
    closed = ratings.year_is_closed(year)
    show = request.GET.get("show", "")
    contracts = ratings.ratable([agency_obj.pk], year)
    if show in SHOW:
        contracts = contracts.filter(rating__isnull=not SHOW[show])
    page = Paginator(contracts, PAGE_SIZE).get_page(request.GET.get("page"))
    page_contracts = list(page.object_list)
    log_personal_access(request, agency_id=agency_obj.pk, employee_id=None)
    suggested = ratings.suggestions(page_contracts)
    scheme = scheme_of(year)
    editable = can_rate and closed
    data = request.POST if request.method == "POST" else None
    rows = []
    for c in page_contracts:
        rating = _rating_of(c)
        suggestion = suggested.get(c.pk) or ratings.Suggestion(None)
        form = None
        if editable:
            form = RatingRowForm(
                data,
                prefix=f"r{c.pk}",
                contract=c,
                initial={
                    "results": rating.results if rating else (suggestion.rating or ""),
                    "behaviour": rating.behaviour if rating else "",
                    "reason": rating.reason if rating else "",
                },
            )
        rows.append(
            {
                "contract": c,
                "rating": rating,
                "suggestion": suggestion,
                "predikat": rating.predikat(scheme) if rating else "",
                "form": form,
            }
        )
    confirm = BulkConfirmForm(data)
    status = 200
    if request.method == "POST":
        forms = [r["form"] for r in rows]
        if editable and all(f.is_valid() for f in forms) and confirm.is_valid():
            items = [
                ratings.RatingInput(
                    f.contract.pk,
                    f.cleaned_data["results"],
                    f.cleaned_data["behaviour"],
                    f.cleaned_data["reason"],
                    None,
                    ref=f.contract.pk,
                )
                for f in forms
                if f.filled
            ]
            if not items:
                messages.info(request, _("Nothing to save: no row has a behaviour rating."))
                return redirect(request.get_full_path())
            try:
                saved = ratings.save_ratings(
                    items,
                    user=request.user,
                    scope=agencies_for(request.user, Role.APPROVER),
                    confirm_changes=confirm.cleaned_data["confirm_changes"],
                )
            except ratings.RatingsRefused as exc:
                by_pk = {f.contract.pk: f for f in forms}
                for problem in exc.problems:
                    form = by_pk[problem.ref]
                    field = problem.field if problem.field in form.fields else None
                    form.add_error(field, problem.reason)
                messages.error(
                    request,
                    ngettext(
                        "Nothing was saved: %(n)s problem to correct.",
                        "Nothing was saved: %(n)s problems to correct.",
                        len(exc.problems),
                    )
                    % {"n": len(exc.problems)},
                )
                status = 400
            else:
                messages.success(request, _saved_message(saved))
                return redirect(request.get_full_path())
        else:
            status = 400
    return render(
        request,
        "workspace/ratings/agency.html",
        {
            "agency": agency_obj,
            "year": year,
            "closed": closed,
            "can_rate": can_rate,
            "editable": editable,
            "rows": rows,
            "page": page,
            "show": show if show in SHOW else "",
            "confirm": confirm,
            "scheme": scheme,
        },
        status=status,
    )


def _rating_of(contract: PerformanceContract) -> StaffRating | None:
    try:
        return contract.rating
    except StaffRating.DoesNotExist:
        return None


def _saved_message(saved: ratings.Saved) -> str:
    return _(
        "Saved: %(created)d rated, %(changed)d changed, %(unchanged)d unchanged. The predikat "
        "follows at the next recompute."
    ) % {
        "created": len(saved.created),
        "changed": len(saved.changed),
        "unchanged": saved.unchanged,
    }


def _person(
    request: HttpRequest,
    contract: PerformanceContract,
    *,
    form: RatingForm | None = None,
    objection_form: ObjectionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    rating = StaffRating.objects.filter(contract=contract).first()
    year = contract.year
    scheme = scheme_of(year)
    closed = ratings.year_is_closed(year)
    can_rate = _may_rate(request, contract.agency_id) and closed
    suggestion = ratings.suggestions([contract])[contract.pk]
    if can_rate and form is None:
        initial = {}
        if rating is not None:
            initial = {
                "results": rating.results,
                "behaviour": rating.behaviour,
                "reason": rating.reason,
                **{f"note_{code}": note for code, note in rating.notes.items()},
            }
        else:
            initial = {"results": suggestion.rating or ""}
        form = RatingForm(initial=initial)
    objections = (
        list(rating.objections.select_related("lodged_by", "answered_by")) if rating else []
    )
    is_officer = agencies_for(request.user, Role.HR_OFFICER).filter(pk=contract.agency_id).exists()
    may_object = (
        is_officer
        and rating is not None
        and not objections
        and decisions.can_object_to_rating(rating, timezone.localdate())
    )
    return render(
        request,
        "workspace/ratings/person.html",
        {
            "contract": contract,
            "rating": rating,
            "suggestion": suggestion,
            "predikat": rating.predikat(scheme) if rating else "",
            "notes": [
                (name, (rating.notes if rating else {}).get(code, ""))
                for code, name in scoring.BERAKHLAK
            ],
            "closed": closed,
            "form": form if can_rate else None,
            "history": (
                list(rating.history.select_related("history_user").order_by("history_date")[:100])
                if rating
                else []
            ),
            "objections": objections,
            "objection_form": (objection_form or ObjectionForm()) if may_object else None,
            "deadline": (objection_last_day(rating.changed_at) if rating is not None else None),
        },
        status=status,
    )


@staff_view
def person(request: HttpRequest, pk: int) -> HttpResponse:
    """One civil servant's ratings of a year: the suggestion, the two ratings with a note
    per core value, the predikat's matrix cell, the history and any objection."""
    if request.method != "POST":
        return _person(request, _skp(request, pk))
    contract = _skp(request, pk, Role.APPROVER)  # anyone else: 404, as for another agency
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _person(request, contract, form=form, status=400)
    item = ratings.RatingInput(
        contract.pk,
        form.cleaned_data["results"],
        form.cleaned_data["behaviour"],
        form.cleaned_data["reason"],
        form.notes(),
        ref=contract.pk,
    )
    try:
        saved = ratings.save_ratings(
            [item],
            user=request.user,
            scope=agencies_for(request.user, Role.APPROVER),
            confirm_changes=form.cleaned_data["confirm_changes"],
        )
    except ratings.RatingsRefused as exc:
        for problem in exc.problems:
            field = problem.field if problem.field in form.fields else None
            form.add_error(field, problem.reason)
        return _person(request, contract, form=form, status=400)
    messages.success(request, _saved_message(saved))
    return redirect("ratings:person", pk=contract.pk)


@staff_view
@require_POST
def lodge_objection(request: HttpRequest, pk: int) -> HttpResponse:
    """An HR officer lodges the civil servant's objection to their predikat."""
    contract = _skp(request, pk, Role.HR_OFFICER)
    rating = get_object_or_404(StaffRating, contract=contract)
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        return _person(request, contract, objection_form=form, status=400)
    try:
        decisions.lodge_rating_objection(
            user=request.user, rating=rating, text=form.cleaned_data["text"]
        )
    except decisions.DecisionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Objection lodged. A leader of the authority will answer it."))
    return redirect("ratings:person", pk=contract.pk)


@staff_view
def upload(request: HttpRequest) -> HttpResponse:
    """An approver's upload of ratings.csv: all or nothing, every problem listed."""
    scope = agencies_for(request.user, Role.APPROVER)
    if not scope.exists():
        raise Http404
    form = RatingsUploadForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload_file = form.cleaned_data["file"]
            try:
                result = ratings.import_ratings(
                    upload_file.read(),
                    user=request.user,
                    scope=scope,
                    confirm_changes=form.cleaned_data["confirm_changes"],
                )
            except ImportFailed as exc:
                context.update(
                    errors=exc.errors[:MAX_ERRORS_SHOWN],
                    error_count=len(exc.errors),
                    file_name=upload_file.name,
                )
                status = 400
            else:
                messages.success(
                    request,
                    _("%(file)s imported: %(summary)s.")
                    % {"file": upload_file.name, "summary": result.summary()},
                )
                return redirect("ratings:upload")
        else:
            status = 400
    return render(request, "workspace/ratings/upload.html", context, status=status)
