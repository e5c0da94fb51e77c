"""The recompute part: `recompute_scores` over a province-scale year, against a baseline.

(a) `recompute_scores` as the nightly task runs it (every year, as of a day when all four
    quarters of `dataset.YEAR` are closed), in a child process so its peak memory is its own;
(b) the baseline: one hand-written statement computing just the employees' contract quarter
    scores with the same formula, materialised with CREATE TEMP TABLE ... AS, run as anyone
    would run it: with the server's settings. The engine's own session settings (work_mem)
    are part of what is measured in (a); the baseline is also timed given the engine's
    work_mem, for information.

They alternate (baseline, recompute, baseline with work_mem, baseline, recompute...) so a
change in the machine's load touches all alike; each starts after a CHECKPOINT, the first
two from empty score tables. The ratio is taken per pair, and its median reported.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import time
from pathlib import Path

from django.db import DatabaseError, connection, transaction

from performance import recompute as engine

from . import dataset
from .measure import REPEAT, Result, run_in_child

PART = "recompute"
# A day after the grace days of Q4 of the year: every quarter closed.
TODAY = datetime.date(dataset.YEAR + 1, 2, 1)
RATIO_LIMIT = 3.0
SECONDS_LIMIT = 120.0
MEMORY_LIMIT_MB = 500.0

# The baseline: DESIGN.md's formula for the employees' contract scores per quarter (the
# achievement clamped to [0, 120] and rounded, the weighted mean rounded), written here
# independently of performance/recompute.py, as anyone would write it first.
BASELINE_SQL = """
CREATE TEMP TABLE bench_baseline AS
SELECT c.id AS contract_id, t.quarter,
       round(sum(a.achievement * i.weight) / sum(i.weight), 2) AS score
FROM performance_performancecontract c
JOIN performance_indicator i ON i.contract_id = c.id
JOIN performance_target t ON t.indicator_id = i.id
LEFT JOIN performance_realisation r ON r.indicator_id = i.id AND r.quarter = t.quarter
CROSS JOIN LATERAL (
    SELECT CASE
        WHEN r.value IS NULL THEN 0
        ELSE round(LEAST(GREATEST(CASE
            WHEN i.direction = 'higher' THEN 100 * r.value / t.value
            WHEN t.value = 0 THEN CASE WHEN r.value = 0 THEN 100 ELSE 0 END
            ELSE 100 * (2 - r.value / t.value) END, 0), 120), 2)
    END AS achievement
) a
WHERE c.year = %(year)s AND c.status = 'approved' AND c.employee_id IS NOT NULL
  AND NOT (i.direction = 'higher' AND t.value <= 0)
  AND (r.value IS NOT NULL OR t.quarter = ANY(%(closed)s))
GROUP BY c.id, t.quarter
"""

# Baseline rows that differ from the employee quarter scores of the run just written.
_BASELINE_CHECK = """
SELECT count(*) FROM (
    SELECT contract_id, quarter, score FROM bench_baseline
    EXCEPT
    SELECT s.contract_id, substr(s.period, 2)::int, s.score
    FROM performance_score s JOIN performance_performancecontract c ON c.id = s.contract_id
    WHERE c.employee_id IS NOT NULL AND s.period <> 'Y'
) differing
"""


def reset_runs() -> None:
    """Empty the score tables, so every measurement starts from the same state."""
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE performance_score, performance_achievement, performance_annualachievement,"
            " performance_scorerun CASCADE"
        )
    checkpoint()


def checkpoint() -> None:
    """Write out dirty buffers, so no measurement pays for the previous one's checkpoint."""
    # It needs superuser or pg_checkpoint: without them, no checkpoint.
    with connection.cursor() as cursor, contextlib.suppress(DatabaseError):
        cursor.execute("CHECKPOINT")


