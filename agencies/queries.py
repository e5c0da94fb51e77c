"""Reads composed for the public pages, on top of the public querysets.

Public pages read the latest *published* score run only, and from it agency-level scores,
achievements of agency (PK) indicators and counts of staff per predikat (suppressed): never
an employee, an SKP score, a NIP or a name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Max
from django.http import HttpRequest

from performance import scoring
from performance.caching import published_run_id
from performance.models import Achievement, Indicator, PerformanceContract, Score, ScoreRun

from .models import ANSWER_FIELDS, Agency
from .suppression import SuppressedRow, suppress

PERIODS = ("Q1", "Q2", "Q3", "Q4", "Y")
RUN_OBJECT_TTL = 60 * 60


def published_run(request: HttpRequest) -> ScoreRun | None:
    """The latest published run, read once per request (and through the cache, so a warm
    page costs no query for it). None before the first run."""
    if not hasattr(request, "_published_run"):
        run_id = published_run_id()
        run = None
        if run_id:
            key = f"score-run-object-{run_id}"
            run = cache.get(key)
            if run is None:
                run = ScoreRun.objects.filter(pk=run_id).first()
                cache.set(key, run, timeout=RUN_OBJECT_TTL)
        request._published_run = run
    return request._published_run


def run_year(run: ScoreRun | None, year: int | None = None) -> int | None:
    """`year` when the run computed it, else the newest year of the run (None without one)."""
    if run is None or not run.years:
        return None
    return year if year in run.years else run.years[0]


def previous_period(year: int, period: str) -> tuple[int, str]:
    """The period before: the year before for "Y", Q4 of the year before for Q1."""
    if period == "Y":
        return year - 1, "Y"
    quarter = int(period[1])
    return (year - 1, "Q4") if quarter == 1 else (year, f"Q{quarter - 1}")


def latest_quarter(run_id: int, year: int) -> int | None:
    """The latest quarter of `year` in which agency contracts were scored (K present) in run
    `run_id`. A quarter scored only from survey answers (still open, nothing reported yet)
    does not count: comparing it with a full quarter would mislead."""
    period = (
        Score.objects.public_for_run(run_id)
        .filter(year=year, k__isnull=False)
        .exclude(period="Y")
        .aggregate(latest=Max("period"))["latest"]
    )
    return int(period[1]) if period else None


@dataclass(frozen=True)
class Ikm:
    """An IKM with its number of respondents. `grade` is None when there are fewer
    respondents than the scheme's minimum ("data belum cukup")."""

    respondents: int
    value: Decimal | None
    grade: str | None
    nrr: tuple[Decimal, ...]

    @property
    def sufficient(self) -> bool:
        return self.grade is not None


def ikm_of(row: Mapping, min_responses: int) -> Ikm:
    """The IKM of a row holding `respondents` and `sum_u1`..`sum_u9` (see
    `SurveyResponseQuerySet.sums_by_quarter`), computed by `scoring.ikm_from_sums`."""
    n = row.get("respondents") or 0
    if n == 0:
        return Ikm(0, None, None, ())
    sums = [row[f"sum_{f}"] for f in ANSWER_FIELDS]
    value = scoring.ikm_from_sums(sums, n)
    grade = scoring.mutu_pelayanan(value) if n >= min_responses else None
    return Ikm(n, value, grade, tuple(Decimal(s) / n for s in sums))


def indicator_status(
    achievement: Decimal | None, overdue: bool | None, scheme: scoring.Scheme
) -> str:
    """The status of an indicator in a quarter, in words the templates translate:
    `overdue` (the quarter closed without a realisation), `pending` (not reported yet),
    `met` (>= 100 %), `near` (from the scheme's Baik threshold) or `below`."""
    if overdue:
        return "overdue"
    if achievement is None:
        return "pending"
    if achievement >= 100:
        return "met"
    if achievement >= scheme.threshold_baik:
        return "near"
    return "below"


