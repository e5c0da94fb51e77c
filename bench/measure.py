"""Measurements: repeated timings, their median and range, child processes for peak memory,
and the printed table."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from dataclasses import asdict, dataclass, field

REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))


@dataclass
class Result:
    """One line of the table: a measurement repeated `len(samples)` times.

    `limit` is the pass mark (the samples' median must be at most `limit`, in `unit`);
    `at_least` a pass mark from below (the median must be at least that); `target` says it
    in words. Neither: reported for information only. `columns` are further figures of the
    line (say "p99": "12.3 ms"), printed as columns of their own.
    """

    part: str
    name: str
    unit: str  # "s", "MB" or "x" (a ratio)
    samples: list[float]
    target: str = ""
    limit: float | None = None
    ok: bool = True  # False fails the line whatever the figures (a wrong result)
    note: str = ""
    extra: dict = field(default_factory=dict)
    at_least: float | None = None
    columns: dict[str, str] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def passed(self) -> bool | None:
        if not self.ok:
            return False
        if self.limit is None and self.at_least is None:
            return None
        return (self.limit is None or self.median <= self.limit) and (
            self.at_least is None or self.median >= self.at_least
        )

    def as_dict(self) -> dict:
        return {
            **asdict(self),
            "median": self.median,
            "min": min(self.samples),
            "max": max(self.samples),
            "passed": self.passed,
        }


def current_rss_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def run_in_child(target: str, *, env: dict[str, str] | None = None, **kwargs) -> dict:
    """Run `module:function(**kwargs)` in a fresh Python process, set up on the bench
    database, and return what it measured: `seconds` (the call alone, not the start-up),
    `peak_rss_kb` (the process's peak resident set, start-up included), `rss_before_kb`
    (resident set just before the call) and `result` (the function's JSON-able value).

    A child of its own gives the call's peak memory untouched by the runner's. `env` adds
    to (or overrides) the child's environment.
    """
    proc = subprocess.run(  # noqa: S603 (this interpreter, our own module)
        [sys.executable, "-m", "bench.child", target, json.dumps(kwargs)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **env} if env else None,
    )
    if proc.returncode != 0:
        sys.stderr.write((proc.stdout + proc.stderr)[-5000:])
        raise RuntimeError(f"{target} failed in its child process (exit {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "x":
        # Three decimals under 0.1, so that a ratio just under a target (0.037 against 0.04)
        # does not print as the target.
        return f"{value:.3f}x" if value < 0.1 else f"{value:.2f}x"
    if unit == "req/s":
        return f"{value:,.0f}/s"
    return f"{value:g} {unit}"


def table(results: list[Result]) -> str:
    """The results as a plain-text table (what `make bench` prints)."""
    header = ["part", "measurement", "median", "min-max", "ratio/target", "pass/fail"]
    more = list(dict.fromkeys(name for r in results for name in r.columns))
    header += more
    rows = []
    for r in results:
        spread = (
            f"{_fmt(min(r.samples), r.unit)} - {_fmt(max(r.samples), r.unit)}"
            if len(r.samples) > 1
            else ""
        )
        verdict = {None: "info", True: "PASS", False: "FAIL"}[r.passed]
        target = "; ".join(x for x in (r.target, r.note) if x)
        rows.append(
            [r.part, r.name, _fmt(r.median, r.unit), spread, target, verdict]
            + [r.columns.get(name, "") for name in more]
        )
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)),
        "-+-".join("-" * w for w in widths),
    ]
    # A line without the further columns (another part's) ends at its last figure.
    lines += [
        " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip(" |")
        for row in rows
    ]
    return "\n".join(line.rstrip() for line in lines)
