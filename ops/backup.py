"""Backups with pg_dump's custom format and their restore drill.

`make backup` / `make restore FILE=...` wrap `pg_dump -Fc` and `pg_restore`; `make
backup-drill` proves a backup taken *during* a recompute restores to exactly what it
captured: it exports a snapshot, fingerprints every table (rows and an md5 of their text)
inside that snapshot, dumps with `pg_dump --snapshot`, restores into a fresh database and
fingerprints it again. All tables must match, and the restored portal must publish one
whole run (the old one or the new one, never a mix).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent


def with_database(url: str, name: str) -> str:
    """`url` pointing at database `name` instead."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def libpq_url(url: str) -> str:
    # dj-database-url accepts postgres:// and pgsql://; libpq wants postgres(ql)://.
    return "postgresql://" + url.split("://", 1)[1]


def recreate_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(libpq_url(with_database(url, "postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def tables(conn: psycopg.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    ).fetchall()
    return [r[0] for r in rows]


def fingerprints(conn: psycopg.Connection) -> dict[str, tuple[int, str]]:
    """Per table: (rows, md5 of all rows' text in a fixed order). Read in the connection's
    current transaction, so inside an exported snapshot it describes exactly that snapshot."""
    result = {}
    for table in tables(conn):
        digest = "coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '')"
        count, digest = conn.execute(
            f'SELECT count(*), {digest} FROM "{table}" t'  # noqa: S608 (names from pg_tables)
        ).fetchone()
        result[table] = (count, digest)
    return result


def dump(url: str, path: Path, snapshot: str | None = None) -> None:
    command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={path}"]
    if snapshot:
        command.append(f"--snapshot={snapshot}")
    subprocess.run([*command, f"--dbname={libpq_url(url)}"], check=True)  # noqa: S603,S607


def restore(url: str, path: Path) -> None:
    # Fixed arguments; pg_restore is the PATH's PostgreSQL client, like pg_dump.
    subprocess.run(  # noqa: S603
        [  # noqa: S607
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={libpq_url(url)}",
            str(path),
        ],
        check=True,
    )


@dataclass
class DrillResult:
    tables: list[tuple[str, int, bool]]  # (table, rows, fingerprints equal)
    published_before: list[int]
    published_restored: list[int]
    restored_run_complete: bool

    @property
    def ok(self) -> bool:
        return (
            all(equal for _, _, equal in self.tables)
            and self.published_restored == self.published_before
            and self.restored_run_complete
        )


def published_runs(conn: psycopg.Connection) -> list[int]:
    rows = conn.execute(
        "SELECT id FROM performance_scorerun WHERE status = 'published' ORDER BY id"
    ).fetchall()
    return [r[0] for r in rows]


def run_complete(conn: psycopg.Connection) -> bool:
    """The newest published run has every score row it says it wrote (its `counts`), so a
    reader of the restored portal sees one whole run."""
    row = conn.execute(
        "SELECT id, counts FROM performance_scorerun WHERE status = 'published'"
        " ORDER BY published_at DESC, id DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return True
    run_id, counts = row
    contract, agency = conn.execute(
        "SELECT count(*) FILTER (WHERE contract_id IS NOT NULL),"
        " count(*) FILTER (WHERE contract_id IS NULL)"
        " FROM performance_score WHERE run_id = %s",
        [run_id],
    ).fetchone()
    counts = counts or {}
    return (contract, agency) == (counts.get("contract_scores"), counts.get("agency_scores"))


def drill(source_url: str, target_url: str, path: Path) -> DrillResult:
    """Dump `source_url` inside an exported snapshot, restore into a fresh `target_url`,
    compare. Whatever runs on the source meanwhile (a recompute) is outside the snapshot."""
    with psycopg.connect(libpq_url(source_url)) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        before = fingerprints(conn)
        published_before = published_runs(conn)
        dump(source_url, path, snapshot=snapshot)
        conn.rollback()
    recreate_database(target_url)
    restore(target_url, path)
    with psycopg.connect(libpq_url(target_url)) as conn:
        after = fingerprints(conn)
        published_restored = published_runs(conn)
        complete = run_complete(conn)
    rows = [(t, before[t][0], before[t] == after.get(t)) for t in sorted(before)]
    rows += [(t, after[t][0], False) for t in sorted(set(after) - set(before))]
    return DrillResult(rows, published_before, published_restored, complete)


def main() -> int:
    """`make backup-drill`: a real recompute on the source database while the dump is taken."""
    source = os.environ.get("DATABASE_URL", "")
    if not source.startswith(("postgres", "pgsql")):
        print("DATABASE_URL must point at PostgreSQL (the drill uses pg_dump).")
        return 2
    target = with_database(source, urlsplit(source).path.lstrip("/") + "_drill")
    path = ROOT / "backups" / "drill.dump"
    path.parent.mkdir(exist_ok=True)
    env = {**os.environ, "DATABASE_URL": source}
    recompute = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [sys.executable, "manage.py", "recompute_scores"], cwd=ROOT, env=env
    )
    try:
        with psycopg.connect(libpq_url(source), autocommit=True) as conn:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and recompute.poll() is None:
                running = conn.execute(
                    "SELECT count(*) FROM performance_scorerun WHERE status = 'running'"
                ).fetchone()[0]
                if running:
                    break
                time.sleep(0.05)
        during = recompute.poll() is None
        result = drill(source, target, path)
    finally:
        recompute.wait()
    print(f"dump taken {'during' if during else 'after'} a recompute")
    width = max(len(t) for t, _, _ in result.tables)
    for table, rows, equal in result.tables:
        print(f"{table:<{width}}  {rows:>9}  {'equal' if equal else 'DIFFERENT'}")
    print(f"published runs in the snapshot: {result.published_before}")
    print(f"published runs restored:        {result.published_restored}")
    print(f"restored run complete: {result.restored_run_complete}")
    print("DRILL PASSED" if result.ok else "DRILL FAILED")
    return 0 if result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
