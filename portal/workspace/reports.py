"""What auditors (and every role, over its own agencies) take away from the workspace: the
audit trail as CSV with the page's filters, and two reports with their CSV: the late
changes (realisations entered or changed after their quarter closed, in every state) and
the uploads (every imported file: by whom, when, what it changed).

Each starts from `agencies_for(request.user)` like the audit page (an auditor: every
agency, and the files imported from the command line); a CSV is streamed in chunks, so an
export of the whole trail holds a chunk in memory, not the trail.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from agencies.access import agencies_for, has_role
from agencies.csvio import safe_cell
from agencies.models import Agency, AuditEvent, Membership
from performance import contracts
from performance.accesslog import log_personal_access
from performance.models import LateChange
from portal.common.decorators import staff_view

from . import history
from .forms import AuditForm

Role = Membership.Role
PAGE_SIZE = 50
CHUNK = 1000
# The audit events that are a file imported (the browser's uploads, the import commands).
UPLOAD_ACTIONS = (
    Q(action__startswith="upload:") | Q(action__startswith="import:") | Q(action="ratings:upload")
)


class _Echo:
    def write(self, value: str) -> str:
        return value


def stream_csv(name: str, header: Sequence[str], rows: Iterable[Sequence[object]]):
    """A CSV download written row by row as the client reads it (formula cells escaped)."""
    writer = csv.writer(_Echo(), lineterminator="\n")

    def lines() -> Iterator[str]:
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow(["" if v is None else safe_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _when(value) -> str:
    """A moment as the portal's local time (WITA), to the second, ISO 8601."""
    return timezone.localtime(value).replace(microsecond=0).isoformat() if value else ""


def _chunks(qs: QuerySet, size: int | None = None) -> Iterator[list]:
    """`qs` in lists of `size` rows (CHUNK by default; slices of the ordered query: each
    its own SELECT)."""
    size = size or CHUNK
    start = 0
    while True:
        rows = list(qs[start : start + size])
        if not rows:
            return
        yield rows
        start += size


# --- the audit trail as CSV ------------------------------------------------------------

AUDIT_HEADER = ["at", "by", "record", "subject", "action", "field", "before", "after", "reason"]


@staff_view
@require_GET
def audit_csv(request: HttpRequest) -> HttpResponse:
    """The audit page's records with its filters, one line per changed field (a record
    without a field change: one line with the field empty)."""
    auditor = has_role(request.user, Role.AUDITOR)
    agencies = agencies_for(request.user).order_by("name")
    form = AuditForm(request.GET, agencies=agencies, auditor=auditor)
    if not form.is_valid():
        return HttpResponse(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    kind, records = history.trail_of(form.cleaned_data, agencies=agencies, auditor=auditor)

    def rows() -> Iterator[list]:
        for chunk in _chunks(records):
            for e in history.trail_entries(kind, chunk):
                head = [_when(e.when), e.who, e.kind, e.subject, e.action]
                for field, before, after in e.changes or [("", "", "")]:
                    yield [*head, field, before, after, e.reason]

    stamp = timezone.localdate().isoformat()
    return stream_csv(f"kinerja-ntb-audit-{kind}-{stamp}.csv", AUDIT_HEADER, rows())


# --- late changes ---------------------------------------------------------------------


class ReportForm(forms.Form):
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        label=_("Agency"),
        required=False,
        empty_label=_("All my agencies"),
    )
    since = forms.DateField(
        label=_("From (date)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To (date)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, agencies, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies


class LateReportForm(ReportForm):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *LateChange.Status.choices],
    )
    field_order = ["agency", "year", "status", "since", "until"]


def _filtered(form: forms.Form, qs: QuerySet, **lookups: str) -> QuerySet:
    """`qs` narrowed by each filled field of a valid `form`, through the lookup given for the
    field; nothing when the form was sent and is not valid."""
    if form.is_bound and not form.is_valid():
        return qs.none()
    data = form.cleaned_data if form.is_bound else {}
    chosen = {lookup: data[name] for name, lookup in lookups.items() if data.get(name)}
    return qs.filter(**chosen)


def _late_changes(request: HttpRequest) -> tuple[LateReportForm, QuerySet]:
    agencies = agencies_for(request.user).order_by("name")
    form = LateReportForm(request.GET or None, agencies=agencies)
    qs = LateChange.objects.filter(indicator__contract__agency__in=agencies)
    qs = _filtered(
        form,
        qs,
        agency="indicator__contract__agency",
        year="indicator__contract__year",
        status="status",
        since="entered_at__date__gte",
        until="entered_at__date__lte",
    )
    qs = qs.select_related(
        "indicator__contract__agency",
        "indicator__contract__employee",
        "entered_by",
        "decided_by",
    ).order_by("-entered_at", "-pk")
    return form, qs


