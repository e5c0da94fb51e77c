"""The read replica (portal/db_router.py, portal/common/replica.py): anonymous GETs read from
it while it holds the primary's published run; signed-in users, writes, a stale replica and
one that fails read from the primary; /healthz says which.

Here the "replica" is a second connection: to the test database itself (routing), or to a
SQLite file of its own that holds an older run or only the runs table (stale, failing). A
real standby (pg_basebackup -R) is driven by `python -m ops.replica` (make chaos)."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connections
from django.test.utils import CaptureQueriesContext

from performance.models import ScoreRun
from performance.services import recompute_scores
from portal.common import replica
from portal.db_router import PRIMARY, REPLICA, ReplicaRouter, reading_from
from tests.conftest import AFTER_2025
from tests.factories import AgencyFactory
from tests.portal.workspace.data import contract_of

pytestmark = pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA])


def _drop_connection() -> None:
    with contextlib.suppress(Exception):
        connections[REPLICA].close()
    with contextlib.suppress(AttributeError):
        delattr(connections._connections, REPLICA)


@pytest.fixture(scope="module", autouse=True)
def _replica_alias(django_db_setup):
    """A "replica" alias for this module's tests (named in their `databases`): the test
    database again, through a connection of its own, unless a test points it elsewhere."""
    connections.settings[REPLICA] = dict(connections.settings[PRIMARY])
    yield
    _drop_connection()
    del connections.settings[REPLICA]


@pytest.fixture(autouse=True)
def add_replica(settings):
    """`add_replica(**settings)`: the replica alias with these settings over the primary's.
    The state is checked once, when first asked for."""
    settings.REPLICA_CHECK_SECONDS = 3600
    primary = dict(connections.settings[REPLICA])
    replica.forget_state()

    def add(**overrides: object):
        _drop_connection()
        connections.settings[REPLICA] = {**primary, **overrides}
        replica.forget_state()
        return connections[REPLICA]

    yield add
    replica.forget_state()
    _drop_connection()
    connections.settings[REPLICA] = primary


@pytest.fixture
def no_replica():
    saved = connections.settings.pop(REPLICA)
    yield
    connections.settings[REPLICA] = saved


def sqlite_replica(add_replica, path) -> object:
    """A replica that is a SQLite file holding the runs table only (filled by the test)."""
    conn = add_replica(
        ENGINE="django.db.backends.sqlite3",
        NAME=str(path),
        OPTIONS={},
        HOST="",
        PORT="",
        USER="",
        PASSWORD="",
        CONN_MAX_AGE=0,
    )
    with conn.schema_editor() as editor:
        editor.create_model(ScoreRun)
    return conn


@pytest.fixture
def published():
    """An agency with an approved contract and a published run: (agency, run)."""
    from performance.models import PerformanceContract

    agency = AgencyFactory()
    contract_of(agency, status=PerformanceContract.Status.APPROVED)
    return agency, recompute_scores(year=2025, today=AFTER_2025)


def test_the_router_reads_from_the_replica_only_when_marked_and_writes_to_the_primary():
    router = ReplicaRouter()
    assert router.db_for_read(ScoreRun) == PRIMARY
    token = reading_from.set(REPLICA)
    try:
        assert router.db_for_read(ScoreRun) == REPLICA
        assert router.db_for_write(ScoreRun) == PRIMARY
        # Once the request has written, it reads what it wrote: from the primary.
        assert router.db_for_read(ScoreRun) == PRIMARY
    finally:
        reading_from.reset(token)
    assert router.allow_migrate(PRIMARY, "performance") is True
    assert router.allow_migrate(REPLICA, "performance") is False


def test_without_a_replica_healthz_says_off_and_pages_read_the_primary(
    client, published, no_replica
):
    agency, _ = published
    assert client.get(agency.get_absolute_url()).status_code == 200
    assert client.get("/healthz").json()["replica"] == {"state": "off"}


def test_an_anonymous_page_is_read_from_the_replica(client, published, add_replica):
    agency, run = published
    add_replica()
    with (
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        CaptureQueriesContext(connections[PRIMARY]) as on_primary,
    ):
        response = client.get(agency.get_absolute_url())
    assert response.status_code == 200
    assert agency.name in response.text
    assert len(on_replica) >= 3
    # The primary answers the state's check only: the newest published run's id.
    assert [q["sql"] for q in on_primary if "performance_scorerun" not in q["sql"]] == []
    assert len(on_primary) == 1
    health = client.get("/healthz").json()["replica"]
    assert health["state"] == "ok"
    assert health["run"] == health["primary_run"] == run.pk


def test_a_signed_in_user_reads_from_the_primary(client, published, add_replica, cast):
    agency, _ = published
    add_replica()
    client.force_login(cast.officer_a)
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        assert client.get(agency.get_absolute_url()).status_code == 200
    assert len(on_replica) == 0


def test_a_post_reads_from_the_primary(rf, published, add_replica):
    from django.contrib.auth.models import AnonymousUser

    add_replica()
    seen = []
    middleware = replica.ReplicaMiddleware(lambda request: seen.append(reading_from.get()))
    for method in ("get", "post", "head"):
        request = getattr(rf, method)("/")
        request.user = AnonymousUser()
        middleware(request)
    assert seen == [REPLICA, None, REPLICA]
    assert reading_from.get() is None  # the mark ends with the request


def test_a_replica_without_the_published_run_is_stale_and_the_primary_serves(
    client, published, add_replica, tmp_path
):
    agency, run = published
    sqlite_replica(add_replica, tmp_path / "stale.sqlite3")
    older = ScoreRun.objects.using(REPLICA).create(
        status=ScoreRun.Status.PUBLISHED, published_at=run.published_at, as_of=run.as_of
    )
    assert older.pk != run.pk
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        response = client.get(agency.get_absolute_url())
    assert response.status_code == 200
    assert [q["sql"] for q in on_replica if "performance_scorerun" not in q["sql"]] == []
    health = client.get("/healthz").json()
    assert health["status"] == "ok"  # the primary serves: no alarm
    assert health["replica"]["state"] == "stale"
    assert (health["replica"]["run"], health["replica"]["primary_run"]) == (older.pk, run.pk)


def test_a_run_published_since_the_check_is_read_from_the_primary(client, published, add_replica):
    agency, first = published
    add_replica()
    assert replica.replica_state().replica_run == first.pk  # checked now, not again
    second = recompute_scores(year=2025, today=AFTER_2025)
    assert second.pk != first.pk
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        response = client.get(agency.get_absolute_url())
    assert response.status_code == 200
    # The page's run (from the cache, the primary's) is not the one the replica was seen
    # to hold: no query of the page's went there but the run's id.
    assert [q["sql"] for q in on_replica if "performance_scorerun" not in q["sql"]] == []


def test_an_unreachable_replica_leaves_the_primary_serving(client, published, add_replica):
    agency, run = published
    add_replica(
        ENGINE="django.db.backends.sqlite3",
        NAME="/nonexistent-directory/replica.sqlite3",
        OPTIONS={},
        CONN_MAX_AGE=0,
    )
    response = client.get(agency.get_absolute_url())
    assert response.status_code == 200
    assert agency.name in response.text
    health = client.get("/healthz").json()
    assert health["status"] == "ok"
    assert health["replica"]["state"] == "unreachable"
    assert (health["replica"]["run"], health["replica"]["primary_run"]) == (None, run.pk)
    assert health["replica"]["error"] == "OperationalError"


@pytest.mark.parametrize("page", ["scorecard", "/api/v1/agencies/"])
def test_a_replica_failing_mid_request_is_left_and_the_page_rendered_from_the_primary(
    client, published, add_replica, tmp_path, page
):
    agency, run = published
    sqlite_replica(add_replica, tmp_path / "partial.sqlite3")
    # The replica holds the published run (so it is usable) but none of the page's tables.
    run.save(using=REPLICA, force_insert=True)
    assert replica.replica_state().usable
    response = client.get(agency.get_absolute_url() if page == "scorecard" else page)
    assert response.status_code == 200
    assert agency.name in response.content.decode()
    health = client.get("/healthz").json()["replica"]
    assert health["state"] == "unreachable"
    assert health["error"] == "OperationalError"  # the type only: the message names hosts


def test_while_the_primary_does_not_answer_the_replica_serves_its_own_run(
    client, published, add_replica
):
    """The state's check found the replica answering and the primary not: the replica's
    newest run is what a page shows (a page of the run the cache names would need the
    primary)."""
    agency, run = published
    add_replica()
    replica._state = replica.ReplicaState(replica.OK, replica_run=run.pk, primary_run=None)
    token = reading_from.set(REPLICA)
    try:
        assert replica.run_to_read(run.pk + 1) == run.pk
        assert reading_from.get() == REPLICA
    finally:
        reading_from.reset(token)


SETTINGS_PROBE = """
import json, django
from django.conf import settings as s
django.setup()
replica = s.DATABASES.get("replica")
print(json.dumps({
    "replica": replica and {
        k: replica[k] for k in ("ENGINE", "HOST", "PORT", "NAME", "OPTIONS", "TEST")
    },
    "routers": s.DATABASE_ROUTERS,
}))
"""


def probe_settings(**env: str) -> dict:
    out = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "-c", SETTINGS_PROBE],
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "SECRET_KEY": "production-like-" + "x" * 50,
            "DATABASE_URL": "postgres://kinerja:pw@primary:5432/kinerja",
            **env,
        },
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    return {"returncode": out.returncode, "stderr": out.stderr} | (
        json.loads(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else {}
    )


def test_database_replica_url_adds_the_replica_with_a_short_connect_timeout():
    found = probe_settings(
        DATABASE_REPLICA_URL="postgres://kinerja:pw@standby:5432/kinerja",
        REPLICA_CONNECT_TIMEOUT="3",
    )
    replica_db = found["replica"]
    assert (replica_db["HOST"], replica_db["NAME"]) == ("standby", "kinerja")
    assert replica_db["OPTIONS"]["connect_timeout"] == 3
    assert replica_db["OPTIONS"]["application_name"] == "kinerja-replica"
    assert replica_db["TEST"]["MIRROR"] == "default"
    assert found["routers"] == ["portal.db_router.ReplicaRouter"]
    assert probe_settings()["replica"] is None


def test_a_replica_of_another_engine_is_refused_at_startup():
    found = probe_settings(DATABASE_REPLICA_URL="sqlite:////tmp/replica.sqlite3")
    assert found["returncode"] != 0
    assert "DATABASE_REPLICA_URL must be a standby of DATABASE_URL" in found["stderr"]