def time_baseline(work_mem: str | None, *, check: bool = False) -> tuple[float, int, int]:
    """Seconds of the baseline statement, the scores it made and (with `check`) how many of
    them differ from the run in the database; in a transaction of its own, with `work_mem`
    for the transaction (None: the server's setting)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if work_mem:
            cursor.execute("SELECT set_config('work_mem', %s, true)", [work_mem])
        start = time.perf_counter()
        cursor.execute(BASELINE_SQL, {"year": dataset.YEAR, "closed": [1, 2, 3, 4]})
        seconds = time.perf_counter() - start
        cursor.execute("SELECT count(*) FROM bench_baseline")
        rows = cursor.fetchone()[0]
        differing = 0
        if check:
            cursor.execute(_BASELINE_CHECK)
            differing = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_baseline")
    return seconds, rows, differing


def recompute_once(today: str) -> dict:
    """In the child process: one `recompute_scores`, and what the database backend used."""
    from performance.services import recompute_scores

    run = recompute_scores(today=datetime.date.fromisoformat(today))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    return {"run": run.pk, "counts": run.counts, "backend_peak_rss_kb": _peak_rss_kb(pid)}


def _peak_rss_kb(pid: int) -> int | None:
    """VmHWM of a process on this machine (None when the database is elsewhere)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def server_settings() -> dict:
    names = [
        "server_version",
        "shared_buffers",
        "work_mem",
        "hash_mem_multiplier",
        "max_parallel_workers_per_gather",
        "jit",
        "max_wal_size",
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, current_setting(name) FROM unnest(%s::text[]) name", [names])
        return dict(cursor.fetchall())


def run(ctx) -> list[Result]:
    from . import imports

    imports.forget_imported()  # the import part's year would be recomputed too
    if ctx.rebuild or not dataset.is_current():
        ctx.log(f"recompute: building the data set in {ctx.database} ...")
        dataset.build(log=ctx.log)
    sizes = dataset.counts()
    ctx.log(f"recompute: data set {sizes}")

    baseline, baseline_mem, recomputes = [], [], []
    for i in range(REPEAT):
        step = f"recompute: [{i + 1}/{REPEAT}]"
        reset_runs()
        seconds, rows, _ = time_baseline(None)
        baseline.append(seconds)
        ctx.log(f"{step} baseline {seconds:.2f} s ({rows:,} scores)")
        reset_runs()
        child = run_in_child("bench.recompute:recompute_once", today=TODAY.isoformat())
        recomputes.append(child)
        ctx.log(f"{step} recompute_scores {child['seconds']:.2f} s {child['result']['counts']}")
        # Before the run is emptied: the baseline must give the run's employee scores.
        checkpoint()
        seconds, _, differing = time_baseline(engine.WORK_MEM, check=True)
        baseline_mem.append(seconds)
        ctx.log(
            f"{step} baseline with work_mem {engine.WORK_MEM} {seconds:.2f} s; "
            f"{differing} scores differ from the run's"
        )
        if differing:
            raise RuntimeError(
                f"the baseline and recompute_scores disagree on {differing} employee quarter scores"
            )
    reset_runs()
    if os.environ.get("BENCH_EXPLAIN"):
        explain(ctx.out_dir / "explain-recompute.txt")
        ctx.log(f"recompute: plans written to {ctx.out_dir / 'explain-recompute.txt'}")

    seconds = [c["seconds"] for c in recomputes]
    backend = [c["result"]["backend_peak_rss_kb"] for c in recomputes]
    server = server_settings()
    extra = {
        "data_set": sizes,
        "today": TODAY.isoformat(),
        "server": server,
        "engine_work_mem": engine.WORK_MEM,
        "children": recomputes,
    }
    results = [
        Result(
            PART,
            f"baseline: 1 statement, employee quarter scores (work_mem {server['work_mem']})",
            "s",
            baseline,
            extra=extra,
        ),
        Result(
            PART,
            f"recompute_scores ({sizes['targets']:,} indicator-quarters, "
            f"{sizes['realisations']:,} realisations)",
            "s",
            seconds,
            target=f"< {SECONDS_LIMIT:.0f} s",
            limit=SECONDS_LIMIT,
        ),
        Result(
            PART,
            "recompute / baseline (per pair)",
            "x",
            [r / b for r, b in zip(seconds, baseline, strict=True)],
            target=f"<= {RATIO_LIMIT:.0f}x",
            limit=RATIO_LIMIT,
        ),
        Result(
            PART, f"baseline given the engine's work_mem ({engine.WORK_MEM})", "s", baseline_mem
        ),
        Result(
            PART,
            "recompute / that baseline (per pair)",
            "x",
            [r / b for r, b in zip(seconds, baseline_mem, strict=True)],
        ),
        Result(
            PART,
            "peak RSS of the recompute process",
            "MB",
            [c["peak_rss_kb"] / 1024 for c in recomputes],
            target=f"< {MEMORY_LIMIT_MB:.0f} MB",
            limit=MEMORY_LIMIT_MB,
            note=f"{recomputes[0]['rss_before_kb'] / 1024:.0f} MB of it before the call",
        ),
    ]
    if all(b is not None for b in backend):
        results.append(
            Result(
                PART,
                "peak RSS of its PostgreSQL backend",
                "MB",
                [b / 1024 for b in backend],
                note="incl. shared buffers touched; parallel workers apart",
            )
        )
    return results


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process on this machine (None when it is elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _label(sql: str) -> str:
    words = " ".join(sql.split())
    return words if len(words) <= 70 else words[:67] + "..."


def _write_year_traced(wrapper) -> None:
    """`engine.write_year_sql` for the bench year with `wrapper` around each statement,
    then the deferred foreign-key checks a commit would run; all rolled back."""
    from performance.models import ScoreRun
    from performance.services import scheme_for

    with transaction.atomic():
        run = ScoreRun.objects.create(as_of=TODAY)
        scheme = scheme_for(dataset.YEAR).as_scheme()
        with connection.execute_wrapper(wrapper):
            engine.write_year_sql(run, dataset.YEAR, scheme, TODAY)
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        transaction.set_rollback(True)


def explain(path: Path) -> None:
    """Where the engine's time goes, into `path`: each statement `write_year_sql` runs (and
    the deferred foreign-key checks) timed on its own, with its backend's CPU time; then
    EXPLAIN (ANALYZE, BUFFERS) of the baseline and of each statement. Rolled back."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    timings = []

    def timed(execute, sql, params, many, context):
        start, cpu = time.perf_counter(), _cpu_seconds(pid)
        try:
            return execute(sql, params, many, context)
        finally:
            used = None if cpu is None else _cpu_seconds(pid) - cpu
            timings.append((_label(sql), time.perf_counter() - start, used))

    reset_runs()
    _write_year_traced(timed)
    lines = [
        "== write_year_sql, statement by statement (seconds; CPU seconds of the backend,",
        "   parallel workers apart)",
    ]
    for label, seconds, cpu in timings:
        lines.append(f"{seconds:8.2f} {'' if cpu is None else f'{cpu:8.2f}'}  {label}")
    lines.append(f"{sum(t[1] for t in timings):8.2f}  total\n")

    plans = []

    def explained(execute, sql, params, many, context):
        if not sql.lstrip().upper().startswith(("WITH", "INSERT", "CREATE TEMP")):
            return execute(sql, params, many, context)
        start = time.perf_counter()
        execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params, many, context)
        rows = context["cursor"].fetchall()
        plans.append((_label(sql), time.perf_counter() - start, [r[0] for r in rows]))
        return None

    reset_runs()
    with transaction.atomic(), connection.cursor() as cursor:
        start = time.perf_counter()
        cursor.execute(
            "EXPLAIN (ANALYZE, BUFFERS) " + BASELINE_SQL,
            {"year": dataset.YEAR, "closed": [1, 2, 3, 4]},
        )
        plans.append(
            (
                "baseline (the server's settings)",
                time.perf_counter() - start,
                [r[0] for r in cursor.fetchall()],
            )
        )
        transaction.set_rollback(True)
    _write_year_traced(explained)
    for label, seconds, plan in plans:
        lines.append(f"== {label} ({seconds:.1f} s)")
        lines.extend(plan)
        lines.append("")
    path.write_text("\n".join(lines))
