"""The two engines that write a score run's rows for one year.

- `write_year_sql`: PostgreSQL. Set-based: one statement computes every contract's quarter
  scores into a temporary table (the heavy part: millions of indicator-quarters, and it may
  run in parallel); the next ones write the agency PK achievements, the contract scores
  (quarters and year) and, from those, the agency components and scores and the staff
  counts per predikat. `numeric` arithmetic is exact decimal, and `round(x, 2)` on
  non-negative numerics is round-half-up, as `scoring.round2`. docs/performance.md has the
  measurements behind its shape.
- `write_year_python`: any database (SQLite, the embedded default, stores decimals as
  floating point, so its SQL cannot be trusted to the cent). One streaming pass over the
  year's rows, ordered by contract, through the functions of `scoring.py`.

Both produce the same rows; tests run both on the same data and compare them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Sum

from agencies.models import SurveyResponse

from . import scoring
from .models import Achievement, PerformanceContract, Score, ScoreRun, StaffCount

BATCH = 5000

# Session setting for the statements below, for the rest of the recompute's transaction.
# With the default 4MB the hash join over the year's millions of targets and realisations and
# the aggregate over its hundreds of thousands of contract-quarters spill to disk in many
# batches; 128MB keeps them in memory (docs/performance.md: 40% less time at 4,000,000
# realisations; 256MB bought nothing more).
WORK_MEM = "128MB"

# Achievement of one indicator in one quarter (t: target, r: realisation, i: indicator).
_ACHIEVEMENT = """
CASE WHEN r.value IS NULL THEN 0::numeric
     ELSE round(LEAST(GREATEST(
         CASE WHEN i.direction = 'higher' THEN 100 * r.value / t.value
              WHEN t.value = 0 THEN CASE WHEN r.value = 0 THEN 100 ELSE 0 END
              ELSE 100 * (2 - r.value / t.value) END,
         0), %(cap)s), 2)
END"""

# The indicator-quarters taking part: approved contracts of the year, scorable targets, and
# in an open quarter only the reported ones.
_TAKING_PART = """
FROM performance_performancecontract c
JOIN performance_indicator i ON i.contract_id = c.id
JOIN performance_target t ON t.indicator_id = i.id
LEFT JOIN performance_realisation r ON r.indicator_id = i.id AND r.quarter = t.quarter
WHERE c.year = %(year)s AND c.status = 'approved'
  AND NOT (i.direction = 'higher' AND t.value <= 0)
  AND (r.value IS NOT NULL OR t.quarter = ANY(%(closed)s))"""

# Every contract's quarter scores, into a temporary table. The one heavy statement; a
# CREATE TABLE AS may use parallel workers, where an INSERT (or a data-modifying CTE) may not.
_QUARTER_SQL = f"""
CREATE TEMP TABLE recompute_quarter ON COMMIT DROP AS
SELECT c.id AS contract_id, c.agency_id, c.employee_id IS NULL AS agency_held, t.quarter,
       round(sum(({_ACHIEVEMENT}) * i.weight) / sum(i.weight), 2) AS score,
       count(*) FILTER (WHERE r.value IS NULL) AS missing
{_TAKING_PART}
GROUP BY c.id, t.quarter
"""

# The achievements of the agency PK contracts (public, so kept per indicator): a few
# thousand rows, found through the indexes.
_ACHIEVEMENT_SQL = f"""
INSERT INTO performance_achievement (run_id, indicator_id, quarter, value, missing)
SELECT %(run)s, i.id, t.quarter, {_ACHIEVEMENT}, r.value IS NULL
{_TAKING_PART}
  AND c.employee_id IS NULL
