"""Reads of a published score run that the public pages, the open data and the dashboard
share, on top of the public querysets.

Public pages read the latest *published* score run only, and from it agency-level scores,
achievements of agency (PK) indicators and counts of staff per predikat (suppressed): never
an employee, an SKP score, a NIP or a name.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Count, Max, Q
from django.utils import timezone

from agencies.models import ANSWER_FIELDS, Agency, Region, Service
from agencies.suppression import SuppressedRow, suppress

from . import crosscheck, scoring
from .models import (
    Achievement,
    AnnualAchievement,
    Indicator,
    PerformanceContract,
    Realisation,
    Score,
    ScoreRun,
    StaffCount,
    Target,
)

PERIODS = ("Q1", "Q2", "Q3", "Q4", "Y")


@dataclass(frozen=True)
class PublishedPeriod:
    """What a published figure of `period` ("Q1".."Q4" or "Y") of `year` is, as of the day
    its run was computed (DESIGN.md, Periods): `final` when the period is closed; else
    provisional. The year of an open year is its *year to date*: computed from its closed
    quarters only (`closed`), so it is compared and ranked, labelled with the quarters it
    covers, but it carries no predikat until the year closes."""

    year: int
    period: str
    final: bool
    closed: tuple[int, ...]  # the quarters of the year closed on the run's day

    @property
    def year_to_date(self) -> bool:
        return self.period == "Y" and not self.final and bool(self.closed)

    @property
    def comparable(self) -> bool:
        """Whether agencies are ranked and compared on it: a closed period, or the year to
        date of an open year. An open quarter never is."""
        return self.final or self.year_to_date


def published_period(run: ScoreRun | None, year: int, period: str) -> PublishedPeriod:
    """`PublishedPeriod` of `year` and `period` in `run` (as of its day; today without one)."""
    today = (run.as_of if run else None) or timezone.localdate()
    grace = (run.scheme(year) if run else scoring.DEFAULT_SCHEME).entry_grace_days
    return PublishedPeriod(
        year=year,
        period=period,
        final=scoring.period_is_closed(year, period, today, grace),
        closed=tuple(scoring.closed_quarters(year, today, grace)),
    )


def default_year(run: ScoreRun | None, today: datetime.date | None = None) -> int | None:
    """The year a public page shows when none is asked for (DESIGN.md, Integrity): the
    newest year of the run with a closed quarter on `today` (default: the day the run was
    computed, in WITA), else the newest year that has started. A year that has not started
    is never the default, whatever was entered for it; None when the run has no other."""
    if run is None or not run.years:
        return None
    today = today or run.as_of or timezone.localdate()
    for year in run.years:  # newest first
        if scoring.quarter_is_closed(year, 1, today, run.scheme(year).entry_grace_days):
            return year
    started = [year for year in run.years if year <= today.year]
    return started[0] if started else None


def run_year(run: ScoreRun | None, year: int | None = None) -> int | None:
    """`year` when the run computed it (a page may ask for any year with published figures,
    an open one included), else `default_year`."""
    if run is None or not run.years:
        return None
    return year if year in run.years else default_year(run)


def latest_quarter(run_id: int, year: int) -> int | None:
    """The latest closed quarter of `year` in which agency contracts were scored (K present)
    in run `run_id`. An open quarter does not count (its figures are provisional), nor one
    scored only from survey answers: comparing either with a full quarter would mislead."""
    period = (
        Score.objects.public_for_run(run_id)
        .filter(year=year, k__isnull=False, final=True)
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
    through `staff_distribution`. One query, of the counts the recompute wrote
    (`StaffCount`): counting an agency of 13,000 staff's scores took 13 ms a page
    (docs/performance.md)."""
    rows = StaffCount.objects.filter(run_id=run_id, year=year, agency_id__in=agencies).values_list(
        "agency_id", "predikat", "count"
    )
    counts: dict[int, dict[str, int]] = {}
    for agency_id, predikat, n in rows:
        counts.setdefault(agency_id, {})[predikat] = n
    return counts


