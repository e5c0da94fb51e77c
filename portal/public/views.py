"""Public agency pages: the directory, an agency's scorecard, a service, the rankings and the
comparison. Anonymous, read-only, cached per published score run (`public_page`)."""

from __future__ import annotations

import io

import segno
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_http_methods

from agencies.models import ANSWER_FIELDS, Agency, Service, SurveyResponse
from performance import followup, scoring
from performance.cascade import support_rows
from performance.models import ScoreRun
from performance.queries import (
    agency_scores,
    annual_indicators,
    indicator_table,
    published_period,
    quarter_series,
    run_year,
    service_ikms,
    staff_distribution,
    status_counts,
    trend_points,
)
from performance.verification import verified_share
from portal.common.runs import published_run

from .filters import (
    PAGE_SIZE,
    AgencyFilter,
    CompareForm,
    PeriodForm,
    RankingFilter,
    ServiceFilter,
)
from .pagecache import PAGE_TTL, public_page
from .results import (
    ServiceYearForm,
    channel_rows,
    metric_rows,
    quarter_results,
    service_years,
)
from .survey import LIMITED, SurveyForm, client_key, issue_token, submit_survey


def _scheme(run: ScoreRun | None, year: int | None) -> scoring.Scheme:
    return run.scheme(year) if run and year else scoring.DEFAULT_SCHEME