"""

# Contract scores: the quarters, and the year as the mean of the quarter scores.
_CONTRACT_SCORES = """
SELECT contract_id, agency_id, agency_held, 'Q' || quarter AS period, score, missing
FROM recompute_quarter
UNION ALL
SELECT contract_id, agency_id, agency_held, 'Y', round(avg(score), 2), sum(missing)
FROM recompute_quarter GROUP BY contract_id, agency_id, agency_held
"""

_PREDIKAT = """
CASE WHEN score >= %(t_sb)s THEN 'Sangat Baik'
     WHEN score >= %(t_b)s THEN 'Baik'
     WHEN score >= %(t_bp)s THEN 'Butuh Perbaikan'
     WHEN score >= %(t_k)s THEN 'Kurang'
     ELSE 'Sangat Kurang' END"""

# Written in contract order: the inserts into the indexes on contract_id then go to
# neighbouring pages instead of all over them.
_CONTRACT_SQL = f"""
INSERT INTO performance_score
    (run_id, agency_id, contract_id, year, period, missing, score, predikat)
SELECT %(run)s, agency_id, contract_id, %(year)s, period, missing, score, {_PREDIKAT}
FROM ({_CONTRACT_SCORES}) scored
ORDER BY contract_id, period
"""  # noqa: S608 (fixed fragments, no input)

# How many of each agency's staff have each predikat on their annual score (the year rows of
# _CONTRACT_SCORES of the staff's contracts): a few hundred rows.
_STAFF_COUNT_SQL = f"""
INSERT INTO performance_staffcount (run_id, agency_id, year, predikat, count)
SELECT %(run)s, agency_id, %(year)s, predikat, count(*)
FROM (
    SELECT agency_id, {_PREDIKAT} AS predikat
    FROM (
        SELECT agency_id, round(avg(score), 2) AS score
        FROM recompute_quarter WHERE NOT agency_held GROUP BY contract_id, agency_id
    ) annual
) graded
GROUP BY agency_id, predikat
"""  # noqa: S608 (fixed fragments, no input)

# Agency components and scores for one year from the contract scores (read from the
# temporary table, not back from performance_score: the planner has no statistics on a run
# that is not committed yet, and guessed a nested loop over 500,000 rows).
_AGENCY_SQL = f"""
WITH scored AS ({_CONTRACT_SCORES}),
k AS (
    SELECT agency_id, period, score AS k FROM scored WHERE agency_held
),
e AS (
    SELECT agency_id, period, sum(score) AS e_sum, count(*) AS n
    FROM scored WHERE NOT agency_held
    GROUP BY agency_id, period
),
sv AS (
    SELECT sv.agency_id,
           CASE WHEN GROUPING(r.quarter) = 1 THEN 'Y' ELSE 'Q' || r.quarter END AS period,
           count(*) AS n,
           sum(r.u1 + r.u2 + r.u3 + r.u4 + r.u5 + r.u6 + r.u7 + r.u8 + r.u9) AS total
    FROM agencies_surveyresponse r JOIN agencies_service sv ON sv.id = r.service_id
    WHERE r.year = %(year)s
    GROUP BY GROUPING SETS ((sv.agency_id, r.quarter), (sv.agency_id))
),
s AS (
    SELECT agency_id, period, n, round(25 * total::numeric / (9 * n), 2) AS s FROM sv
),
keys AS (
    SELECT agency_id, period FROM k UNION SELECT agency_id, period FROM e
    UNION SELECT agency_id, period FROM s
),
comp AS (
    SELECT keys.agency_id, keys.period, k.k,
           CASE WHEN e.n >= %(min_group)s THEN e.e_sum END AS e_sum, e.n AS staff_n,
           CASE WHEN s.n >= %(min_survey)s THEN s.s END AS s, s.n AS survey_n
    FROM keys
    LEFT JOIN k ON k.agency_id = keys.agency_id AND k.period = keys.period
    LEFT JOIN e ON e.agency_id = keys.agency_id AND e.period = keys.period
    LEFT JOIN s ON s.agency_id = keys.agency_id AND s.period = keys.period
),
-- E = e_sum / n is kept as a fraction: numerator and denominator are multiplied by n, so the
-- one division below is exact where the true score lies on a half cent (as scoring.py).
weighted AS (
    SELECT comp.*, e_sum / staff_n AS e,
           (coalesce(%(wk)s * k, 0) + coalesce(%(ws)s * s, 0))
               * CASE WHEN e_sum IS NULL THEN 1 ELSE staff_n END
           + coalesce(%(we)s * e_sum, 0) AS num,
           (CASE WHEN k IS NULL THEN 0 ELSE %(wk)s END
            + CASE WHEN s IS NULL THEN 0 ELSE %(ws)s END)
               * CASE WHEN e_sum IS NULL THEN 1 ELSE staff_n END
           + CASE WHEN e_sum IS NULL THEN 0 ELSE %(we)s * staff_n END AS den
    FROM comp
),
agency_scored AS (
    SELECT *, round(num / den, 2) AS score FROM weighted WHERE den > 0
)
INSERT INTO performance_score
    (run_id, agency_id, contract_id, year, period, k, e, s, staff_count, respondents,
     missing, score, predikat)
