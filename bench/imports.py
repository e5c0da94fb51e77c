"""The import part: `import_performance` of a 100,000-row performance.csv.

The file (generated here, the same every time) holds a year of the 40 bench agencies' PK
contracts (25 indicators each) and of 6,000 new civil servants' SKPs (4 indicators each), for
the four quarters: 40 x 25 x 4 + 6,000 x 4 x 4 = 100,000 rows. Timed twice over, each in a
child process of its own (for its peak memory):

- into a year the database does not have yet, so everything is created (the year and its
  new employees are deleted, untimed, before each repetition);
- the same file again, which must change nothing.
"""

from __future__ import annotations

import csv
import datetime
import tempfile
from decimal import Decimal
from pathlib import Path

from django.db import connection, transaction

from performance.imports import COLUMNS
from performance.validators import nip_problem

from . import dataset
from .measure import REPEAT, Result, run_in_child

PART = "import"
YEAR = dataset.YEAR + 1
EMPLOYEES = 6_000
EMPLOYEE_INDICATORS = 4
AGENCY_INDICATORS = 25
ROWS = dataset.AGENCIES * AGENCY_INDICATORS * 4 + EMPLOYEES * EMPLOYEE_INDICATORS * 4
NAME_PREFIX = "Pegawai Impor "
SECONDS_LIMIT = 60.0
POSITIONS = ["Analis Kebijakan", "Pranata Komputer", "Perawat", "Guru", "Penyuluh"]
UNITS = ["%", "dokumen", "hari", "orang", "kegiatan"]


def nip(n: int) -> str:
    """A valid NIP, distinct for each n < 10,000 and from the recompute data set's (whose
    serials are 001-009; these are 500-899)."""
    born = datetime.date(1970, 1, 1) + datetime.timedelta(days=n)
    appointed = f"{born.year + 22 + n % 5}{1 + n % 12:02d}"
    return f"{born:%Y%m%d}{appointed}{1 + n % 2}{500 + n % 400:03d}"


def _figures(seed: int, direction: str) -> tuple[str, str]:
    """(target, realisation) of an indicator-quarter; one realisation in 20 not reported."""
    if direction == "lower" and seed % 11 == 0:
        target = Decimal(0)
    else:
        target = Decimal(10 + seed % 190) + Decimal(seed % 4) / 4
    if seed % 20 == 0:
        return f"{target:f}", ""
    if target == 0:
        return "0", str(seed % 2)
    realisation = (target * (55 + seed % 71) / 100).quantize(Decimal("0.0001"))
    return f"{target:f}", f"{realisation.normalize():f}"


def write_csv(path: Path) -> tuple[int, int]:
    """Write the file; returns its numbers of data rows and of realisations in them."""
    rows = realisations = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        holders = [
            (f"BENCH{a:02d}", "agency", "", "", "IKU", AGENCY_INDICATORS, a)
            for a in range(1, dataset.AGENCIES + 1)
        ]
        holders += [
            (
                f"BENCH{1 + n % dataset.AGENCIES:02d}",
                nip(n),
                f"{NAME_PREFIX}{n}",
                POSITIONS[n % len(POSITIONS)],
                "RHK",
                EMPLOYEE_INDICATORS,
                1000 + n,
            )
            for n in range(EMPLOYEES)
        ]
        for agency, holder, name, position, prefix, indicators, seed in holders:
            for j in range(1, indicators + 1):
                direction = "lower" if (seed * 7 + j * 3) % 10 < 3 else "higher"
                weight = 5 + (seed * 13 + j * 29) % 26
                for quarter in (1, 2, 3, 4):
                    target, realisation = _figures(seed * 31 + j * 17 + quarter * 7, direction)
                    writer.writerow(
                        [
                            agency,
                            holder,
                            name,
                            position,
                            YEAR,
                            quarter,
                            f"{prefix}{j}",
                            f"Indikator kinerja {j}",
                            UNITS[j % len(UNITS)],
                            direction,
                            weight,
                            target,
                            realisation,
                        ]
                    )
                    rows += 1
                    realisations += realisation != ""
    return rows, realisations


def import_file(path: str) -> dict:
    """In the child process: import the file, and say what it did."""
    from performance.imports import import_performance

    result = import_performance(Path(path).read_bytes())
    return {
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
    }