@public_page(params=("q", "region", "sector", "predikat", "year", "sort", "page"))
def agency_list(request: HttpRequest) -> HttpResponse:
    run = published_run(request)
    agencies = AgencyFilter(request.GET, run=run)
    page = Paginator(agencies.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    year = agencies.selected_year
    series = quarter_series(run.pk, [a.pk for a in page.object_list]) if run else {}
    return render(
        request,
        "public/list.html",
        {
            "run": run,
            "filter": agencies,
            "page": page,
            "series": series,
            "year": year,
            "published": published_period(run, year, "Y") if year else None,
            "quarter": agencies.quarter,
            "scheme": _scheme(run, year),
        },
    )


@public_page(params=("year", "quarter"))
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
    # The sections below the headline are cached as fragments per published run, language
    # and period (`{% cache %}` in the template), as long as a whole page: their reads run
    # only when a fragment is rendered (a new run's id is a new key, so nothing is purged).
    indicators = SimpleLazyObject(
        lambda: indicator_table(run_id, agency.pk, year or 0, quarter, scheme)
    )
    return render(
        request,
        "public/detail.html",
        {
            "agency": agency,
            "run": run,
            "run_id": run_id,
            "fragment_ttl": PAGE_TTL,
            "form": form,
            "year": year,
            "quarter": quarter,
            "scheme": scheme,
            "year_score": scores.get((agency.pk, year, "Y")),
            "year_period": published_period(run, year, "Y") if year else None,
            "annual_indicators": SimpleLazyObject(
                lambda: annual_indicators(run_id, agency.pk, year or 0)
            ),
            "quarters": quarters,
            "annual": sorted(((y, s) for (_, y, p), s in scores.items() if p == "Y"), reverse=True),
            "trend": trend_points(scores, agency.pk),
            "indicators": indicators,
            "cross_checked": SimpleLazyObject(lambda: any(i.cross_check for i in indicators)),
            "verified": SimpleLazyObject(
                lambda: verified_share([agency.pk], year or 0).get(agency.pk)
            ),
            "staff": SimpleLazyObject(
                lambda: staff_distribution(run_id, year or 0, [agency], scheme.min_group_size)[
                    agency.pk
                ]
            ),
            "services": SimpleLazyObject(
                lambda: service_ikms(agency.pk, year or 0, scheme.survey_min_responses)
            ),
            "supports": SimpleLazyObject(
                lambda: support_rows(run_id, agency.pk, year or 0, scheme.min_group_size)
            ),
        },
    )


def _public_service(slug: str, code: str) -> Service:
    """A service of a public agency, or 404."""
    return get_object_or_404(
        Service.objects.public().select_related("agency"), agency__slug=slug, code=code
    )


@public_page(params=("year",))
def service_detail(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    service = _public_service(slug, code)
    run = published_run(request)
    form = ServiceYearForm(request.GET, years=service_years(service))
    year = form.selected()
    scheme = _scheme(run, year)
    quarters = quarter_results(service, year, scheme.survey_min_responses) if year else []
    surveyed = [r for r in quarters if r.ikm.respondents]
    elements = [
        (
            SurveyResponse._meta.get_field(f).verbose_name,
            [r.ikm.nrr[i] if r.ikm.respondents else None for r in quarters],
        )
        for i, f in enumerate(ANSWER_FIELDS)
    ]
    plans, day = followup.plans_of(service), followup.as_of(run)
    return render(
        request,
        "public/service.html",
        {
            "service": service,
            "agency": service.agency,
            "run": run,
            "form": form,
            "year": year,
            "scheme": scheme,
            "quarters": quarters,
            "surveyed": surveyed,
            "elements": elements,
            "metric_rows": metric_rows(quarters),
            "channel_rows": channel_rows(quarters),
            "contradictions": sum(r.contradiction for r in quarters),
            # The service standard comes first on the page; the follow-up plans after the
            # survey results they answer.
            "plans": plans,
            "finding": followup.finding_for(service, today=day, run=run, plans=plans),
            "today": day,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """The SKM form: never cached (it carries a CSRF token and a signed time stamp)."""
    service = _public_service(slug, code)
    status = 200
    if request.method == "POST":
        outcome = submit_survey(service=service, data=request.POST, client=client_key(request))
        if outcome.thanked:
            return redirect("agencies:survey_thanks", slug=slug, code=code)
        if outcome.status == LIMITED:
            response = render(
                request, "public/survey_limited.html", {"service": service}, status=429
            )
            response["Retry-After"] = str(outcome.retry_after)
            return response
        form, token, status = outcome.form, outcome.token, 400
    else:
        form, token = SurveyForm(), issue_token(service)
    return render(
        request,
        "public/survey.html",
        {"service": service, "agency": service.agency, "form": form, "token": token},
        status=status,
    )


@public_page
def survey_thanks(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    service = _public_service(slug, code)
    return render(
        request, "public/survey_thanks.html", {"service": service, "agency": service.agency}
    )


@cache_control(public=True, max_age=24 * 60 * 60)
def survey_qr(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """A QR code (SVG) of the survey's absolute address, for counters and posters."""
    service = _public_service(slug, code)
    url = request.build_absolute_uri(reverse("agencies:survey", args=[slug, code]))
    svg = io.BytesIO()
    segno.make(url, error="m").save(
        svg, kind="svg", scale=8, border=4, title=f"{service.name}: {url}", encoding="utf-8"
    )
    return HttpResponse(svg.getvalue(), content_type="image/svg+xml")


@public_page(params=("year", "period", "region", "sector"))
def rankings(request: HttpRequest) -> HttpResponse:
    run = published_run(request)
    ranking = RankingFilter(request.GET, run=run)
    year = ranking.selected_year
    rows = list(ranking.qs)
    return render(
        request,
        "public/rankings.html",
        {
            "run": run,
            "filter": ranking,
            "rows": rows,
            "series": quarter_series(run.pk, [a.pk for a in rows]) if run else {},
            "unranked": ranking.unranked,
            "published": ranking.published,
            "year": year,
            "period": ranking.selected_period,
            "previous": ranking.previous,
            "scheme": _scheme(run, year),
        },
    )


@public_page(params=("a", "year"))
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
    quarter_rows = [
        (q, [(a, scores.get((a.pk, year, f"Q{q}"))) for a in chosen]) for q in (1, 2, 3, 4)
    ]
    return render(
        request,
        "public/compare.html",
        {
            "run": run,
            "form": form,
            "year": year,
            "published": published_period(run, year, "Y") if year else None,
            "scheme": scheme,
            "columns": columns,
            "quarter_rows": quarter_rows,
            "selects": _compare_selects(slugs, CompareForm.MAX),
        },
    )


def _compare_selects(slugs: list[str], size: int) -> list[tuple[int, str]]:
    """(number, chosen slug or "") for each of the `size` agency selects of the form."""
    return [(i + 1, slugs[i] if i < len(slugs) else "") for i in range(size)]


@public_page(params=("q", "page"))
def service_search(request: HttpRequest) -> HttpResponse:
    """Find a service by what a person needs ("KTP", "izin usaha", "akta")."""
    services = ServiceFilter(request.GET)
    page = Paginator(services.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "public/services.html",
        {"filter": services, "page": page},
    )
