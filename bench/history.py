"""The history part (issue 24): what 90 nights of score runs cost to keep and to prune, with
the score table partitioned by run (one partition a night, pruned by dropping it: what
`performance.history` does) against today's single table pruned by DELETE.

Both tables are built side by side in a schema of their own (`bench_history`) of the bench
database, with the columns, constraints and indexes of the real `performance_score`, and
filled with the same synthetic rows: `BENCH_HISTORY_NIGHTS` nights (default 90) of
`BENCH_HISTORY_ROWS` score rows (default 25,000: a twentieth of the province's 500,000 a
night, so the part runs in minutes on a shared 2-core machine; the sizes scale with the
rows, the DELETE's time with them too, a partition's DROP does not). Then the oldest night
is pruned `REPEAT` times from each: DELETE (and the VACUUM that must follow it before the
space is reused) against DETACH + DROP of its partition. The schema is dropped afterwards.
"""

from __future__ import annotations

import os
import time

from django.db import connection

from .measure import REPEAT, Result

SCHEMA = "bench_history"
NIGHTS = int(os.environ.get("BENCH_HISTORY_NIGHTS", "90"))
ROWS = int(os.environ.get("BENCH_HISTORY_ROWS", "25000"))
PROVINCE_ROWS = 500_000  # score rows a night at province scale (docs/performance.md)

# One night's rows: 1 in 100 an agency's score (no contract), the others contract scores.
FILL = """
INSERT INTO {table} (id, run_id, agency_id, contract_id, year, period, k, e, s, ikm,
                     staff_count, respondents, missing, score, predikat, results_rating,
                     behaviour_rating, final, complete)
SELECT %(night)s::bigint * %(rows)s + g, %(night)s, g %% 450 + 1,
       CASE WHEN g %% 100 = 0 THEN NULL ELSE g END,
       2025 + g %% 2, (ARRAY['Q1','Q2','Q3','Q4','Y'])[g %% 5 + 1],
       80 + g %% 40, NULL, NULL, NULL, NULL, NULL, g %% 3,
       70 + (g %% 5000) / 100.0, 'Baik', '', '', g %% 7 <> 0, true
FROM generate_series(1, %(rows)s) AS g
"""


def _execute(sql: str, params: dict | list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _one(sql: str, params: list | None = None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _index_definitions() -> list[str]:
    """The real score table's secondary indexes, as statements for any table `{table}`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'performance_score'"
            " AND schemaname = current_schema() AND indexname <> 'performance_score_pkey'"
        )
        found = [row[0] for row in cursor.fetchall()]
    out = []
    for definition in found:
        columns = definition[definition.index(" USING ") :]
        out.append("CREATE INDEX ON {table}" + columns)
    return out


def build() -> None:
    """The two tables of NIGHTS nights each: `plain` (one table) and `parted` (by run)."""
    _execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    _execute(f"CREATE SCHEMA {SCHEMA}")
    like = "LIKE performance_score INCLUDING DEFAULTS INCLUDING CONSTRAINTS"
    plain, parted = f"{SCHEMA}.plain", f"{SCHEMA}.parted"
    _execute(f"CREATE TABLE {plain} ({like}, PRIMARY KEY (id))")
    _execute(f"CREATE TABLE {parted} ({like}, PRIMARY KEY (id, run_id)) PARTITION BY LIST (run_id)")
    for statement in _index_definitions():
        _execute(statement.format(table=plain))
        _execute(statement.format(table=parted))
    for night in range(1, NIGHTS + 1):
        _execute(
            f"CREATE TABLE {SCHEMA}.parted_{night} PARTITION OF {parted} FOR VALUES IN ({night})"
        )
        for table in (plain, parted):
            _execute(FILL.format(table=table), {"night": night, "rows": ROWS})
    _execute(f"VACUUM ANALYZE {plain}")
    _execute(f"VACUUM ANALYZE {parted}")


def _size_mb(table: str) -> float:
    """The table with its indexes, TOAST and (partitioned) every partition, in MB."""
    size = _one(
        "SELECT coalesce((SELECT sum(pg_total_relation_size(relid))"
        " FROM pg_partition_tree(%s::regclass)), pg_total_relation_size(%s::regclass))",
        [table, table],
    )
    return float(size) / 1e6


def run(ctx) -> list[Result]:
    if connection.vendor != "postgresql":
        return [Result("history", "needs PostgreSQL", "s", [0.0], ok=False)]
    ctx.log(f"bench history: {NIGHTS} nights of {ROWS:,} score rows, two tables")
    started = time.monotonic()
    build()
    ctx.log(f"bench history: built in {time.monotonic() - started:.0f} s")
    try:
        return _measure()
    finally:
        _execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")


def _measure() -> list[Result]:
    plain, parted = f"{SCHEMA}.plain", f"{SCHEMA}.parted"
    sizes = {t: _size_mb(t) for t in (plain, parted)}
    rows = _one(f"SELECT count(*) FROM {plain}")  # noqa: S608 (fixed names)
    delete, vacuum, drop = [], [], []
    for night in range(1, REPEAT + 1):
        t0 = time.perf_counter()
        _execute(f"DELETE FROM {plain} WHERE run_id = %s", [night])  # noqa: S608
        delete.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        _execute(f"VACUUM {plain}")
        vacuum.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {parted} DETACH PARTITION {SCHEMA}.parted_{night}")
            cursor.execute(f"DROP TABLE {SCHEMA}.parted_{night}")
        drop.append(time.perf_counter() - t0)
    scale = f"{NIGHTS} nights x {ROWS:,} rows ({ROWS / PROVINCE_ROWS:.0%} of a province night)"
    per_province = PROVINCE_ROWS / ROWS
    return [
        Result(
            "history",
            f"history kept: {rows:,} score rows, one table",
            "MB",
            [sizes[plain]],
            note=scale,
            columns={"province, est.": f"{sizes[plain] * per_province / 1000:.1f} GB"},
        ),
        Result(
            "history",
            "history kept: partitioned by run",
            "MB",
            [sizes[parted]],
            note=scale,
            columns={"province, est.": f"{sizes[parted] * per_province / 1000:.1f} GB"},
        ),
        Result(
            "history",
            "prune a night: DELETE (today)",
            "s",
            delete,
            columns={"province, est.": f"{sorted(delete)[len(delete) // 2] * per_province:.1f} s"},
        ),
        Result(
            "history",
            "prune a night: VACUUM after the DELETE",
            "s",
            vacuum,
            columns={"province, est.": f"{sorted(vacuum)[len(vacuum) // 2] * per_province:.1f} s"},
        ),
        Result(
            "history",
            "prune a night: DETACH + DROP its partition",
            "s",
            drop,
            target="under 1 s at any scale",
            limit=1.0,
        ),
    ]
