"""The leaders' and auditors' decision pages, at /dashboard/decisions/ (namespace "rewards"):
the queue of recommendations with filters and bulk approve/reject, and each decision with its
evidence, history and objections. Leaders act for the agencies of their region; auditors
read only.

Every view needs a login, is never cached, and reads decisions through
`agencies_for(user, role)`: another region's or agency's decision is a 404. Deciding,
reversing and answering objections go through `authority_for(user)` (DESIGN.md, Integrity:
a province leader sees every region but decides on the province's own agencies only): a
decision outside it is a 404 too, by URL and in the bulk form alike. Without the role a page
needs, the answer is 403.
"""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from agencies.access import agencies_for, authority_for, has_role
from agencies.models import Membership
from performance.contracts import scheme_of
from portal.common.decisions import (
    PAGE_SIZE,
    AnswerForm,
    BulkDecisionForm,
    DecideAllForm,
    DecideForm,
    DecisionFilter,
    ReverseForm,
    decision_for_user,
    history,
    ordered,
    require_role,
)
from portal.common.decorators import staff_view
from rewards import services
from rewards.models import Decision, Objection, Outcome

Role = Membership.Role
READERS = (Role.LEADER, Role.AUDITOR)


# --- leaders and auditors --------------------------------------------------------------


@staff_view
def queue(request: HttpRequest) -> HttpResponse:
    """The recommendations to act on (filters by GET), with bulk approve/reject (POST)."""
    require_role(request, *READERS)
    agencies = agencies_for(request.user, *READERS)
    is_leader = has_role(request.user, Role.LEADER)
    status = 200
    form = None
    if is_leader:
        decidable = Decision.objects.for_agencies(authority_for(request.user))
        form = BulkDecisionForm(request.POST or None, decisions=decidable)
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        _refuse_outside_authority(request, decidable)
        if form.is_valid():
            _bulk(request, form, [d.pk for d in form.cleaned_data["decisions"]])
            return redirect(request.get_full_path())
        status = 400
    filters = DecisionFilter(
        request.GET,
        queryset=ordered(Decision.objects.for_agencies(agencies)),
        agencies=agencies.order_by("name"),
        default_status=Decision.Status.RECOMMENDED,
    )
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    ticked = set(request.POST.getlist("decisions")) if request.method == "POST" else set()
    # Select-all: how many of the filtered recommendations this leader decides on (across
    # every page); the link opens their confirmation page with the same filters.
    all_count = 0
    if is_leader and filters.is_valid() and page.paginator.count > 1:
        all_count = _selection(filters.qs, request.user).count()
    return render(
        request,
        "dashboard/decisions/queue.html",
        {
            "filter": filters,
            "page": page,
            "form": form,
            "is_leader": is_leader,
            "authority_ids": (
                set(authority_for(request.user).values_list("pk", flat=True)) if is_leader else ()
            ),
            "ticked": ticked,
            "all_count": all_count,
            "query": request.GET.urlencode(),
            "queue_url": reverse("rewards:queue"),
        },
        status=status,
    )


def _selection(filtered, user):
    """The recommendations among `filtered` that `user` decides on (their authority)."""
    return filtered.filter(
        status=Decision.Status.RECOMMENDED, agency__in=authority_for(user)
    ).order_by()


def selection_digest(ids) -> str:
    """A short fingerprint of a set of decision ids: the confirmation page posts the one of
    the set it showed, and the set is decided only if it is still exactly that set."""
    text = ",".join(str(i) for i in sorted(ids))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@staff_view
