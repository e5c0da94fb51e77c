"""The survey part: 2,000 SKM submissions from 50 simulated clients against gunicorn.

gunicorn (2 sync workers) serves the portal on a free loopback port with production settings
(`DEBUG` off, PostgreSQL: the bench database; Redis as the cache, so the rate-limit counters
are shared by the workers as in production). 50 client threads, each a distinct client to
the server: each binds its connections to its own loopback source address (127.0.0.11 ...
127.0.0.60; Linux routes all of 127.0.0.0/8 to lo), so the server sees a different
`REMOTE_ADDR` per client exactly as it would in production. No header is trusted for it:
nothing in the bench weakens the check it measures.

Each client, as a browser would: GETs the form once per submission (the CSRF cookie and token
and the signed time stamp), then, once `SURVEY_MIN_SECONDS` has passed (5 s here instead of
20, to keep the run short; the check is the same), POSTs:

- service A: 19 different answers and the first of them again (a double submit: counted
  once, still thanked), that is 20 submissions, the rate limit (`SURVEY_RATE_LIMIT`, 20 per
  client and service per hour);
- service B: 20 different answers; service C: 1;
- service A again: 2 more, over the limit: each must get 429.

That is 40 valid surveys a client, 2,000 in all. Checked afterwards in the database: every
valid one stored exactly once (a marker per submission in its suggestion), 100 refusals
counted as rate_limited (= the 429s), 50 as duplicates, no other refusal, no 5xx.

Run once (a load test, not a timing repeated `BENCH_REPEAT` times). Environment:
`BENCH_SURVEY_REDIS_URL` (default `redis://127.0.0.1:6379/11`; only keys under
this part's own prefix are touched).
"""

from __future__ import annotations

import collections
import http.client
import os
import re
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from ops import processes

from .measure import Result

PART = "survey"
ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 50
WORKERS = 2
MIN_SECONDS = 5
RATE_LIMIT = 20
PLAN = (("A", 19), ("B", 20), ("C", 1))  # (service, distinct valid answers) per client
OVER_LIMIT = 2  # further submissions to A, over the limit
VALID = CLIENTS * sum(n for _, n in PLAN)
REDIS_URL = os.environ.get("BENCH_SURVEY_REDIS_URL") or "redis://127.0.0.1:6379/11"
KEY_PREFIX = "kinerja-bench-survey"
AGENCY_CODE = "BENCH-SKM"
SECONDS_LIMIT = 180.0
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STARTED = re.compile(r'name="started" value="([^"]+)"')


