"""The nightly job (portal.tasks.nightly_task: recompute, then the rules on the run it
published) as the rewards see it, run by a real Celery worker against Redis where REDIS_URL
is set (CI), in-process otherwise; and the apply_rules command."""

import datetime
import threading
import time
from decimal import Decimal as D

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.db import connections

from performance.models import ScoreRun
from portal import nightly, tasks
from portal.celery import app
from portal.models import NightlyRun
from rewards.models import Decision
from tests.factories import (
    AgencyFactory,
    ContractFactory,
    EmployeeFactory,
    IndicatorFactory,
    RealisationFactory,
    StaffRatingFactory,
    TargetFactory,
)

# 2024: every quarter is closed whatever day the test runs, so the task's own "today" does.
YEAR = 2024


def failing_agency():
    """An agency whose PK reaches 40% in every quarter of 2024 (Sangat Kurang), with one
    employee at 115%, rated above expectation in results and behaviour (Sangat Baik)."""
    agency = AgencyFactory()
    employee = EmployeeFactory(agency=agency)
    for holder, value in ((None, "40"), (employee, "115")):
        contract = ContractFactory(agency=agency, employee=holder, year=YEAR)
        indicator = IndicatorFactory(contract=contract)
        for q in (1, 2, 3, 4):
            TargetFactory(indicator=indicator, quarter=q, value=D(100))
            RealisationFactory(indicator=indicator, quarter=q, value=D(value))
    StaffRatingFactory(contract=contract, results="above", behaviour="above")
    return agency, employee


def run_through_worker(timeout: float = 60) -> tuple[ScoreRun, set[str]]:
    """Send the nightly task to the broker, let a real worker (in a thread) run it, and wait
    for its decisions to appear in the database."""
    threads = set()

    def after_task(**kwargs):
        threads.add(threading.current_thread().name)
        connections.close_all()  # the worker thread's connection (see performance's test)

    task_postrun.connect(after_task, weak=False)
    try:
        app.control.purge()
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            tasks.nightly_task.delay()
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                done = NightlyRun.objects.filter(status=NightlyRun.Status.DONE).first()
                if done is not None and threads:
                    return done.run, threads
                time.sleep(0.2)
    finally:
        task_postrun.disconnect(after_task)
    raise AssertionError(f"no decisions within {timeout} s")


def expected_decisions(agency, employee) -> set[tuple]:
    return {
        ("agency-review", agency.pk, None, "Y"),
        *{("agency-early-warning", agency.pk, None, f"Q{q}") for q in (1, 2, 3, 4)},
        ("employee-reward", agency.pk, employee.pk, "Y"),
    }


def decided() -> set[tuple]:
    return {
        (d.rule.code, d.agency_id, d.employee_id, d.period)
        for d in Decision.objects.select_related("rule").filter(year=YEAR)
    }


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_nightly_task_recomputes_then_applies_the_rules():
    agency, employee = failing_agency()
    if settings.REDIS_URL:
        assert not app.conf.task_always_eager
        run, threads = run_through_worker()
        assert threading.current_thread().name not in threads
    else:
        assert app.conf.task_always_eager
        run = ScoreRun.objects.get(pk=tasks.nightly_task.delay().get())
    assert run.status == ScoreRun.Status.PUBLISHED
    assert decided() == expected_decisions(agency, employee)
    assert {d.run_id for d in Decision.objects.all()} == {run.pk}


@pytest.mark.django_db
def test_a_second_night_changes_nothing():
    agency, employee = failing_agency()
    first = nightly.run_nightly(night=datetime.date(2026, 3, 2))
    second = nightly.run_nightly(night=datetime.date(2026, 3, 3))
    # Nothing changed: no new run (issue 24), the rules applied to the same run again.
    assert second.status == NightlyRun.Status.UNCHANGED and second.run_id == first.run_id
    assert decided() == expected_decisions(agency, employee)
    assert Decision.objects.count() == 6


@pytest.mark.django_db
def test_the_command_applies_the_rules(capsys):
    from django.core.management import call_command

    agency, employee = failing_agency()
    call_command("apply_rules", "--recompute")
    assert decided() == expected_decisions(agency, employee)
    call_command("apply_rules")
    assert "0 recommended" in capsys.readouterr().out
    assert Decision.objects.count() == 6
