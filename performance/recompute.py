"""The two engines that write a score run's rows for one year (DESIGN.md, "Scoring rules",
version 2).

- `write_year_sql`: PostgreSQL. Set-based: one statement computes every contract's quarter
  scores into a temporary table (the heavy part: millions of indicator-quarters, and it may
  run in parallel); a second one the year so far of the indicators that need it (those of
  the agency PK contracts, published per indicator, and those of contracts with an annual
  target); the next ones write the agency PK achievements, the contract scores (quarters and
  year) and, from those, the agency components and scores and the staff counts per
  predikat. `numeric` arithmetic is exact decimal, and `round(x, 2)` on non-negative
  numerics is round-half-up, as `scoring.round2`. No loop over rows in Python.
  docs/performance.md has the measurements behind its shape.
- `write_year_python`: any database (SQLite, the embedded default, stores decimals as
  floating point, so its SQL cannot be trusted to the cent). One streaming pass over the
  year's rows, ordered by contract, through the functions of `scoring.py`.

Both produce the same rows; tests run both on the same data and compare them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Sum

from agencies.models import Service, SurveyResponse

from . import cascade, scoring
from .models import (
    Achievement,
    AnnualAchievement,
    PerformanceContract,
    Score,
    ScoreRun,
    StaffCount,
)

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

# The year's indicator-quarters with a target an achievement can come from, of approved
# contracts, with the realisation that counts (none in a quarter that has not started).
_ROWS = """
FROM performance_performancecontract c
JOIN performance_indicator i ON i.contract_id = c.id
JOIN performance_target t ON t.indicator_id = i.id
LEFT JOIN performance_realisation r ON r.indicator_id = i.id AND r.quarter = t.quarter
    AND r.quarter = ANY(%(started)s)
WHERE c.year = %(year)s AND c.status = 'approved'
  AND NOT (i.direction = 'higher' AND t.value <= 0)"""

# Those taking part in their quarter: in an open quarter only the reported ones.
_TAKING_PART = f"""{_ROWS}
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

# Contracts that are judged on annual targets: one of their indicators has an annual target
# and a target in some quarter (a partial index finds them).
_ANNUAL_CONTRACTS = """
SELECT ai.contract_id FROM performance_indicator ai
JOIN performance_target at ON at.indicator_id = ai.id
WHERE ai.annual_target IS NOT NULL AND NOT (ai.direction = 'higher' AND at.value <= 0)"""

# The achievement formula on a year: the annual realisation is num / mult (mult: the number
# of quarters averaged, else 1), so the achievement is one exact division.
_ANNUAL_ACHIEVEMENT = """
round(LEAST(GREATEST(
    CASE WHEN direction = 'higher' THEN 100 * num / (mult * annual_target)
         WHEN annual_target = 0 THEN CASE WHEN num = 0 THEN 100 ELSE 0 END
         ELSE (200 * mult * annual_target - 100 * num) / (mult * annual_target) END,
    0), %(cap)s), 2)"""


# The year so far of the indicators of the agency PK contracts and of the contracts judged
# on annual targets, from their closed quarters (DESIGN.md, "Annual contract score"):
# `value` as published; `value12` 12 times the value that enters the contract's annual
# score, exact (the mean of 1-4 quarter achievements times 12 is a whole multiple of their
# sum), so the weighted mean is one division.
def _indicator_year(which: str) -> str:
    """The SELECT of the year so far of the indicators `which` (a condition on c and i)."""
    return f"""
SELECT indicator_id, contract_id, agency_held, annual_contract, weight, annual_target,
       CASE WHEN annual_target IS NULL THEN round(ach_sum / n, 2)
            WHEN missing THEN 0
            ELSE {_ANNUAL_ACHIEVEMENT} END AS value,
       CASE WHEN annual_target IS NULL THEN ach_sum * (12 / n)
            WHEN missing THEN 0
            ELSE 12 * {_ANNUAL_ACHIEVEMENT} END AS value12,
       missing,
       CASE WHEN annual_target IS NULL OR missing THEN NULL
            WHEN aggregation = 'average' THEN round(num / mult, 4)
            ELSE num END AS realisation
FROM (
    SELECT *,
           annual_target IS NOT NULL AND (reported = 0 OR aggregation = 'sum' AND reported < n)
               AS missing,
           CASE WHEN aggregation = 'last' THEN real_last ELSE real_sum END AS num,
           CASE WHEN aggregation = 'average' THEN reported ELSE 1 END AS mult
    FROM (
        SELECT i.id AS indicator_id, i.contract_id, c.employee_id IS NULL AS agency_held,
               c.id IN ({_ANNUAL_CONTRACTS}) AS annual_contract,
               i.direction, i.weight, i.annual_target, i.aggregation,
               count(*) AS n, count(r.value) AS reported,
               sum({_ACHIEVEMENT}) AS ach_sum, sum(r.value) AS real_sum,
               (array_agg(r.value ORDER BY t.quarter DESC)
                   FILTER (WHERE r.value IS NOT NULL))[1] AS real_last
        {_ROWS}
          AND t.quarter = ANY(%(closed)s)
          {which}
        GROUP BY i.id, c.id
    ) sums
) flagged
"""  # noqa: S608 (fixed fragments, no input)


