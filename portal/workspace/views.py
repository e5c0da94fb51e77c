"""The HR officer's workspace (`/workspace/`): dashboard, contracts, targets, realisations,
evidence, approval, CSV upload, recompute preview and the audit trail.

Every view needs a login and answers `Cache-Control: no-store` (`workspace_view`). Every
queryset starts from `agencies_for(request.user, ...)`, and every view that takes an id goes
through one helper per kind of object that returns it or raises Http404, so another agency's
object is simply not found, whatever URL or form field is forged.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies import audit as audit_events
from agencies.access import agencies_for, has_role
from agencies.csvio import ImportFailed
from agencies.models import Agency, Membership, quarter_name
from performance import contracts, late, scoring, verification
from performance.accesslog import log_personal_access
from performance.evidence import content_type
from performance.imports import import_performance
from performance.models import (
    Indicator,
    LateChange,
    PerformanceContract,
    Realisation,
    ScoreRun,
    Target,
)
from performance.preview import compute_preview
from portal.common.decorators import staff_view
from portal.common.queues import needs_now

from . import history, upload
from .forms import AuditForm as AuditFilterForm
from .forms import (
    BulkQuarterForm,
    ConfirmUploadForm,
    ContractCreateForm,
    ContractFilter,
    CsvUploadForm,
    LateReasonForm,
    PreviewForm,
    RealisationRowForm,
    ReasonForm,
    RevisionForm,
    VersionForm,
    YearForm,
    indicator_formset,
)

Role = Membership.Role
READ = ()  # any role: officers, approvers, leaders (their region) and auditors (everything)
OFFICER = (Role.HR_OFFICER,)
APPROVER = (Role.APPROVER,)
PAGE_SIZE = 50
BULK_PAGE_SIZE = 20  # contracts per page of the bulk realisation screen
MAX_ERRORS_SHOWN = 1000
DISPUTED_SHOWN = 50  # disputed figures listed on the dashboard


# --- one helper per kind of object ---------------------------------------------------


def _agency_for_user(request: HttpRequest, pk: int, *roles: str) -> Agency:
    return get_object_or_404(agencies_for(request.user, *roles), pk=pk)


def _contract_for_user(request: HttpRequest, pk: int, *roles: str) -> PerformanceContract:
    """The contract `pk` when it belongs to an agency the user holds one of `roles` for (any
    role when none given); else 404."""
    visible = PerformanceContract.objects.filter(agency__in=agencies_for(request.user, *roles))
    contract = get_object_or_404(
        visible.select_related("agency", "employee", "submitted_by"), pk=pk
    )
    if contract.employee_id is not None:  # an SKP: one civil servant's record
        log_personal_access(request, agency_id=contract.agency_id, employee_id=contract.employee_id)
    return contract


def _realisation_for_user(request: HttpRequest, pk: int, *roles: str) -> Realisation:
    realisations = Realisation.objects.filter(
        indicator__contract__agency__in=agencies_for(request.user, *roles)
    ).select_related("indicator__contract")
    realisation = get_object_or_404(realisations, pk=pk)
    contract = realisation.indicator.contract
    if contract.employee_id is not None:
        log_personal_access(request, agency_id=contract.agency_id, employee_id=contract.employee_id)
    return realisation


def _indicators(contract: PerformanceContract) -> QuerySet:
    return (
        contract.indicators.order_by("code")
        .select_related("goal_indicator", "parent")
        .prefetch_related(
            Prefetch("targets", queryset=Target.objects.order_by("quarter")),
            Prefetch("realisations", queryset=Realisation.objects.order_by("quarter")),
        )
    )


def _version(request: HttpRequest) -> int | None:
    form = VersionForm(request.POST)
    return form.cleaned_data["version"] if form.is_valid() else None


def _stale_message(request: HttpRequest, exc: contracts.StaleContract) -> None:
    messages.error(
        request,
        _(
            "Not saved: this contract was changed after you opened it. "
            "Changes since then: %(changes)s. Check the values now saved "
            "and save again if yours should replace them."
        )
        % {"changes": " · ".join(exc.changes)},
    )


def _locked(request: HttpRequest, contract: PerformanceContract) -> HttpResponse:
    return render(request, "workspace/locked.html", {"contract": contract}, status=409)


# --- dashboard -----------------------------------------------------------------------


@staff_view
def dashboard(request: HttpRequest) -> HttpResponse:
    form = YearForm(request.GET or {"year": contracts.current_year()})
    year = (form.cleaned_data["year"] if form.is_valid() else None) or contracts.current_year()
    agencies = agencies_for(request.user)
    scheme = contracts.scheme_of(year)
    gaps = contracts.missing_realisations(agencies, year, timezone.localdate(), scheme)
    officer_of = set(agencies_for(request.user, *OFFICER).values_list("pk", flat=True))
    agency_list = list(agencies.order_by("name")[:200])
    rows = [(a, gaps.get(a.pk, []), a.pk in officer_of) for a in agency_list]
    # One query when they fit on the page (most days: none), a count only beyond it.
    disputed = list(verification.disputed(agencies)[: DISPUTED_SHOWN + 1])
    disputed_count = (
        len(disputed)
        if len(disputed) <= DISPUTED_SHOWN
        else verification.disputed(agencies).count()
    )
    return render(
        request,
        "workspace/dashboard.html",
        {
            "form": form,
            "year": year,
            "memberships": Membership.objects.filter(user=request.user).select_related(
                "agency", "region"
            ),
            "agency_count": agencies.count(),
            "rows": [r for r in rows if r[1] or r[2]],
            "status_rows": list(contracts.status_counts(agencies, year).items()),
            "latest_run": ScoreRun.objects.order_by("-started_at").first(),
            "published_run": ScoreRun.objects.latest_published(),
            "next_run": contracts.next_scheduled_run() if contracts.scheduler_running() else None,
            "is_officer": bool(officer_of),
            "is_auditor": has_role(request.user, Role.AUDITOR),
            "needs": needs_now(request.user),
            # Figures the Inspektorat disputed, for the agencies' officers to answer.
            "disputed": disputed[:DISPUTED_SHOWN],
            "disputed_count": disputed_count,
        },
    )


# --- contracts -----------------------------------------------------------------------


@staff_view
def contract_list(request: HttpRequest) -> HttpResponse:
    agencies = agencies_for(request.user)
    listed = contracts.contracts_with_counts(
        PerformanceContract.objects.filter(agency__in=agencies)
        .select_related("agency", "employee")
        .order_by("-year", "agency__name", "employee__name", "pk")
    )
    filters = ContractFilter(request.GET, queryset=listed, agencies=agencies.order_by("name"))
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "workspace/contract_list.html",
        {
            "filter": filters,
            "page": page,
            "is_officer": agencies_for(request.user, *OFFICER).exists(),
        },
    )


@staff_view
def contract_create(request: HttpRequest) -> HttpResponse:
    agencies = agencies_for(request.user, *OFFICER).order_by("name")
    if not agencies.exists():
        raise Http404
    Formset = indicator_formset(extra=2)
    if request.method == "POST":
        form = ContractCreateForm(request.POST, agencies=agencies)
        holder = _new_holder(form)
        scope = _new_parent_scope(form)
        formset = Formset(
            request.POST,
            instance=PerformanceContract(),
            prefix="ind",
            form_kwargs={"holder": holder, "parent_scope": scope},
        )
        if "more" in request.POST:
            formset = _with_more_rows(
                Formset, request.POST, PerformanceContract(), holder=holder, parent_scope=scope
            )
        elif form.is_valid() and formset.is_valid():
            contract = contracts.create_contract(
                agency=form.cleaned_data["agency"],
                employee=form.employee,
                year=form.cleaned_data["year"],
                indicators=formset.indicator_data(),
            )
            messages.success(request, _("Contract created as a draft."))
            return redirect("workspace:contract", pk=contract.pk)
    else:
        form = ContractCreateForm(agencies=agencies)
        formset = Formset(
            instance=PerformanceContract(), prefix="ind", queryset=Indicator.objects.none()
        )
    return render(
        request,
        "workspace/contract_form.html",
        {"form": form, "formset": formset, "contract": None},
    )


def _with_more_rows(Formset, data, instance, queryset=None, *, holder=None, parent_scope=None):
    """The same formset with three more blank rows (the no-JavaScript "add rows" button)."""
    data = data.copy()
    key = "ind-TOTAL_FORMS"
    total = data.get(key, "0")
    if total.isdigit():
        data[key] = str(min(int(total) + 3, 100))
    kwargs = {"queryset": queryset} if queryset is not None else {}
    return Formset(
        data,
        instance=instance,
        prefix="ind",
        form_kwargs={"holder": holder, "parent_scope": parent_scope},
        **kwargs,
    )


def _new_parent_scope(form: ContractCreateForm) -> tuple | None:
    """(agency-held, agency, year) for the cascade codes of a new contract's indicators
    (`IndicatorForm`), once the holder and year are valid."""
    if not form.is_valid():
        return None
    return form.employee is None, form.cleaned_data["agency"], form.cleaned_data["year"]


def _parent_scope(contract: PerformanceContract) -> tuple:
    return contract.employee_id is None, contract.agency, contract.year


def _new_holder(form: ContractCreateForm) -> tuple | None:
    """(year, codes of the holder's contract of the year before) for a new contract's
    indicators (`IndicatorForm`), once the holder and year are valid."""
    if not form.is_valid():
        return None
    year = form.cleaned_data["year"]
    employee_id = form.employee.pk if form.employee else None
    codes = contracts.previous_year_codes(
        agency_id=form.cleaned_data["agency"].pk, employee_id=employee_id, year=year
    )
    return year, codes


def _holder(contract: PerformanceContract) -> tuple:
    """(year, codes of the same holder's contract of the year before), for the checks of an
    indicator's last year's code."""
    codes = contracts.previous_year_codes(
        agency_id=contract.agency_id, employee_id=contract.employee_id, year=contract.year
    )
    return contract.year, codes


@staff_view
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract_for_user(request, pk)
    indicators = list(_indicators(contract))
    for ind in indicators:
        targets = {t.quarter: t.value for t in ind.targets.all()}
        realised = {r.quarter: r for r in ind.realisations.all()}
        ind.quarter_rows = [(q, targets.get(q), realised.get(q)) for q in (1, 2, 3, 4)]
    entries = history.contract_history(contract)
    is_officer = contracts.has_agency_role(request.user, contract.agency, *OFFICER)
    is_approver = contracts.has_agency_role(request.user, contract.agency, *APPROVER)
    return render(
        request,
        "workspace/contract_detail.html",
        {
            "contract": contract,
            "label": contracts.contract_label(contract),
            "indicators": indicators,
            "entries": entries[:200],
            "entry_count": len(entries),
            "revisions": history.target_revisions(entries),
            "is_officer": is_officer,
            "is_approver": is_approver,
            "editable": contracts.is_editable(contract),
            "quarters": (1, 2, 3, 4),
            "entry_quarters": _started_quarters(contract.year),
            "late_changes": list(
                LateChange.objects.filter(indicator__contract=contract)
                .select_related("indicator", "entered_by", "decided_by")
                .order_by("-entered_at", "-pk")[:50]
            ),
        },
    )


@staff_view
def contract_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract_for_user(request, pk, *OFFICER)
    if not contracts.is_editable(contract):
        return _locked(request, contract)
    Formset = indicator_formset(extra=1)
    queryset = _indicators(contract)
    status = 200
    if request.method == "POST":
        version_form = VersionForm(request.POST)
        holder = _holder(contract)
        scope = _parent_scope(contract)
        formset = Formset(
            request.POST,
            instance=contract,
            prefix="ind",
            queryset=queryset,
            form_kwargs={"holder": holder, "parent_scope": scope},
        )
        if "more" in request.POST:
            formset = _with_more_rows(
                Formset, request.POST, contract, queryset, holder=holder, parent_scope=scope
            )
        elif version_form.is_valid() and formset.is_valid():
            try:
                changed = contracts.save_indicators(
                    contract, version_form.cleaned_data["version"], formset
                )
            except contracts.StaleContract as exc:
                _stale_message(request, exc)
                contract.refresh_from_db(fields=["version"])
                version_form = VersionForm(initial={"version": contract.version})
                status = 409
            except contracts.WorkflowError as exc:
                messages.error(request, str(exc))
                return redirect("workspace:contract", pk=contract.pk)
            else:
                messages.success(request, _("Saved.") if changed else _("Nothing changed."))
                return redirect("workspace:contract", pk=contract.pk)
    else:
        version_form = VersionForm(initial={"version": contract.version})
        formset = Formset(instance=contract, prefix="ind", queryset=queryset)
    return render(
        request,
        "workspace/contract_form.html",
        {
            "formset": formset,
            "contract": contract,
            "version_form": version_form,
            "label": contracts.contract_label(contract),
        },
        status=status,
    )


@staff_view
def contract_submit(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract_for_user(request, pk, *OFFICER)
    if request.method != "POST":  # after the lookup: another agency's contract is a 404
        return HttpResponseNotAllowed(["POST"])
    return _transition(
        request,
        contract,
        lambda v: contracts.submit(contract, v, request.user),
        _("Submitted for approval."),
    )


@staff_view
def contract_approve(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract_for_user(request, pk, *APPROVER)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return _transition(
        request,
        contract,
        lambda v: contracts.approve(contract, v, request.user),
        _("Approved. The contract is now locked."),
    )


def _transition(
    request: HttpRequest, contract: PerformanceContract, step, done: str
) -> HttpResponse:
    version = _version(request)
    try:
        if version is None:
            raise contracts.WorkflowError(_("The form was incomplete; reload the page."))
        step(version)
    except contracts.StaleContract as exc:
        _stale_message(request, exc)
    except contracts.WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("workspace:contract", pk=contract.pk)


@staff_view
def contract_return(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract_for_user(request, pk, *APPROVER)
    if request.method == "POST":
        form = ReasonForm(request.POST)
        version = _version(request)
        if form.is_valid() and version is not None:
            reason = form.cleaned_data["reason"]
            return _transition(
                request,
                contract,
                lambda v: contracts.return_for_revision(contract, v, request.user, reason),
                _("Returned to the officer with your reason."),
            )
    else:
        form = ReasonForm()
    return render(
        request,
        "workspace/return_form.html",
        {
            "contract": contract,
            "form": form,
            "label": contracts.contract_label(contract),
            "version_form": VersionForm(initial={"version": contract.version}),
        },
    )


@staff_view
def contract_revise(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract_for_user(request, pk, *OFFICER)
    if contract.status != PerformanceContract.Status.APPROVED:
        messages.info(request, _("Only approved contracts are revised; edit this one."))
        return redirect("workspace:contract", pk=contract.pk)
    indicators = list(_indicators(contract))
    status = 200
    if request.method == "POST":
        form = RevisionForm(request.POST, indicators=indicators, holder=_holder(contract))
        version_form = VersionForm(request.POST)
        if form.is_valid() and version_form.is_valid():
            try:
                changed = contracts.revise_targets(
                    contract,
                    version_form.cleaned_data["version"],
                    form.targets(),
                    form.cleaned_data["reason"],
                    indicators,
                    annual=form.annual(),
                )
            except contracts.StaleContract as exc:
                _stale_message(request, exc)
                contract.refresh_from_db(fields=["version"])
                version_form = VersionForm(initial={"version": contract.version})
                status = 409
            else:
                if changed:
                    messages.success(
                        request, _("Targets revised: %(what)s.") % {"what": ", ".join(changed)}
                    )
                else:
                    messages.info(request, _("No target changed: nothing was revised."))
                return redirect("workspace:contract", pk=contract.pk)
    else:
        form = RevisionForm(indicators=indicators)
        version_form = VersionForm(initial={"version": contract.version})
    return render(
        request,
        "workspace/revise_form.html",
        {
            "contract": contract,
            "form": form,
            "version_form": version_form,
            "label": contracts.contract_label(contract),
        },
        status=status,
    )


# --- realisations and evidence ---------------------------------------------------------


def _row_forms(request: HttpRequest, indicators, quarter: int, *, allow_files: bool):
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    forms = []
    for ind in indicators:
        existing = next((r for r in ind.realisations.all() if r.quarter == quarter), None)
        target = next((t.value for t in ind.targets.all() if t.quarter == quarter), None)
        form = RealisationRowForm(
            data,
            files,
            prefix=f"i{ind.pk}",
            indicator=ind,
            existing=existing,
            allow_files=allow_files,
        )
        form.target = target
        forms.append(form)
    return forms


def _late_form(request: HttpRequest, year: int, quarter: int) -> LateReasonForm | None:
    """The reason for late changes, asked for when the quarter has closed (WITA)."""
    grace = contracts.scheme_of(year).entry_grace_days
    if not late.is_late(year, quarter, timezone.localdate(), grace):
        return None
    return LateReasonForm(request.POST if request.method == "POST" else None)


def _with_pending(forms, quarter: int) -> None:
    """Attach to each row its late change awaiting confirmation (`form.pending`). One query."""
    pending = {
        c.indicator_id: c
        for c in LateChange.objects.pending().filter(
            indicator__in=[f.indicator for f in forms], quarter=quarter
        )
    }
    for form in forms:
        form.pending = pending.get(form.indicator.pk)


def _save_realisations(
    request: HttpRequest, versions: dict, quarter: int, forms, late_form
) -> contracts.SavedRealisations | None:
    """Save the rows (`contracts.save_realisations`) and say what happened; None when it was
    refused (the reason is on `late_form` or in a message)."""
    reason = late_form.cleaned_data["late_reason"] if late_form is not None else ""
    try:
        saved = contracts.save_realisations(
            versions,
            quarter,
            [f.as_input() for f in forms],
            request.user,
            today=timezone.localdate(),
            late_reason=reason,
        )
    except contracts.LateReasonRequired as exc:
        if late_form is None:
            raise  # a quarter closed between the page and the save: refused below
        late_form.add_error("late_reason", str(exc))
        return None
    if saved.changed:
        messages.success(
            request,
            _("%(q)s realisations saved: %(what)s.")
            % {"q": quarter_name(quarter), "what": ", ".join(saved.changed)},
        )
    if saved.late:
        messages.warning(
            request,
            _(
                "Late changes waiting for an approver's confirmation: %(what)s. Until then "
                "the previous values count."
            )
            % {"what": ", ".join(saved.late)},
        )
    if not saved:
        messages.success(request, _("Nothing changed."))
    return saved


@staff_view
def realisations(request: HttpRequest, pk: int, quarter: int) -> HttpResponse:
    contract = _contract_for_user(request, pk, *OFFICER)
    if quarter not in (1, 2, 3, 4):
        raise Http404
    if problem := late.not_started_problem(contract.year, quarter, timezone.localdate()):
        messages.error(request, problem)  # not offered; a POST for it is refused
        return redirect("workspace:contract", pk=contract.pk)
    indicators = list(_indicators(contract))
    forms = _row_forms(request, indicators, quarter, allow_files=True)
    _with_pending(forms, quarter)
    late_form = _late_form(request, contract.year, quarter)
    status = 200
    if request.method == "POST":
        version_form = VersionForm(request.POST)
        if (
            version_form.is_valid()
            and all(f.is_valid() for f in forms)
            and (late_form is None or late_form.is_valid())
        ):
            try:
                saved = _save_realisations(
                    request,
                    {contract.pk: (contract, version_form.cleaned_data["version"])},
                    quarter,
                    forms,
                    late_form,
                )
            except contracts.StaleContract as exc:
                _stale_message(request, exc)
                contract.refresh_from_db(fields=["version"])
                version_form = VersionForm(initial={"version": contract.version})
                status = 409
            except contracts.WorkflowError as exc:
                messages.error(request, str(exc))
                return redirect("workspace:contract", pk=contract.pk)
            else:
                if saved is not None:
                    return redirect("workspace:contract", pk=contract.pk)
                status = 400
        else:
            status = 400
    else:
        version_form = VersionForm(initial={"version": contract.version})
    return render(
        request,
        "workspace/realisations.html",
        {
            "contract": contract,
            "label": contracts.contract_label(contract),
            "quarter": quarter,
            "forms": forms,
            "version_form": version_form,
            "late_form": late_form,
            "quarters": _started_quarters(contract.year),
            "max_mb": _max_mb(),
        },
        status=status,
    )


def _started_quarters(year: int) -> list[int]:
    """The quarters of `year` that take realisations today (WITA)."""
    return scoring.started_quarters(year, timezone.localdate())


def _max_mb() -> str:
    return f"{settings.EVIDENCE_MAX_BYTES / 1_048_576:g}"


@staff_view
def bulk_realisations(
    request: HttpRequest, agency_pk: int, year: int, quarter: int
) -> HttpResponse:
    agency = _agency_for_user(request, agency_pk, *OFFICER)
    if quarter not in (1, 2, 3, 4) or not 2000 <= year <= 2100:
        raise Http404
    if problem := late.not_started_problem(year, quarter, timezone.localdate()):
        messages.error(request, problem)  # not offered; a POST for it is refused
        return redirect("workspace:dashboard")
    agency_contracts = (
        PerformanceContract.objects.filter(agency=agency, year=year)
        .select_related("agency", "employee")
        .order_by("employee__name", "pk")
    )
    page = Paginator(agency_contracts, BULK_PAGE_SIZE).get_page(request.GET.get("page"))
    page_contracts = list(page.object_list)
    log_personal_access(request, agency_id=agency.pk, employee_id=None)
    indicators = list(
        Indicator.objects.filter(contract__in=page_contracts)
        .order_by("contract", "code")
        .prefetch_related(
            Prefetch("targets", queryset=Target.objects.filter(quarter=quarter)),
            Prefetch("realisations", queryset=Realisation.objects.filter(quarter=quarter)),
        )
    )
    forms = _row_forms(request, indicators, quarter, allow_files=False)
    _with_pending(forms, quarter)
    late_form = _late_form(request, year, quarter)
    by_contract = {c.pk: [] for c in page_contracts}
    for form in forms:
        by_contract[form.indicator.contract_id].append(form)
    status = 200
    if request.method == "POST":
        versions = {c.pk: request.POST.get(f"v{c.pk}", "") for c in page_contracts}
        bad_version = [pk for pk, v in versions.items() if not v.isdigit()]
        if (
            not bad_version
            and all(f.is_valid() for f in forms)
            and (late_form is None or late_form.is_valid())
        ):
            try:
                saved = _save_realisations(
                    request,
                    {c.pk: (c, int(versions[c.pk])) for c in page_contracts},
                    quarter,
                    forms,
                    late_form,
                )
            except contracts.StaleContract as exc:
                _stale_message(request, exc)
                status = 409
            except contracts.WorkflowError as exc:
                messages.error(request, str(exc))
                return redirect("workspace:dashboard")
            else:
                if saved is not None:
                    return redirect(request.get_full_path())
                status = 400
        else:
            status = 400
    form = BulkQuarterForm(initial={"year": year, "quarter": quarter})
    return render(
        request,
        "workspace/bulk_realisations.html",
        {
            "agency": agency,
            "year": year,
            "quarter": quarter,
            "page": page,
            "form": form,
            "late_form": late_form,
            "groups": [(c, by_contract[c.pk], contracts.contract_label(c)) for c in page_contracts],
        },
        status=status,
    )


@staff_view
def bulk_choose(request: HttpRequest, agency_pk: int) -> HttpResponse:
    """The no-JavaScript form that picks the year and quarter of the bulk screen."""
    agency = _agency_for_user(request, agency_pk, *OFFICER)
    form = BulkQuarterForm(request.GET)
    if form.is_valid():
        return redirect(
            "workspace:bulk_realisations",
            agency_pk=agency.pk,
            year=form.cleaned_data["year"],
            quarter=form.cleaned_data["quarter"],
        )
    for problem in form.non_field_errors():
        messages.error(request, problem)
    return redirect("workspace:dashboard")


def _private_file(file, name: str) -> FileResponse:
    """A private evidence file, sandboxed (never through MEDIA_URL); 404 when missing."""
    if not file:
        raise Http404
    try:
        fh = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    kind = content_type(file.name)
    response = FileResponse(
        fh, content_type=kind, as_attachment=kind == "application/pdf", filename=name or None
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@staff_view
def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """An evidence file, to users who may read its contract (never through MEDIA_URL)."""
    realisation = _realisation_for_user(request, pk)
    return _private_file(realisation.evidence_file, realisation.evidence_name)


@staff_view
def verification_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """The Inspektorat's evidence file of a verified or disputed figure, to users who may read
    its contract."""
    realisation = _realisation_for_user(request, pk)
    return _private_file(
        realisation.verification_evidence_file, realisation.verification_evidence_name
    )


# --- CSV upload ----------------------------------------------------------------------


@staff_view
def csv_upload(request: HttpRequest) -> HttpResponse:
    scope = list(agencies_for(request.user, *OFFICER).values_list("pk", flat=True))
    if not scope:
        raise Http404
    context: dict = {"max_mb": _csv_max_mb()}
    status = 200
    if request.method == "POST":
        form = CsvUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload_file = form.cleaned_data["file"]
            late_reason = form.cleaned_data["late_reason"].strip()
            data = upload_file.read()
            try:
                result = import_performance(
                    data, scope=scope, user=request.user, dry_run=True, late_reason=late_reason
                )
            except ImportFailed as exc:
                context.update(
                    errors=exc.errors[:MAX_ERRORS_SHOWN],
                    error_count=len(exc.errors),
                    file_name=upload_file.name,
                )
                status = 400
            else:
                token = upload.stage(
                    request.session, request.user.pk, data, upload_file.name, late_reason
                )
                return render(
                    request,
                    "workspace/upload_preview.html",
                    {
                        "result": result,
                        "file_name": upload_file.name,
                        "confirm": ConfirmUploadForm(initial={"token": token}),
                        "kinds": _kinds(result),
                        "late_reason": late_reason,
                    },
                )
        else:
            status = 400
    else:
        form = CsvUploadForm()
    context["form"] = form
    return render(request, "workspace/upload.html", context, status=status)


def _csv_max_mb() -> int:
    return settings.CSV_UPLOAD_MAX_BYTES // 1_048_576


def _kinds(result) -> list[tuple[str, int, int, int]]:
    labels = {
        "employees": _("civil servants"),
        "contracts": _("contracts"),
        "indicators": _("indicators"),
        "targets": _("targets"),
        "realisations": _("realisations"),
        "late changes": _("late changes awaiting confirmation"),
    }
    return [
        (labels[k], result.created.get(k, 0), result.updated.get(k, 0), result.unchanged.get(k, 0))
        for k in labels
    ]


@staff_view
@require_POST
def csv_confirm(request: HttpRequest) -> HttpResponse:
    scope = list(agencies_for(request.user, *OFFICER).values_list("pk", flat=True))
    if not scope:
        raise Http404
    form = ConfirmUploadForm(request.POST)
    found = form.is_valid() and upload.staged(
        request.session, request.user.pk, form.cleaned_data["token"]
    )
    if not found:
        messages.error(
            request, _("This upload has expired or is not yours: upload the file again.")
        )
        return redirect("workspace:upload")
    data, name = found
    try:
        with transaction.atomic():  # the import and its record of who uploaded what
            result = import_performance(
                data,
                scope=scope,
                user=request.user,
                reason=_("CSV upload %(name)s") % {"name": name},
                late_reason=upload.staged_late_reason(request.session, form.cleaned_data["token"]),
            )
            _record_upload(request, name, result)
    except ImportFailed as exc:
        # The data changed between the preview and now (another import, a new agency...).
        upload.discard(request.session, form.cleaned_data["token"])
        return render(
            request,
            "workspace/upload.html",
            {
                "form": CsvUploadForm(),
                "errors": exc.errors[:MAX_ERRORS_SHOWN],
                "error_count": len(exc.errors),
                "file_name": name,
                "max_mb": _csv_max_mb(),
            },
            status=400,
        )
    upload.discard(request.session, form.cleaned_data["token"])
    contracts.bump_versions_of(scope)
    messages.success(
        request, _("Imported %(name)s: %(summary)s.") % {"name": name, "summary": result.summary()}
    )
    return redirect("workspace:contracts")


def _record_upload(request: HttpRequest, name: str, result) -> None:
    """The uploads report's line: who uploaded which file for which agency (their own, when
    they are an HR officer of one agency), and what it changed."""
    own = Membership.objects.filter(user=request.user, role=Role.HR_OFFICER)
    homes = set(own.values_list("agency_id", flat=True))
    audit_events.record(
        request.user,
        "upload:performance",
        name,
        agency_id=homes.pop() if len(homes) == 1 else None,
        **audit_events.import_details(result),
    )


# --- recompute preview -----------------------------------------------------------------


@staff_view
def preview(request: HttpRequest) -> HttpResponse:
    agencies = agencies_for(request.user, *OFFICER, *APPROVER).order_by("name")
    if not agencies.exists():
        raise Http404
    data = request.GET if "agency" in request.GET else None
    form = PreviewForm(
        data,
        agencies=agencies,
        initial={"year": contracts.current_year(), "agency": agencies.first()},
    )
    result = None
    if form.is_valid():
        year = form.cleaned_data["year"]
        log_personal_access(request, agency_id=form.cleaned_data["agency"].pk, employee_id=None)
        result = compute_preview(
            form.cleaned_data["agency"],
            year,
            timezone.localdate(),
            contracts.scheme_of(year),
            include_unapproved=form.cleaned_data["include_unapproved"],
        )
    return render(
        request,
        "workspace/preview.html",
        {"form": form, "preview": result, "quarters": (1, 2, 3, 4)},
    )


# --- audit trail -----------------------------------------------------------------------


@staff_view
def audit(request: HttpRequest) -> HttpResponse:
    auditor = has_role(request.user, Role.AUDITOR)
    agencies = agencies_for(request.user).order_by("name")
    form = AuditFilterForm(request.GET, agencies=agencies, auditor=auditor)
    page = None
    entries: list = []
    if form.is_valid():
        kind, rows = history.trail_of(form.cleaned_data, agencies=agencies, auditor=auditor)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        entries = history.trail_entries(kind, list(page.object_list))
    return render(
        request,
        "workspace/audit.html",
        {
            "form": form,
            "page": page,
            "entries": entries,
            "auditor": auditor,
            "query": request.GET.urlencode(),
        },
    )
