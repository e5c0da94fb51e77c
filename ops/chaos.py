"""The fault battery (`make chaos`): the nightly job through real processes, broken on purpose.

`python -m ops.chaos [--trials N] [--scenario NAME]` starts, on loopback and in a temporary
directory, a PostgreSQL cluster of its own (initdb, fsync on), a redis-server of its own with
`appendonly yes` (as in docker-compose), real Celery workers (`celery -A portal worker
--pool=prefork --concurrency=1`) and gunicorn, and never touches the shared PostgreSQL or
Redis. The data (migrate + seed_demo, and an older run already published) is built once
into a template database; every trial starts from a fresh copy of it and an empty Redis.

Each scenario (see SCENARIOS) injects one fault into a night's job. A trial passes when

(a) the night's published scores (every score and achievement row, and the rules'
    decisions) equal those of a clean run of the same data;
(b) no reader ever saw a partial or mixed publication: one thread polls the public open-data
    file of agency scores over HTTP (a fresh render each time) and must see either the old
    run's file or the clean run's file, never anything else; another polls SQL the way the
    pages read (the newest published run) and must always find exactly the rows its
    counts say it has;
(c) exactly one run was published for the night, the ledger says the night is done, and
    the workers' logs show the job done once (every other delivery a no-op).

Recovery is whatever the system does by itself (a redelivery, the queued message surviving)
within a grace period; after it the script sends `watchdog_task`, as beat's half-hourly
tick does in production. The table says which of them finished the night (from the ledger:
its last trigger and attempts). Results go to bench-results/chaos-<time>.json.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import math
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psycopg
import redis
from celery import Celery

from ops.backup import libpq_url
from ops.processes import free_port, start_gunicorn, stop_group, wait_for

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path(os.environ.get("CHAOS_PG_BIN", "/usr/lib/postgresql/15/bin"))
VENV_BIN = Path(sys.executable).parent
WITA = datetime.timezone(datetime.timedelta(hours=8))
TEMPLATE = "chaos_seeded"
TRIAL = "chaos_trial"
# The broker redelivers a task still unacknowledged after this many seconds. It must stay
# above the worst-case recompute: for the trials, 3x the clean run's, at least 15 s (the
# clean run itself gets a minute).
MIN_VISIBILITY_TIMEOUT = 15
OLD_RUN_AS_OF = "2025-08-20"  # the template's earlier published run, with other figures
# seed_demo's scale: the smallest whose recompute lasts long enough to be killed mid-run.
DEFAULT_SCALE = 4
NIGHTLY = "portal.tasks.nightly_task"
WATCHDOG = "portal.tasks.watchdog_task"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- The processes ---------------------------------------------------------------------------


class Postgres:
    """A throwaway cluster in `base`/pg, run as the postgres OS user, trust auth, fsync on."""

    def __init__(self, base: Path):
        self.dir = base / "pg"
        self.log = base / "postgres.log"
        self.port = free_port()

    def _as_postgres(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        # Fixed binaries of the PostgreSQL 15 install. PostgreSQL refuses to run as root: as
        # root, run them as the postgres OS user.
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run(  # noqa: S603
            [*prefix, *command],
            check=check,
            capture_output=True,
            text=True,
        )

    def init(self) -> None:
        self._as_postgres(
            str(PG_BIN / "initdb"), "-D", str(self.dir), "-A", "trust", "-U", "postgres",
            "-E", "UTF8", "--locale=C.UTF-8",
        )  # fmt: skip

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.dir}"
            " -c fsync=on -c max_connections=60"
        )
        self._as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(self.dir), "-l", str(self.log), "-w", "-t", "60",
            "-o", options, "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(self.dir), "-m", mode, "-w", "-t", "60", "stop",
            check=False,
        )  # fmt: skip

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = TRIAL) -> psycopg.Connection:
        return psycopg.connect(libpq_url(self.url(database)), autocommit=True, connect_timeout=5)


class RedisServer:
    """redis-server on a free loopback port, append-only file in `base`/redis."""

    def __init__(self, base: Path):
        self.dir = base / "redis"
        self.dir.mkdir()
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(  # noqa: S603 (fixed arguments)
            [  # noqa: S607
                "redis-server", "--bind", "127.0.0.1", "--port", str(self.port),
                "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
                "--dir", str(self.dir), "--logfile", str(self.dir / "redis.log"),
            ],
            start_new_session=True,
        )  # fmt: skip
        wait_for("redis ping", lambda: self.client().ping(), 20)

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=5)

    def kill(self) -> None:
        """kill -9: whatever is only in the server's memory is gone."""
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc:
            stop_group(self.proc)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


