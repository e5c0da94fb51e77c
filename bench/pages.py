"""The pages part: the public portal under load, as ratios to a 13-byte baseline view.

The portal is served by gunicorn (2 sync workers, production settings with `DEBUG` off,
PostgreSQL, Redis) over a province-scale data set in a database of its own: `seed_demo
--scale 36` (37 agencies, about 100,000 employees, two years of contracts, realisations and
survey answers) and one `recompute_scores`. Each page is loaded with wrk (or, without it, the
Python generator in `bench.loadgen`), 16 connections, three ways:

- **warm**: from the page cache (`agencies.pagecache.public_page`), as nearly every visitor
  gets it;
- **304**: a revalidation, `If-None-Match` with the page's current ETag, answered 304;
- **full**: every request renders the page from PostgreSQL: a second gunicorn whose cache
  never finds a cached page (`bench.cache.NoPageRedisCache`; the published run's id and the
  template fragments stay cached, as on a real miss);
- **cold**: the first request of each page after a new run is published (`recompute_scores`
  in a child process), every cache cold, one request at a time, on workers that have served
  the pages before (as a site's workers have when the nightly run publishes); then more
  samples with the whole cache emptied (pages, fragments, the run) before each round.
  Target: p99 < 500 ms.

The baseline, a view returning 13 fixed bytes (mounted by `bench.settings` only), is loaded
by the same gunicorn right before each page (for a third of the page's time), and the page's
figure is its requests/s divided by that baseline's: a change in the machine's load touches
both. The list of pages is run `BENCH_REPEAT` (3) times; the table shows the median and the
range of the ratios. SQL queries per request are
counted in a separate process with `CaptureQueriesContext`, through Django's test client,
against the same database and cache.

Environment: `BENCH_QUICK=1` (1 round of 2 s), `BENCH_PAGES_SECONDS`, `BENCH_PAGES_ROUNDS`,
`BENCH_PAGES_DATABASE_URL` (default: the bench database's name + `_pages`),
`BENCH_REDIS_URL` (default `redis://127.0.0.1:6379/13`), `BENCH_LOADGEN=python` (the Python
generator even when wrk is there).
"""

from __future__ import annotations

import http.client
import os
import re
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from ops import processes

from . import db, loadgen
from .measure import REPEAT, Result, run_in_child

