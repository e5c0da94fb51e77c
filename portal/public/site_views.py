"""Site-wide pages: home, methodology, the open-data hub and its files, and the health check."""

import datetime
import io
import json
import statistics
from collections import Counter
from decimal import Decimal

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import render
from django.utils import timezone

from agencies.csvio import write_csv
from agencies.models import SurveyResponse
from performance import scoring
from performance.models import Score, ScoreRun, ScoringScheme
from performance.queries import ikm_of, predikat_by_region, published_period, run_year
from performance.scoring import previous_period
from portal.common.runs import published_run
from rewards.models import Rule

from .opendata import DATASETS, LICENCE, LICENCE_URL, FilterForm, csv_value, json_value
from .pagecache import public_page

MAX_RUN_AGE = datetime.timedelta(hours=48)
HOME_LIST = 5  # agencies in each of the home page's lists


@public_page
def home(request: HttpRequest) -> HttpResponse:
    run = published_run(request)
    year = run_year(run)
    context: dict = {"run": run, "year": year}
    if run and year:
        context.update(_province(run, year))
    return render(request, "public/home.html", context)


def _province(run: ScoreRun, year: int) -> dict:
    """The province at a glance (two queries): the year's complete scores, best and weakest
    (a closed year, or an open year's year to date from its closed quarters), agencies per
    predikat (of the year once closed, else of its latest closed quarter: a provisional
    figure has none), the latest closed quarter's movers, and the province-wide IKM."""
    scheme = run.scheme(year)
    published = published_period(run, year, "Y")
    scores = list(
        Score.objects.public_for_run(run.pk)
        .filter(Q(year=year) | Q(year=year - 1, period="Q4"))
        .select_related("agency")
    )
    annual = sorted(
        (
            s
            for s in scores
            if s.year == year and s.period == "Y" and s.complete and published.comparable
        ),
        key=lambda s: (-s.score, s.agency.name),
    )
    graded = (
        published
        if published.final or not published.closed
        else published_period(run, year, f"Q{published.closed[-1]}")
    )
    per_predikat = Counter(
        s.predikat
        for s in scores
        if (s.year, s.period) == (graded.year, graded.period) and s.final and s.predikat
    )
    quarters = [
        int(s.period[1])
        for s in scores
        if s.year == year and s.period != "Y" and s.k is not None and s.final
    ]
    movers: list[tuple[Score, Decimal]] = []
    quarter = max(quarters) if quarters else None
    if quarter:
        before = previous_period(year, f"Q{quarter}")
        previous = {
            s.agency_id: s.score
            for s in scores
            if (s.year, s.period) == before and s.final and s.complete
        }
        movers = sorted(
            (
                (s, s.score - previous[s.agency_id])
                for s in scores
                if (s.year, s.period) == (year, f"Q{quarter}")
                and s.complete
                and s.agency_id in previous
            ),
            key=lambda pair: (-abs(pair[1]), pair[0].agency.name),
        )[:HOME_LIST]
    survey = SurveyResponse.objects.filter(service__agency__is_public=True, year=year).sums()
    comparable = [s.score for s in annual]
    return {
        "scheme": scheme,
        "published": published,
        "graded": graded,
        "regions": predikat_by_region(run.pk, graded.year, graded.period),
        "median": statistics.median(comparable) if comparable else None,
        "on_target": sum(1 for s in annual if s.score >= scheme.threshold_baik),
        "best_count": len(annual),
        "per_predikat": [(p, per_predikat.get(p, 0)) for p in scoring.ORGANISATION_SCALE],
        "scored": sum(per_predikat.values()),
        "best": annual[:HOME_LIST],
        "weakest": annual[::-1][:HOME_LIST],
        "quarter": quarter,
        "movers": movers,
        "ikm": ikm_of(survey, scheme.survey_min_responses),
    }


@public_page
def methodology(request: HttpRequest) -> HttpResponse:
    """The rules, rendered from the scheme in force (the published run's for its default
    year, else the newest stored scheme), each marked as the regulation's or the province's
    policy, with the reward and penalty rules of that year and a worked example."""
    run = published_run(request)
    year = run_year(run)
    if run and year:
        scheme, version = run.scheme(year), run.schemes[str(year)].get("version")
    else:
        stored = ScoringScheme.objects.order_by("-year").first()
        scheme = stored.as_scheme() if stored else scoring.DEFAULT_SCHEME
        year, version = (stored.year, stored.version) if stored else (None, None)
    rules = list(
        Rule.objects.filter(scheme__year=year, active=True).order_by("order", "pk") if year else []
    )
    return render(
        request,
        "public/methodology.html",
        {
            "run": run,
            "year": year,
            "version": version,
            "scheme": scheme,
            "rules": rules,
            "example": worked_example(scheme),
        },
    )