def queue_all(request: HttpRequest) -> HttpResponse:
    """Select-all for the bulk decisions: every recommendation that matches the queue's
    filters (GET, the same query as the queue) on every page, within the leader's
    authority, with its count and a breakdown to confirm; POST decides exactly that set,
    and only if it is still the set that was shown (else the page shows the new one).

    The filters must be valid: an agency outside the leader's view is a 404 like a missing
    one (never "all agencies" in its place), any other bad filter a 400."""
    require_role(request, Role.LEADER)
    agencies = agencies_for(request.user, *READERS)
    filters = DecisionFilter(
        request.GET,
        queryset=Decision.objects.for_agencies(agencies),
        agencies=agencies.order_by("name"),
        default_status=Decision.Status.RECOMMENDED,
    )
    if not filters.is_valid():
        if "agency" in filters.errors:
            raise Http404
        return render(
            request,
            "dashboard/decisions/queue_all.html",
            {"filter": filters, "invalid": True, "queue_url": _queue_url(request)},
            status=400,
        )
    selection = _selection(filters.qs, request.user)
    ids = list(selection.values_list("pk", flat=True))
    digest = selection_digest(ids)
    form = DecideAllForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid() and form.cleaned_data["digest"] == digest and ids:
            _bulk(request, form, ids)
            return redirect(_queue_url(request))
        if form.is_valid():
            status = 409
            messages.warning(
                request,
                _(
                    "The recommendations matching these filters changed while you looked "
                    "(another leader decided some, or a run added some). Nothing was decided: "
                    "check the set below and confirm again."
                ),
            )
        else:
            status = 400
    # One row per agency, a column per outcome (a count each), in one query.
    outcomes = [value for value, _label in Outcome.choices]
    breakdown = (
        selection.values("agency__name")
        .annotate(
            n=Count("pk"),
            **{o: Count("pk", filter=Q(rule__outcome=o)) for o in outcomes},
        )
        .order_by("agency__name")
    )
    seen = filters.qs.filter(status=Decision.Status.RECOMMENDED).count()
    return render(
        request,
        "dashboard/decisions/queue_all.html",
        {
            "filter": filters,
            "count": len(ids),
            "others": seen - len(ids),
            "breakdown": [
                (row["agency__name"], [row[o] for o in outcomes], row["n"]) for row in breakdown
            ],
            "outcomes": outcomes,
            "chosen": _chosen(filters),
            "digest": digest,
            "form": form,
            "queue_url": _queue_url(request),
        },
        status=status,
    )


def _chosen(filters: DecisionFilter) -> list[tuple[str, str]]:
    """The filters in words, as the confirmation page repeats them: (label, value)."""
    chosen = []
    for name, value in filters.form.cleaned_data.items():
        if value in (None, ""):
            continue
        field = filters.form.fields[name]
        choices = dict(getattr(field, "choices", ()) or ())
        chosen.append((str(field.label), str(choices.get(value, value))))
    return chosen


def _queue_url(request: HttpRequest) -> str:
    query = request.GET.urlencode()
    return reverse("rewards:queue") + (f"?{query}" if query else "")


def _refuse_outside_authority(request: HttpRequest, decidable) -> None:
    """404 when the bulk form names a decision the leader does not decide on (another
    authority's, or none at all): like a missing object, before anything is checked."""
    ids = request.POST.getlist("decisions")
    if not ids:
        return
    if not all(i.isdigit() for i in ids):
        raise Http404
    wanted = {int(i) for i in ids}
    if decidable.filter(pk__in=wanted).count() != len(wanted):
        raise Http404


def _decision_in_authority(request: HttpRequest, pk: int) -> Decision:
    """Decision `pk` when the user decides on it (a leader whose authority holds its
    agency); else 404, whatever they may see."""
    decision = decision_for_user(request, pk, Role.LEADER)
    if not services.can_decide(request.user, decision):
        raise Http404
    return decision


def _bulk(request: HttpRequest, form, ids: list[int]) -> None:
    approve = form.cleaned_data["action"] == "approve"
    result = services.decide(
        user=request.user,
        ids=ids,
        approve=approve,
        reason=form.cleaned_data["reason"],
    )
    n = len(result.changed)
    if approve:
        done = ngettext("%(n)s decision approved.", "%(n)s decisions approved.", n)
    else:
        done = ngettext("%(n)s decision rejected.", "%(n)s decisions rejected.", n)
    messages.success(request, done % {"n": n})
    if result.not_pending:
        messages.warning(
            request,
            ngettext(
                "%(n)s decision was left alone: it was already decided or withdrawn.",
                "%(n)s decisions were left alone: they were already decided or withdrawn.",
                len(result.not_pending),
            )
            % {"n": len(result.not_pending)},
        )