PART = "pages"
BASELINE_PATH = "/bench/baseline/"  # served by bench/urls.py (bench.settings only)
BASELINE_BODY = b"Hello, world!"  # 13 bytes
ROOT = Path(__file__).resolve().parent.parent
QUICK = os.environ.get("BENCH_QUICK", "") not in {"", "0"}
SECONDS = float(os.environ.get("BENCH_PAGES_SECONDS") or (2 if QUICK else 10))
BASELINE_SECONDS = max(1.0, SECONDS // 3)  # the baseline loaded before each page
ROUNDS = int(os.environ.get("BENCH_PAGES_ROUNDS") or (1 if QUICK else REPEAT))
CONNECTIONS = 16
WORKERS = 2
SCALE = 36  # seed_demo --scale: 2,800 x 36 = about 100,000 employees
DATASET_VERSION = 1  # change when the build changes, so existing databases are rebuilt
REDIS_URL = os.environ.get("BENCH_REDIS_URL") or "redis://127.0.0.1:6379/13"
KEY_PREFIX = "kinerja-bench-pages"
MAX_QUERIES = 12
# The targets (issue 9), as ratios to the baseline.
WARM_TARGET = 0.40
WARM_TARGET_PAGES = {"home", "directory", "directory, filtered", "scorecard", "rankings"}
NOT_MODIFIED_TARGET = 0.70
FULL_TARGET = {"scorecard": 0.04}
FULL_P99_MS = {"scorecard": 250.0}
# The first render of each page after a new run is published, every cache cold (issue 17):
# COLD_RUNS new runs, each followed by one request per page, then COLD_FLUSHES rounds of an
# emptied cache (pages, fragments, the run) and one request per page.
COLD_P99_MS = 500.0
COLD_RUNS = 1 if QUICK else 3
COLD_FLUSHES = 2 if QUICK else 10
MODES = ("warm", "304", "full")
# Pages also loaded as a browser asks for them, accepting gzip (for information).
GZIP_PAGES = ("home", "scorecard")
GZIP = {"Accept-Encoding": "gzip"}


@dataclass(frozen=True)
class Page:
    name: str
    path: str


def database_url(bench_url: str) -> str:
    """The pages part's database: `BENCH_PAGES_DATABASE_URL`, else the bench database's
    name with `_pages` (`kinerja_bench_pages`): its data set is not the recompute's."""
    if os.environ.get("BENCH_PAGES_DATABASE_URL"):
        return os.environ["BENCH_PAGES_DATABASE_URL"]
    parts = urlsplit(bench_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_pages"))


def _child_env(url: str) -> dict[str, str]:
    """The environment of the part's Django child processes (see `bench.db`)."""
    return {
        "BENCH_DATABASE_URL": url,
        "BENCH_SETTINGS": "bench.settings",
        "BENCH_CHILD_REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": KEY_PREFIX,
        "PUBLIC_RATE_LIMIT": "100000000/m",
        "PAGE_RATE_LIMIT": "100000000/m",
    }


def _server_env(url: str, *, page_cache: bool) -> dict[str, str]:
    """Production settings, as README.md's "Running with PostgreSQL and Redis" sets them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "BENCH_", "REDIS"))}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=url,
        REDIS_URL=REDIS_URL,
        CACHE_KEY_PREFIX=KEY_PREFIX,
        SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",  # noqa: S106
        DEBUG="0",
        HTTPS_ONLY="0",
        STAFF_2FA="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CONN_MAX_AGE="600",
        LOG_LEVEL="WARNING",
        BENCH_PAGE_CACHE="1" if page_cache else "0",
        # The per-client limits of the public pages stay in force (their cost is measured)
        # but far above one client's load: every request here comes from the one address
        # of the load generator.
        PUBLIC_RATE_LIMIT="100000000/m",
        PAGE_RATE_LIMIT="100000000/m",
    )
    return env


# --- In the child processes (Django set up on the pages database) ---------------------------


def _spec(scale: int) -> dict:
    from portal.demo import seed as demo

    return {
        "name": "pages",
        "version": DATASET_VERSION,
        "scale": scale,
        "employees": demo.DEFAULT_EMPLOYEES * scale,
        "years": list(demo.YEARS),
        "today": demo.REFERENCE_DAY.isoformat(),
    }


def _is_current(spec: dict) -> bool:
    import json

    from django.db import connection

    from performance.models import ScoreRun

    from . import dataset

    with connection.cursor() as cursor:
        cursor.execute(dataset._META_TABLE)
        cursor.execute("SELECT spec, counts FROM bench_dataset WHERE name = %s", [spec["name"]])
        row = cursor.fetchone()
    if row is None:
        return False
    built_spec, built_counts = (json.loads(x) if isinstance(x, str) else x for x in row)
    return (
        built_spec == spec
        and built_counts == dataset.counts()
        and ScoreRun.objects.latest_published() is not None
    )


def _build(spec: dict) -> dict:
    """Empty the tables, seed the demo data at `spec["scale"]` and publish its scores."""
    import json

    from django.db import connection, transaction

    from performance.services import recompute_scores
    from portal.demo import seed as demo

    from . import dataset

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(dataset._META_TABLE)
        cursor.execute("DELETE FROM bench_dataset WHERE name = %s", [spec["name"]])
        tables = ", ".join(dataset.TABLES + dataset.history_tables())
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    seeded = demo.seed_demo(scale=spec["scale"])
    seed_seconds = time.perf_counter() - started
    step = time.perf_counter()
    run = recompute_scores(today=demo.REFERENCE_DAY)
    recompute_seconds = time.perf_counter() - step
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute(
            "INSERT INTO bench_dataset (name, spec, counts) VALUES (%s, %s, %s)",
            [spec["name"], json.dumps(spec), json.dumps(dataset.counts())],
        )
    return {
        "seed_seconds": round(seed_seconds, 1),
        "recompute_seconds": round(recompute_seconds, 1),
        "run": run.pk,
        "seeded": seeded,
    }


def _choose_pages() -> list[dict]:
    """The pages to load: the region with most agencies and its commonest predikat for the
    filtered directory, the agency with the most staff for the scorecard."""
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.db.models import Count, Q

    from agencies.models import Agency, Region
    from performance.models import Score, ScoreRun

    run = ScoreRun.objects.latest_published()
    year = run.years[0]
    region = (
        Region.objects.annotate(n=Count("agencies", filter=Q(agencies__is_public=True)))
        .order_by("-n", "code")
        .first()
    )
    predikat = (
        Score.objects.public_for_run(run.pk)
        .filter(year=year, period="Y", agency__region=region)
        .values("predikat")
        .annotate(n=Count("id"))
        .order_by("-n", "predikat")
        .first()
    )
    agency = Agency.objects.public().annotate(staff=Count("employees")).order_by("-staff").first()
    query = urlencode({"region": region.code, "predikat": predikat["predikat"]})
    return [
        {"name": "home", "path": "/"},
        {"name": "directory", "path": "/agencies/"},
        {"name": "directory, filtered", "path": f"/agencies/?{query}"},
        {"name": "scorecard", "path": f"/agencies/{agency.slug}/"},
        {"name": "rankings", "path": "/rankings/"},
        {"name": "open data: agency-indicators.csv", "path": "/open-data/agency-indicators.csv"},
        {"name": "static: portal.css", "path": staticfiles_storage.url("css/portal.css")},
    ]


def publish_run() -> int:
    """In a child process: publish a new run of the data set (as the nightly job does) and
    return its id."""
    from performance.services import recompute_scores
    from portal.demo.tables import REFERENCE_DAY

    return recompute_scores(today=REFERENCE_DAY).pk


def _restore() -> int:
    """Put the published run back to the build's: delete every later run with its scores and
    achievements (the load part's recomputes publish runs in this database), then bring the
    planner's statistics up to date. Returns the number of runs deleted."""
    from django.db import connection, transaction

    from performance.models import ScoreRun

    keep = ScoreRun.objects.published().order_by("pk").values_list("pk", flat=True).first()
    later = list(ScoreRun.objects.exclude(pk=keep).values_list("pk", flat=True))
    if later:
        with transaction.atomic(), connection.cursor() as cursor:
            # Half a million rows a run: in SQL, not through the ORM's cascade.
            for table in (
                "performance_achievement",
                "performance_annualachievement",
                "performance_score",
            ):
                cursor.execute(f"DELETE FROM {table} WHERE run_id = ANY(%s)", [later])
            ScoreRun.objects.filter(pk__in=later).delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE performance_score, performance_achievement")
    return len(later)


def prepare(*, scale: int, rebuild: bool) -> dict:
    """In a child process: migrate, collect the static files, build the data set unless it
    is there (else put its published run back), and choose the pages."""
    from django.core.management import call_command

    from . import dataset

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    spec = _spec(scale)
    build = _build(spec) if rebuild or not _is_current(spec) else None
    restored = 0 if build else _restore()
    return {
        "build": build,
        "restored": restored,
        "counts": dataset.counts(),
        "pages": _choose_pages(),
    }


def _explain(sql: str) -> str:
    """`EXPLAIN (ANALYZE, BUFFERS)` of one captured SELECT (a server-side cursor's
    `DECLARE ... FOR SELECT` is explained as its SELECT)."""
    from django.db import connection

    select = re.sub(r"^DECLARE .*? FOR (SELECT .*)$", r"\1", sql, flags=re.S)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {select}")
        return "\n".join(row[0] for row in cursor.fetchall())


def _explain_all(queries: list[dict]) -> list[dict]:
    """Each captured statement with the plan of its SELECT, in one transaction in which the
    captured settings (`SET LOCAL ...`) are replayed where they were made and undone at the
    captured COMMIT, so each query is planned as it was run."""
    from django.db import connection, transaction

    out = []
    with transaction.atomic():
        for query in queries:
            sql = query["sql"]
            verb = sql.split(None, 1)[0].upper() if sql.strip() else ""
            if verb == "SET":
                with connection.cursor() as cursor:
                    cursor.execute(sql)
                plan = "(a setting for the rest of its transaction: replayed)"
            elif verb in {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}:
                if verb in {"COMMIT", "ROLLBACK"}:
                    with connection.cursor() as cursor:
                        cursor.execute("RESET ALL")
                plan = "(transaction control)"
            else:
                plan = _explain(sql)
            out.append({"sql": sql, "plan": plan})
    return out


def count_queries(*, paths: list[str], explain: list[str]) -> dict:
    """In a child process: the SQL queries of one request to each page, per mode, through
    Django's test client against the bench database and Redis (the cache entries it makes
    are the ones gunicorn serves). `full` is counted on the second request of a full
    render (the published run is cached then, as in the load); `cold` on a request with
    nothing cached at all (the first request after a new run). For the paths in `explain`,
    each query of the full render with its `EXPLAIN (ANALYZE, BUFFERS)`."""
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.http import HttpResponse
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from performance.caching import PUBLISHED_RUN_KEY

    client = Client(HTTP_HOST="127.0.0.1")
    no_page_cache = {
        "default": {**settings.CACHES["default"], "BACKEND": "bench.cache.NoPageRedisCache"}
    }

    captured: list[dict] = []

    def get(path: str, **headers: str) -> tuple[HttpResponse, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, **headers)
        captured[:] = queries.captured_queries
        return response, len(queries)

    counts = {}
    plans = {}
    for path in paths:
        with override_settings(CACHES=no_page_cache):
            run_id = cache.get(PUBLISHED_RUN_KEY)
            if run_id:
                cache.delete_many([PUBLISHED_RUN_KEY, f"score-run-object-{run_id}"])
            _, cold = get(path)
            _, full = get(path)
        if path in explain:
            plans[path] = _explain_all(captured)
        warm_response, warm = get(path)
        etag = warm_response.get("ETag")
        not_modified_response, not_modified = (
            get(path, HTTP_IF_NONE_MATCH=etag) if etag else (warm_response, None)
        )
        counts[path] = {
            "warm": warm,
            "304": not_modified,
            "full": full,
            "cold": cold,
            "statuses": [warm_response.status_code, not_modified_response.status_code],
        }
    return {"counts": counts, "plans": plans}


# --- In the runner: gunicorn and the load ----------------------------------------------------


def gunicorn(env: dict[str, str], log: Path):
    """Serve the portal with gunicorn (WORKERS sync workers) on a free loopback port; the
    block gets its base URL once the baseline view answers."""
    return processes.gunicorn(env, log, workers=WORKERS, ready_path=BASELINE_PATH)


def fetch(
    base: str, path: str, headers: dict[str, str] | None = None, *, timeout: float = 30
) -> tuple[int, dict, bytes]:
    """One GET: (status, headers, body)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def forget_cache() -> int:
    """Delete the part's keys from its Redis database (nothing else in it is touched)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{KEY_PREFIX}:*", count=1000))
    if keys:
        client.delete(*keys)
    return len(keys)


@dataclass
class Probe:
    """What one request to a page gave: its status, size and headers."""

    status: int
    body: int
    etag: str
    not_modified: int  # status of the revalidation with that ETag
    cache_control: str
    gzip_body: int  # size of the body sent to a client that accepts gzip
    gzip_encoding: str  # its Content-Encoding


def probe(base: str, page: Page) -> Probe:
    """GET the page a few times (fills the cache, warms both workers' templates) and once
    with its ETag, checking what the load will be asked."""
    for _ in range(2 * WORKERS):
        status, headers, body = fetch(base, page.path)
    etag = headers.get("ETag", "")
    revalidated = fetch(base, page.path, {"If-None-Match": etag})[0] if etag else 0
    _, zipped_headers, zipped = fetch(base, page.path, GZIP)
    return Probe(
        status,
        len(body),
        etag,
        revalidated,
        headers.get("Cache-Control", ""),
        len(zipped),
        zipped_headers.get("Content-Encoding", ""),
    )


def warm_workers(base: str, pages: list[Page]) -> None:
    """GET every page from WORKERS clients at once, a few times: each sync worker takes a
    request while the others are busy, so every worker has served every page (templates
    compiled, connections open) as the long-running workers of a site have at night."""
    paths = [p.path for p in pages] * 2
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(lambda path: fetch(base, path), paths * WORKERS))


def _load(base: str, path: str, seconds: float, headers: dict[str, str] | None = None):
    return loadgen.load(
        base + path,
        headers=headers,
        connections=CONNECTIONS,
        seconds=seconds,
        use=os.environ.get("BENCH_LOADGEN") or None,
    )


def _loads(ctx, base: str, label: str, jobs: list[tuple[str, str, dict]]) -> tuple[dict, dict]:
    """Load each (key, path, headers) job right after a shorter load of the baseline, the
    whole list `ROUNDS` times. Returns ({key: [Load per round]}, {key: [its baseline's Load
    per round]}): each figure is a ratio to the baseline measured just before it, so a
    change in the machine's load (other work on a shared machine) touches both."""
    loads: dict[str, list[loadgen.Load]] = {}
    baselines: dict[str, list[loadgen.Load]] = {}
    for r in range(ROUNDS):
        for key, path, headers in jobs:
            baseline = _load(base, BASELINE_PATH, BASELINE_SECONDS)
            _drain(base)
            result = _load(base, path, SECONDS, headers)
            _drain(base)
            baselines.setdefault(key, []).append(baseline)
            loads.setdefault(key, []).append(result)
            ctx.log(
                f"pages: [{label} {r + 1}/{ROUNDS}] {key}: {result.rps:,.0f}/s "
                f"({_ratio(result, baseline):.3f}x of {baseline.rps:,.0f}/s), "
                f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms"
                + (f", {result.errors} errors" if result.errors else "")
            )
    return loads, baselines


def _drain(base: str) -> None:
    """Wait until gunicorn has answered what the last load left queued: when wrk stops, the
    requests its connections had sent are still in the workers' queue (16 full renders of
    the CSV take 10-20 s), and the next load must not pay for them."""
    fetch(base, BASELINE_PATH, timeout=300)


def _ratio(page: loadgen.Load, baseline: loadgen.Load) -> float:
    return page.rps / baseline.rps if baseline.rps else 0.0


def _ms(value: float) -> str:
    return f"{value:.1f} ms"


def _line(name: str, loads: list[loadgen.Load], baseline: list[loadgen.Load], **more) -> Result:
    ratios = [_ratio(p, b) for p, b in zip(loads, baseline, strict=True)]
    rps = [p.rps for p in loads]
    return Result(
        PART,
        name,
        "x",
        ratios,
        columns={
            "req/s": f"{statistics.median(rps):,.0f} ({min(rps):,.0f}-{max(rps):,.0f})",
            "p50": _ms(statistics.median(p.p50_ms for p in loads)),
            "p99": _ms(statistics.median(p.p99_ms for p in loads)),
        },
        extra={"loads": [vars(p) for p in loads], "req_per_s": rps},
        **more,
    )


def _baseline_line(name: str, loads: list[loadgen.Load]) -> Result:
    rps = [p.rps for p in loads]
    return Result(
        PART,
        name,
        "req/s",
        rps,
        note=f"{loads[0].tool}, {CONNECTIONS} connections, {BASELINE_SECONDS:g} s x {len(loads)}",
        columns={
            "req/s": f"{statistics.median(rps):,.0f} ({min(rps):,.0f}-{max(rps):,.0f})",
            "p50": _ms(statistics.median(p.p50_ms for p in loads)),
            "p99": _ms(statistics.median(p.p99_ms for p in loads)),
            "SQL": "0",
            "bytes": f"{len(BASELINE_BODY)}",
        },
        extra={"loads": [vars(p) for p in loads]},
        ok=all(p.errors == 0 for p in loads),
    )


def _page_results(
    mode: str,
    page: Page,
    probe_: Probe,
    loads: list[loadgen.Load],
    baseline: list[loadgen.Load],
    queries: dict | None,
) -> Result:
    problems = []
    if any(p.errors for p in loads):
        problems.append(f"{sum(p.errors for p in loads)} errors")
    if any(b.rps == 0 for b in baseline):
        problems.append("a baseline load got no answer")
    kwargs: dict = {}
    if mode == "warm" and page.name in WARM_TARGET_PAGES:
        kwargs.update(at_least=WARM_TARGET, target=f">= {WARM_TARGET:.2f}")
    elif mode == "304":
        kwargs.update(at_least=NOT_MODIFIED_TARGET, target=f">= {NOT_MODIFIED_TARGET:.2f}")
        if probe_.not_modified != 304:
            problems.append(f"revalidation answered {probe_.not_modified}")
        # wrk counts a 200 as a success too: a 304 carries headers only.
        if any(p.bytes_per_response > 1024 for p in loads):
            problems.append("responses have a body: not 304")
    elif mode == "full" and page.name in FULL_TARGET:
        kwargs.update(
            at_least=FULL_TARGET[page.name],
            target=f">= {FULL_TARGET[page.name]:.2f}, p99 < {FULL_P99_MS[page.name]:.0f} ms",
        )
        if statistics.median(p.p99_ms for p in loads) >= FULL_P99_MS[page.name]:
            problems.append("p99 too slow")
    if probe_.status != 200:
        problems.append(f"answered {probe_.status}")
    if mode != "304" and any(p.bytes_per_response < probe_.body for p in loads):
        problems.append("short responses")
    sql = ""
    if queries is not None:
        n = queries[mode]
        sql = str(n) + (f" (cold {queries['cold']})" if mode == "full" else "")
        worst = max(n, queries["cold"]) if mode == "full" else n
        if worst is None or worst > MAX_QUERIES:
            problems.append(f"more than {MAX_QUERIES} queries")
        if not kwargs.get("target"):
            kwargs["target"] = f"<= {MAX_QUERIES} queries"
    result = _line(f"{page.name}: {mode}", loads, baseline, ok=not problems, **kwargs)
    result.note = "; ".join(problems)
    result.columns["SQL"] = sql
    result.columns["bytes"] = "headers only" if mode == "304" else f"{probe_.body:,}"
    return result


def _timed_get(base: str, path: str) -> float:
    started = time.perf_counter()
    status, _, _ = fetch(base, path, timeout=120)
    if status != 200:
        raise RuntimeError(f"{path} answered {status}")
    return (time.perf_counter() - started) * 1000


def _cold_renders(ctx, base: str, pages: list[Page], env: dict) -> dict[str, dict]:
    """{page name: {"after_run": [ms], "flushed": [ms]}}: the first request of each page
    after a new run is published, and after the whole cache is emptied."""
    times = {p.name: {"after_run": [], "flushed": []} for p in pages}
    for i in range(COLD_RUNS):
        run_id = run_in_child("bench.pages:publish_run", env=env)["result"]
        for p in pages:
            times[p.name]["after_run"].append(_timed_get(base, p.path))
        ctx.log(f"pages: [cold {i + 1}/{COLD_RUNS}] run {run_id}: " + ", ".join(
            f"{p.name} {times[p.name]['after_run'][-1]:.0f} ms" for p in pages
        ))  # fmt: skip
    for _ in range(COLD_FLUSHES):
        forget_cache()
        for p in pages:
            times[p.name]["flushed"].append(_timed_get(base, p.path))
    return times


def _cold_line(page: Page, times: dict, queries: dict) -> Result:
    samples = times["after_run"] + times["flushed"]
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    ok = p99 < COLD_P99_MS
    result = Result(
        PART,
        f"{page.name}: cold, first render after a new run",
        "ms",
        samples,
        target=f"p99 < {COLD_P99_MS:.0f} ms",
        limit=COLD_P99_MS,  # the median too; `ok` holds the p99
        ok=ok,
        note="" if ok else "p99 too slow",
        columns={
            "p50": _ms(statistics.median(samples)),
            "p99": _ms(p99),
            "SQL": str(queries["cold"]),
        },
        extra={"after_run_ms": times["after_run"], "flushed_ms": times["flushed"]},
    )
    result.note = (result.note + "; " if result.note else "") + (
        f"{len(times['after_run'])} after a new run (max {max(times['after_run']):.0f} ms), "
        f"{len(times['flushed'])} after emptying the cache"
    )
    return result


def run(ctx) -> list[Result]:
    url = database_url(ctx.database)
    if db.ensure_database(url):
        ctx.log(f"pages: created the database {url}")
    env = _child_env(url)
    ctx.log(f"pages: preparing {url} (a first build seeds about 100,000 employees: minutes)")
    prepared = run_in_child("bench.pages:prepare", env=env, scale=SCALE, rebuild=ctx.rebuild)
    ready = prepared["result"]
    if ready["build"]:
        ctx.log(f"pages: built {ready['build']}")
    if ready["restored"]:
        ctx.log(f"pages: deleted {ready['restored']} runs published after the data set's")
    pages = [Page(**p) for p in ready["pages"]]
    static, pages = pages[-1], pages[:-1]
    forget_cache()
    scorecard = next(p.path for p in pages if p.name == "scorecard")
    counted = run_in_child(
        "bench.pages:count_queries", env=env, paths=[p.path for p in pages], explain=[scorecard]
    )["result"]
    queries = counted["counts"]
    explained = ctx.out_dir / "explain-pages.txt"
    explained.write_text(
        "".join(
            f"-- {path}, query {i}\n{q['sql']}\n\n{q['plan']}\n\n"
            for path, plans in counted["plans"].items()
            for i, q in enumerate(plans, start=1)
        )
    )
    ctx.log(f"pages: EXPLAIN ANALYZE of the scorecard's queries in {explained}")
    ctx.log(f"pages: SQL queries per request {queries}")
    log = ctx.out_dir / "gunicorn.log"
    tool = os.environ.get("BENCH_LOADGEN") or loadgen.tool()
    ctx.log(
        f"pages: load with {tool}, {CONNECTIONS} connections, {SECONDS:g} s, {ROUNDS} rounds; "
        f"gunicorn {WORKERS} sync workers; log {log}"
    )

    with gunicorn(_server_env(url, page_cache=True), log) as base:
        probes = {p.name: probe(base, p) for p in [*pages, static]}
        jobs = [(f"{p.name}: warm", p.path, {}) for p in pages]
        jobs += [(f"{p.name}: 304", p.path, {"If-None-Match": probes[p.name].etag}) for p in pages]
        jobs += [(f"{p.name}: warm, gzip", p.path, GZIP) for p in pages if p.name in GZIP_PAGES]
        jobs.append((static.name, static.path, {}))
        cached, cached_baselines = _loads(ctx, base, "cached", jobs)
    with gunicorn(_server_env(url, page_cache=False), log) as base:
        warm_workers(base, pages)
        jobs = [(f"{p.name}: full", p.path, {}) for p in pages]
        uncached, uncached_baselines = _loads(ctx, base, "full render", jobs)

    with gunicorn(_server_env(url, page_cache=True), log) as base:
        warm_workers(base, pages)  # the run is new, not the workers
        cold = _cold_renders(ctx, base, pages, env)

    every = [b for key in cached_baselines for b in cached_baselines[key]]
    results = [_baseline_line("baseline: 13-byte view (before each page)", every)]
    for mode, (loads, baselines) in (
        ("warm", (cached, cached_baselines)),
        ("304", (cached, cached_baselines)),
        ("full", (uncached, uncached_baselines)),
    ):
        if mode == "full":
            every = [b for key in uncached_baselines for b in uncached_baselines[key]]
            results.append(_baseline_line("baseline: 13-byte view, page cache off", every))
        for p in pages:
            key = f"{p.name}: {mode}"
            results.append(
                _page_results(mode, p, probes[p.name], loads[key], baselines[key], queries[p.path])
            )
        if mode == "warm":
            for p in (p for p in pages if p.name in GZIP_PAGES):
                key = f"{p.name}: warm, gzip"
                line = _line(key, loads[key], baselines[key])
                encoding = probes[p.name].gzip_encoding
                line.ok = encoding == "gzip" and not any(x.errors for x in loads[key])
                line.note = "" if line.ok else f"Content-Encoding {encoding or 'none'}"
                line.columns.update(SQL="0", bytes=f"{probes[p.name].gzip_body:,}")
                results.append(line)
    results += [_cold_line(p, cold[p.name], queries[p.path]) for p in pages]
    static_line = _line(
        static.name + " (whitenoise)", cached[static.name], cached_baselines[static.name]
    )
    static_line.note = f"Cache-Control: {probes[static.name].cache_control}"
    static_line.columns.update(SQL="0", bytes=f"{probes[static.name].body:,}")
    results.append(static_line)
    for r in results:
        r.extra.setdefault("tool", tool)
    results[0].extra.update(pages=[vars(p) for p in pages], data_set=ready["counts"])
    return results