def forget_imported() -> int:
    """Delete the import part's year, its new employees and every audit-trail record (the
    recompute data set has none), leaving the recompute data set as it was built. Returns
    the number of rows deleted."""
    contracts = "SELECT id FROM performance_performancecontract WHERE year = %(year)s"
    indicators = f"SELECT id FROM performance_indicator WHERE contract_id IN ({contracts})"
    deleted = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in (
            f"DELETE FROM performance_achievement WHERE indicator_id IN ({indicators})",
            f"DELETE FROM performance_annualachievement WHERE indicator_id IN ({indicators})",
            f"DELETE FROM performance_score WHERE contract_id IN ({contracts})",
            f"DELETE FROM performance_realisation WHERE indicator_id IN ({indicators})",
            f"DELETE FROM performance_target WHERE indicator_id IN ({indicators})",
            f"DELETE FROM performance_indicator WHERE contract_id IN ({contracts})",
            "DELETE FROM performance_performancecontract WHERE year = %(year)s",
            "DELETE FROM performance_employee WHERE name LIKE %(names)s",
        ):
            cursor.execute(statement, {"year": YEAR, "names": NAME_PREFIX + "%"})
            deleted += cursor.rowcount
        history = dataset.history_tables()
        if history:
            cursor.execute(f"TRUNCATE {', '.join(history)}")
    if deleted:
        with connection.cursor() as cursor:
            cursor.execute(
                "VACUUM ANALYZE performance_employee, performance_performancecontract,"
                " performance_indicator, performance_target, performance_realisation"
            )
    return deleted


def _changes(result: dict) -> int:
    return sum(result["created"].values()) + sum(result["updated"].values())


def run(ctx) -> list[Result]:
    if not dataset.is_current():
        # The file's agencies are the recompute data set's: build it when it is not there.
        ctx.log(f"import: building the data set in {ctx.database} first ...")
        dataset.build(log=ctx.log)
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        path = Path(tmp) / "performance.csv"
        rows, realisations = write_csv(path)
        assert rows == ROWS, rows  # noqa: S101 (the generator's own arithmetic)
        expected = {
            "employees": EMPLOYEES,
            "contracts": EMPLOYEES + dataset.AGENCIES,
            "indicators": EMPLOYEES * EMPLOYEE_INDICATORS + dataset.AGENCIES * AGENCY_INDICATORS,
            "targets": ROWS,
            "realisations": realisations,
        }
        if bad := [nip(n) for n in range(EMPLOYEES) if nip_problem(nip(n))]:
            raise RuntimeError(f"generated NIPs are invalid: {bad[:3]}")
        ctx.log(f"import: {rows:,} rows, {path.stat().st_size / 1e6:.1f} MB")

        fresh, again = [], []
        for i in range(REPEAT):
            forget_imported()
            child = run_in_child("bench.imports:import_file", path=str(path))
            fresh.append(child)
            ctx.log(
                f"import: [{i + 1}/{REPEAT}] into a new year {child['seconds']:.2f} s, "
                f"created {child['result']['created']}"
            )
        for i in range(REPEAT):
            child = run_in_child("bench.imports:import_file", path=str(path))
            again.append(child)
            ctx.log(
                f"import: [{i + 1}/{REPEAT}] again {child['seconds']:.2f} s, "
                f"{_changes(child['result'])} changes"
            )
    forget_imported()

    created = fresh[0]["result"]["created"]
    complete = all(
        c["result"]["created"] == expected and not sum(c["result"]["updated"].values())
        for c in fresh
    )
    unchanged = all(_changes(c["result"]) == 0 for c in again)
    results = []
    for name, children, ok, what in (
        (
            f"import_performance, a new year ({ROWS:,} rows)",
            fresh,
            complete,
            "everything created" if complete else f"created {created}, expected {expected}",
        ),
        (
            "the same file again",
            again,
            unchanged,
            "nothing changed" if unchanged else "IT CHANGED ROWS",
        ),
    ):
        seconds = [c["seconds"] for c in children]
        result = Result(
            PART,
            name,
            "s",
            seconds,
            target=f"< {SECONDS_LIMIT:.0f} s",
            limit=SECONDS_LIMIT,
            ok=ok,
            extra={"children": children},
        )
        result.note = f"{ROWS / result.median:,.0f} rows/s; {what}"
        results.append(result)
    results.append(
        Result(
            PART,
            "peak RSS of the import process",
            "MB",
            [c["peak_rss_kb"] / 1024 for c in fresh + again],
            note=f"{fresh[0]['rss_before_kb'] / 1024:.0f} MB of it before the call",
        )
    )
    return results
