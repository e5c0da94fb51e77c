"""The load part (issue 8): 50 concurrent clients on the public pages for two minutes with
gunicorn on loopback, then two minutes more while recomputes run back to back. Pass: no
errors, p95 under 500 ms in both phases, and p95 during the recompute at most twice the
quiet one.

It reuses the pages part's data set (`seed_demo --scale 36` in its own database, about
100,000 employees), its production-like gunicorn (2 sync workers, PostgreSQL, Redis cache)
and its pages (home, directory unfiltered and filtered, a scorecard, rankings, an open-data
CSV), requested in turn by every connection. wrk does the loading (a Lua script rotates the
paths and reports p50/p95/p99); without wrk the part says so and stops. Every recompute
publishes a new run, so each one empties the page cache in effect: the second phase
measures full renders as well as cached pages, with PostgreSQL busy writing half a million
scores.

Environment: `BENCH_LOAD_SECONDS` (default 120; `BENCH_QUICK=1`: 15).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from . import db, pages
from .measure import Result, run_in_child

PART = "load"
QUICK = os.environ.get("BENCH_QUICK", "") not in {"", "0"}
SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS") or (15 if QUICK else 120))
CONNECTIONS = 50
P95_LIMIT_MS = 500.0
RECOMPUTE_RATIO_LIMIT = 2.0

_SCRIPT = """
local paths = {%s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d,'
    .. ' "status_errors": %%d, "socket_errors": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def _wrk(base: str, paths: list[str], seconds: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        script = Path(tmp) / "rotate.lua"
        script.write_text(_SCRIPT % ", ".join(json.dumps(p) for p in paths))
        proc = subprocess.run(  # noqa: S603 (wrk with our own arguments)
            [  # noqa: S607 (the PATH's wrk, like the pages part)
                "wrk",
                "--threads",
                "2",
                "--connections",
                str(CONNECTIONS),
                "--duration",
                f"{seconds}s",
                "--timeout",
                "10s",
                "--script",
                str(script),
                base + paths[0],
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed: {proc.stderr or proc.stdout}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _recompute_loop(env: dict[str, str], stop: threading.Event, done: list[float]) -> None:
    """Recompute back to back (the management command, as beat's job runs it) until `stop`."""
    while not stop.is_set():
        started = time.monotonic()
        subprocess.run(  # noqa: S603 (this interpreter, our own command)
            [sys.executable, "manage.py", "recompute_scores"],
            cwd=pages.ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
        )
        done.append(time.monotonic() - started)


def _line(name: str, summary: dict, limit_ms: float, **columns: str) -> Result:
    p95 = summary["p95_us"] / 1000
    errors = summary["status_errors"] + summary["socket_errors"]
    rps = summary["requests"] / (summary["duration_us"] / 1e6)
    result = Result(
        part=PART,
        name=name,
        unit="ms",
        samples=[round(p95, 1)],
        target=f"p95 < {limit_ms:g} ms, 0 errors",
        limit=limit_ms,
        ok=errors == 0,
        note="" if errors == 0 else f"{errors} errors",
    )
    result.columns.update(
        {
            "req/s": f"{rps:,.0f}",
            "p50": f"{summary['p50_us'] / 1000:.1f} ms",
            "p99": f"{summary['p99_us'] / 1000:.1f} ms",
            "requests": f"{summary['requests']:,}",
            "errors": str(errors),
            **columns,
        }
    )
    return result


def run(ctx) -> list[Result]:
    if not shutil.which("wrk"):
        raise RuntimeError("the load part needs wrk (apt-get install wrk)")
    url = pages.database_url(ctx.database)
    db.ensure_database(url)
    child_env = pages._child_env(url)
    ctx.log("load: preparing the pages part's data set (built once, then reused)")
    ready = run_in_child("bench.pages:prepare", env=child_env, scale=pages.SCALE, rebuild=False)
    chosen = [p["path"] for p in ready["result"]["pages"]][:-1]  # without the static file
    server_env = pages._server_env(url, page_cache=True)
    log = ctx.out_dir / "gunicorn-load.log"
    ctx.log(f"load: wrk, {CONNECTIONS} connections, {SECONDS} s per phase, pages {chosen}")
    with pages.gunicorn(server_env, log) as base:
        for path in chosen:
            pages.fetch(base, path)  # fill the cache, as a running site has it
        quiet = _wrk(base, chosen, SECONDS)
        ctx.log(f"load: quiet {quiet}")
        stop, recomputes = threading.Event(), []
        recompute_env = {**server_env, "DJANGO_SETTINGS_MODULE": "portal.settings"}
        worker = threading.Thread(target=_recompute_loop, args=(recompute_env, stop, recomputes))
        worker.start()
        try:
            busy = _wrk(base, chosen, SECONDS)
        finally:
            stop.set()
            worker.join()
        ctx.log(f"load: during recompute {busy}; recomputes took {recomputes}")
    quiet_line = _line("50 clients, quiet: p95", quiet, P95_LIMIT_MS)
    busy_line = _line(
        "50 clients, during recompute: p95",
        busy,
        P95_LIMIT_MS,
        recomputes=f"{len(recomputes)} ({', '.join(f'{s:.0f} s' for s in recomputes)})",
    )
    ratio = busy["p95_us"] / quiet["p95_us"] if quiet["p95_us"] else float("inf")
    ratio_line = Result(
        part=PART,
        name="p95 during recompute / quiet",
        unit="x",
        samples=[ratio],
        target=f"at most {RECOMPUTE_RATIO_LIMIT:g}x",
        limit=RECOMPUTE_RATIO_LIMIT,
    )
    return [quiet_line, busy_line, ratio_line]