SELECT %(run)s, agency_id, NULL, %(year)s, period, k, round(e, 2), s, staff_n, survey_n, 0,
       score, {_PREDIKAT}
FROM agency_scored
"""  # noqa: S608 (fixed fragments, no input)


def _params(run: ScoreRun, year: int, scheme: scoring.Scheme, closed: list[int]) -> dict:
    return {
        "run": run.pk,
        "year": year,
        "closed": closed,
        "cap": scheme.cap,
        "t_sb": scheme.threshold_sangat_baik,
        "t_b": scheme.threshold_baik,
        "t_bp": scheme.threshold_butuh_perbaikan,
        "t_k": scheme.threshold_kurang,
        "wk": scheme.weight_contract,
        "we": scheme.weight_staff,
        "ws": scheme.weight_survey,
        "min_group": scheme.min_group_size,
        "min_survey": scheme.survey_min_responses,
    }


def closed_quarters(year: int, today: datetime.date, scheme: scoring.Scheme) -> list[int]:
    return [
        q
        for q in (1, 2, 3, 4)
        if scoring.quarter_is_closed(year, q, today, scheme.entry_grace_days)
    ]


def write_year_sql(run: ScoreRun, year: int, scheme: scoring.Scheme, today: datetime.date) -> None:
    """Write the run's rows for `year` with a few set-based statements (PostgreSQL), in the
    caller's transaction."""
    params = _params(run, year, scheme, closed_quarters(year, today, scheme))
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('work_mem', %s, true)", [WORK_MEM])
        # Parallel workers make the heavy statement faster but take every core from the web
        # processes on a small machine: by default the recompute keeps to one core, so pages
        # stay fast while it runs (docs/performance.md, the load part).
        cursor.execute(
            "SELECT set_config('max_parallel_workers_per_gather', %s, true)",
            [str(settings.RECOMPUTE_PARALLEL_WORKERS)],
        )
        # Planned for this year's values each time, never from a plan kept for the statement
        # (a worker that has recomputed five times has them prepared; portal/settings.py):
        # planning costs milliseconds, the statements seconds.
        cursor.execute("SELECT set_config('plan_cache_mode', 'force_custom_plan', true)")
        cursor.execute(_QUARTER_SQL, params)
        cursor.execute(_ACHIEVEMENT_SQL, params)
        cursor.execute(_CONTRACT_SQL, params)
        cursor.execute(_AGENCY_SQL, params)
        cursor.execute(_STAFF_COUNT_SQL, params)
        # The next year of the same recompute creates it again.
        cursor.execute("DROP TABLE recompute_quarter")


