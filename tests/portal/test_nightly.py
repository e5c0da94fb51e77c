"""The nightly job's ledger (portal/nightly.py): whatever triggers it, a night publishes
exactly one run; a crash before publication is run again, a crash after it only needs the
rules; the watchdog starts a night beat missed. Plus both tasks through a real Celery worker
against Redis where REDIS_URL is set (CI)."""

import datetime
import threading
import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.exceptions import Retry
from celery.signals import task_postrun
from django.conf import settings
from django.db import OperationalError, connection, connections
from django.utils import timezone

from performance.caching import forget_published_run
from performance.models import PerformanceContract, Score, ScoreRun
from portal import nightly, tasks
from portal.celery import app
from portal.models import NightlyRun
from rewards import rules
from tests.factories import AgencyFactory
from tests.portal.workspace.data import contract_of

NIGHT = datetime.date(2026, 3, 2)
Status = NightlyRun.Status
WITA = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def data(db):
    return contract_of(AgencyFactory(), status=PerformanceContract.Status.APPROVED)


def published() -> int:
    return ScoreRun.objects.published().count()


def test_a_night_publishes_one_run_whatever_triggers_it(data):
    first = nightly.run_nightly(night=NIGHT, trigger="beat")
    assert first.status == Status.DONE and first.run is not None
    for trigger in ("beat", "manual", "redelivery", "watchdog"):
        again = nightly.run_nightly(night=NIGHT, trigger=trigger)
        assert again.status == Status.DONE and again.run_id == first.run_id
    assert published() == 1
    assert NightlyRun.objects.get().attempts == 1


def test_the_next_night_publishes_a_new_run_when_an_input_changed(data):
    nightly.run_nightly(night=NIGHT)
    AgencyFactory()  # a new agency: the next night's inputs differ
    nightly.run_nightly(night=NIGHT + datetime.timedelta(days=1))
    assert published() == 2
    assert NightlyRun.objects.filter(status=Status.DONE).count() == 2


def test_an_unchanged_night_publishes_no_run_and_adds_no_score_rows(data):
    first = nightly.run_nightly(night=NIGHT, today=NIGHT)
    scores = Score.objects.count()
    assert scores > 0
    second = nightly.run_nightly(night=NIGHT + datetime.timedelta(days=1), today=NIGHT)
    assert second.status == Status.UNCHANGED
    assert second.run_id == first.run_id and second.finished_at is not None
    assert published() == 1 and Score.objects.count() == scores
    assert nightly.night_done(NIGHT + datetime.timedelta(days=1))
    again = nightly.run_nightly(night=NIGHT + datetime.timedelta(days=1), today=NIGHT)
    assert again.status == Status.UNCHANGED and again.attempts == 1  # nothing left to do
    # Once an input changes, the night publishes again.
    AgencyFactory()
    third = nightly.run_nightly(night=NIGHT + datetime.timedelta(days=2), today=NIGHT)
    assert third.status == Status.DONE and third.run_id != first.run_id
    assert published() == 2


def test_a_night_when_a_quarter_closes_publishes_though_no_row_changed(data):
    # The contract is of 2025: on 15 October its Q3 is open, on 16 October closed.
    october_15, october_16 = datetime.date(2025, 10, 15), datetime.date(2025, 10, 16)
    nightly.run_nightly(night=october_15, today=october_15)
    assert nightly.run_nightly(night=october_16, today=october_16).status == Status.DONE
    assert published() == 2


def test_the_health_check_counts_an_unchanged_night_as_current(data, client):
    first = nightly.run_nightly(night=NIGHT, today=NIGHT)
    ScoreRun.objects.filter(pk=first.run_id).update(
        published_at=timezone.now() - datetime.timedelta(hours=60)
    )
    forget_published_run()
    assert client.get("/healthz").status_code == 503
    nightly.run_nightly(night=NIGHT + datetime.timedelta(days=1), today=NIGHT)
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["latest_run"]["checked_at"] is not None


def test_a_crash_before_publication_is_run_again(data, monkeypatch):
    def crash(**kwargs):
        raise RuntimeError("worker lost")

    monkeypatch.setattr(nightly, "recompute_scores", crash)
    with pytest.raises(RuntimeError):
        nightly.run_nightly(night=NIGHT)
    entry = NightlyRun.objects.get()
    assert entry.status == Status.FAILED and "worker lost" in entry.error
    assert published() == 0
    monkeypatch.undo()
    assert nightly.run_nightly(night=NIGHT, trigger="watchdog").status == Status.DONE
    assert published() == 1
    assert NightlyRun.objects.get().attempts == 2


def test_a_crash_after_publication_only_applies_the_rules_again(data, monkeypatch):
    real = rules.apply_rules
    calls = []

    def crash_once(**kwargs):
        calls.append(kwargs["run"].pk)
        if len(calls) == 1:
            raise RuntimeError("killed after publishing")
        return real(**kwargs)

    monkeypatch.setattr(nightly, "apply_rules", crash_once)
    with pytest.raises(RuntimeError):
        nightly.run_nightly(night=NIGHT)
    entry = NightlyRun.objects.get()
    assert entry.status == Status.PUBLISHED and published() == 1
    done = nightly.run_nightly(night=NIGHT, trigger="redelivery")
    assert done.status == Status.DONE
    assert published() == 1  # no second run for the night
    assert calls == [entry.run_id, entry.run_id]


