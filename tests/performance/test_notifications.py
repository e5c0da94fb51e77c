"""Notifications of the contract workflow (issue 23): a submit mails each approver of the
agency once and nobody else; approved or returned mails the submitter; a late change mails
the approvers; an upload mails each approver once per agency and year; the mail is in the
recipient's language, names no civil servant, links to the page; nothing is mailed for a
change that is rolled back. Through a real Celery worker where REDIS_URL is set (CI)."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from agencies import notify
from agencies.models import Membership, Notification, NotificationPreference
from agencies.tasks import send_notifications_task
from performance import contracts
from performance.models import PerformanceContract
from portal.celery import app
from tests.factories import AgencyFactory, EmployeeFactory, UserFactory
from tests.mail_worker import through_worker
from tests.portal.workspace.data import contract_of, keep_quarters_open

Role = Membership.Role
Status = PerformanceContract.Status
pytestmark = pytest.mark.usefixtures("private_media")
EAGER = pytest.mark.usefixtures("eager_tasks")


def with_email(user, language: str = "en", delivery: str = "immediate"):
    """`user` with a mail address and a preference (English unless said: the tests read the
    mails' words)."""
    user.email = f"{user.username}@example.org"
    user.save(update_fields=["email"])
    NotificationPreference.objects.update_or_create(
        user=user, defaults={"language": language, "delivery": delivery}
    )
    return user


def member(role: str, agency, language: str = "en"):
    user = with_email(UserFactory(), language)
    Membership.objects.create(user=user, role=role, agency=agency)
    return user


@pytest.fixture
def people(cast):
    """Agency A with two approvers and one of its parent; agency B's approver, the cast's
    officers, leader and auditor: all with mail addresses."""
    parent = AgencyFactory(region=cast.agency_a.region)
    cast.agency_a.parent = parent
    cast.agency_a.save(update_fields=["parent"])
    for user in (cast.officer_a, cast.officer_b, cast.approver_a, cast.leader, cast.auditor):
        with_email(user)
    return {
        "approvers": [
            cast.approver_a,
            member(Role.APPROVER, cast.agency_a),
            member(Role.APPROVER, parent),
        ],
        "approver_b": member(Role.APPROVER, cast.agency_b),
    }


def submitted_contract(cast, django_capture_on_commit_callbacks, **kwargs):
    contract = contract_of(cast.agency_a, employee=EmployeeFactory(agency=cast.agency_a), **kwargs)
    with django_capture_on_commit_callbacks(execute=True):
        contracts.submit(contract, contract.version, cast.officer_a)
    contract.refresh_from_db()
    return contract


def recipients() -> list[str]:
    return sorted(address for m in mail.outbox for address in m.to)


@EAGER
@pytest.mark.django_db
def test_a_submit_mails_each_approver_of_the_agency_once_and_nobody_else(
    cast, people, django_capture_on_commit_callbacks
):
    contract = submitted_contract(cast, django_capture_on_commit_callbacks)
    assert recipients() == sorted(u.email for u in people["approvers"])
    assert all(len(m.to) == 1 for m in mail.outbox)
    body = mail.outbox[0].body
    assert cast.agency_a.name in body
    assert "http://" in body and reverse("workspace:contract", args=[contract.pk]) in body
    # No civil servant's name or NIP leaves the portal by mail.
    assert contract.employee.name not in body + mail.outbox[0].subject
    assert contract.employee.nip not in body + mail.outbox[0].subject
    assert Notification.objects.pending().count() == 0


@EAGER
@pytest.mark.django_db
def test_an_approver_who_submits_is_not_told_of_their_own_submission(
    cast, people, django_capture_on_commit_callbacks
):
    Membership.objects.create(user=cast.approver_a, role=Role.HR_OFFICER, agency=cast.agency_a)
    contract = contract_of(cast.agency_a)
    with django_capture_on_commit_callbacks(execute=True):
        contracts.submit(contract, contract.version, cast.approver_a)
    assert cast.approver_a.email not in recipients()
    assert len(mail.outbox) == 2


@EAGER
@EAGER
@pytest.mark.django_db
@pytest.mark.parametrize("approved", [True, False], ids=["approved", "returned"])
def test_approved_or_returned_mails_the_submitter_only(
    cast, people, approved, django_capture_on_commit_callbacks
):
    contract = submitted_contract(cast, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        if approved:
            contracts.approve(contract, contract.version, cast.approver_a)
        else:
            contracts.return_for_revision(contract, contract.version, cast.approver_a, "Ulangi.")
    assert recipients() == [cast.officer_a.email]
    assert ("approved" if approved else "returned") in mail.outbox[0].subject


@EAGER
@pytest.mark.django_db
def test_a_refused_submit_mails_nobody(cast, people, django_capture_on_commit_callbacks):
    contract = contract_of(cast.agency_a)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(contracts.StaleContract),
    ):
        contracts.submit(contract, contract.version - 1, cast.officer_a)
    assert mail.outbox == [] and not Notification.objects.exists()


@EAGER
@pytest.mark.django_db
def test_a_mail_is_in_each_recipients_language(cast, django_capture_on_commit_callbacks):
    indonesian = member(Role.APPROVER, cast.agency_a, language="id")
    english = member(Role.APPROVER, cast.agency_a, language="en")
    submitted_contract(cast, django_capture_on_commit_callbacks)
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {indonesian.email, english.email}
    in_id, in_en = by_address[indonesian.email], by_address[english.email]
    assert in_id.extra_headers["Content-Language"] == "id"
    assert in_en.extra_headers["Content-Language"] == "en"
    # The contract's status in words, from the catalogues: "diajukan" / "submitted".
    assert "diajukan" in in_id.body and "submitted" not in in_id.body
    assert "submitted" in in_en.body and "diajukan" not in in_en.body


@EAGER
@pytest.mark.django_db
def test_a_late_change_mails_the_approvers_but_not_who_entered_it(
    cast, people, django_capture_on_commit_callbacks
):
    contract = contract_of(cast.agency_a, status=Status.APPROVED)
    indicators = list(contract.indicators.order_by("code"))
    rows = [
        contracts.RealisationInput(indicator=i, value=i.pk + 1, existing=None) for i in indicators
    ]
    with django_capture_on_commit_callbacks(execute=True):
        saved = contracts.save_realisations(
            {contract.pk: (contract, contract.version)},
            2,
            rows,
            cast.officer_a,
            today=datetime.date(2026, 1, 20),  # Q2 2025 closed on 15 July 2025
            late_reason="Data susulan dari puskesmas.",
        )
    assert len(saved.late) == 3
    # One mail per approver for the three rows, not one per row.
    assert recipients() == sorted(u.email for u in people["approvers"])
    assert "Q2 2025" in mail.outbox[0].body


@EAGER
@pytest.mark.django_db
def test_an_upload_mails_each_approver_once_per_agency_and_year(
    cast, people, django_capture_on_commit_callbacks
):
    from performance.imports import import_performance

    keep_quarters_open(2026)
    lines = [
        "agency_code,holder,employee_name,position,year,quarter,indicator_code,indicator,"
        "unit,direction,weight,target,realisation"
    ]
    for n in range(3):
        nip = f"198507122010012{n:03d}"
        lines.append(f"DIKES,{nip},Pegawai {n},Analis,2026,1,RHK1,Dokumen,dokumen,higher,100,3,")
    data = "\n".join(lines) + "\n"
    with django_capture_on_commit_callbacks(execute=True):
        import_performance(data, scope=[cast.agency_a.pk], user=cast.officer_a, dry_run=True)
    assert mail.outbox == [] and not Notification.objects.exists()  # a preview mails nobody
    with django_capture_on_commit_callbacks(execute=True):
        import_performance(data, scope=[cast.agency_a.pk], user=cast.officer_a)
    assert PerformanceContract.objects.filter(status=Status.SUBMITTED).count() == 3
    assert recipients() == sorted(u.email for u in people["approvers"])
    assert "3 performance contracts" in mail.outbox[0].body


@EAGER
@pytest.mark.django_db
def test_an_uploads_late_changes_mail_the_approvers_once(
    cast, people, django_capture_on_commit_callbacks
):
    from performance.imports import import_performance

    contract_of(cast.agency_a, status=Status.APPROVED, year=2025, realised=False)
    header = (
        "agency_code,holder,employee_name,position,year,quarter,indicator_code,indicator,"
        "unit,direction,weight,target,realisation"
    )
    rows = [f"DIKES,agency,,,2025,1,IKU{n},Indikator {n},%,higher,1,100,9{n}" for n in (1, 2, 3)]
    with django_capture_on_commit_callbacks(execute=True):
        import_performance(
            "\n".join([header, *rows]) + "\n",
            scope=[cast.agency_a.pk],
            user=cast.officer_a,
            today=datetime.date(2026, 3, 2),
            late_reason="Data susulan.",
        )
    assert recipients() == sorted(u.email for u in people["approvers"])
    assert "3 late changes of realisations of Dinas Kesehatan (Q1 2025)" in mail.outbox[0].body


@EAGER
@pytest.mark.django_db
def test_the_workspace_submit_mails_the_approvers(cast, people, django_capture_on_commit_callbacks):
    contract = contract_of(cast.agency_a)
    client = Client()
    client.force_login(cast.officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("workspace:contract_submit", args=[contract.pk]), {"version": contract.version}
        )
    assert response.status_code == 302
    assert recipients() == sorted(u.email for u in people["approvers"])


@EAGER
def test_digest_users_are_not_mailed_at_once(db, cast, django_capture_on_commit_callbacks):
    daily = member(Role.APPROVER, cast.agency_a, language="en")
    NotificationPreference.objects.filter(user=daily).update(delivery="digest")
    at_once = member(Role.APPROVER, cast.agency_a)
    submitted_contract(cast, django_capture_on_commit_callbacks)
    assert recipients() == [at_once.email]
    assert Notification.objects.pending().get().user == daily
    assert notify.send_digests(today=datetime.date(2026, 3, 2)) == 1
    assert recipients() == sorted([at_once.email, daily.email])


# --- through a real worker ----------------------------------------------------------------


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_submit_is_mailed_by_a_real_worker_to_each_approver_only(cast, people, settings):
    contract = contract_of(cast.agency_a)
    expected = sorted(u.email for u in people["approvers"])

    def submit():
        contracts.submit(contract, contract.version, cast.officer_a)  # commits: autocommit

    if settings.REDIS_URL:
        assert not app.conf.task_always_eager
        threads = through_worker(submit, len(expected))
        assert threading.current_thread().name not in threads
    else:
        submit()
    assert recipients() == expected
    assert send_notifications_task.name in app.tasks
    assert Notification.objects.pending().count() == 0
