"""What is kept of the published runs (issue 24): dated editions, the fingerprint that tells an
unchanged night, and the pruning of the runs between editions (partitions on PostgreSQL).

- An **edition** is the first run published after a quarter closed, or after a correction
  of a closed period (`Edition`). Editions are never pruned: `?edition=<date>` reads them
  (open-data files and the API) years later, as first published.
- A night whose **inputs** did not change since the latest published run publishes no new
  run: `input_fingerprint` hashes, in one SQL statement, the counts and highest ids of the
  tables the recompute reads, the highest history id of the audited ones (every change the
  audit trail records, imports included), the latest change of a scheme, and the quarters
  started and closed on the day (the same data scores differently once a quarter closes).
- Score rows are **partitioned by run** on PostgreSQL (one LIST partition a run, created
  before the run's rows are written; migration 0019), so pruning a run drops its partition
  instead of deleting its half a million rows. Elsewhere (SQLite) pruning deletes them.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
from collections.abc import Iterable, Mapping

from django.db import OperationalError, connection, transaction

from agencies.models import Agency, Service, SurveyResponse

from . import scoring
from .models import (
    Edition,
    Employee,
    EmployeePosting,
    Goal,
    GoalIndicator,
    GoalTarget,
    Indicator,
    LateChange,
    PerformanceContract,
    Realisation,
    Score,
    ScoreRun,
    ScoringScheme,
    StaffRating,
    Target,
)

# Bump when the recompute computes something else from the same inputs (a new rule): the
# next night then publishes a run whatever the data.
FINGERPRINT_VERSION = 1
# Every table the recompute reads (the goals too: what the cascade's support is read
# against). For each: its row count and highest id (an insert or a
# delete); for the audited ones also the highest id of the audit trail (an update).
INPUTS = (
    Goal,
    GoalIndicator,
    GoalTarget,
    Agency,
    Service,
    SurveyResponse,
    Employee,
    EmployeePosting,
    PerformanceContract,
    Indicator,
    Target,
    Realisation,
    LateChange,
    StaffRating,
    ScoringScheme,
)
# Tables whose rows change in place without an audit record, and the column that says when.
UPDATED = ((ScoringScheme, "updated_at"), (PerformanceContract, "updated_at"))
PARTITION_PREFIX = "performance_score_run_"
LOCK_TIMEOUT = "2s"  # the longest a new run's partition waits for readers of the scores
log = logging.getLogger(__name__)
DEFAULT_PARTITION = "performance_score_default"


def quarter_key(year: int, quarter: int) -> str:
    return f"{year}-Q{quarter}"


def closed_quarter_keys(schemes: Mapping[str, dict], today: datetime.date) -> set[str]:
    """The quarters ("2026-Q3") of the years of `schemes` (a run's scheme snapshots) that are
    closed on `today`, each year with its own scheme's grace days."""
    keys = set()
    for key, snapshot in schemes.items():
        year = int(key)
        grace = scoring.Scheme.from_snapshot(snapshot).entry_grace_days
        keys |= {quarter_key(year, q) for q in scoring.closed_quarters(year, today, grace)}
    return keys


def mark_edition(run: ScoreRun, schemes: Mapping[str, dict], corrections: int) -> Edition | None:
    """Record `run` (being published, with these scheme snapshots and this number of
    corrections) as the edition of its day when a quarter has closed since the last edition
    (a quarter no edition names yet) or when it corrects a published figure. Call inside
    the publishing transaction. Returns the edition, or None when the run is not one."""
    if run.as_of is None:
        return None
    known: set[str] = set()
    for quarters in Edition.objects.values_list("quarters", flat=True):
        known.update(quarters)
    new = closed_quarter_keys(schemes, run.as_of) - known
    if not new and not corrections:
        return None
    edition = Edition.objects.select_for_update().filter(date=run.as_of).first()
    if edition is None:
        return Edition.objects.create(
            date=run.as_of, run=run, quarters=sorted(new), corrections=corrections
        )
    # The day's second edition-worthy run: the day's edition is now the later figures.
    edition.run = run
    edition.quarters = sorted(set(edition.quarters) | new)
    edition.corrections += corrections
    edition.save(update_fields=["run", "quarters", "corrections"])
    return edition


def _period_state(today: datetime.date, years: Iterable[int]) -> list[list[int]]:
    """[[year, quarters started, quarters closed]] on `today` for the years given."""
    graces = dict(ScoringScheme.objects.values_list("year", "entry_grace_days"))
    default = scoring.DEFAULT_SCHEME.entry_grace_days
    return [
        [
            y,
            len(scoring.started_quarters(y, today)),
            len(scoring.closed_quarters(y, today, graces.get(y, default))),
        ]
        for y in years
    ]


def input_fingerprint(*, today: datetime.date) -> str:
    """A hash of everything a recompute as of `today` reads: equal fingerprints, equal runs.
    Two queries, whatever the size of the tables (counts and maxima, no row leaves the
    database)."""
    qn = connection.ops.quote_name
    reads: list[tuple[str, str]] = []  # (aggregate, table): names from the models only
    for model in INPUTS:
        reads += [("count(*)", model._meta.db_table), ("max(id)", model._meta.db_table)]
        history = getattr(model, "history", None)
        if history is not None:
            reads.append(("max(history_id)", history.model._meta.db_table))
    reads += [(f"max({qn(column)})", model._meta.db_table) for model, column in UPDATED]
    for model in (PerformanceContract, SurveyResponse):
        reads += [("min(year)", model._meta.db_table), ("max(year)", model._meta.db_table)]
    selects = [f"(SELECT {aggregate} FROM {qn(table)})" for aggregate, table in reads]  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects))  # fixed names from the models
        values = list(cursor.fetchone())
    years = [y for y in values[-4:] if y is not None]
    state = _period_state(today, range(min(years), max(years) + 1)) if years else []
    payload = [FINGERPRINT_VERSION, [str(v) for v in values], state]
    return hashlib.sha256(json.dumps(payload).encode()).hexdigest()