def worked_example(scheme: scoring.Scheme) -> dict:
    """A fixed example agency in one closed quarter, scored by the same functions as the real
    scores (scoring.py) with the scheme given: two PK indicators, twelve staff scores and a
    survey of 120 respondents."""
    indicators = [
        {
            "text": "Persentase persalinan di fasilitas kesehatan",
            "unit": "%",
            "direction": "higher",
            "weight": Decimal(40),
            "target": Decimal(85),
            "realisation": Decimal("88.2"),
        },
        {
            "text": "Angka kematian bayi per 1.000 kelahiran hidup",
            "unit": "per 1.000",
            "direction": "lower",
            "weight": Decimal(60),
            "target": Decimal(12),
            "realisation": Decimal("13.5"),
        },
    ]
    for i in indicators:
        i["achievement"] = scoring.achievement(
            i["direction"], i["target"], i["realisation"], scheme.cap
        )
    k = scoring.contract_quarter_score((i["achievement"], i["weight"]) for i in indicators)
    staff = [
        Decimal(x)
        for x in ("95.5", "102", "88.75", "110", "97.25", "91", "105.5", "99", "86", "100.5")
    ] + [Decimal("93"), Decimal("108")]
    respondents = 120
    sums = [396, 380, 350, 372, 402, 410, 415, 360, 340]
    period = scoring.agency_period(
        k, staff, (respondents, sums), scheme, final=True, has_service=True
    )
    return {
        "indicators": indicators,
        "k": k,
        "staff": staff,
        "staff_n": len(staff),
        "e": period.e,
        "respondents": respondents,
        "nrr": [Decimal(x) / respondents for x in sums],
        "ikm": period.ikm,
        "grade": scoring.mutu_pelayanan(period.ikm) if period.ikm is not None else None,
        "s": period.s,
        "score": period.score,
        "predikat": period.predikat,
        "weights": [
            ("K", k, scheme.weight_contract),
            ("E", period.e, scheme.weight_staff),
            ("S", period.s, scheme.weight_survey),
        ],
    }


@public_page
def open_data(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "public/open_data.html",
        {
            "run": published_run(request),
            "datasets": DATASETS.values(),
            "licence": LICENCE,
            "licence_url": LICENCE_URL,
        },
    )


@public_page(params=tuple(FilterForm.base_fields))
def open_data_file(request: HttpRequest, dataset: str, fmt: str) -> HttpResponse:
    """A dataset as CSV (formula cells escaped) or JSON, optionally narrowed (`FilterForm`:
    `?agency=<code or slug>`, the directory's filters, `?year=`) and of an edition
    (`?edition=<date>`: that edition's run instead of the latest). A filter value that
    matches nothing (an edition that does not exist) is a 404 saying which, not an empty
    file."""
    if dataset not in DATASETS:
        raise Http404
    ds = DATASETS[dataset]
    run = published_run(request)
    form = FilterForm(request.GET, run=run)
    if not form.is_valid():
        problems = "\n".join(
            f"{name}: {message}" for name, messages in form.errors.items() for message in messages
        )
        return HttpResponseNotFound(problems + "\n", content_type="text/plain; charset=utf-8")
    run = form.run  # the edition's when one is asked for
    rows = list(ds.rows(run, form.filters()))
    edition = form.cleaned_data["edition"]
    stem = f"edition-{edition.date.isoformat()}" if edition else f"run{run.pk if run else 0}"
    filename = f"kinerja-ntb-{ds.slug}-{stem}.{fmt}"
    if fmt == "csv":
        buffer = io.StringIO()
        write_csv(buffer, ds.header, ([csv_value(v) for v in row] for row in rows))
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        payload = {
            "dataset": ds.slug,
            "title": str(ds.title),
            "licence": LICENCE,
            "licence_url": LICENCE_URL,
            "run": {
                "id": run.pk,
                "published_at": timezone.localtime(run.published_at).isoformat(),
                "as_of": run.as_of.isoformat() if run.as_of else None,
            }
            if run
            else None,
            "edition": edition.date.isoformat() if edition else None,
            "columns": [
                {
                    "name": c.name,
                    "type": c.type,
                    "unit": str(c.unit),
                    "description": str(c.description),
                }
                for c in ds.columns
            ],
            "rows": [dict(zip(ds.header, map(json_value, row), strict=True)) for row in rows],
        }
        response = HttpResponse(
            json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
            content_type="application/json; charset=utf-8",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