class Worker:
    """`celery -A portal worker --pool=prefork --concurrency=1`, its own process group."""

    def __init__(self, name: str, env: dict[str, str], logfile: Path):
        self.name = name
        self.env = env
        self.logfile = logfile
        self.proc: subprocess.Popen | None = None

    def start(self) -> Worker:
        with self.logfile.open("ab") as out:
            self.proc = subprocess.Popen(  # noqa: S603 (the venv's celery, fixed arguments)
                [
                    str(VENV_BIN / "celery"), "-A", "portal", "worker", "--pool=prefork",
                    "--concurrency=1", "-Q", "celery", "-n", f"{self.name}@chaos",
                    "--without-gossip", "--without-mingle", "--without-heartbeat",
                    "--loglevel=INFO",
                ],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        return self

    def wait_ready(self, timeout: float = 60) -> None:
        def ready() -> bool:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker {self.name} exited; see {self.logfile}")
            return f"{self.name}@chaos ready." in self.logfile.read_text(errors="replace")

        wait_for(f"worker {self.name} ready", ready, timeout)

    def children(self) -> list[int]:
        pid = self.proc.pid
        found: list[int] = []
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(FileNotFoundError):
                found += [int(c) for c in (task / "children").read_text().split()]
        return found

    def kill_child(self) -> int:
        """kill -9 of the pool process running the task (the parent survives)."""
        (child,) = self.children()
        os.kill(child, signal.SIGKILL)
        return child

    def kill(self) -> None:
        """kill -9 of the whole worker: parent and pool child at once."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc:
            stop_group(self.proc, timeout=30)

    def log_text(self) -> str:
        return self.logfile.read_text(errors="replace") if self.logfile.exists() else ""


class Gunicorn:
    """The portal on a loopback port, serving the trial database (readers poll it)."""

    def __init__(self, env: dict[str, str], logdir: Path):
        self.port = free_port()
        self.env = env
        self.logfile = logdir / "gunicorn.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = start_gunicorn(self.env, self.logfile, port=self.port, timeout=30)

    def stop(self) -> None:
        if self.proc:
            stop_group(self.proc)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


# --- What a reader sees ----------------------------------------------------------------------

LATEST_PUBLISHED = """
SELECT r.id, r.counts,
       (SELECT count(*) FROM performance_score s
        WHERE s.run_id = r.id AND s.contract_id IS NOT NULL),
       (SELECT count(*) FROM performance_score s
        WHERE s.run_id = r.id AND s.contract_id IS NULL)
FROM performance_scorerun r WHERE r.status = 'published'
ORDER BY r.published_at DESC, r.id DESC LIMIT 1
"""  # one statement, so one snapshot: what a page's queries see at one moment

OPEN_DATA = "/open-data/agency-scores.json"


@dataclass
class ReaderLog:
    polls: int = 0
    partial: int = 0  # a poll that saw a run other than the old or the new one, or a part
    unavailable: int = 0  # no answer (the database or Redis down): not a partial view
    runs_seen: set = field(default_factory=set)
    notes: list[str] = field(default_factory=list)

    def bad(self, note: str) -> None:
        self.partial += 1
        if len(self.notes) < 5:
            self.notes.append(note)


def http_poll(base: str, n: int) -> tuple[int, dict | None]:
    # A query parameter of its own: a fresh render from the database, not the page cache.
    url = f"{base}{OPEN_DATA}?poll={n}"
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, None


def open_data_rows(payload: dict) -> str:
    """The file's rows, in a canonical text (run metadata left out)."""
    return json.dumps(payload.get("rows", payload.get("data")), sort_keys=True)


class Readers:
    """Two pollers while a trial runs: HTTP (the public open-data file) and SQL (the newest
    published run against its recorded counts). `expected` maps a run label to the file's
    rows: "old" for the template's run, "new" for the clean run's figures."""

    def __init__(self, pg: Postgres, base: str, old_run: int, expected: dict[str, str] | None):
        self.pg, self.base, self.old_run, self.expected = pg, base, old_run, expected
        self.http, self.sql = ReaderLog(), ReaderLog()
        self.seen_rows: dict[int, set[str]] = {}
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self._http, daemon=True),
            threading.Thread(target=self._sql, daemon=True),
        ]

    def __enter__(self) -> Readers:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=20)

    def _http(self) -> None:
        n = 0
        while not self.stop.wait(0.25):
            n += 1
            try:
                status, payload = http_poll(self.base, n)
            except (OSError, ValueError):
                self.http.unavailable += 1
                continue
            if status != 200 or payload is None:
                self.http.unavailable += 1
                continue
            self.http.polls += 1
            run = (payload.get("run") or {}).get("id") or 0
            rows = open_data_rows(payload)
            self.http.runs_seen.add(run)
            self.seen_rows.setdefault(run, set()).add(rows)
            if self.expected is None:
                continue
            label = "old" if run == self.old_run else "new"
            if rows != self.expected[label]:
                self.http.bad(f"run {run}: rows differ from the {label} run's file")

    def _sql(self) -> None:
        conn = None
        while not self.stop.wait(0.2):
            try:
                conn = conn or self.pg.connect()
                row = conn.execute(LATEST_PUBLISHED).fetchone()
            except psycopg.Error:
                self.sql.unavailable += 1
                with contextlib.suppress(Exception):
                    conn.close()
                conn = None
                continue
            self.sql.polls += 1
            run, counts, contracts, agencies = row
            self.sql.runs_seen.add(run)
            if (contracts, agencies) != (
                counts.get("contract_scores"),
                counts.get("agency_scores"),
            ):
                self.sql.bad(f"run {run}: {contracts}+{agencies} rows, counts say {counts}")
        if conn:
            conn.close()

    def check_runs(self, allowed: set[int]) -> None:
        """Runs seen beyond the old one and the night's published run are partial views."""
        for reader in (self.http, self.sql):
            for run in reader.runs_seen - allowed - {0}:
                reader.bad(f"saw run {run}, which is not the night's published run")