_INDICATOR_YEAR_SQL = (
    "CREATE TEMP TABLE recompute_indicator_year ON COMMIT DROP AS"
    + _indicator_year(f"AND (c.employee_id IS NULL OR c.id IN ({_ANNUAL_CONTRACTS}))")
)

# The cascade (performance/cascade.py): per PK indicator of the year, the approved SKP
# indicators (with a target) that name it as their parent, their civil servants, and the
# mean of their years so far (the rule above; none before a quarter closes).
_SUPPORT_SQL = f"""
INSERT INTO performance_support (run_id, indicator_id, year, indicators, staff, mean_achievement)
SELECT %(run)s, i.parent_id, %(year)s, count(*), count(DISTINCT c.employee_id),
       round(avg(y.value), 2)
FROM performance_indicator i
JOIN performance_performancecontract c ON c.id = i.contract_id
JOIN performance_indicator p ON p.id = i.parent_id
JOIN performance_performancecontract pc ON pc.id = p.contract_id
LEFT JOIN ({_indicator_year("AND c.employee_id IS NOT NULL AND i.parent_id IS NOT NULL")}) y
    ON y.indicator_id = i.id
WHERE c.year = %(year)s AND c.status = 'approved' AND c.employee_id IS NOT NULL
  AND pc.employee_id IS NULL AND pc.year = %(year)s
  AND EXISTS (SELECT 1 FROM performance_target t WHERE t.indicator_id = i.id)
GROUP BY i.parent_id
"""  # noqa: S608 (fixed fragments, no input)

# The achievements of the agency PK contracts (public, so kept per indicator): a few
# thousand rows, found through the indexes.
_ACHIEVEMENT_SQL = f"""
INSERT INTO performance_achievement (run_id, indicator_id, quarter, value, missing)
SELECT %(run)s, i.id, t.quarter, {_ACHIEVEMENT}, r.value IS NULL
{_TAKING_PART}
  AND c.employee_id IS NULL
"""

_ANNUAL_ACHIEVEMENT_SQL = """
INSERT INTO performance_annualachievement
    (run_id, indicator_id, target, realisation, value, missing)
SELECT %(run)s, indicator_id, annual_target, realisation, value, missing
FROM recompute_indicator_year WHERE agency_held
"""

# Contract scores: the quarters, and the year from the closed quarters only: the mean of
# their scores, or for a contract judged on annual targets the weighted mean of its
# indicators' annual achievements. `final`: the period is closed.
_CONTRACT_YEAR = """
SELECT q.contract_id, q.agency_id, q.agency_held, 'Y' AS period,
       %(year_closed)s AS final,
       coalesce(min(a.score), round(avg(q.score), 2)) AS score, sum(q.missing) AS missing
FROM recompute_quarter q
LEFT JOIN (
    SELECT contract_id, round(sum(value12 * weight) / (12 * sum(weight)), 2) AS score
    FROM recompute_indicator_year WHERE annual_contract GROUP BY contract_id
) a ON a.contract_id = q.contract_id
WHERE q.quarter = ANY(%(closed)s)
GROUP BY q.contract_id, q.agency_id, q.agency_held
"""

_CONTRACT_SCORES = f"""
SELECT contract_id, agency_id, agency_held, 'Q' || quarter AS period,
       quarter = ANY(%(closed)s) AS final, score, missing
FROM recompute_quarter
UNION ALL
{_CONTRACT_YEAR}
"""  # noqa: S608 (fixed fragments, no input)


