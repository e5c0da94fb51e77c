"""Public agency pages: the directory, an agency's scorecard, a service, the rankings and the
comparison. Anonymous, read-only, cached per published score run (`public_page`)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from performance import scoring
from performance.models import ScoreRun

from .filters import PAGE_SIZE, AgencyFilter, CompareForm, PeriodForm, RankingFilter
from .models import ANSWER_FIELDS, Agency, Service, ServiceMetric, SurveyResponse
from .pagecache import public_page
from .queries import (
    agency_scores,
    ikm_of,
    indicator_table,
    published_run,
    run_year,
    service_ikms,
    staff_distribution,
    status_counts,
    trend_points,
)

SERVICE_QUARTERS = 4  # quarters of survey results and metrics a service page shows


def _scheme(run: ScoreRun | None, year: int | None) -> scoring.Scheme:
    return run.scheme(year) if run and year else scoring.DEFAULT_SCHEME


@public_page
def agency_list(request: HttpRequest) -> HttpResponse:
    run = published_run(request)
    agencies = AgencyFilter(request.GET, run=run)
    page = Paginator(agencies.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    year = agencies.selected_year
    return render(
        request,
        "agencies/list.html",
        {
            "run": run,
            "filter": agencies,
            "page": page,
            "year": year,
            "quarter": agencies.quarter,
            "scheme": _scheme(run, year),
        },
    )


@public_page
def agency_detail(request: HttpRequest, slug: str) -> HttpResponse:
    agency = get_object_or_404(
        Agency.objects.public().select_related("region", "parent"), slug=slug
    )
    run = published_run(request)
    run_id = run.pk if run else 0
    form = PeriodForm(request.GET, run=run)
    year = run_year(run, form.value("year"))
    scheme = _scheme(run, year)
    scores = agency_scores(run_id, [agency.pk])
    quarters = [(q, scores.get((agency.pk, year, f"Q{q}"))) for q in (1, 2, 3, 4)]
    # The indicator table shows the latest quarter with reported results unless asked.
    reported = [q for q, score in quarters if score is not None and score.k is not None]
    quarter = form.value("quarter") or (reported[-1] if reported else 1)
    services = list(agency.services.with_survey_sums(year or 0).order_by("name"))
    return render(
        request,
        "agencies/detail.html",
        {
            "agency": agency,
            "run": run,
            "form": form,
            "year": year,
            "quarter": quarter,
            "scheme": scheme,
            "year_score": scores.get((agency.pk, year, "Y")),
            "quarters": quarters,
            "annual": sorted(((y, s) for (_, y, p), s in scores.items() if p == "Y"), reverse=True),
            "trend": trend_points(scores, agency.pk),
            "indicators": indicator_table(run_id, agency.pk, year or 0, quarter, scheme),
            "staff": staff_distribution(run_id, year or 0, [agency.pk], scheme.min_group_size)[
                agency.pk
            ],
            "services": service_ikms(services, scheme.survey_min_responses),
        },
    )


@public_page
def service_detail(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    service = get_object_or_404(
        Service.objects.public().select_related("agency"), agency__slug=slug, code=code
    )
    run = published_run(request)
    survey = list(service.responses.sums_by_quarter()[:SERVICE_QUARTERS])
    columns = [
        (row["year"], row["quarter"], ikm_of(row, _scheme(run, row["year"]).survey_min_responses))
        for row in reversed(survey)
    ]
    elements = [
        (SurveyResponse._meta.get_field(f).verbose_name, [ikm.nrr[i] for _, _, ikm in columns])
        for i, f in enumerate(ANSWER_FIELDS)
    ]
    return render(
        request,
        "agencies/service.html",
        {
            "service": service,
            "agency": service.agency,
            "run": run,
            "survey_columns": columns,
            "elements": elements,
            "metrics": _metric_table(list(service.metrics.order_by("-year", "-quarter"))),
            "scheme": _scheme(run, columns[-1][0] if columns else None),
        },
    )


def _metric_table(metrics: list[ServiceMetric]) -> dict:
    """Service metrics as rows per kind and columns per quarter (the latest few, in time
    order): {"periods": [(year, quarter)], "rows": [(label, [value or None])]}."""
    periods = sorted({(m.year, m.quarter) for m in metrics})[-SERVICE_QUARTERS:]
    values = {(m.kind, m.year, m.quarter): m.value for m in metrics}
    rows = [
        (label, [values.get((kind, y, q)) for y, q in periods])
        for kind, label in ServiceMetric.Kind.choices
        if any((kind, y, q) in values for y, q in periods)
    ]
    return {"periods": periods, "rows": rows}


@public_page
def rankings(request: HttpRequest) -> HttpResponse:
    run = published_run(request)
    ranking = RankingFilter(request.GET, run=run)
    year = ranking.selected_year
    return render(
        request,
        "agencies/rankings.html",
        {
            "run": run,
            "filter": ranking,
            "rows": list(ranking.qs),
            "year": year,
            "period": ranking.selected_period,
            "previous": ranking.previous,
            "scheme": _scheme(run, year),
        },
    )


@public_page
def compare(request: HttpRequest) -> HttpResponse:
    run = published_run(request)
    run_id = run.pk if run else 0
    agencies = list(Agency.objects.public().select_related("region").order_by("name"))
    form = CompareForm(request.GET, run=run, agencies=agencies)
    slugs = form.cleaned_data["a"] if form.is_valid() else []
    year = run_year(run, form.cleaned_data.get("year") if form.is_valid() else None)
    scheme = _scheme(run, year)
    chosen = sorted((a for a in agencies if a.slug in slugs), key=lambda a: slugs.index(a.slug))
    ids = [a.pk for a in chosen]
    scores = agency_scores(run_id, ids, year) if chosen and year else {}
    statuses = status_counts(run_id, year, ids, scheme) if chosen and year else {}
    columns = [
        {"agency": a, "year_score": scores.get((a.pk, year, "Y")), "statuses": statuses.get(a.pk)}
        for a in chosen
    ]
    quarter_rows = [(q, [scores.get((a.pk, year, f"Q{q}")) for a in chosen]) for q in (1, 2, 3, 4)]
    return render(
        request,
        "agencies/compare.html",
        {
            "run": run,
            "form": form,
            "year": year,
            "scheme": scheme,
            "columns": columns,
            "quarter_rows": quarter_rows,
            "selects": _compare_selects(slugs, CompareForm.MAX),
        },
    )


def _compare_selects(slugs: list[str], size: int) -> list[tuple[int, str]]:
    """(number, chosen slug or "") for each of the `size` agency selects of the form."""
    return [(i + 1, slugs[i] if i < len(slugs) else "") for i in range(size)]