def test_nothing_happens_while_another_process_holds_the_lock(data):
    if connection.vendor == "postgresql":
        import psycopg

        db = settings.DATABASES["default"]
        other = psycopg.connect(
            f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
            autocommit=True,
        )
        other.execute("SELECT pg_advisory_lock(%s)", [nightly.NIGHTLY_LOCK_ID])

        def release():
            # The lock goes with the connection, as with a killed worker (the server ends
            # the session a moment after the client closes it).
            other.close()
            with connection.cursor() as cursor:
                for _ in range(100):
                    cursor.execute(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s",
                        [nightly.NIGHTLY_LOCK_ID % 2**32],
                    )
                    if cursor.fetchone()[0] == 0:
                        return
                    time.sleep(0.05)
    else:
        from django.core.cache import cache

        cache.add(nightly.CACHE_LOCK_KEY, "1")
        release = lambda: cache.delete(nightly.CACHE_LOCK_KEY)  # noqa: E731
    try:
        assert nightly.run_nightly(night=NIGHT) is None
        assert not NightlyRun.objects.exists() and published() == 0
    finally:
        release()
    assert nightly.run_nightly(night=NIGHT).status == Status.DONE


@pytest.mark.parametrize(
    ("hour", "done_already", "runs"),
    [(1, False, False), (2, False, True), (23, False, True), (3, True, False)],
)
def test_the_watchdog_starts_a_missed_night_only(data, hour, done_already, runs):
    now = datetime.datetime(2026, 3, 2, hour, 30, tzinfo=WITA)
    if done_already:
        nightly.run_nightly(night=NIGHT)
    entry = nightly.watchdog(now=now)
    assert (entry is not None and entry.trigger == "watchdog") is runs
    assert published() == 1 if (runs or done_already) else published() == 0


def test_the_admin_action_queues_the_job_after_commit(
    data, admin_client, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(tasks.nightly_task, "delay", lambda **kw: sent.append(kw))
    yesterday = NightlyRun.objects.create(night=NIGHT, status=Status.DONE)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        admin_client.post(
            "/admin/portal/nightlyrun/",
            {"action": "start_tonight", "_selected_action": [yesterday.pk]},
        )
    # Sent to the broker on commit, not before: a worker never races the request.
    assert sent == [] and len(callbacks) == 1
    callbacks[0]()
    assert sent == [{"trigger": "manual"}]


@pytest.fixture
def retries(monkeypatch):
    """The nightly task's retries, recorded instead of sent."""
    sent = []

    def retry(**options):
        sent.append(options)
        return Retry()

    monkeypatch.setattr(tasks.nightly_task, "retry", retry)
    return sent


def test_a_task_that_finds_the_lock_held_tries_again_until_the_night_is_done(
    data, monkeypatch, retries
):
    # The holder may be a killed worker's session: PostgreSQL keeps its lock until the
    # statement it was running ends, and the redelivered task arrives before that
    # (ops/chaos.py worker-child-kill). Returning then would lose the night.
    monkeypatch.setattr(nightly, "run_nightly", lambda **kwargs: None)
    with pytest.raises(Retry):
        tasks.nightly_task(trigger="beat")
    assert retries == [
        {"kwargs": {"trigger": "retry"}, "countdown": settings.NIGHTLY_RETRY_SECONDS}
    ]
    NightlyRun.objects.create(night=nightly.night_of(), status=Status.DONE)
    assert tasks.nightly_task(trigger="retry") is None  # done meanwhile: a no-op
    assert len(retries) == 1


def test_a_task_that_loses_the_database_tries_again(data, monkeypatch, retries):
    def lost(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(nightly, "run_nightly", lost)
    with pytest.raises(Retry):
        tasks.nightly_task(trigger="beat")
    assert isinstance(retries[0]["exc"], OperationalError)
    monkeypatch.undo()
    assert tasks.nightly_task(trigger="retry") is not None
    assert NightlyRun.objects.get().trigger == "retry" and published() == 1


def _through_worker(task, timeout: float = 60):
    threads = set()

    def after_task(**kwargs):
        threads.add(threading.current_thread().name)
        connections.close_all()

    task_postrun.connect(after_task, weak=False)
    try:
        app.control.purge()
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            task.delay()
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if threads and NightlyRun.objects.filter(status=Status.DONE).exists():
                    return threads
                time.sleep(0.2)
    finally:
        task_postrun.disconnect(after_task)
    raise AssertionError(f"the worker did not finish the nightly job within {timeout} s")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "task", [tasks.nightly_task, tasks.watchdog_task], ids=["nightly", "watchdog"]
)
def test_the_tasks_run_through_a_real_worker(task, settings):
    contract_of(AgencyFactory(), status=PerformanceContract.Status.APPROVED)
    settings.NIGHTLY_WATCHDOG_AFTER = datetime.time(0, 0)  # the watchdog acts at any hour
    if settings.REDIS_URL:
        assert not app.conf.task_always_eager
        threads = _through_worker(task)
        assert threading.current_thread().name not in threads
    else:
        task.delay()
    entry = NightlyRun.objects.get()
    assert entry.status == Status.DONE
    assert published() == 1


def test_beat_runs_the_nightly_job_at_one_wita_and_the_watchdog_every_half_hour():
    nightly_entry = settings.CELERY_BEAT_SCHEDULE["nightly-recompute"]
    assert nightly_entry["task"] == tasks.nightly_task.name
    assert (nightly_entry["schedule"].hour, nightly_entry["schedule"].minute) == ({1}, {0})
    watchdog_entry = settings.CELERY_BEAT_SCHEDULE["nightly-watchdog"]
    assert watchdog_entry["task"] == tasks.watchdog_task.name
    assert watchdog_entry["schedule"].minute == {0, 30}
    assert {tasks.nightly_task.name, tasks.watchdog_task.name} <= set(app.tasks)
    assert app.conf.timezone == "Asia/Makassar"