def _bands(names: Sequence[str]) -> str:
    """A CASE giving the band of `score` on the scheme's thresholds (names best first)."""
    return (
        f"CASE WHEN score >= %(t_i)s THEN '{names[0]}'"
        f" WHEN score >= %(t_b)s THEN '{names[1]}'"
        f" WHEN score >= %(t_bp)s THEN '{names[2]}'"
        f" WHEN score >= %(t_k)s THEN '{names[3]}'"
        f" ELSE '{names[4]}' END"
    )


_PREDIKAT = _bands(scoring.ORGANISATION_SCALE)

# The scheme's predikat matrix as a table (results, behaviour, predikat): nine rows of
# parameters.
_MATRIX_CELLS = ", ".join(f"(%(m{i}_r)s, %(m{i}_b)s, %(m{i}_p)s)" for i in range(9))
_MATRIX = f"SELECT * FROM (VALUES {_MATRIX_CELLS}) AS matrix (results, behaviour, predikat)"  # noqa: S608 (cells are parameters)

# Written in contract order: the inserts into the indexes on contract_id then go to
# neighbouring pages instead of all over them. A civil servant's closed year takes the matrix
# cell of their ratings as its predikat (and the ratings), when they are rated; every other
# row of theirs has no predikat.
_CONTRACT_SQL = f"""
INSERT INTO performance_score
    (run_id, agency_id, contract_id, year, period, missing, score, predikat,
     results_rating, behaviour_rating, final, complete)
SELECT %(run)s, scored.agency_id, scored.contract_id, %(year)s, scored.period, scored.missing,
       scored.score,
       CASE WHEN NOT scored.final THEN ''
            WHEN scored.agency_held THEN {_PREDIKAT}
            ELSE coalesce(m.predikat, '') END,
       coalesce(sr.results, ''), coalesce(sr.behaviour, ''),
       scored.final, true
FROM ({_CONTRACT_SCORES}) scored
LEFT JOIN performance_staffrating sr
    ON sr.contract_id = scored.contract_id AND scored.period = 'Y' AND scored.final
       AND NOT scored.agency_held
LEFT JOIN ({_MATRIX}) m ON m.results = sr.results AND m.behaviour = sr.behaviour
ORDER BY scored.contract_id, scored.period
"""  # noqa: S608 (fixed fragments, no input)

# How many of each agency's rated staff have each predikat (the matrix cell of their
# ratings) for the year, once it is closed (a provisional year has no predikat): a few
# hundred rows. Unrated staff have no predikat and are not counted.
_STAFF_COUNT_SQL = f"""
INSERT INTO performance_staffcount (run_id, agency_id, year, predikat, count)
SELECT %(run)s, annual.agency_id, %(year)s, m.predikat, count(*)
FROM ({_CONTRACT_YEAR}) annual
JOIN performance_staffrating sr ON sr.contract_id = annual.contract_id
JOIN ({_MATRIX}) m ON m.results = sr.results AND m.behaviour = sr.behaviour
WHERE NOT annual.agency_held AND annual.final
GROUP BY annual.agency_id, m.predikat
"""  # noqa: S608 (fixed fragments, no input)