# --- The data and the fingerprints -----------------------------------------------------------

SCORES = """
SELECT count(*), md5(string_agg(t, E'\\n' ORDER BY t)) FROM (
  SELECT ROW(agency_id, contract_id, year, period, k, e, s, ikm, staff_count, respondents,
             missing, score, predikat, final, complete)::text AS t
  FROM performance_score WHERE run_id = %(run)s) x
"""
ACHIEVEMENTS = """
SELECT count(*), md5(string_agg(t, E'\\n' ORDER BY t)) FROM (
  SELECT ROW(indicator_id, quarter, value, missing)::text AS t
  FROM performance_achievement WHERE run_id = %(run)s) x
"""
DECISIONS = """
SELECT count(*), md5(string_agg(t, E'\\n' ORDER BY t)) FROM (
  SELECT ROW(rule_id, agency_id, employee_id, year, period, status)::text AS t
  FROM rewards_decision) x
"""


def fingerprint(conn: psycopg.Connection, run: int) -> dict[str, list]:
    """The night's results without ids of the run: scores, achievements, the decisions."""
    return {
        name: list(conn.execute(sql, {"run": run}).fetchone())
        for name, sql in (
            ("scores", SCORES),
            ("achievements", ACHIEVEMENTS),
            ("decisions", DECISIONS),
        )
    }