def staff_distribution(
    run_id: int, year: int, agencies: Sequence[Agency], min_group_size: int
) -> dict[int, SuppressedRow]:
    """For each of `agencies`, how many staff have each predikat in `year` (annual SKP
    scores), suppressed for small groups, in the order of the predikat bands; counts are only
    read for public agencies (a private one gets only zeros). One query."""
    public = [agency.pk for agency in agencies if agency.is_public]
    found = staff_predikat_counts(run_id, year, public) if public else {}
    return {
        agency.pk: suppress(
            {**dict.fromkeys(scoring.PREDIKAT_ORDER, 0), **found.get(agency.pk, {})},
            min_group_size,
        )
        for agency in agencies
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


@dataclass(frozen=True)
class RegionPredikat:
    """A region's public agencies by predikat in one closed period (`counts`), with the
    number of its public agencies (`agencies`) and of them with a predikat then (`graded`)."""

    code: str
    name: str
    agencies: int
    counts: dict[str, int]

    @property
    def graded(self) -> int:
        return sum(self.counts.values())


def predikat_by_region(run_id: int, year: int, period: str) -> list[RegionPredikat]:
    """Every region of the province with its public agencies' predikat of `year` and
    `period` in run `run_id` (final scores only: a provisional one has none), by code. Two
    queries."""

    regions = Region.objects.annotate(
        n=Count("agencies", filter=Q(agencies__is_public=True))
    ).order_by("code")
    rows = (
        Score.objects.public_for_run(run_id)
        .filter(year=year, period=period, final=True)
        .exclude(predikat="")
        .values_list("agency__region__code", "predikat")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[str, dict[str, int]] = {}
    for code, predikat, n in rows:
        counts.setdefault(code, {})[predikat] = n
    return [RegionPredikat(r.code, r.name, r.n, counts.get(r.code, {})) for r in regions]


def quarter_series(
    run_id: int, agency_ids: Iterable[int], last: int = 8
) -> dict[int, list[tuple[int, str, Decimal, bool]]]:
    """{agency id: its last `last` quarterly scores (year, period, score, final), oldest
    first} of run `run_id`, for a table's sparklines. One query."""
    series: dict[int, list[tuple[int, str, Decimal, bool]]] = {}
    rows = (
        Score.objects.public_for_run(run_id)
        .filter(agency_id__in=list(agency_ids))
        .exclude(period="Y")
        .order_by("agency_id", "year", "period")
        .values_list("agency_id", "year", "period", "score", "final")
    )
    for agency_id, year, period, score, final in rows:
        series.setdefault(agency_id, []).append((year, period, score, final))
    return {agency_id: points[-last:] for agency_id, points in series.items()}


def annual_indicators(run_id: int, agency_id: int, year: int) -> list[AnnualAchievement]:
    """The agency's PK indicators of `year` with their year so far in run `run_id`
    (`AnnualAchievement`: the annual target, realisation and achievement over the closed
    quarters), by indicator code. One query."""
    return list(
        AnnualAchievement.objects.public_for_run(run_id)
        .filter(indicator__contract__agency_id=agency_id, indicator__contract__year=year)
        .select_related("indicator")
        .order_by("indicator__code")
    )


def trend_points(
    scores: Mapping[tuple[int, int, str], Score], agency_id: int
) -> list[tuple[int, str, Decimal | None, bool]]:
    """(year, period, score, final) of an agency's quarters in time order, over every year
    it has a score in, up to the last scored quarter of each year (gaps stay as None, and
    count as final)."""
    by_year: dict[int, dict[str, Score]] = {}
    for (pk, year, period), score in scores.items():
        if pk == agency_id and period != "Y":
            by_year.setdefault(year, {})[period] = score
    points = []
    for year in sorted(by_year):
        last = max(int(p[1]) for p in by_year[year])
        for q in range(1, last + 1):
            score = by_year[year].get(f"Q{q}")
            points.append(
                (year, f"Q{q}", score.score if score else None, score.final if score else True)
            )
    return points


# The PK indicators of public agencies with their figures of each quarter asked for: the
# target, the realisation and its explanation and time (and when it was entered late, once
# confirmed), what the Inspektorat found of it (`verification`, `verified_at`), the run's
# achievement, and last year's realisation and achievement of the same
# indicator in the same agency's PK contract: the one `previous_code` names, else the one of
# the same code, name and unit (DESIGN.md, Integrity: never another indicator that took the
# code over). Plain joins
# (each at most one row: unique constraints), written in the order to run them (from the
# agencies' contracts down the unique keys). Built through the ORM as eight correlated
# subqueries, compiling the query took 6 ms of a 33 ms scorecard (docs/performance.md).
_INDICATOR_QUARTER_SQL = """
SELECT i.id, i.contract_id, i.code, i.text, i.unit, i.direction, i.weight,
       i.cross_check, i.cross_check_service_id, xs.name AS cross_check_service_name,
       xs.code AS cross_check_service_code,
       c.agency_id AS agency_id,
       ag.code AS agency_code, c.year AS year, q.quarter AS quarter,
       t.value AS target, r.value AS realisation, r.explanation AS explanation,
       r.entered_at AS updated_at, r.late_entered_at AS late_entered_at,
       r.verification AS verification, r.verified_at AS verified_at,
       a.value AS achievement, a.missing AS overdue,
       lr.value AS last_year_realisation, la.value AS last_year_achievement
FROM performance_performancecontract c
JOIN agencies_agency ag ON ag.id = c.agency_id
JOIN performance_indicator i ON i.contract_id = c.id
JOIN ({quarters}) q ON 1 = 1
LEFT JOIN performance_target t ON t.indicator_id = i.id AND t.quarter = q.quarter
LEFT JOIN performance_realisation r ON r.indicator_id = i.id AND r.quarter = q.quarter
LEFT JOIN performance_achievement a
       ON a.run_id = %s AND a.indicator_id = i.id AND a.quarter = q.quarter
LEFT JOIN agencies_service xs ON xs.id = i.cross_check_service_id
LEFT JOIN performance_performancecontract lc
       ON lc.agency_id = c.agency_id AND lc.year = c.year - 1 AND lc.employee_id IS NULL
LEFT JOIN performance_indicator li ON li.contract_id = lc.id
       AND li.code = CASE WHEN i.previous_code <> '' THEN i.previous_code ELSE i.code END
       AND (i.previous_code <> '' OR (li.text = i.text AND li.unit = i.unit))
LEFT JOIN performance_realisation lr ON lr.indicator_id = li.id AND lr.quarter = q.quarter
LEFT JOIN performance_achievement la
       ON la.run_id = %s AND la.indicator_id = li.id AND la.quarter = q.quarter
WHERE c.employee_id IS NULL AND c.status = %s AND ag.is_public = %s{filters}
ORDER BY ag.code, c.year, i.code, q.quarter
"""
# Its computed columns, typed as the model fields they are read from (on SQLite a decimal
# comes back as a float and a time as text, as Django's own queries would convert them).
_INDICATOR_QUARTER_TYPES = {
    "agency_code": (Agency, "code"),
    "year": (PerformanceContract, "year"),
    "quarter": (Target, "quarter"),
    "target": (Target, "value"),
    "realisation": (Realisation, "value"),
    "explanation": (Realisation, "explanation"),
    "updated_at": (Realisation, "entered_at"),
    "late_entered_at": (Realisation, "late_entered_at"),
    "verification": (Realisation, "verification"),
    "verified_at": (Realisation, "verified_at"),
    "achievement": (Achievement, "value"),
    "overdue": (Achievement, "missing"),
    "last_year_realisation": (Realisation, "value"),
    "last_year_achievement": (Achievement, "value"),
}


@functools.lru_cache(maxsize=8)
def _column_converters(conn: BaseDatabaseWrapper) -> dict[str, tuple]:
    """{column: (its converters, the column expression they expect)}, as the ORM's compiler
    applies them to a field it selects from `conn` (looked up once per connection)."""
    converters = {}
    for name, (model, field_name) in _INDICATOR_QUARTER_TYPES.items():
        col = model._meta.get_field(field_name).get_col(model._meta.db_table)
        found = conn.ops.get_db_converters(col) + col.get_db_converters(conn)
        converters[name] = (found, col)
    return converters


def indicator_quarter(
    run_id: int,
    quarters: Sequence[int],
    *,
    agency_id: int | None = None,
    agency_ids: Iterable[int] | None = None,
    year: int | None = None,
) -> list[Indicator]:
    """The PK indicators of public agencies' approved contracts (of one agency or of some,
    of one year, when given), once for each of `quarters`, with that quarter's figures as
    attributes (see _INDICATOR_QUARTER_SQL), ordered by agency code, year, indicator code and
    quarter. One query."""
    filters, params = [], []
    for column, value in (("ag.id", agency_id), ("c.year", year)):
        if value is not None:
            filters.append(f" AND {column} = %s")
            params.append(value)
    if agency_ids is not None:
        ids = sorted(agency_ids)
        # A list of placeholders (SQLite has no `= ANY(array)`); an empty list matches none.
        filters.append(f" AND ag.id IN ({', '.join(['%s'] * len(ids)) or 'NULL'})")
        params.extend(ids)
    sql = _INDICATOR_QUARTER_SQL.format(
        quarters=" UNION ALL ".join(["SELECT %s AS quarter"] * len(quarters)),
        filters="".join(filters),
    )
    params = [*quarters, run_id, run_id, PerformanceContract.Status.APPROVED, True, *params]
    # On PostgreSQL the statement is prepared once a connection has run it five times
    # (`server_side_binding`, portal/settings.py): planning its eleven tables (twelve since
    # the cross-check's service) took 2 ms, five times longer than running it.
    indicators = list(Indicator.objects.raw(sql, params))
    for name, (converters, col) in _column_converters(connections[DEFAULT_DB_ALIAS]).items():
        for indicator in indicators:
            value = getattr(indicator, name)
            for convert in converters:
                value = convert(value, col, connection)
            setattr(indicator, name, value)
    return indicators


def indicator_table(
    run_id: int, agency_id: int, year: int, quarter: int, scheme: scoring.Scheme
) -> list[Indicator]:
    """The agency's PK indicators of `year` with their figures of `quarter` (see
    `indicator_quarter`), a `status` (see `indicator_status`) and, for one linked to an
    independent source, its `cross_check_result` (`performance.crosscheck`). One query, and
    up to two more when an indicator is linked."""
    indicators = indicator_quarter(run_id, [quarter], agency_id=agency_id, year=year)
    for indicator in indicators:
        indicator.status = indicator_status(indicator.achievement, indicator.overdue, scheme)
    crosscheck.attach(indicators, lambda _year: scheme)
    return indicators


# An agency's services with their survey sums of a year: the exact inputs of
# `scoring.ikm_from_sums` (integers, so no rounding happens in SQL). Written once: the ORM's
# ten filtered aggregates cost 3 ms of Python a scorecard (docs/performance.md).
_SERVICE_SUMS_SQL = f"""
SELECT s.id, s.agency_id, s.code, s.name, s.standard_days, s.fee,
       count(r.id) AS respondents,
       {", ".join(f"sum(r.{f}) AS sum_{f}" for f in ANSWER_FIELDS)}
FROM agencies_service s
LEFT JOIN agencies_surveyresponse r ON r.service_id = s.id AND r.year = %s
WHERE s.agency_id = %s
GROUP BY s.id, s.agency_id, s.code, s.name, s.standard_days, s.fee
ORDER BY s.name, s.id
"""  # noqa: S608 (fixed fragments, no input)


def service_ikms(agency_id: int, year: int, min_responses: int) -> list[tuple[Service, Ikm]]:
    """(service, its IKM of `year`) for each of the agency's services, by name. One query."""
    services = Service.objects.raw(_SERVICE_SUMS_SQL, [year, agency_id])
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