def _answers(n: int) -> dict[str, int]:
    """Nine answers 1-4, different for every n < 4**9."""
    return {f"u{i + 1}": 1 + (n // 4**i) % 4 for i in range(9)}


# --- Setup, in the runner's Django -------------------------------------------------------


def _setup_services() -> dict[str, tuple[str, str]]:
    """The bench agency and its services A, B, C, emptied of earlier runs' answers and
    refusals. Returns {letter: (agency slug, service code)}."""
    from agencies.models import Agency, Region, Service, SurveyRefusal, SurveyResponse

    region, _ = Region.objects.get_or_create(
        code="52", defaults={"name": "Provinsi Nusa Tenggara Barat", "kind": "province"}
    )
    agency, _ = Agency.objects.get_or_create(
        code=AGENCY_CODE,
        defaults={"slug": "bench-skm", "name": "Bench SKM", "acronym": "BSKM", "region": region},
    )
    services = {}
    for letter, _n in PLAN:
        service, _ = Service.objects.get_or_create(
            agency=agency, code=f"SKM-{letter}", defaults={"name": f"Layanan Bench {letter}"}
        )
        services[letter] = (agency.slug, service.code)
    SurveyResponse.objects.filter(service__agency=agency).delete()
    SurveyRefusal.objects.filter(service__agency=agency).delete()
    return services


def _clear_redis() -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{KEY_PREFIX}:*"))
    if keys:
        client.delete(*keys)


def _database_figures() -> dict:
    from django.db.models import Count, Sum

    from agencies.models import SurveyRefusal, SurveyResponse

    responses = SurveyResponse.objects.filter(service__agency__code=AGENCY_CODE)
    markers = collections.Counter(responses.values_list("suggestion", flat=True))
    refusals = dict(
        SurveyRefusal.objects.filter(service__agency__code=AGENCY_CODE)
        .values("reason")
        .annotate(n=Sum("count"))
        .values_list("reason", "n")
    )
    channels = dict(responses.values("channel").annotate(n=Count("id")).values_list("channel", "n"))
    return {"markers": markers, "refusals": refusals, "channels": channels}


# --- gunicorn ------------------------------------------------------------------------------


def _start_gunicorn(ctx, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": ctx.database,
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": KEY_PREFIX,
        "SURVEY_MIN_SECONDS": str(MIN_SECONDS),
        "SURVEY_RATE_LIMIT": str(RATE_LIMIT),
        "CLIENT_IP_HEADER": "",
        "LOG_LEVEL": "WARNING",
    }
    log = ctx.out_dir / "survey-gunicorn.log"
    log.write_bytes(b"")
    proc = processes.start_gunicorn(env, log, port=port, workers=WORKERS)
    try:
        # Any answer will do: /healthz says 503 before a run is published.
        processes.wait_for("gunicorn", lambda: processes.http_status(port, "/healthz"), 60, 0.3)
    except TimeoutError:
        processes.stop_group(proc)
        raise RuntimeError(f"gunicorn did not answer within 60 s: see {log.name}") from None
    return proc


# --- The clients ---------------------------------------------------------------------------


@dataclass
class Client:
    """One simulated citizen's browser: its own source address and cookie jar."""

    number: int
    port: int
    services: dict[str, tuple[str, str]]
    cookies: dict[str, str] = field(default_factory=dict)
    statuses: collections.Counter = field(default_factory=collections.Counter)
    post_seconds: list[float] = field(default_factory=list)
    expected_429: int = 0
    got_429: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def address(self) -> str:
        return f"127.0.0.{11 + self.number}"

    def __post_init__(self) -> None:
        self.conn = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=60, source_address=(self.address, 0)
        )

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";")[0]
        if response.will_close:  # gunicorn's sync workers close every connection
            self.conn.close()
        self.statuses[response.status] += 1
        return response.status, text

    def plan(self) -> list[tuple[str, str, int | None]]:
        """(service letter, kind, answers number) of each submission, in order; kind is
        valid, duplicate or over."""
        steps = []
        for letter, count in PLAN:
            for i in range(count):
                steps.append((letter, "valid", i))
                if letter == "A" and i == 0:
                    steps.append((letter, "duplicate", 0))
        steps += [("A", "over", 10_000 + i) for i in range(OVER_LIMIT)]
        return steps

    def fetch_forms(self) -> list[tuple[str, str, str]]:
        """GET a form for each planned submission: (path, kind, body to POST)."""
        bodies: dict[tuple[str, int], str] = {}
        prepared = []
        for letter, kind, n in self.plan():
            slug, code = self.services[letter]
            path = f"/agencies/{slug}/services/{code}/survey/"
            if kind == "duplicate":
                prepared.append((path, kind, bodies[(letter, n)]))
                continue
            status, html = self.request("GET", path)
            if status != 200:
                self.failures.append(f"GET {path}: {status}")
                continue
            body = urlencode(
                {
                    "csrfmiddlewaretoken": CSRF.search(html).group(1),
                    "started": STARTED.search(html).group(1),
                    **_answers(n),
                    "suggestion": f"bench c{self.number} {letter}{n}",
                    "website": "",
                }
            )
            bodies[(letter, n)] = body
            prepared.append((path, kind, body))
        return prepared

    def submit(self, prepared: list[tuple[str, str, str]]) -> None:
        for path, kind, body in prepared:
            start = time.perf_counter()
            status, _ = self.request("POST", path, body)
            self.post_seconds.append(time.perf_counter() - start)
            expected = 429 if kind == "over" else 302
            self.expected_429 += kind == "over"
            self.got_429 += status == 429
            if status != expected:
                self.failures.append(f"POST {path} ({kind}): {status}, expected {expected}")