def manage(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(  # noqa: S603 (this interpreter, fixed commands)
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {args[0]} failed:\n{done.stderr[-3000:]}")


# --- The battery -----------------------------------------------------------------------------


@dataclass
class Trial:
    scenario: str
    trial: int
    recovered_by: str = ""
    seconds_to_recovery: float | None = None
    scores_equal: bool = False
    reader_polls: int = 0
    reader_partial: int = 0
    reader_unavailable: int = 0
    reader_runs_seen: list[int] = field(default_factory=list)  # 0: none published yet
    runs_published: int = 0
    night_done: bool = False
    attempts: int = 0
    # From the trial's worker logs: what the workers did with the messages.
    worker_log: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return (
            self.scores_equal
            and self.reader_partial == 0
            and self.reader_polls > 0
            and self.runs_published == 1
            and self.night_done
            and self.worker_log.get("jobs done", 0) == 1
            and not any(note.startswith(MISSED) for note in self.notes)
        )


MISSED = "the fault missed the recompute"

WORKER_LOG = {  # what the workers logged, counted per trial (regular expressions)
    "worker lost": r"raised error: WorkerLostError",
    "lock held, skipped": r"already running elsewhere",
    "retries": r"retry: Retry in",
    "no-ops (night done)": r"skipped \([^)]*\): already done",
    "jobs done": r"nightly job for \S+ done \(",
}


class Battery:
    def __init__(self, base: Path, seed: int, scale: int):
        self.base = base
        self.scale = scale
        self.random = random.Random(seed)  # noqa: S311 (when to strike, not secrets)
        self.pg = Postgres(base)
        self.redis = RedisServer(base)
        self.workers: list[Worker] = []
        self.gunicorn: Gunicorn | None = None
        self.reference: dict | None = None  # the clean run: fingerprint, file rows, seconds
        self.old_run = 0
        self.template_runs: set[int] = set()
        self.secret_key = secrets.token_urlsafe(50)
        self.label = "clean"  # names the current trial's worker logs
        self.struck: int | None = None  # the run a mid-run fault struck
        self.visibility_timeout = 60  # until the clean run has timed the recompute

    # -- set-up and tear-down --

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "REDIS_URL", "CACHE_KEY_PREFIX", "DJANGO_SETTINGS_MODULE")
        }
        env.update(
            DATABASE_URL=self.pg.url(TRIAL),
            REDIS_URL=self.redis.url,
            CACHE_KEY_PREFIX="chaos",
            DEBUG="0",
            SECRET_KEY=self.secret_key,
            HTTPS_ONLY="0",
            STAFF_2FA="0",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            CELERY_VISIBILITY_TIMEOUT=str(self.visibility_timeout),
            NIGHTLY_WATCHDOG_AFTER="00:00",  # the watchdog's tick acts at any hour
            NIGHTLY_RETRY_SECONDS="2",
            PUBLIC_RATE_LIMIT="100000/m",  # the readers poll far faster than a person
            PAGE_RATE_LIMIT="100000/m",
            LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
        )
        env.update(extra)
        return env

    def celery(self) -> Celery:
        app = Celery("chaos-client", broker=self.redis.url)
        app.conf.broker_transport_options = {"visibility_timeout": self.visibility_timeout}
        app.conf.broker_connection_retry_on_startup = True
        return app

    def send(self, task: str, **kwargs: str) -> None:
        app = self.celery()
        try:
            app.send_task(task, kwargs=kwargs, queue="celery")
        finally:
            app.close()

    def setup(self) -> None:
        started = time.monotonic()
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")
        self.pg.init()
        self.pg.start()
        self.redis.start()
        env = self.env(DATABASE_URL=self.pg.url(TEMPLATE))
        with self.pg.connect("postgres") as conn:
            conn.execute(f'CREATE DATABASE "{TEMPLATE}"')
        manage(env, "migrate", "--no-input", "-v0")
        manage(env, "seed_demo", "--scale", str(self.scale), "--no-editions")
        # An earlier night's run, computed as of another day: its figures differ from
        # tonight's, so a reader could tell a mix of the two.
        manage(
            env,
            "shell",
            "-c",
            "import datetime; from performance.services import recompute_scores; "
            f"recompute_scores(today=datetime.date.fromisoformat('{OLD_RUN_AS_OF}'))",
        )
        with self.pg.connect(TEMPLATE) as conn:
            self.template_runs = {
                r[0] for r in conn.execute("SELECT id FROM performance_scorerun").fetchall()
            }
            (self.old_run,) = conn.execute(
                "SELECT id FROM performance_scorerun WHERE status = 'published'"
            ).fetchone()
        self.gunicorn = Gunicorn(self.env(), self.base)
        log(
            f"set up in {time.monotonic() - started:.0f} s: PostgreSQL :{self.pg.port}, "
            f"Redis :{self.redis.port}, template {TEMPLATE} (old run {self.old_run})"
        )

    def teardown(self) -> None:
        for worker in self.workers:
            with contextlib.suppress(Exception):
                worker.stop()
        if self.gunicorn:
            with contextlib.suppress(Exception):
                self.gunicorn.stop()
        with contextlib.suppress(Exception):
            self.redis.stop()
        with contextlib.suppress(Exception):
            self.pg.stop("immediate")

    # -- one trial's pieces --

    def fresh_trial(self) -> None:
        self.stop_workers()
        self.redis.client().flushall()
        with self.pg.connect("postgres") as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{TRIAL}" WITH (FORCE)')
            # FILE_COPY (checkpoints around the copy), not PostgreSQL 15's default WAL_LOG:
            # a WAL_LOG copy carries the template's sequence pages with their logged-ahead
            # count, so the copy's first nextval() is not WAL-logged and a crash (the
            # postgres-restart scenario) sets the sequence back: a duplicate key, a failure
            # of the harness, not of the portal.
            conn.execute(f'CREATE DATABASE "{TRIAL}" TEMPLATE "{TEMPLATE}" STRATEGY FILE_COPY')
        if self.gunicorn.proc is None or self.gunicorn.proc.poll() is not None:
            self.gunicorn.start()
        wait_for("gunicorn", lambda: http_poll(self.gunicorn.base, 0)[0] == 200, 60, 0.3)

    def worker(self, name: str) -> Worker:
        worker = Worker(name, self.env(), self.base / f"worker-{self.label}-{name}.log").start()
        self.workers.append(worker)
        return worker

    def stop_workers(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.workers = []

    def wait_running(self, timeout: float = 60) -> int:
        """Id of the night's score run once the recompute has started it."""

        def running() -> int | None:
            with self.pg.connect() as conn:
                row = conn.execute(
                    "SELECT id FROM performance_scorerun WHERE status = 'running'"
                    " AND NOT id = ANY(%s) ORDER BY id DESC LIMIT 1",
                    [list(self.template_runs)],
                ).fetchone()
            return row[0] if row else None

        return wait_for("a running recompute", running, timeout, 0.05)

    def mid_run(self) -> None:
        """Wait for the recompute to be under way: its run exists, then a random part of the
        first half of the clean run's duration. `run_trial` checks afterwards that the run
        struck was not published (the fault did land mid-run)."""
        self.struck = self.wait_running()
        time.sleep(self.random.uniform(0.05, 0.45) * self.reference["recompute_seconds"])

    def ledger(self) -> tuple | None:
        with self.pg.connect() as conn:
            return conn.execute(
                "SELECT status, run_id, trigger, attempts, finished_at FROM portal_nightlyrun"
                " WHERE night = %s",
                [datetime.datetime.now(WITA).date()],
            ).fetchone()

    def done(self) -> tuple | None:
        with contextlib.suppress(psycopg.Error):
            entry = self.ledger()
            if entry and entry[0] == "done":
                return entry
        return None

    def recover(self, grace: float) -> tuple:
        """The night done by itself within `grace` seconds, else after the watchdog's tick."""
        with contextlib.suppress(TimeoutError):
            return wait_for("the night done", self.done, grace, 0.2)
        log("  not recovered by itself: sending watchdog_task (beat's half-hourly tick)")
        self.send(WATCHDOG)
        return wait_for("the night done after the watchdog", self.done, 120, 0.2)

    def settle(self, leftover: int = 0, timeout: float = 60) -> None:
        """Every message sent has been handled (the queue and the unacked set are empty,
        but for `leftover` messages of a killed worker, which only a redelivery can free)."""
        client = self.redis.client()
        wait_for(
            "the queue drained",
            lambda: client.llen("celery") == 0 and client.hlen("unacked") <= leftover,
            timeout,
            0.2,
        )

    def worker_logs(self) -> str:
        return "".join(
            path.read_text(errors="replace")
            for path in sorted(self.base.glob(f"worker-{self.label}-*.log"))
        )

    def worker_counts(self) -> dict[str, int]:
        logs = self.worker_logs()
        return {name: len(re.findall(rx, logs)) for name, rx in WORKER_LOG.items()}

    def judge(self, trial: Trial, readers: Readers, t_fault: float, entry: tuple) -> None:
        status, run, trigger, attempts, finished_at = entry
        trial.night_done = status == "done"
        trial.attempts = attempts
        trial.seconds_to_recovery = round(finished_at.timestamp() - t_fault, 1)
        trial.worker_log = self.worker_counts()
        with self.pg.connect() as conn:
            published = [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM performance_scorerun WHERE status = 'published'"
                    " AND NOT id = ANY(%s)",
                    [list(self.template_runs)],
                ).fetchall()
            ]
            trial.runs_published = len(published)
            got = fingerprint(conn, run)
        trial.scores_equal = got == self.reference["fingerprint"]
        if not trial.scores_equal:
            trial.notes.append(f"fingerprint {got} != {self.reference['fingerprint']}")
        readers.check_runs({self.old_run, *published})
        trial.reader_polls = readers.http.polls + readers.sql.polls
        trial.reader_partial = readers.http.partial + readers.sql.partial
        trial.reader_unavailable = readers.http.unavailable + readers.sql.unavailable
        trial.reader_runs_seen = sorted(readers.http.runs_seen | readers.sql.runs_seen)
        trial.notes += readers.http.notes + readers.sql.notes
        if trial.scenario == "double-trigger":
            noops = trial.worker_log["no-ops (night done)"]
            trial.recovered_by = f"one job, {noops} no-ops"
        if not trial.recovered_by:
            if trigger in ("watchdog", "retry"):
                trial.recovered_by = trigger
            elif attempts > 1:
                trial.recovered_by = "redelivery"
            else:
                trial.recovered_by = "first delivery"

    # -- the reference --

    def clean_run(self) -> None:
        """The night without faults: its fingerprint, the open-data file before (old run)
        and after (new run), and how long the recompute takes."""
        self.fresh_trial()
        worker = self.worker("clean")
        worker.wait_ready()
        old = open_data_rows(http_poll(self.gunicorn.base, 1)[1])
        t0 = time.time()
        self.send(NIGHTLY, trigger="beat")
        run = self.wait_running()
        entry = wait_for("the clean night done", self.done, 300, 0.2)
        with self.pg.connect() as conn:
            started, finished = conn.execute(
                "SELECT started_at, published_at FROM performance_scorerun WHERE id = %s", [run]
            ).fetchone()
            print_ = fingerprint(conn, entry[1])
        status, payload = http_poll(self.gunicorn.base, 2)
        if status != 200 or payload["run"]["id"] != entry[1]:
            raise RuntimeError(f"the clean run is not the one served: {status} {payload}")
        if open_data_rows(payload) == old:
            raise RuntimeError("the earlier run's file equals tonight's: a mix would not show")
        self.reference = {
            "fingerprint": print_,
            "rows": {"old": old, "new": open_data_rows(payload)},
            "recompute_seconds": (finished - started).total_seconds(),
            "night_seconds": entry[4].timestamp() - t0,
        }
        log(
            f"clean run: recompute {self.reference['recompute_seconds']:.1f} s, night "
            f"{self.reference['night_seconds']:.1f} s from the message; {print_}"
        )
        self.visibility_timeout = max(
            MIN_VISIBILITY_TIMEOUT, math.ceil(3 * self.reference["recompute_seconds"])
        )
        self.stop_workers()

    # -- the scenarios --

    def run_trial(self, scenario: str, number: int) -> Trial:
        """One trial; again (once) when the fault came after the recompute had published."""
        trial = self.attempt(scenario, number)
        missed = [note for note in trial.notes if note.startswith(MISSED)]
        if missed:
            # (a worker-kill trial notes its late redelivery first: look at every note)
            log(f"  {missed[0]}: once more")
            trial = self.attempt(scenario, number, again=True)
        return trial

    def attempt(self, scenario: str, number: int, again: bool = False) -> Trial:
        trial = Trial(scenario, number)
        self.label = f"{scenario}-{number}{'-again' if again else ''}"
        self.struck = None
        started = time.monotonic()
        self.fresh_trial()
        expected = self.reference["rows"]
        grace = max(15.0, 4 * self.reference["recompute_seconds"])
        try:
            with Readers(self.pg, self.gunicorn.base, self.old_run, expected) as readers:
                t_fault, leftover = SCENARIOS[scenario](self, trial)
                entry = self.recover(grace)
                self.settle(leftover)
                if scenario == "worker-kill":
                    self.redeliver_late(trial, t_fault)
        except Exception as exc:  # a trial that cannot finish is a failed trial
            trial.recovered_by = "not recovered"
            trial.worker_log = self.worker_counts()
            errors = re.findall(r"raised unexpected: (.{0,160})", self.worker_logs())
            trial.notes += [repr(exc), *errors[-2:]]
            trial.seconds = round(time.monotonic() - started, 1)
            return trial
        if self.struck is not None:
            with self.pg.connect() as conn:
                (status,) = conn.execute(
                    "SELECT status FROM performance_scorerun WHERE id = %s", [self.struck]
                ).fetchone()
            if status == "published":
                trial.notes.append(f"{MISSED} (run {self.struck} published before it)")
        self.judge(trial, readers, t_fault, self.done() or entry)
        trial.seconds = round(time.monotonic() - started, 1)
        return trial

    def redeliver_late(self, trial: Trial, t_fault: float) -> None:
        """The killed worker's message comes back once the visibility timeout has passed
        (a worker scans for such messages when it starts): it must change nothing."""
        client = self.redis.client()
        if client.hlen("unacked") == 0:
            return
        time.sleep(max(0.0, t_fault + self.visibility_timeout + 1 - time.time()))
        self.stop_workers()
        self.worker("late").wait_ready()
        self.settle(0, timeout=60)
        trial.notes.append("late redelivery handled: no-op")