def unchanged_run(*, today: datetime.date) -> ScoreRun | None:
    """The latest published run when a recompute as of `today` would compute the same rows
    (its inputs' fingerprint is tonight's), else None."""
    latest = ScoreRun.objects.latest_published()
    if latest is None or not latest.inputs:
        return None
    return latest if latest.inputs == input_fingerprint(today=today) else None


# --- partitions (PostgreSQL) ---------------------------------------------------------------


def partitioned() -> bool:
    """Whether the score table is partitioned by run (PostgreSQL, after migration 0019)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid"
            " WHERE c.relname = %s AND pg_table_is_visible(c.oid)",
            [Score._meta.db_table],
        )
        return cursor.fetchone() is not None


def partition_name(run_id: int) -> str:
    return f"{PARTITION_PREFIX}{int(run_id)}"


def add_partition(run_id: int) -> str:
    """Give run `run_id` its own partition of the score table (PostgreSQL, partitioned; a
    no-op elsewhere or when it has one) and return the table that holds its scores (the
    partition, else the score table).

    Call outside the recompute's long transaction: creating a partition locks the parent
    table against readers until the transaction ends, here a moment (the partition is empty
    and so is the default one it is checked against). At most LOCK_TIMEOUT is spent waiting
    for readers already running; past it the run's rows go to the default partition, pruned
    by DELETE, and the night goes on. (CREATE ... PARTITION OF rather than ATTACH PARTITION,
    which would lock less but is an ALTER: psycopg then discards the connection's prepared
    statements, the recompute's among them.)"""
    table = Score._meta.db_table
    if not partitioned():
        return table
    name = partition_name(run_id)
    run = int(run_id)
    # The timeout only in a transaction of its own: inside a caller's (a test's), SET LOCAL
    # would outlast the partition and time out the caller's own waits.
    bounded = not connection.in_atomic_block
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if bounded:
                cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            # Names from the model and an integer; the run id is a literal by necessity (a
            # partition bound takes no parameter).
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF {table} FOR VALUES IN ({run})"
            )
    except OperationalError:
        log.warning("run %s: no partition of its own (lock timeout); rows in the default", run)
        return table
    return name


def drop_partitions(run_ids: Iterable[int]) -> int:
    """Detach and drop the partitions of `run_ids` (PostgreSQL, partitioned), inside the
    caller's transaction. Returns how many were dropped; rows of runs without a partition
    (in the default one) are left to the caller's DELETE."""
    if not partitioned():
        return 0
    table = Score._meta.db_table
    names = [partition_name(r) for r in run_ids]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s AND c.relname = ANY(%s)",
            [table, names],
        )
        found = [row[0] for row in cursor.fetchall()]
        for name in found:
            cursor.execute(f"ALTER TABLE {table} DETACH PARTITION {name}")
            cursor.execute(f"DROP TABLE {name}")
    return len(found)
