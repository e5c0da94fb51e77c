"""The leaders' dashboard (`/dashboard/`): overview, staff-rating coherence and data
compliance, each table also as CSV.

Leaders see the agencies of their region (a province leader and auditors: all of them);
every query starts from `dashboard_agencies(request.user)`, so no URL or query parameter
reaches another region. Anonymous users are sent to log in; other logged-in users get 403.
Pages are never cached (they are per user) and read the latest published score run.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache

from agencies.access import may_use_dashboard
from agencies.csvio import write_csv
from performance import scoring
from performance.cascade import unlinked_counts
from performance.models import ScoreRun
from portal.common.distribution import rule_text
from portal.common.runs import published_run

from . import queries as q
from .forms import DashboardForm, Selection


def dashboard_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Login required, leaders and auditors only (403 for anyone else), never cached."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not may_use_dashboard(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return never_cache(login_required(wrapper))


def _select(
    request: HttpRequest, fields: tuple[str, ...]
) -> tuple[ScoreRun | None, DashboardForm | None, Selection | None]:
    """The published run, the bound form and what it selects (None without a run)."""
    run = published_run(request)
    if run is None or not run.years:
        return None, None, None
    form = DashboardForm(
        request.GET,
        run=run,
        agencies=q.dashboard_agencies(request.user),
        default=q.default_selection(run, q.today_wita()),
        fields=fields,
    )
    return run, form, form.selection()


def _queue_url() -> str | None:
    """The decision queue, once the rewards pages exist."""
    try:
        return reverse("rewards:queue")
    except NoReverseMatch:
        return None


def _render(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    context.setdefault("query", request.GET.urlencode())
    return render(request, template, context)


def _csv(
    name: str, sel: Selection | None, header: Sequence[str], rows: Iterable, *, period: bool
) -> HttpResponse:
    """A table as a CSV download (formula cells escaped), named after the year (and the
    period when the table has one)."""
    buffer = io.StringIO()
    write_csv(buffer, header, rows)
    suffix = (f"-{sel.year}-{sel.period}" if period else f"-{sel.year}") if sel else ""
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="kinerja-ntb-dashboard-{name}{suffix}.csv"'
    )
    return response


# --- overview ------------------------------------------------------------------------

OVERVIEW_FIELDS = ("year", "period", "region", "sort")


def _overview(run: ScoreRun, sel: Selection) -> dict:
    scheme = run.scheme(sel.year)
    today = q.today_wita()
    target = q.target_of(run, sel.year)
    rows = q.agency_scores(run.pk, sel.agencies, sel.year, sel.period, target)
    if sel.period == "Y":
        quarters = scoring.closed_quarters(sel.year, today, scheme.entry_grace_days)
        quarter_due = None
    else:
        quarter = int(sel.period[1])
        closed = scoring.quarter_is_closed(sel.year, quarter, today, scheme.entry_grace_days)
        quarters = [quarter] if closed else []
        quarter_due = None if closed else q.due_date(sel.year, quarter, scheme)
    return {
        "scheme": scheme,
        "rows": rows,
        "headline": q.headline(rows),
        "ikm": q.pooled_ikm(sel.agencies, sel.year, sel.period, scheme.survey_min_responses),
        "checked_quarters": quarters,
        "quarter_due": quarter_due,
        "missing": q.agencies_missing_realisations(sel.agencies, sel.year, quarters),
        "below": q.below_target(rows, sel.sort),
        "target": target,
        "regions": q.by_region(rows),
        "previous": q.previous_period(sel.year, sel.period),
    }


@dashboard_view
def overview(request: HttpRequest) -> HttpResponse:
    run, form, sel = _select(request, OVERVIEW_FIELDS)
    context: dict = {"run": run, "form": form, "sel": sel, "queue_url": _queue_url()}
    if run and sel:
        context.update(_overview(run, sel))
        context["region_links"] = _region_links(request, context["regions"])
        context["decisions"] = q.recommended_decisions(q.dashboard_agencies(request.user))
        context["corrections"] = q.latest_corrections(sel.agencies)
    return _render(request, "dashboard/overview.html", context)


def _region_links(request: HttpRequest, regions: list) -> list[tuple[object, str]]:
    """Each region's line with the overview's query narrowed to it (drill-down); none when
    the view holds one region only."""
    if len(regions) < 2:
        return []
    links = []
    for line in regions:
        query = request.GET.copy()
        query["region"] = line.region.code
        links.append((line, query.urlencode()))
    return links


@dashboard_view
def predikat_csv(request: HttpRequest) -> HttpResponse:
    run, _form, sel = _select(request, OVERVIEW_FIELDS)
    rows: list = []
    if run and sel:
        head = q.headline(q.agency_scores(run.pk, sel.agencies, sel.year, sel.period))
        rows = [[p, n] for p, n in head.per_predikat] + [["", head.unscored]]
    return _csv("predikat", sel, ["predikat", "agencies"], rows, period=True)


BELOW_HEADER = [
    "agency_code",
    "agency",
    "region",
    "year",
    "period",
    "score",
    "predikat",
    "previous_period",
    "previous_score",
    "change",
    "reason",
]


@dashboard_view
def below_target_csv(request: HttpRequest) -> HttpResponse:
    run, _form, sel = _select(request, OVERVIEW_FIELDS)
    rows: list = []
    if run and sel:
        prev = "{}-{}".format(*q.previous_period(sel.year, sel.period))
        below = q.below_target(
            q.agency_scores(run.pk, sel.agencies, sel.year, sel.period, q.target_of(run, sel.year)),
            sel.sort,
        )
        rows = [
            [
                a.code,
                a.name,
                a.region.name,
                sel.year,
                sel.period,
                a.score,
                a.predikat,
                prev,
                a.prev_score,
                a.change,
                " ".join(r for r, on in (("below_baik", a.below), ("falling", a.falling)) if on),
            ]
            for a in below
        ]
    return _csv("below-target", sel, BELOW_HEADER, rows, period=True)


# --- coherence -----------------------------------------------------------------------

YEAR_FIELDS = ("year", "region")


def _coherence(run: ScoreRun, sel: Selection) -> dict:
    scheme = q.coherence_scheme(sel.year)
    return {
        "scheme": scheme,
        "rules": [
            (org, [rule_text(r) for r in rules]) for org, rules in scheme.distribution_rows()
        ],
        "rows": q.coherence(run.pk, sel.year, sel.agencies, scheme),
        "bands": scoring.PREDIKAT_ORDER,
    }


@dashboard_view
def coherence(request: HttpRequest) -> HttpResponse:
    run, form, sel = _select(request, YEAR_FIELDS)
    context: dict = {"run": run, "form": form, "sel": sel, "queue_url": _queue_url()}
    if run and sel:
        context.update(_coherence(run, sel))
    return _render(request, "dashboard/coherence.html", context)


COHERENCE_HEADER = [
    "agency_code",
    "agency",
    "region",
    "year",
    "predikat",
    "staff_rated",
    *[f"percent_{p.lower().replace(' ', '_')}" for p in scoring.PREDIKAT_ORDER],
    "flags",
]


@dashboard_view
def coherence_csv(request: HttpRequest) -> HttpResponse:
    run, _form, sel = _select(request, YEAR_FIELDS)
    rows: list = []
    if run and sel:
        rows = [
            [
                r.agency.code,
                r.agency.name,
                r.agency.region.name,
                sel.year,
                r.predikat,
                r.n,
                *[share for _p, share in r.shares],
                "; ".join(r.flags),
            ]
            for r in _coherence(run, sel)["rows"]
        ]
    return _csv("coherence", sel, COHERENCE_HEADER, rows, period=False)


# --- compliance ----------------------------------------------------------------------


def _compliance(run: ScoreRun, sel: Selection) -> dict:
    scheme = run.scheme(sel.year)
    quarters = scoring.closed_quarters(sel.year, q.today_wita(), scheme.entry_grace_days)
    return {
        "scheme": scheme,
        "quarters": quarters,
        "rows": q.compliance(sel.year, quarters, sel.agencies, scheme),
    }


@dashboard_view
def compliance(request: HttpRequest) -> HttpResponse:
    run, form, sel = _select(request, YEAR_FIELDS)
    context: dict = {"run": run, "form": form, "sel": sel, "queue_url": _queue_url()}
    if run and sel:
        context.update(_compliance(run, sel))
    return _render(request, "dashboard/compliance.html", context)


COMPLIANCE_HEADER = [
    "agency_code",
    "agency",
    "region",
    "year",
    "quarter",
    "due_date",
    "pk_indicators",
    "pk_entered",
    "skp_indicators",
    "skp_entered",
    "missing",
    "entered_late",
    "latest_days_late",
]


@dashboard_view
def compliance_csv(request: HttpRequest) -> HttpResponse:
    run, _form, sel = _select(request, YEAR_FIELDS)
    rows: list = []
    if run and sel:
        rows = [
            [
                r.agency.code,
                r.agency.name,
                r.agency.region.name,
                sel.year,
                f"Q{r.quarter}",
                r.due.isoformat(),
                r.targets["pk"],
                r.entered["pk"],
                r.targets["skp"],
                r.entered["skp"],
                r.missing,
                r.late,
                r.days_late,
            ]
            for r in _compliance(run, sel)["rows"]
        ]
    return _csv("compliance", sel, COMPLIANCE_HEADER, rows, period=False)


# --- the cascade's gaps --------------------------------------------------------------------


def _cascade(sel: Selection) -> list[tuple]:
    """(agency, Unlinked) of the agencies in view with indicators in the year, by name:
    three queries, whatever the number of agencies."""
    counts = unlinked_counts(sel.agencies, sel.year)
    agencies = sel.agencies.filter(pk__in=list(counts)).select_related("region").order_by("name")
    return [(agency, counts[agency.pk]) for agency in agencies]


@dashboard_view
def cascade(request: HttpRequest) -> HttpResponse:
    """Per agency: the PK indicators no SKP indicator supports and the SKP indicators that
    serve no PK indicator (counts; no civil servant named)."""
    run, form, sel = _select(request, YEAR_FIELDS)
    context: dict = {"run": run, "form": form, "sel": sel, "queue_url": _queue_url()}
    if run and sel:
        context["rows"] = _cascade(sel)
    return _render(request, "dashboard/cascade.html", context)