def _detail(
    request: HttpRequest, decision: Decision, status: int = 200, **forms: object
) -> HttpResponse:
    can_decide = services.can_decide(request.user, decision)
    context = {
        "decision": decision,
        "objections": list(decision.objections.all()),
        "history": history(decision),
        "can_decide": can_decide,
        "queue_url": reverse("rewards:queue"),
    }
    if can_decide:
        context["decide_form"] = forms.get("decide_form") or DecideForm()
        context["reverse_form"] = forms.get("reverse_form") or ReverseForm()
        context["answer_form"] = forms.get("answer_form") or AnswerForm()
    return render(request, "dashboard/decisions/detail.html", context, status=status)


@staff_view
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(request, *READERS)
    return _detail(request, decision_for_user(request, pk, *READERS))


@staff_view
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision_in_authority(request, pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        return _detail(request, decision, 400, decide_form=form)
    approve = form.cleaned_data["action"] == "approve"
    try:
        services.decide_one(
            user=request.user,
            decision=decision,
            approve=approve,
            reason=form.cleaned_data["reason"],
        )
    except services.DecisionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Approved.") if approve else _("Rejected."))
    return redirect("rewards:detail", pk=decision.pk)


@staff_view
@require_POST
def reverse_decision(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision_in_authority(request, pk)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        return _detail(request, decision, 400, reverse_form=form)
    try:
        services.reverse_decision(
            user=request.user, decision=decision, reason=form.cleaned_data["reason"]
        )
    except services.DecisionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Reversed: the decision is open again."))
    return redirect("rewards:detail", pk=decision.pk)


@staff_view
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_object_or_404(
        Objection.objects.filter(services.objections_in(authority_for(request.user))),
        pk=pk,
    )
    form = AnswerForm(request.POST)
    if not form.is_valid():
        if objection.decision_id is None:
            return objections(request, answer_form=form, answering=objection.pk, status=400)
        decision = decision_for_user(request, objection.decision_id, Role.LEADER)
        return _detail(request, decision, 400, answer_form=form)
    try:
        services.answer_objection(
            user=request.user, objection=objection, answer=form.cleaned_data["answer"]
        )
    except services.DecisionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Answer saved."))
    if objection.decision_id is None:
        return redirect("rewards:objections")
    return redirect("rewards:detail", pk=objection.decision_id)


# --- objections to a civil servant's predikat --------------------------------------------


@staff_view
def objections(
    request: HttpRequest,
    *,
    answer_form: AnswerForm | None = None,
    answering: int | None = None,
    status: int = 200,
) -> HttpResponse:
    """The objections to civil servants' predikat about the agencies the user sees, the
    unanswered first, with the two ratings and the matrix cell each is about; a leader
    answers those of their authority here (the answer posts to `rewards:answer`)."""
    require_role(request, *READERS)
    agencies = agencies_for(request.user, *READERS)
    authority = set(authority_for(request.user).values_list("pk", flat=True))
    items = (
        Objection.objects.filter(rating__contract__agency__in=agencies)
        .select_related(
            "rating__contract__employee", "rating__contract__agency", "lodged_by", "answered_by"
        )
        .order_by(F("answered_at").desc(nulls_first=True), "-lodged_at", "pk")
    )
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    schemes: dict[int, object] = {}
    for o in page.object_list:
        rating = o.rating
        year = rating.contract.year
        if year not in schemes:
            schemes[year] = scheme_of(year)
        can_answer = o.answered_at is None and rating.contract.agency_id in authority
        form = None
        if can_answer:
            form = answer_form if answering == o.pk and answer_form else AnswerForm()
        rows.append(
            {
                "objection": o,
                "rating": rating,
                "predikat": rating.predikat(schemes[year]),
                "form": form,
            }
        )
    return render(
        request,
        "dashboard/decisions/objections.html",
        {"page": page, "rows": rows, "queue_url": reverse("rewards:queue")},
        status=status,
    )
