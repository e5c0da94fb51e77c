"""Deadline reminders (performance/reminders.py): `reminder_days` (the scheme's, default 7)
before a quarter closes for entries, HR officers of agencies with realisations missing for
that quarter are reminded, nobody else's officers; approvers are reminded of what waits for
them. Once a day at most, on that day only. Through a real worker where REDIS_URL is set."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from agencies.models import Membership, Notification, NotificationPreference
from performance import reminders
from performance.models import PerformanceContract, ScoringScheme
from portal import tasks
from portal.celery import app
from tests.factories import AgencyFactory, UserFactory
from tests.mail_worker import through_worker
from tests.portal.workspace.data import contract_of

Role = Membership.Role
Status = PerformanceContract.Status
# Q1 2026 ends on 31 March; with the default 15 grace days it closes for entries after
# 15 April: the default reminder (7 days) goes out on 8 April.
REMINDER_DAY = datetime.date(2026, 4, 8)


@pytest.fixture
def agencies(cast):
    """Agency A: an approved contract with Q1 realisations missing and a submitted one
    waiting; agency B: approved, every Q1 realisation in; agency C: missing, but its officer
    has no mail address. Everybody else with a mail address."""
    for u in (cast.officer_a, cast.officer_b, cast.approver_a, cast.leader, cast.auditor):
        u.email = f"{u.username}@example.org"
        u.save(update_fields=["email"])
        NotificationPreference.objects.create(user=u, language="en")
    contract_of(cast.agency_a, status=Status.APPROVED, year=2026, realised=False)
    contract_of(cast.agency_a, status=Status.SUBMITTED, year=2027, realised=False)
    contract_of(cast.agency_b, status=Status.APPROVED, year=2026, realised=True)
    c = AgencyFactory(region=cast.agency_a.region)
    Membership.objects.create(user=UserFactory(), role=Role.HR_OFFICER, agency=c)
    contract_of(c, status=Status.APPROVED, year=2026, realised=False)
    approver_b = UserFactory(email="approver_b@example.org")
    Membership.objects.create(user=approver_b, role=Role.APPROVER, agency=cast.agency_b)
    return cast


def recipients() -> list[str]:
    return sorted(address for m in mail.outbox for address in m.to)


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_tasks")
def test_officers_with_missing_realisations_are_reminded_n_days_before_the_quarter_closes(
    agencies, django_capture_on_commit_callbacks
):
    cast = agencies
    for day in (REMINDER_DAY - datetime.timedelta(days=1), REMINDER_DAY + datetime.timedelta(1)):
        with django_capture_on_commit_callbacks(execute=True):
            assert reminders.send_reminders(today=day) == 0
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_reminders(today=REMINDER_DAY) == 2
    # Agency A's officer (3 missing) and agency A's approver (a contract waits); not agency
    # B's officer (nothing missing) nor its approver (nothing waits), not the leader.
    assert recipients() == sorted([cast.officer_a.email, cast.approver_a.email])
    to_officer = next(m for m in mail.outbox if m.to == [cast.officer_a.email])
    assert "3 of 3 realisations missing" in to_officer.body
    with translation.override("en"):
        assert date_format(datetime.date(2026, 4, 15), "DATE_FORMAT") in to_officer.body
    assert "Q1 2026" in to_officer.body
    path = reverse("workspace:bulk_realisations", args=[cast.agency_a.pk, 2026, 1])
    assert path in to_officer.body
    to_approver = next(m for m in mail.outbox if m.to == [cast.approver_a.email])
    assert "1 submitted contracts" in to_approver.body

    # The beat running again that day reminds nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_reminders(today=REMINDER_DAY) == 0
    assert len(mail.outbox) == 2


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_tasks")
def test_the_days_before_come_from_the_scheme(agencies, django_capture_on_commit_callbacks):
    ScoringScheme.objects.create(year=2026, reminder_days=3, entry_grace_days=10)
    # Q1 2026 now closes after 10 April: reminded on 7 April, not on the default's day.
    assert reminders.quarters_to_remind(REMINDER_DAY) == []
    assert reminders.quarters_to_remind(datetime.date(2026, 4, 7)) == [
        (2026, 1, datetime.date(2026, 4, 10))
    ]
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_reminders(today=datetime.date(2026, 4, 7))
    assert agencies.officer_a.email in recipients()


@pytest.mark.django_db
def test_last_years_fourth_quarter_is_reminded_in_january():
    # Q4 2025 closes after 15 January 2026.
    assert reminders.quarters_to_remind(datetime.date(2026, 1, 8)) == [
        (2025, 4, datetime.date(2026, 1, 15))
    ]


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_beat_task_reminds_through_a_real_worker(agencies, settings, time_machine):
    time_machine.move_to(datetime.datetime(2026, 4, 8, 7, 0, tzinfo=datetime.UTC))
    expected = sorted([agencies.officer_a.email, agencies.approver_a.email])
    if settings.REDIS_URL:
        assert not app.conf.task_always_eager
        threads = through_worker(tasks.reminders_task.delay, len(expected))
        assert threading.current_thread().name not in threads
    else:
        tasks.reminders_task.delay()
    assert recipients() == expected
    assert not Notification.objects.pending().exists()
