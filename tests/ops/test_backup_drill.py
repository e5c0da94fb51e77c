"""Backup and restore (ops/backup.py): a dump taken while a recompute is writing restores to
exactly the snapshot it captured (every table's rows and checksum equal), and the restored
portal publishes whole runs only. PostgreSQL only: the drill is pg_dump and pg_restore."""

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from ops import backup
from performance.models import ScoreRun
from performance.services import recompute_scores
from tests.conftest import AFTER_2025
from tests.factories import AgencyFactory
from tests.portal.workspace.data import contract_of

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_dump drill: PostgreSQL only (CI)"
)


def _url(name: str) -> str:
    db = settings.DATABASES["default"]
    return f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{name}"


def test_a_dump_during_a_recompute_restores_exactly_and_never_mixes_runs(
    transactional_db, tmp_path
):
    from performance.models import PerformanceContract

    for _ in range(3):
        contract_of(AgencyFactory(), status=PerformanceContract.Status.APPROVED)
    first = recompute_scores(year=2025, today=AFTER_2025)
    source = _url(connection.settings_dict["NAME"])
    target = _url(connection.settings_dict["NAME"] + "_drill")

    # A second recompute is half-way: its run and its scores are written, not yet committed.
    with psycopg.connect(source) as writer:
        run_id = writer.execute(
            "INSERT INTO performance_scorerun (started_at, status, schemes, counts, error)"
            " VALUES (now(), 'published', '{}', '{}', '') RETURNING id"
        ).fetchone()[0]
        writer.execute(
            "INSERT INTO performance_score (run_id, agency_id, contract_id, year, period,"
            " missing, score, predikat, final, complete)"
            " SELECT %s, agency_id, contract_id, year, period, missing, score, predikat,"
            " final, complete FROM performance_score WHERE run_id = %s",
            [run_id, first.pk],
        )
        result = backup.drill(source, target, tmp_path / "during.dump")
        writer.rollback()

    assert [t for t, _, equal in result.tables if not equal] == []
    assert {t for t, _, _ in result.tables} >= {"performance_score", "agencies_agency"}
    assert result.published_before == result.published_restored == [first.pk]
    assert result.restored_run_complete
    assert result.ok
    with psycopg.connect(target) as restored:
        scores = restored.execute(
            "SELECT count(*) FROM performance_score WHERE run_id = %s", [first.pk]
        ).fetchone()[0]
    assert scores == first.counts["contract_scores"] + first.counts["agency_scores"]
    assert ScoreRun.objects.published().count() == 1


def test_the_drill_notices_a_difference(transactional_db, tmp_path, monkeypatch):
    contract_of(AgencyFactory())
    source = _url(connection.settings_dict["NAME"])
    target = _url(connection.settings_dict["NAME"] + "_drill")
    real_restore = backup.restore

    def lossy_restore(url, path):
        real_restore(url, path)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                "DELETE FROM performance_target WHERE id = (SELECT min(id) FROM performance_target)"
            )

    monkeypatch.setattr(backup, "restore", lossy_restore)
    result = backup.drill(source, target, tmp_path / "lossy.dump")
    assert not result.ok
    assert [t for t, _, equal in result.tables if not equal] == ["performance_target"]