# Agency components and scores for one year from the contract scores (read from the
# temporary tables, not back from performance_score: the planner has no statistics on a run
# that is not committed yet, and guessed a nested loop over 500,000 rows). Each component
# is rounded before they are combined.
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
sq AS (
    SELECT sv.agency_id, r.quarter, count(*) AS n,
           sum(r.u1 + r.u2 + r.u3 + r.u4 + r.u5 + r.u6 + r.u7 + r.u8 + r.u9) AS total
    FROM agencies_surveyresponse r JOIN agencies_service sv ON sv.id = r.service_id
    WHERE r.year = %(year)s
    GROUP BY sv.agency_id, r.quarter
),
-- Each quarter's respondents, and the year's: those of its closed quarters, pooled.
sv AS (
    SELECT agency_id, 'Q' || quarter AS period, n, total FROM sq
    UNION ALL
    SELECT agency_id, 'Y', sum(n), sum(total) FROM sq
    WHERE quarter = ANY(%(closed)s) GROUP BY agency_id
),
s AS (
    SELECT agency_id, period, n,
           CASE WHEN n >= %(min_survey)s THEN round(25 * total::numeric / (9 * n), 2) END AS ikm
    FROM sv
),
keys AS (
    SELECT agency_id, period FROM k UNION SELECT agency_id, period FROM e
    UNION SELECT agency_id, period FROM s
),
comp AS (
    SELECT keys.agency_id, keys.period, k.k,
           CASE WHEN e.n >= %(min_group)s THEN round(e.e_sum / e.n, 2) END AS e,
           e.n AS staff_n, s.ikm,
           -- (GREATEST ignores a NULL: no IKM must give no S, not 0)
           CASE WHEN s.ikm IS NOT NULL THEN
               round(LEAST(GREATEST(100 * s.ikm / %(ikm_target)s, 0), %(cap)s), 2) END AS s,
           s.n AS survey_n,
           CASE WHEN keys.period = 'Y' THEN %(year_closed)s
                ELSE substr(keys.period, 2)::int = ANY(%(closed)s) END AS final,
           EXISTS (SELECT 1 FROM agencies_service x WHERE x.agency_id = keys.agency_id)
               AS has_service
    FROM keys
    LEFT JOIN k ON k.agency_id = keys.agency_id AND k.period = keys.period
    LEFT JOIN e ON e.agency_id = keys.agency_id AND e.period = keys.period
    LEFT JOIN s ON s.agency_id = keys.agency_id AND s.period = keys.period
),
weighted AS (
    SELECT comp.*,
           coalesce(%(wk)s * k, 0) + coalesce(%(we)s * e, 0) + coalesce(%(ws)s * s, 0) AS num,
           CASE WHEN k IS NULL THEN 0 ELSE %(wk)s END
           + CASE WHEN e IS NULL THEN 0 ELSE %(we)s END
           + CASE WHEN s IS NULL THEN 0 ELSE %(ws)s END AS den
    FROM comp
),
agency_scored AS (
    SELECT *, round(num / den, 2) AS score FROM weighted WHERE den > 0
)
INSERT INTO performance_score
    (run_id, agency_id, contract_id, year, period, k, e, s, ikm, staff_count, respondents,
     missing, score, predikat, final, complete)
SELECT %(run)s, agency_id, NULL, %(year)s, period, k, e, s, ikm, staff_n, survey_n, 0,
       score, CASE WHEN final THEN {_PREDIKAT} ELSE '' END, final,
       k IS NOT NULL AND (s IS NOT NULL OR NOT has_service)
FROM agency_scored
"""  # noqa: S608 (fixed fragments, no input)


def _params(run: ScoreRun, year: int, scheme: scoring.Scheme, today: datetime.date) -> dict:
    closed = scoring.closed_quarters(year, today, scheme.entry_grace_days)
    return {
        "run": run.pk,
        "year": year,
        "closed": closed,
        "started": scoring.started_quarters(year, today),
        "year_closed": 4 in closed,
        "cap": scheme.cap,
        "t_i": scheme.threshold_istimewa,
        "t_b": scheme.threshold_baik,
        "t_bp": scheme.threshold_butuh_perbaikan,
        "t_k": scheme.threshold_kurang,
        "wk": scheme.weight_contract,
        "we": scheme.weight_staff,
        "ws": scheme.weight_survey,
        "min_group": scheme.min_group_size,
        "min_survey": scheme.survey_min_responses,
        "ikm_target": scheme.ikm_target,
        **{
            f"m{i}_{part}": value
            for i, cell in enumerate(scheme.staff_matrix)
            for part, value in zip("rbp", cell, strict=True)
        },
    }


def write_year_sql(run: ScoreRun, year: int, scheme: scoring.Scheme, today: datetime.date) -> None:
    """Write the run's rows for `year` with a few set-based statements (PostgreSQL), in the
    caller's transaction."""
    params = _params(run, year, scheme, today)
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
        cursor.execute(_INDICATOR_YEAR_SQL, params)
        cursor.execute(_ACHIEVEMENT_SQL, params)
        cursor.execute(_ANNUAL_ACHIEVEMENT_SQL, params)
        cursor.execute(_CONTRACT_SQL, params)
        cursor.execute(_AGENCY_SQL, params)
        cursor.execute(_STAFF_COUNT_SQL, params)
        # Hash joins only: right after a bulk load (seed_demo, the bench) the statistics say
        # one row where there are 100,000, and a nested loop over the grouped year-so-far
        # ran for more than 20 minutes; with hash joins it is one pass over each side.
        cursor.execute("SELECT set_config('enable_nestloop', 'off', true)")
        cursor.execute(_SUPPORT_SQL, params)
        cursor.execute("SELECT set_config('enable_nestloop', 'on', true)")
        # The next year of the same recompute creates them again.
        cursor.execute("DROP TABLE recompute_quarter, recompute_indicator_year")


