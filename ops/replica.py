"""The read replica drill (`make chaos`): public pages from a real standby, and both fallbacks.

`python -m ops.replica` starts, on loopback and in a temporary directory, a PostgreSQL
primary of its own (initdb), a hot standby cloned from it with `pg_basebackup -R` (streaming
replication), a redis-server and gunicorn with DATABASE_URL on the primary and
DATABASE_REPLICA_URL on the standby; it never touches the shared PostgreSQL or Redis. The
data is seed_demo's (a small staff) with one published run. Every page is fetched after the
cache is emptied, so it is rendered from the database then and there.

The checks, in order:
1. routing: with the standby's replay paused, an agency renamed on the primary keeps its old
   name on the public pages (they are read from the standby), and /healthz says `ok`;
2. stale: a run published on the primary while the replay is paused is what the pages show
   (read from the primary, not a run the standby lacks), and /healthz says `stale`;
3. caught up: replay resumed, the pages are read from the standby again (the new run,
   /healthz `ok`);
4. primary stopped: the public pages still answer, from the standby, with its run;
5. standby stopped (the primary back): the public pages answer, from the primary, and
   /healthz says `unreachable`.
It prints one line per check and `replica checks passed: X/Y`; exit 0 when all pass.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from ops.chaos import PG_BIN, Postgres, RedisServer, interrupted, log, manage
from ops.processes import free_port, start_gunicorn, stop_group, wait_for

DATABASE = "kinerja_replica"
RENAMED = " (renamed on the primary)"
CHECK_SECONDS = 1  # REPLICA_CHECK_SECONDS of the gunicorn under test
OPEN_DATA = "/open-data/agency-scores.json"


class Cluster(Postgres):
    """A cluster in `base`/`name`: the primary (initdb) or a standby of it (pg_basebackup)."""

    def __init__(self, base: Path, name: str):
        root = base / name
        root.mkdir()
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        super().__init__(root)

    def clone(self, primary: Cluster) -> None:
        """A standby of `primary`: its base backup, with standby.signal and primary_conninfo
        written (-R), WAL streamed during the copy (-X stream)."""
        self._as_postgres(
            str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port),
            "-U", "postgres", "-D", str(self.dir), "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip

    def sql(self, statement: str, params: list | None = None) -> tuple | None:
        with self.connect(DATABASE) as conn:
            cursor = conn.execute(statement, params)
            return cursor.fetchone() if cursor.description else None


class Drill:
    def __init__(self, base: Path):
        self.base = base
        self.primary = Cluster(base, "primary")
        self.standby = Cluster(base, "standby")
        self.redis = RedisServer(base)
        self.gunicorn: subprocess.Popen | None = None
        self.port = free_port()
        self.secret_key = secrets.token_urlsafe(50)
        self.results: list[tuple[str, bool, str]] = []

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL", "REDIS_CACHE_URL")
        }
        env.update(
            DATABASE_URL=self.primary.url(DATABASE),
            DATABASE_REPLICA_URL=self.standby.url(DATABASE),
            REPLICA_CHECK_SECONDS=str(CHECK_SECONDS),
            REDIS_URL=self.redis.url,
            CACHE_KEY_PREFIX="replica",
            # DEBUG on: the pages' static files without a collectstatic into the checkout.
            DEBUG="1",
            SECRET_KEY=self.secret_key,
            HTTPS_ONLY="0",
            STAFF_2FA="0",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            PUBLIC_RATE_LIMIT="",
            PAGE_RATE_LIMIT="",
            LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
        )
        env.update(extra)
        env.pop("DJANGO_SETTINGS_MODULE", None)
        return env

    # -- set-up --

    def setup(self) -> None:
        started = time.monotonic()
        self.primary.init()
        self.primary.start()
        self.redis.start()
        with self.primary.connect("postgres") as conn:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
        env = self.env(DATABASE_REPLICA_URL="")
        manage(env, "migrate", "--no-input", "-v0")
        manage(env, "seed_demo", "--employees", "300", "--no-editions")
        manage(env, "recompute_scores")
        self.standby.clone(self.primary)
        self.standby.start()
        wait_for("the standby streaming", self.streaming, 60, 0.2)
        (self.slug, self.name) = self.primary.sql(
            "SELECT slug, name FROM agencies_agency ORDER BY id LIMIT 1"
        )
        self.gunicorn = start_gunicorn(
            self.env(), self.base / "gunicorn.log", port=self.port, timeout=30
        )
        wait_for("gunicorn", lambda: self.get("/healthz")[0] == 200, 60, 0.3)
        log(
            f"set up in {time.monotonic() - started:.0f} s: primary :{self.primary.port}, "
            f"standby :{self.standby.port}, Redis :{self.redis.port}, gunicorn :{self.port}"
        )

    def streaming(self) -> bool:
        row = self.standby.sql("SELECT status FROM pg_stat_wal_receiver")
        return row is not None and row[0] == "streaming"

    def teardown(self) -> None:
        if self.gunicorn:
            with contextlib.suppress(Exception):
                stop_group(self.gunicorn)
        with contextlib.suppress(Exception):
            self.redis.stop()
        for cluster in (self.standby, self.primary):
            with contextlib.suppress(Exception):
                cluster.stop("immediate")

    # -- what a visitor gets --

    def get(self, path: str, *, fresh: bool = True) -> tuple[int, bytes]:
        """GET `path` as an anonymous visitor; `fresh`: the cache emptied first, so the page
        is rendered from the database now."""
        if fresh:
            self.redis.client().flushall()
        try:
            with urllib.request.urlopen(  # noqa: S310 (loopback)
                f"http://127.0.0.1:{self.port}{path}", timeout=20
            ) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def health(self) -> dict:
        status, body = self.get("/healthz", fresh=False)
        return json.loads(body) | {"http": status}

    def page_name(self) -> str | None:
        """The agency's name as its public scorecard shows it (None: the page failed)."""
        status, body = self.get(f"/agencies/{self.slug}/")
        if status != 200:
            return None
        text = body.decode()
        return self.name + RENAMED if self.name + RENAMED in text else self.name

    def open_data_run(self) -> tuple[int | None, int]:
        """(the run the open-data file of agency scores is of, its number of rows)."""
        status, body = self.get(OPEN_DATA)
        if status != 200:
            return None, 0
        payload = json.loads(body)
        rows = payload.get("rows", payload.get("data")) or []
        return (payload.get("run") or {}).get("id"), len(rows)

    def replica_state(self, want: str, timeout: float = 15) -> dict:
        """/healthz's replica section once its state is `want` (what it is at the timeout)."""
        with contextlib.suppress(TimeoutError):
            return wait_for(
                f"replica {want}",
                lambda: (r := self.health()["replica"])["state"] == want and r,
                timeout,
                0.3,
            )
        return self.health()["replica"]

    def check(self, name: str, ok: bool, detail: str) -> None:
        self.results.append((name, ok, detail))
        log(f"{'PASS' if ok else 'FAIL'} {name}: {detail}")

    # -- the checks --

    def latest_run(self, cluster: Cluster) -> int:
        return cluster.sql(
            "SELECT id FROM performance_scorerun WHERE status = 'published'"
            " ORDER BY published_at DESC, id DESC LIMIT 1"
        )[0]

    def run(self) -> None:
        first = self.latest_run(self.primary)

        # 1. Routing: what only the standby still says is what the pages say.
        self.standby.sql("SELECT pg_wal_replay_pause()")
        wait_for(
            "replay paused",
            lambda: self.standby.sql("SELECT pg_get_wal_replay_pause_state()")[0] == "paused",
            20,
        )
        self.primary.sql(
            "UPDATE agencies_agency SET name = name || %s WHERE slug = %s", [RENAMED, self.slug]
        )
        state = self.replica_state("ok")
        names = {self.page_name() for _ in range(3)}
        run, rows = self.open_data_run()
        self.check(
            "routing: anonymous pages read from the standby",
            names == {self.name} and run == first and rows > 0 and state["state"] == "ok",
            f"the scorecard names the agency {names} (the standby's name; the primary's has"
            f" '{RENAMED.strip()}'), open data of run {run} ({rows} rows), healthz {state}",
        )

        # 2. Stale: a run the standby has not received is read from the primary.
        manage(self.env(DATABASE_REPLICA_URL=""), "recompute_scores")
        second = self.latest_run(self.primary)
        state = self.replica_state("stale")
        run, rows = self.open_data_run()
        name = self.page_name()
        self.check(
            "stale standby: the primary serves its new run",
            second != first
            and run == second
            and rows > 0
            and name == self.name + RENAMED
            and state["state"] == "stale"
            and (state["run"], state["primary_run"]) == (first, second),
            f"run {second} published on the primary; open data of run {run} ({rows} rows),"
            f" the scorecard names {name!r}, healthz {state}",
        )

        # 3. Caught up: the standby serves again.
        self.standby.sql("SELECT pg_wal_replay_resume()")
        state = self.replica_state("ok")
        run, rows = self.open_data_run()
        on_standby = self.standby.sql(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'kinerja-replica'"
        )[0]
        self.check(
            "caught up: the standby serves the new run",
            run == second and rows > 0 and state["state"] == "ok" and on_standby >= 1,
            f"open data of run {run}, healthz {state}, {on_standby} portal connection(s)"
            " on the standby",
        )

        # 4. The primary stopped: the pages still answer, from the standby.
        self.primary.stop("fast")
        time.sleep(CHECK_SECONDS + 0.5)
        statuses = [self.get(path)[0] for path in self.pages()]
        run, rows = self.open_data_run()
        health = self.health()
        self.check(
            "primary stopped: the standby answers the public pages",
            set(statuses) == {200}
            and run == second
            and rows > 0
            and health["replica"]["state"] == "ok"
            and health["replica"]["primary_run"] is None
            and health["http"] == 503,
            f"pages {statuses}, open data of run {run} ({rows} rows), healthz"
            f" {health['http']} with database {health.get('database')!r}, replica"
            f" {health['replica']}",
        )

        # 5. The primary back, the standby stopped: the pages answer from the primary.
        self.primary.start()
        wait_for("the standby streaming again", self.streaming, 60, 0.3)
        self.replica_state("ok")
        self.standby.stop("fast")
        statuses = [self.get(path)[0] for path in self.pages()]  # at once: mid-request
        run, rows = self.open_data_run()
        state = self.replica_state("unreachable")
        statuses += [self.get(path)[0] for path in self.pages()]
        health = self.health()
        self.check(
            "standby stopped: the primary answers the public pages",
            set(statuses) == {200}
            and run == second
            and rows > 0
            and state["state"] == "unreachable"
            and health["http"] == 200,
            f"pages {statuses}, open data of run {run} ({rows} rows), healthz"
            f" {health['http']}, replica {state}",
        )

    def pages(self) -> list[str]:
        return ["/", "/agencies/", f"/agencies/{self.slug}/", "/rankings/", OPEN_DATA]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ops.replica", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    started = time.monotonic()
    base = Path(tempfile.mkdtemp(prefix="kinerja-replica-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    drill = Drill(base)
    error: Exception | None = None
    # Ctrl-C and a TERM from CI both end in the finally block below (clusters stopped).
    signal.signal(signal.SIGTERM, interrupted)
    try:
        drill.setup()
        drill.run()
    except Exception as exc:  # a drill that cannot finish has failed
        error = exc
        log(f"FAIL: {exc!r}")
    finally:
        drill.teardown()
        if args.keep:
            log(f"kept {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)
    passed = sum(ok for _, ok, _ in drill.results)
    total = 5
    print(f"\nreplica checks passed: {passed}/{total} ({time.monotonic() - started:.0f} s)")
    return 0 if error is None and passed == total else 1


if __name__ == "__main__":
    sys.exit(main())
