"""The nightly recompute task (performance/tasks.py): run by a real Celery worker against Redis
where REDIS_URL is set (CI), in-process otherwise; and its lock."""

import logging
import threading
import time
from decimal import Decimal as D

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.core.cache import cache
from django.db import connections

from performance import services, tasks
from performance.models import Score, ScoreRun
from portal.celery import app
from tests.factories import (
    AgencyFactory,
    ContractFactory,
    EmployeeFactory,
    IndicatorFactory,
    RealisationFactory,
    ServiceFactory,
    SurveyResponseFactory,
    TargetFactory,
)

# 2024: every quarter is closed whatever day the test runs, so the task's own "today" does.
YEAR = 2024


def scored_agency():
    """An agency whose 2024 Q1 score is K 90, E 80 (ten staff), IKM 75 (ten respondents),
    so S = 100 * 75 / 88.31 = 84.928... -> 84.93 (scoring contract v2):
    0.5 * 90 + 0.3 * 80 + 0.2 * 84.93 = 85.986 -> 85.99."""
    agency = AgencyFactory()
    for employee, realisation in [(None, "90")] + [
        (e, "80") for e in EmployeeFactory.create_batch(10, agency=agency)
    ]:
        contract = ContractFactory(agency=agency, employee=employee, year=YEAR)
        indicator = IndicatorFactory(contract=contract)
        TargetFactory(indicator=indicator, quarter=1, value=D(100))
        RealisationFactory(indicator=indicator, quarter=1, value=D(realisation))
    SurveyResponseFactory.create_batch(10, service=ServiceFactory(agency=agency), year=YEAR)
    return agency


def run_through_worker(timeout: float = 60) -> tuple[ScoreRun, set[str]]:
    """Send the task to the broker, let a real worker (in a thread) run it, and wait for the
    published run to appear in the database. Also returns the names of the threads the task
    ran in."""
    threads = set()

    def after_task(**kwargs):
        threads.add(threading.current_thread().name)
        # The worker thread's own database connection: closed after the task so that the
        # test database can be flushed and dropped (CONN_MAX_AGE would keep it open).
        connections.close_all()

    task_postrun.connect(after_task, weak=False)
    try:
        app.control.purge()  # nothing left over from an interrupted earlier run
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            tasks.recompute_scores_task.delay()
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                run = ScoreRun.objects.published().first()
                if run is not None and threads:
                    return run, threads
                time.sleep(0.2)
    finally:
        task_postrun.disconnect(after_task)
    raise AssertionError(f"no published run within {timeout} s")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_nightly_task_publishes_a_run():
    agency = scored_agency()
    if settings.REDIS_URL:
        # CI: through the Redis broker to a real worker, which commits on its own
        # connection; the run is read back from the database.
        assert not app.conf.task_always_eager
        run, threads = run_through_worker()
        assert threading.current_thread().name not in threads
    else:
        # Locally (no broker): the same task, run in-process.
        assert app.conf.task_always_eager
        run_id = tasks.recompute_scores_task.delay().get()
        run = ScoreRun.objects.get(pk=run_id)
    assert run.status == ScoreRun.Status.PUBLISHED
    assert ScoreRun.objects.latest_published() == run
    assert set(run.schemes) == {str(YEAR)}
    score = Score.objects.get(run=run, agency=agency, contract=None, year=YEAR, period="Q1")
    assert (score.k, score.e, score.ikm, score.s, score.score, score.predikat) == (
        D("90.00"),
        D("80.00"),
        D("75.00"),
        D("84.93"),
        D("85.99"),
        "Butuh Perbaikan",
    )
    assert cache.get(tasks.LOCK_KEY) is None  # released


@pytest.mark.django_db
def test_the_task_skips_while_another_recompute_holds_the_lock(caplog):
    scored_agency()
    assert cache.add(tasks.LOCK_KEY, "1", timeout=60)
    with caplog.at_level(logging.WARNING, logger="performance.tasks"):
        result = tasks.recompute_scores_task.apply()
    assert result.get() is None
    assert "skipped" in caplog.text
    assert not ScoreRun.objects.exists()
    assert cache.get(tasks.LOCK_KEY) == "1"  # the other recompute's lock is left alone


@pytest.mark.django_db
def test_the_task_holds_the_lock_while_it_runs_and_passes_the_year(monkeypatch):
    scored_agency()
    seen = {}
    recompute = services.recompute_scores

    def spy(**kwargs):
        seen["lock"] = cache.get(tasks.LOCK_KEY)
        seen["kwargs"] = kwargs
        return recompute(**kwargs)

    monkeypatch.setattr(services, "recompute_scores", spy)
    run_id = tasks.recompute_scores_task.apply(kwargs={"year": YEAR}).get()
    assert seen == {"lock": "1", "kwargs": {"year": YEAR}}
    assert ScoreRun.objects.get(pk=run_id).status == ScoreRun.Status.PUBLISHED
    assert cache.get(tasks.LOCK_KEY) is None


@pytest.mark.django_db
def test_the_task_releases_the_lock_when_the_recompute_fails(monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "recompute_scores", fail)
    with pytest.raises(RuntimeError, match="database went away"):
        tasks.recompute_scores_task.apply(throw=True)
    assert cache.get(tasks.LOCK_KEY) is None
    # ... so the next night's run is not skipped.
    monkeypatch.undo()
    scored_agency()
    assert tasks.recompute_scores_task.apply().get() is not None


def test_the_task_is_registered_in_the_wita_time_zone():
    # Beat runs the nightly job (portal.tasks.nightly_task, tested in tests/portal); this
    # task stays registered for a recompute on demand.
    assert tasks.recompute_scores_task.name in app.tasks
    assert app.conf.timezone == "Asia/Makassar"
