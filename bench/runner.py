"""`python -m bench [all|PART ...]`: set up the bench database, run the parts, report."""

from __future__ import annotations

import datetime
import importlib
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from . import PARTS, db
from .measure import REPEAT, Result, table

ROOT = Path(__file__).resolve().parent.parent
USAGE = f"usage: python -m bench [all | {' | '.join(PARTS)} ...]"


@dataclass
class Context:
    """What every part gets."""

    database: str  # the bench database's URL
    out_dir: Path  # bench-results/
    rebuild: bool  # BENCH_REBUILD=1: build data sets even when they are there

    def log(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)


def _parts(argv: list[str]) -> list[str]:
    names = argv or ["all"]
    if names == ["all"]:
        return list(PARTS)
    unknown = [n for n in names if n not in PARTS]
    if unknown:
        raise SystemExit(f"unknown part {', '.join(unknown)}\n{USAGE}")
    return names


def _git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 (git from PATH)
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def _machine() -> dict:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
    }


def main(argv: list[str]) -> int:
    if any(a in {"-h", "--help"} for a in argv):
        print(USAGE)
        return 0
    names = _parts(argv)
    url = db.database_url()
    ctx = Context(
        database=url,
        out_dir=ROOT / "bench-results",
        rebuild=os.environ.get("BENCH_REBUILD", "") not in {"", "0"},
    )
    ctx.out_dir.mkdir(exist_ok=True)
    if db.ensure_database(url):
        ctx.log(f"bench: created the database {url}")
    db.setup_django(url)
    db.migrate()
    ctx.log(
        f"bench: {', '.join(names)} on {url}, {REPEAT} times each; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )

    started = time.time()
    machine_before = _machine()
    results: list[Result] = []
    for name in names:
        # A part that breaks is a failed line of the table; the other parts still run.
        try:
            module = importlib.import_module(PARTS[name])
            results.extend(module.run(ctx))
        except Exception as exc:  # noqa: BLE001 (reported, and the run fails)
            ctx.log(f"bench: the {name} part failed:\n{traceback.format_exc()}")
            results.append(
                Result(name, "the part failed", "s", [0.0], ok=False, note=repr(exc)[:200])
            )
    report = table(results)
    print(report)

    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    document = {
        "started": datetime.datetime.fromtimestamp(started, datetime.UTC).isoformat(),
        "seconds": round(time.time() - started, 1),
        "parts": names,
        "repeat": REPEAT,
        "commit": _git_commit(),
        "machine": {"before": machine_before, "after": _machine()},
        "table": report,
        "results": [r.as_dict() for r in results],
    }
    path = ctx.out_dir / f"bench-{stamp}-{'-'.join(names)}.json"
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")
    (ctx.out_dir / "latest.json").write_text(path.read_text())
    ctx.log(f"bench: written {path.relative_to(ROOT)}; load average now {os.getloadavg()[0]:.1f}")
    return 1 if any(r.passed is False for r in results) else 0