def scenario_worker_child_kill(battery: Battery, trial: Trial) -> tuple[float, int]:
    worker = battery.worker("w1")
    worker.wait_ready()
    battery.send(NIGHTLY, trigger="beat")
    battery.mid_run()
    worker.kill_child()
    return time.time(), 0


def scenario_worker_kill(battery: Battery, trial: Trial) -> tuple[float, int]:
    worker = battery.worker("w1")
    worker.wait_ready()
    battery.send(NIGHTLY, trigger="beat")
    battery.mid_run()
    worker.kill()
    t_fault = time.time()
    battery.workers.remove(worker)
    battery.worker("w2").wait_ready()  # the supervisor starts a new worker at once
    return t_fault, 1


def scenario_redis_kill_queued(battery: Battery, trial: Trial) -> tuple[float, int]:
    battery.send(NIGHTLY, trigger="beat")  # no worker yet: the message waits in Redis
    queued = battery.redis.client().llen("celery")
    battery.redis.kill()
    t_fault = time.time()
    battery.redis.start()
    survived = battery.redis.client().llen("celery")
    trial.notes.append(f"queued before kill -9: {queued}, after restart: {survived}")
    if survived:
        trial.recovered_by = "queued message kept (AOF)"
    battery.worker("w1").wait_ready()
    return t_fault, 0