def _run_clients(clients: list[Client], ctx) -> dict:
    forms: dict[int, list] = {}

    def fetch(c: Client) -> None:
        forms[c.number] = c.fetch_forms()

    start = time.perf_counter()
    _in_threads(clients, fetch)
    get_seconds = time.perf_counter() - start
    ctx.log(f"bench survey: {sum(len(f) for f in forms.values())} forms in {get_seconds:.1f} s")
    time.sleep(max(0.0, MIN_SECONDS + 0.5 - get_seconds))  # the youngest form is old enough
    start = time.perf_counter()
    _in_threads(clients, lambda c: c.submit(forms[c.number]))
    post_seconds = time.perf_counter() - start
    return {"get_seconds": get_seconds, "post_seconds": post_seconds}


def _in_threads(clients: list[Client], work) -> None:
    errors: list[BaseException] = []

    def run(c: Client) -> None:
        try:
            work(c)
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def _wait_for_a_whole_window(ctx) -> None:
    """The limit counts per clock hour: start no later than 3 minutes before the next one,
    so the run cannot straddle two windows."""
    left = 3600 - time.time() % 3600
    if left < 180:
        ctx.log(f"bench survey: waiting {left:.0f} s for the next rate-limit window")
        time.sleep(left + 1)


# --- The part --------------------------------------------------------------------------------


def run(ctx) -> list[Result]:
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off needs them
    services = _setup_services()
    _clear_redis()
    port = processes.free_port()
    _wait_for_a_whole_window(ctx)
    proc = _start_gunicorn(ctx, port)
    try:
        clients = [Client(number=i, port=port, services=services) for i in range(CLIENTS)]
        times = _run_clients(clients, ctx)
    finally:
        processes.stop_group(proc)

    figures = _database_figures()
    statuses = sum((c.statuses for c in clients), collections.Counter())
    expected_markers = {
        f"bench c{c} {letter}{n}" for c in range(CLIENTS) for letter, k in PLAN for n in range(k)
    }
    markers = figures["markers"]
    stored_once = set(markers) == expected_markers and all(v == 1 for v in markers.values())
    refusals = figures["refusals"]
    got_429 = sum(c.got_429 for c in clients)
    expected_429 = sum(c.expected_429 for c in clients)
    failures = [f for c in clients for f in c.failures]
    server_errors = sum(n for status, n in statuses.items() if status >= 500)
    posts = [s for c in clients for s in c.post_seconds]
    gets = statuses.total() - len(posts)
    for failure in failures[:10]:
        ctx.log(f"bench survey: {failure}")
    ctx.log(f"bench survey: statuses {dict(statuses)}; refusals {refusals}")

    p50 = statistics.median(posts) if posts else 0.0
    p99 = statistics.quantiles(posts, n=100)[98] if len(posts) > 1 else p50
    return [
        Result(
            PART,
            f"{gets:,} form pages (GET) from {CLIENTS} clients",
            "s",
            [times["get_seconds"]],
            note=f"{gets / times['get_seconds']:.0f} pages/s",
        ),
        Result(
            PART,
            f"{len(posts):,} submissions (POST), {VALID:,} valid",
            "s",
            [times["post_seconds"]],
            target=f"<= {SECONDS_LIMIT:.0f} s",
            limit=SECONDS_LIMIT,
            note=(
                f"{len(posts) / times['post_seconds']:.0f} posts/s; "
                f"p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms"
            ),
        ),
        Result(
            PART,
            "valid surveys stored exactly once",
            "rows",
            [float(sum(markers.values()))],
            target=f"= {VALID:,}, each once, channel web",
            limit=VALID,
            ok=stored_once and figures["channels"] == {"web": VALID} and not failures,
        ),
        Result(
            PART,
            "over the rate limit: 429 and counted",
            "requests",
            [float(got_429)],
            target=f"= {expected_429} = rate_limited refusals",
            limit=expected_429,
            ok=got_429 == expected_429 == refusals.get("rate_limited", 0),
        ),
        Result(
            PART,
            "double submits counted once",
            "requests",
            [float(refusals.get("duplicate", 0))],
            target=f"= {CLIENTS} duplicates, no other refusal",
            limit=CLIENTS,
            ok=refusals == {"rate_limited": expected_429, "duplicate": CLIENTS},
        ),
        Result(
            PART,
            "server errors (5xx)",
            "responses",
            [float(server_errors)],
            target="= 0",
            limit=0,
            ok=server_errors == 0,
        ),
    ]