def _indicator_rows(year: int) -> Iterator[tuple]:
    """(contract_id, agency_id, employee_id, indicator_id, direction, weight, annual_target,
    aggregation, quarter, target, realisation) of the year's approved contracts, ordered by
    contract, indicator and quarter, streamed."""
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
            "indicator__annual_target",
            "indicator__aggregation",
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
        key = (row[0], row[3], row[8])
        while pending is not None and pending[:3] < key:
            pending = next(realisations, None)
        value = pending[3] if pending is not None and pending[:3] == key else None
        yield (*row, value)


@dataclass
class ContractScores:
    """One contract's results: `periods` {"Q1".."Q4", "Y": (score, missing realisations)},
    `achievements` [(indicator id, quarter, achievement, missing)] in row order and
    `annual` [(indicator id, annual target, scoring.AnnualAchievement)]."""

    periods: dict[str, tuple[Decimal, int]] = field(default_factory=dict)
    achievements: list[tuple[int, int, Decimal, bool]] = field(default_factory=list)
    annual: list[tuple[int, Decimal | None, scoring.AnnualAchievement]] = field(
        default_factory=list
    )


def score_contract(
    rows: Iterable[tuple],
    closed: Collection[int],
    scheme: scoring.Scheme,
    *,
    started: Collection[int] = scoring.QUARTERS,
    annual: Mapping[int, tuple[Decimal | None, str]] | None = None,
) -> ContractScores:
    """Score one contract in memory from its rows (indicator_id, direction, weight, quarter,
    target, realisation or None), through `scoring.score_contract`: the Python engine's
    per-contract step, also the officer's preview. `annual` gives indicators their
    (annual target, aggregation)."""
    annual = annual or {}
    targets: dict[int, dict[int, Decimal]] = defaultdict(dict)
    realised: dict[int, dict[int, Decimal]] = defaultdict(dict)
    details: dict[int, tuple[str, Decimal]] = {}
    for indicator_id, direction, weight, quarter, target, realisation in rows:
        details[indicator_id] = (direction, weight)
        targets[indicator_id][quarter] = target
        if realisation is not None:
            realised[indicator_id][quarter] = realisation
    indicators = [
        scoring.IndicatorYear(
            direction=direction,
            weight=weight,
            targets=targets[indicator_id],
            realisations=realised[indicator_id],
            annual_target=annual.get(indicator_id, (None, ""))[0],
            aggregation=annual.get(indicator_id, (None, ""))[1],
            key=indicator_id,
        )
        for indicator_id, (direction, weight) in details.items()
    ]
    result = scoring.score_contract(indicators, closed=closed, started=started, cap=scheme.cap)
    out = ContractScores(achievements=result.achievements)
    for quarter, value in result.quarters.items():
        out.periods[f"Q{quarter}"] = value
    if result.annual is not None:
        out.periods["Y"] = result.annual
    out.annual = [
        (key, annual.get(key, (None, ""))[0], value) for key, value in result.annual_achievements
    ]
    return out


def agency_period(
    k: Decimal | None,
    staff_scores: Sequence[Decimal],
    survey: tuple[int, list[int]] | None,
    scheme: scoring.Scheme,
    *,
    final: bool,
    has_service: bool,
) -> scoring.AgencyPeriod:
    """The Python engine's agency step, also the officer's preview (`scoring.agency_period`)."""
    return scoring.agency_period(
        k, staff_scores, survey, scheme, final=final, has_service=has_service
    )