def scenario_postgres_restart(battery: Battery, trial: Trial) -> tuple[float, int]:
    battery.worker("w1").wait_ready()
    battery.send(NIGHTLY, trigger="beat")
    battery.mid_run()
    battery.pg.stop("immediate")  # a crash: no checkpoint, crash recovery at the restart
    t_fault = time.time()
    time.sleep(1)
    battery.pg.start()
    return t_fault, 0


def scenario_double_trigger(battery: Battery, trial: Trial) -> tuple[float, int]:
    workers = [battery.worker("w1"), battery.worker("w2")]
    for worker in workers:
        worker.wait_ready()
    barrier = threading.Barrier(3)

    def fire(trigger: str) -> None:
        barrier.wait()
        battery.send(NIGHTLY, trigger=trigger)

    threads = [threading.Thread(target=fire, args=(t,)) for t in ("beat", "beat", "manual")]
    t_fault = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return t_fault, 0


SCENARIOS: dict[str, Callable[[Battery, Trial], tuple[float, int]]] = {
    "worker-child-kill": scenario_worker_child_kill,
    "worker-kill": scenario_worker_kill,
    "redis-kill-queued": scenario_redis_kill_queued,
    "postgres-restart": scenario_postgres_restart,
    "double-trigger": scenario_double_trigger,
}