def _log_people(request: HttpRequest, changes: Sequence[LateChange]) -> None:
    """An SKP's realisations are a civil servant's records: one access row per agency."""
    for agency_id in sorted(
        {c.indicator.contract.agency_id for c in changes if c.indicator.contract.employee_id}
    ):
        log_personal_access(request, agency_id=agency_id, employee_id=None)


@staff_view
@require_GET
def late_report(request: HttpRequest) -> HttpResponse:
    form, qs = _late_changes(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    for change in shown:
        change.label = contracts.contract_label(change.indicator.contract)
    _log_people(request, shown)
    return render(
        request,
        "workspace/reports/late_changes.html",
        {"form": form, "page": page, "changes": shown, "query": _query(request)},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


LATE_HEADER = [
    "agency_code",
    "agency",
    "year",
    "contract",
    "indicator_code",
    "quarter",
    "value_before",
    "new_value",
    "reason",
    "entered_by",
    "entered_at",
    "status",
    "decided_by",
    "decided_at",
    "note",
]


@staff_view
@require_GET
def late_report_csv(request: HttpRequest) -> HttpResponse:
    form, qs = _late_changes(request)
    if form.is_bound and not form.is_valid():
        return HttpResponse(status=400)

    def rows() -> Iterator[list]:
        for chunk in _chunks(qs):
            _log_people(request, chunk)
            for c in chunk:
                contract = c.indicator.contract
                yield [
                    contract.agency.code,
                    contract.agency.name,
                    contract.year,
                    contracts.contract_label(contract),
                    c.indicator.code,
                    c.quarter,
                    c.old_value,
                    c.new_value,
                    c.reason,
                    c.entered_by.get_username() if c.entered_by else "",
                    _when(c.entered_at),
                    c.status,
                    c.decided_by.get_username() if c.decided_by else "",
                    _when(c.decided_at),
                    c.decision_note,
                ]

    stamp = timezone.localdate().isoformat()
    return stream_csv(f"kinerja-ntb-late-changes-{stamp}.csv", LATE_HEADER, rows())


# --- uploads ----------------------------------------------------------------------------


def _uploads(request: HttpRequest) -> tuple[ReportForm, QuerySet]:
    """Imported files about the user's agencies (and those the user imported); an auditor
    sees every one, the command line's included."""
    agencies = agencies_for(request.user).order_by("name")
    form = ReportForm(request.GET or None, agencies=agencies)
    qs = AuditEvent.objects.filter(UPLOAD_ACTIONS)
    if not has_role(request.user, Role.AUDITOR):
        qs = qs.filter(Q(agency__in=agencies) | Q(actor=request.user))
    qs = _filtered(form, qs, agency="agency", since="at__date__gte", until="at__date__lte")
    return form, qs.select_related("actor", "agency").order_by("-at", "-pk")


UPLOAD_KINDS = {
    "upload:performance": _("Contracts and realisations (performance.csv), from the workspace"),
    "ratings:upload": _("Ratings of civil servants (ratings.csv), from the workspace"),
}


def upload_kind(action: str) -> str:
    if action in UPLOAD_KINDS:
        return str(UPLOAD_KINDS[action])
    if action.startswith("import:"):
        return str(_("%(command)s, from the command line") % {"command": action[7:]})
    return action


def _total(value) -> int | None:
    """A count of the event's details: a number, or per kind of object ({"indicator": 5})."""
    if isinstance(value, dict):
        return sum(n for n in value.values() if isinstance(n, int))
    return value if isinstance(value, int) else None


def _counts(event: AuditEvent) -> list[int | None]:
    """Rows of the file, then objects created, changed and left unchanged."""
    d = event.details or {}
    changed = d.get("updated", d.get("changed"))
    return [
        _total(d.get("rows")),
        _total(d.get("created")),
        _total(changed),
        _total(d.get("unchanged")),
    ]


@staff_view
@require_GET
def uploads_report(request: HttpRequest) -> HttpResponse:
    form, qs = _uploads(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    events = list(page.object_list)
    for e in events:
        e.kind = upload_kind(e.action)
        e.rows, e.created, e.updated, e.unchanged = _counts(e)
    return render(
        request,
        "workspace/reports/uploads.html",
        {"form": form, "page": page, "events": events, "query": _query(request)},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


UPLOAD_HEADER = [
    "at",
    "by",
    "kind",
    "file",
    "agency_code",
    "rows",
    "created",
    "updated",
    "unchanged",
]


@staff_view
@require_GET
def uploads_report_csv(request: HttpRequest) -> HttpResponse:
    form, qs = _uploads(request)
    if form.is_bound and not form.is_valid():
        return HttpResponse(status=400)

    def rows() -> Iterator[list]:
        for chunk in _chunks(qs):
            for e in chunk:
                yield [
                    _when(e.at),
                    e.actor.get_username(),
                    e.action,
                    e.subject,
                    e.agency.code if e.agency else "",
                    *_counts(e),
                ]

    stamp = timezone.localdate().isoformat()
    return stream_csv(f"kinerja-ntb-uploads-{stamp}.csv", UPLOAD_HEADER, rows())


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