def write_year_python(
    run: ScoreRun, year: int, scheme: scoring.Scheme, today: datetime.date
) -> None:
    """Write the run's rows for `year` in one streaming pass through scoring.py."""
    closed = set(scoring.closed_quarters(year, today, scheme.entry_grace_days))
    started = set(scoring.started_quarters(year, today))
    final = {f"Q{q}": q in closed for q in scoring.QUARTERS} | {"Y": 4 in closed}
    scores: list[Score] = []
    achievements: list[Achievement | AnnualAchievement] = []
    agency_k: dict[tuple[int, str], Decimal] = {}
    staff: dict[tuple[int, str], list[Decimal]] = defaultdict(list)
    graded: dict[tuple[int, str], int] = defaultdict(int)  # (agency, predikat): staff
    ratings = year_ratings(year) if final["Y"] else {}

    def flush(force: bool = False) -> None:
        if force or len(scores) >= BATCH:
            Score.objects.bulk_create(scores, batch_size=BATCH)
            scores.clear()
        if force or len(achievements) >= BATCH:
            for model in (Achievement, AnnualAchievement):
                model.objects.bulk_create(
                    [a for a in achievements if type(a) is model], batch_size=BATCH
                )
            achievements.clear()

    for (contract_id, agency_id, employee_id), rows in groupby(
        _indicator_rows(year), key=lambda r: r[:3]
    ):
        rows = list(rows)
        result = score_contract(
            [(r[3], r[4], r[5], r[8], r[9], r[10]) for r in rows],
            closed,
            scheme,
            started=started,
            annual={r[3]: (r[6], r[7]) for r in rows},
        )
        if employee_id is None:
            achievements.extend(
                Achievement(
                    run=run, indicator_id=indicator_id, quarter=quarter, value=value, missing=m
                )
                for indicator_id, quarter, value, m in result.achievements
            )
            achievements.extend(
                AnnualAchievement(
                    run=run,
                    indicator_id=indicator_id,
                    target=target,
                    realisation=(
                        None if a.realisation is None else scoring.round_to(a.realisation, 4)
                    ),
                    value=scoring.round2(a.value),
                    missing=a.missing,
                )
                for indicator_id, target, a in result.annual
            )
        for period, (score, missing) in result.periods.items():
            row = Score(
                run=run,
                agency_id=agency_id,
                contract_id=contract_id,
                year=year,
                period=period,
                score=score,
                missing=missing,
                final=final[period],
                complete=True,
            )
            if employee_id is None:
                row.predikat = scoring.final_predikat(score, scheme, final=final[period])
            elif period == "Y" and row.final and contract_id in ratings:
                row.results_rating, row.behaviour_rating = ratings[contract_id]
                row.predikat = scoring.matrix_predikat(*ratings[contract_id], scheme)
            scores.append(row)
            if employee_id is None:
                agency_k[(agency_id, period)] = score
            else:
                staff[(agency_id, period)].append(score)
                if row.predikat:
                    graded[(agency_id, row.predikat)] += 1
        flush()
    flush(force=True)

    survey = _survey_sums(year, closed)
    with_service = set(Service.objects.values_list("agency_id", flat=True).distinct())
    keys = set(agency_k) | set(staff) | set(survey)
    agency_scores = []
    for agency_id, period in sorted(keys):
        staff_scores = staff.get((agency_id, period), [])
        result = agency_period(
            agency_k.get((agency_id, period)),
            staff_scores,
            survey.get((agency_id, period)),
            scheme,
            final=final[period],
            has_service=agency_id in with_service,
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
                ikm=result.ikm,
                staff_count=len(staff_scores) or None,
                respondents=survey.get((agency_id, period), (None, None))[0],
                missing=0,
                score=result.score,
                predikat=result.predikat,
                final=result.final,
                complete=result.complete,
            )
        )
    Score.objects.bulk_create(agency_scores, batch_size=BATCH)
    StaffCount.objects.bulk_create(
        StaffCount(run=run, agency_id=agency_id, year=year, predikat=predikat, count=n)
        for (agency_id, predikat), n in graded.items()
    )
    cascade.write_support(run, year, scheme, today)


def year_ratings(year: int) -> dict[int, tuple[str, str]]:
    """{contract id: (results rating, behaviour rating)} of the civil servants rated for
    `year` (one query)."""
    from .models import StaffRating

    return {
        contract_id: (results, behaviour)
        for contract_id, results, behaviour in StaffRating.objects.filter(
            contract__year=year
        ).values_list("contract_id", "results", "behaviour")
    }


def _survey_sums(
    year: int, closed: Collection[int]
) -> dict[tuple[int, str], tuple[int, list[int]]]:
    """{(agency, period): (respondents, the nine element sums)} for each quarter, and for the
    year from its closed quarters (pooled)."""
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
        if row["q"] not in closed:
            continue
        n_year, sums_year = out.get((row["agency_id"], "Y"), (0, [0] * 9))
        out[(row["agency_id"], "Y")] = (
            n_year + row["n"],
            [a + b for a, b in zip(sums_year, sums, strict=True)],
        )
    return out