# --- The report ------------------------------------------------------------------------------

COLUMNS = (
    ("scenario", 18), ("trial", 5), ("recovered by", 26), ("s to recovery", 13),
    ("scores equal", 12), ("reader saw partial", 18), ("runs published", 14), ("result", 6),
)  # fmt: skip


def table(trials: list[Trial]) -> str:
    lines = ["  ".join(f"{name:<{width}}" for name, width in COLUMNS)]
    lines.append("  ".join("-" * width for _, width in COLUMNS))
    for t in trials:
        cells = (
            t.scenario,
            str(t.trial),
            t.recovered_by,
            "-" if t.seconds_to_recovery is None else f"{t.seconds_to_recovery:.1f}",
            "yes" if t.scores_equal else "NO",
            f"{t.reader_partial}/{t.reader_polls}",
            str(t.runs_published),
            "PASS" if t.passed else "FAIL",
        )
        lines.append("  ".join(f"{c:<{w}}" for c, (_, w) in zip(cells, COLUMNS, strict=True)))
    return "\n".join(lines)


def interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.chaos", description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=5, help="trials per scenario (default 5)")
    parser.add_argument(
        "--scenario", choices=sorted(SCENARIOS), action="append", help="only this one (repeatable)"
    )
    parser.add_argument("--seed", type=int, default=8, help="seeds the moments of the faults")
    parser.add_argument(
        "--scale", type=int, default=DEFAULT_SCALE, help="seed_demo's scale (default %(default)s)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    scenarios = args.scenario or list(SCENARIOS)

    started = time.monotonic()
    base = Path(tempfile.mkdtemp(prefix="kinerja-chaos-"))
    battery = Battery(base, args.seed, args.scale)
    trials: list[Trial] = []
    # Ctrl-C and a TERM from CI both end in the finally block below.
    signal.signal(signal.SIGTERM, interrupted)
    try:
        battery.setup()
        battery.clean_run()
        for scenario in scenarios:
            for number in range(1, args.trials + 1):
                log(f"{scenario} #{number}")
                try:
                    trial = battery.run_trial(scenario, number)
                except Exception as exc:  # a trial that cannot finish is a failed trial
                    trial = Trial(scenario, number, recovered_by="not recovered")
                    trial.notes.append(repr(exc))
                trials.append(trial)
                log(
                    f"  {'PASS' if trial.passed else 'FAIL'}: {trial.recovered_by}, "
                    f"{trial.seconds_to_recovery} s, {trial.seconds} s in all; workers: "
                    + ", ".join(f"{k} {v}" for k, v in trial.worker_log.items() if v)
                    + (f"; {'; '.join(trial.notes)}" if trial.notes else "")
                )
    finally:
        battery.teardown()
        if args.keep:
            log(f"kept {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)

    passed = sum(t.passed for t in trials)
    runtime = time.monotonic() - started
    print()
    print(table(trials))
    print()
    print(f"chaos trials passed: {passed}/{len(trials)} ({runtime:.0f} s)")
    out = ROOT / "bench-results" / f"chaos-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "trials": [asdict(t) | {"passed": t.passed} for t in trials],
                "passed": passed,
                "total": len(trials),
                "seconds": round(runtime),
                "reference": battery.reference
                and {k: v for k, v in battery.reference.items() if k != "rows"},
                "visibility_timeout": battery.visibility_timeout,
            },
            indent=2,
            default=str,
        )
    )
    print(f"results: {out.relative_to(ROOT)}")
    return 0 if trials and passed == len(trials) else 1


if __name__ == "__main__":
    raise SystemExit(main())