def _indicator_rows(year: int) -> Iterator[tuple]:
    """(contract_id, agency_id, employee_id, indicator_id, direction, weight, quarter, target,
    realisation) of the year's approved contracts, ordered by contract, streamed."""
    # Two streams merged by (indicator, quarter): targets, and the realisations beside them.
    from .models import Realisation, Target

    base = {
        "indicator__contract__year": year,
        "indicator__contract__status": PerformanceContract.Status.APPROVED,
    }
    targets = (
        Target.objects.filter(**base)
        .order_by("indicator__contract_id", "indicator_id", "quarter")
        .values_list(
            "indicator__contract_id",
            "indicator__contract__agency_id",
            "indicator__contract__employee_id",
            "indicator_id",
            "indicator__direction",
            "indicator__weight",
            "quarter",
            "value",
        )
        .iterator(chunk_size=BATCH)
    )
    realisations = (
        Realisation.objects.filter(**base)
        .order_by("indicator__contract_id", "indicator_id", "quarter")
        .values_list("indicator__contract_id", "indicator_id", "quarter", "value")
        .iterator(chunk_size=BATCH)
    )
    pending = next(realisations, None)
    for row in targets:
        key = (row[0], row[3], row[6])
        while pending is not None and pending[:3] < key:
            pending = next(realisations, None)
        value = pending[3] if pending is not None and pending[:3] == key else None
        yield (*row, value)


@dataclass
class ContractScores:
    """One contract's results: `periods` {"Q1".."Q4", "Y": (score, missing realisations)} and
    `achievements` [(indicator id, quarter, achievement, missing)] in row order."""

    periods: dict[str, tuple[Decimal, int]] = field(default_factory=dict)
    achievements: list[tuple[int, int, Decimal, bool]] = field(default_factory=list)


def score_contract(
    rows: Iterable[tuple], closed: set[int], scheme: scoring.Scheme
) -> ContractScores:
    """Score one contract in memory from its rows (indicator_id, direction, weight, quarter,
    target, realisation or None), through scoring.py: the Python engine's per-contract step,
    also the officer's preview. A higher-is-better row with a target <= 0 is left out; a
    missing realisation counts 0 (flagged) in a closed quarter and leaves the indicator out
    of an open one."""
    out = ContractScores()
    by_quarter: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        by_quarter[row[3]].append(row)
    quarter_scores: list[Decimal] = []
    missing_total = 0
    for quarter in sorted(by_quarter):
        taking_part = []
        for indicator_id, direction, weight, _, target, realisation in by_quarter[quarter]:
            if direction == "higher" and target <= 0:
                continue
            if realisation is None and quarter not in closed:
                continue
            if realisation is None:
                value, missing = Decimal("0.00"), True
            else:
                value = scoring.achievement(direction, target, realisation, scheme.cap)
                missing = False
            taking_part.append((value, weight, missing))
            out.achievements.append((indicator_id, quarter, value, missing))
        score = scoring.contract_quarter_score((a, w) for a, w, _ in taking_part)
        if score is None:
            continue
        missing = sum(1 for *_, m in taking_part if m)
        missing_total += missing
        quarter_scores.append(score)
        out.periods[f"Q{quarter}"] = (score, missing)
    annual = scoring.annual_score(quarter_scores)
    if annual is not None:
        out.periods["Y"] = (annual, missing_total)
    return out


@dataclass(frozen=True)
class AgencyPeriod:
    """An agency's components and score in one period (`e` rounded for display)."""

    k: Decimal | None
    e: Decimal | None
    s: Decimal | None
    score: Decimal | None
    predikat: str | None


def agency_period(
    k: Decimal | None,
    staff_scores: Sequence[Decimal],
    survey: tuple[int, list[int]] | None,
    scheme: scoring.Scheme,
) -> AgencyPeriod:
    """K as given, E from the staff scores (only from `min_group_size` of them), S from the
    survey's (respondents, nine sums) (only from `survey_min_responses`), and the combined
    score: the Python engine's agency step, also the officer's preview."""
    e = scoring.staff_component(staff_scores, scheme)
    n, sums = survey or (None, None)
    s = (
        scoring.ikm_from_sums(sums, n)
        if n is not None and n >= scheme.survey_min_responses
        else None
    )
    score = scoring.agency_score(k, e, s, scheme)
    return AgencyPeriod(
        k=k,
        e=scoring.round2(e) if e is not None else None,
        s=s,
        score=score,
        predikat=scoring.predikat(score, scheme) if score is not None else None,
    )