def staff_predikat_counts(run_id: int, year: int, agencies) -> dict[int, dict[str, int]]:
    """{agency id: {predikat: number of staff}} from the annual SKP contract scores of run
    `run_id`, for `agencies` (ids, or a queryset of agencies or of their ids). Counts only,
    never a person, and not suppressed: staff pages read them as they are, public pages
    through `staff_distribution`. One query.

    The staff's scores are the agencies' contract scores less those of their own PK
    contracts (a handful, found by their index), not contract scores joined to every
    contract to test for an employee: 8 ms instead of 56 ms for an agency of 13,000 staff
    (docs/performance.md)."""
    own_contracts = PerformanceContract.objects.filter(
        agency_id__in=agencies, employee__isnull=True
    )
    rows = (
        Score.objects.filter(
            run_id=run_id, year=year, period="Y", agency_id__in=agencies, contract__isnull=False
        )
        .exclude(contract__in=own_contracts)
        .values("agency_id", "predikat")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[int, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["agency_id"], {})[row["predikat"]] = row["n"]
    return counts


def staff_distribution(
    run_id: int, year: int, agency_ids: list[int], min_group_size: int
) -> dict[int, SuppressedRow]:
    """For each public agency of `agency_ids`, how many staff have each predikat in `year`
    (annual SKP scores), suppressed for small groups, in the order of the predikat bands.
    One query."""
    public = Agency.objects.public().filter(pk__in=agency_ids).values("pk")
    found = staff_predikat_counts(run_id, year, public)
    return {
        pk: suppress(
            {**dict.fromkeys(scoring.PREDIKAT_ORDER, 0), **found.get(pk, {})}, min_group_size
        )
        for pk in agency_ids
    }


def agency_scores(
    run_id: int, agency_ids: list[int], year: int | None = None
) -> dict[tuple[int, int, str], Score]:
    """The agencies' agency-level scores of run `run_id` (of `year`, or all years), keyed by
    (agency id, year, period). One query."""
    scores = Score.objects.public_for_run(run_id).filter(agency_id__in=agency_ids)
    if year is not None:
        scores = scores.filter(year=year)
    return {(s.agency_id, s.year, s.period): s for s in scores}


def trend_points(
    scores: Mapping[tuple[int, int, str], Score], agency_id: int
) -> list[tuple[int, str, Decimal | None]]:
    """(year, period, score) of an agency's quarters in time order, over every year it has a
    score in, up to the last scored quarter of each year (gaps stay as None)."""
    by_year: dict[int, dict[str, Decimal]] = {}
    for (pk, year, period), score in scores.items():
        if pk == agency_id and period != "Y":
            by_year.setdefault(year, {})[period] = score.score
    points = []
    for year in sorted(by_year):
        last = max(int(p[1]) for p in by_year[year])
        points += [(year, f"Q{q}", by_year[year].get(f"Q{q}")) for q in range(1, last + 1)]
    return points


def indicator_table(
    run_id: int, agency_id: int, year: int, quarter: int, scheme: scoring.Scheme
) -> list:
    """The agency's PK indicators of `year` with their figures of `quarter` (see
    `IndicatorQuerySet.with_quarter`) and a `status` (see `indicator_status`). One query."""
    indicators = list(
        Indicator.objects.public()
        .filter(contract__agency_id=agency_id, contract__year=year)
        .with_quarter(run_id, quarter)
        .order_by("code")
    )
    for indicator in indicators:
        indicator.status = indicator_status(indicator.achievement, indicator.overdue, scheme)
    return indicators


def service_ikms(services: list, min_responses: int) -> list[tuple[object, Ikm]]:
    """(service, IKM) for services annotated by `ServiceQuerySet.with_survey_sums`."""
    return [(s, ikm_of(vars(s), min_responses)) for s in services]


def status_counts(
    run_id: int, year: int, agency_ids: list[int], scheme: scoring.Scheme
) -> dict[int, dict]:
    """Per agency, its PK indicators by status in the latest quarter of `year` that has
    achievements: {agency id: {"quarter", "met", "near", "below", "overdue"}}. One query."""
    rows = (
        Achievement.objects.public_for_run(run_id)
        .filter(indicator__contract__year=year, indicator__contract__agency_id__in=agency_ids)
        .status_counts(scheme)
    )
    latest: dict[int, dict] = {}
    for row in rows:
        if row["agency_id"] not in latest or row["quarter"] > latest[row["agency_id"]]["quarter"]:
            latest[row["agency_id"]] = row
    return latest
