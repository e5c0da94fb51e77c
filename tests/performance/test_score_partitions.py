"""Score rows partitioned by run on PostgreSQL (issue 24, migration 0019,
performance/history.py): each run's rows in a partition of their own, created before the
run's transaction; pruning a run drops its partition. On SQLite the same behaviour by
DELETE. Run on PostgreSQL with DATABASE_URL set (CI)."""

import datetime

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone

from performance import history
from performance.models import Edition, Score, ScoreRun
from performance.services import prune_runs, recompute_scores
from tests.factories import AgencyFactory
from tests.performance.test_recompute import OCT_20, simple_contract

pytestmark = pytest.mark.django_db
POSTGRESQL = connection.vendor == "postgresql"


def partitions() -> set[str]:
    """The score table's partitions by name (none on SQLite)."""
    if not POSTGRESQL:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'performance_score'"
        )
        return {row[0] for row in cursor.fetchall()}


def test_the_score_table_is_partitioned_on_postgresql_only():
    assert history.partitioned() is POSTGRESQL
    if POSTGRESQL:
        assert history.DEFAULT_PARTITION in partitions()


def test_each_run_writes_its_scores_into_a_partition_of_its_own():
    simple_contract(AgencyFactory())
    run = recompute_scores(today=OCT_20)
    assert Score.objects.filter(run=run).count() == 4
    if POSTGRESQL:
        assert history.partition_name(run.pk) in partitions()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {history.partition_name(run.pk)}")  # noqa: S608
            assert cursor.fetchone()[0] == 4
            cursor.execute(f"SELECT count(*) FROM {history.DEFAULT_PARTITION}")  # noqa: S608
            assert cursor.fetchone()[0] == 0
    assert history.add_partition(run.pk) == (  # there already: its name
        history.partition_name(run.pk) if POSTGRESQL else "performance_score"
    )


def test_pruning_drops_the_runs_partitions_and_keeps_the_editions_and_the_latest(settings):
    simple_contract(AgencyFactory())
    runs = [recompute_scores(today=OCT_20) for _ in range(3)]
    edition, between, latest = runs
    assert Edition.objects.get().run == edition
    # A row outside any run's partition (written by other means): deleted, as on SQLite.
    stray = ScoreRun.objects.create(status=ScoreRun.Status.FAILED)
    Score.objects.create(
        run=stray, agency_id=Score.objects.first().agency_id, year=2025, period="Q1", score=1
    )
    settings.SCORE_HISTORY_DAYS = 0

    assert prune_runs(now=timezone.now() + datetime.timedelta(days=1)) == 2

    assert set(ScoreRun.objects.values_list("pk", flat=True)) == {edition.pk, latest.pk}
    assert not Score.objects.filter(run__in=[between.pk, stray.pk]).exists()
    assert (
        Score.objects.filter(run=edition).count() == Score.objects.filter(run=latest).count() == 4
    )
    if POSTGRESQL:
        assert history.partition_name(between.pk) not in partitions()
        assert {
            history.partition_name(edition.pk),
            history.partition_name(latest.pk),
        } <= partitions()
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [history.partition_name(between.pk)])
            assert cursor.fetchone()[0] is None  # dropped, not only detached


def test_a_partition_is_added_once():
    run = ScoreRun.objects.create()
    history.add_partition(run.pk)
    history.add_partition(run.pk)  # a retry: nothing to do
    assert (history.partition_name(run.pk) in partitions()) is POSTGRESQL


@pytest.mark.django_db(transaction=True)
def test_a_run_whose_partition_waits_too_long_for_readers_writes_to_the_default_one(
    monkeypatch,
):
    """A reader holding the score table (a long report, a backup's dump) makes a new run's
    partition wait at most LOCK_TIMEOUT; then the run writes to the default partition and
    is pruned by DELETE, rather than readers queueing behind the partition's lock."""
    monkeypatch.setattr(history, "LOCK_TIMEOUT", "200ms")
    run = ScoreRun.objects.create()
    reader = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        reader.set_autocommit(False)
        with reader.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM performance_score")  # holds its lock
        table = history.add_partition(run.pk)
    finally:
        reader.rollback()
        reader.close()
    assert table == "performance_score"
    assert history.partition_name(run.pk) not in partitions()
    history.add_partition(run.pk)  # the reader gone: no wait
    assert (history.partition_name(run.pk) in partitions()) is POSTGRESQL