def write_year_python(
    run: ScoreRun, year: int, scheme: scoring.Scheme, today: datetime.date
) -> None:
    """Write the run's rows for `year` in one streaming pass through scoring.py."""
    closed = set(closed_quarters(year, today, scheme))
    scores: list[Score] = []
    achievements: list[Achievement] = []
    agency_k: dict[tuple[int, str], Decimal] = {}
    staff: dict[tuple[int, str], list[Decimal]] = defaultdict(list)
    graded: dict[tuple[int, str], int] = defaultdict(int)  # (agency, predikat): staff

    def flush(force: bool = False) -> None:
        if force or len(scores) >= BATCH:
            Score.objects.bulk_create(scores, batch_size=BATCH)
            scores.clear()
        if force or len(achievements) >= BATCH:
            Achievement.objects.bulk_create(achievements, batch_size=BATCH)
            achievements.clear()

    for (contract_id, agency_id, employee_id), rows in groupby(
        _indicator_rows(year), key=lambda r: r[:3]
    ):
        result = score_contract((r[3:] for r in rows), closed, scheme)
        if employee_id is None:
            achievements.extend(
                Achievement(
                    run=run,
                    indicator_id=indicator_id,
                    quarter=quarter,
                    value=value,
                    missing=missing,
                )
                for indicator_id, quarter, value, missing in result.achievements
            )
        for period, (score, missing) in result.periods.items():
            row = _contract_score(run, agency_id, contract_id, year, period, score, missing, scheme)
            scores.append(row)
            if employee_id is None:
                agency_k[(agency_id, period)] = score
            else:
                staff[(agency_id, period)].append(score)
                if period == "Y":
                    graded[(agency_id, row.predikat)] += 1
        flush()
    flush(force=True)

    survey = _survey_sums(year)
    keys = set(agency_k) | set(staff) | set(survey)
    agency_scores = []
    for agency_id, period in sorted(keys):
        staff_scores = staff.get((agency_id, period), [])
        n = survey.get((agency_id, period), (None, None))[0]
        result = agency_period(
            agency_k.get((agency_id, period)), staff_scores, survey.get((agency_id, period)), scheme
        )
        if result.score is None:
            continue
        agency_scores.append(
            Score(
                run=run,
                agency_id=agency_id,
                contract=None,
                year=year,
                period=period,
                k=result.k,
                e=result.e,
                s=result.s,
                staff_count=len(staff_scores) or None,
                respondents=n,
                missing=0,
                score=result.score,
                predikat=result.predikat,
            )
        )
    Score.objects.bulk_create(agency_scores, batch_size=BATCH)
    StaffCount.objects.bulk_create(
        StaffCount(run=run, agency_id=agency_id, year=year, predikat=predikat, count=n)
        for (agency_id, predikat), n in graded.items()
    )


def _contract_score(
    run: ScoreRun,
    agency_id: int,
    contract_id: int,
    year: int,
    period: str,
    score: Decimal,
    missing: int,
    scheme: scoring.Scheme,
) -> Score:
    return Score(
        run=run,
        agency_id=agency_id,
        contract_id=contract_id,
        year=year,
        period=period,
        score=score,
        missing=missing,
        predikat=scoring.predikat(score, scheme),
    )


def _survey_sums(year: int) -> dict[tuple[int, str], tuple[int, list[int]]]:
    """{(agency, period): (respondents, the nine element sums)} for quarters and the year."""
    answer_fields = [f"u{i}" for i in range(1, 10)]
    rows = (
        SurveyResponse.objects.filter(year=year)
        .values(agency_id=F("service__agency_id"), q=F("quarter"))
        .annotate(n=Count("id"), **{f: Sum(f) for f in answer_fields})
        .order_by()
    )
    out: dict[tuple[int, str], tuple[int, list[int]]] = {}
    for row in rows:
        sums = [row[f] for f in answer_fields]
        out[(row["agency_id"], f"Q{row['q']}")] = (row["n"], sums)
        n_year, sums_year = out.get((row["agency_id"], "Y"), (0, [0] * 9))
        out[(row["agency_id"], "Y")] = (
            n_year + row["n"],
            [a + b for a, b in zip(sums_year, sums, strict=True)],
        )
    return out
