"""The notify service (agencies/notify.py): immediate users get a mail per event, digest users
one mail a day with everything pending; who acts on an agency (the reverse of the access
helpers) is exactly who those helpers grant."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import transaction

from agencies import notify
from agencies.access import agencies_for, authority_for, leaders_over, users_with_role_on
from agencies.models import Membership, Notification, NotificationPreference, Region
from tests.factories import AgencyFactory, RegionFactory, UserFactory

Role = Membership.Role
Kind = Notification.Kind
DAY = datetime.date(2026, 3, 2)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]


def user(delivery: str = "immediate", language: str = "en", email: bool = True):
    u = UserFactory()
    if email:
        u.email = f"{u.username}@example.org"
        u.save(update_fields=["email"])
    NotificationPreference.objects.create(user=u, delivery=delivery, language=language)
    return u


def event(users, n: int = 1, **kwargs) -> list[int]:
    return notify.notify(
        [u.pk for u in users],
        Kind.DECISIONS,
        params={"agency": "Dinas Kesehatan", "n": n},
        path="/dashboard/decisions/",
        **kwargs,
    )


def test_immediate_users_get_a_mail_per_event(django_capture_on_commit_callbacks):
    u = user()
    with django_capture_on_commit_callbacks(execute=True):
        event([u])
        event([u], n=2)
    assert len(mail.outbox) == 2
    assert "2 recommended decisions about Dinas Kesehatan" in mail.outbox[1].body
    assert "http://" in mail.outbox[0].body and "/dashboard/decisions/" in mail.outbox[0].body


def test_nothing_is_mailed_when_the_change_is_rolled_back(django_capture_on_commit_callbacks):
    u = user()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                event([u])
                raise RuntimeError
        except RuntimeError:
            pass
    assert mail.outbox == [] and not Notification.objects.exists()


def test_users_without_a_mail_address_or_inactive_are_not_recorded():
    silent, gone = user(email=False), user()
    gone.is_active = False
    gone.save()
    assert event([silent, gone]) == []


def test_the_digest_sends_one_mail_a_day_per_user(django_capture_on_commit_callbacks):
    first, second, at_once = user("digest"), user("digest", language="id"), user()
    with django_capture_on_commit_callbacks(execute=True):
        event([first, second, at_once])
        event([first], n=3)
    assert [m.to for m in mail.outbox] == [[at_once.email]]  # digest users wait
    mail.outbox.clear()

    assert notify.send_digests(today=DAY) == 2
    by_user = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_user) == sorted([first.email, second.email])
    assert "2 notifications of the day" in by_user[first.email].subject
    assert by_user[first.email].body.count("Dinas Kesehatan") == 2
    assert by_user[second.email].extra_headers["Content-Language"] == "id"

    # Later the same day: new events wait for tomorrow's digest, however often it runs.
    with django_capture_on_commit_callbacks(execute=True):
        event([first])
    assert notify.send_digests(today=DAY) == 0
    assert len(mail.outbox) == 2
    assert notify.send_digests(today=DAY + datetime.timedelta(days=1)) == 1
    assert mail.outbox[-1].to == [first.email] and len(mail.outbox) == 3
    # Nothing pending: no mail.
    assert notify.send_digests(today=DAY + datetime.timedelta(days=2)) == 0
    assert not Notification.objects.pending().exists()


def test_leaving_the_digest_sends_what_was_pending(django_capture_on_commit_callbacks):
    u = user("digest")
    with django_capture_on_commit_callbacks(execute=True):
        event([u])
        assert mail.outbox == []
        notify.set_preference(u, delivery="immediate", language="en")
    assert len(mail.outbox) == 1


def test_a_reminder_key_is_recorded_once_per_user():
    u = user("digest")
    assert len(event([u], key="missing:2026:1:7")) == 1
    assert event([u], key="missing:2026:1:7") == []


# --- who acts on an agency -----------------------------------------------------------------


def test_the_reverse_of_the_access_helpers_is_exactly_who_they_grant():
    province = Region.objects.get_or_create(
        code="52", defaults={"name": "NTB", "kind": "province"}
    )[0]
    regency = RegionFactory(code="5201", name="Lombok Barat", kind="regency")
    parent = AgencyFactory(region=province)
    unit = AgencyFactory(region=province, parent=parent)
    local = AgencyFactory(region=regency)
    agencies = [parent, unit, local]
    people = []
    for role, agency, region in (
        (Role.APPROVER, parent, None),
        (Role.APPROVER, unit, None),
        (Role.APPROVER, local, None),
        (Role.HR_OFFICER, unit, None),
        (Role.LEADER, None, None),
        (Role.LEADER, None, province),
        (Role.LEADER, None, regency),
        (Role.AUDITOR, None, None),
    ):
        u = UserFactory()
        Membership.objects.create(user=u, role=role, agency=agency, region=region)
        people.append(u)
    for role in (Role.APPROVER, Role.HR_OFFICER):
        holders = users_with_role_on([a.pk for a in agencies], role)
        for a in agencies:
            assert holders[a.pk] == {
                u.pk for u in people if agencies_for(u, role).filter(pk=a.pk).exists()
            }
    leaders = leaders_over([a.pk for a in agencies])
    for a in agencies:
        assert leaders[a.pk] == {u.pk for u in people if authority_for(u).filter(pk=a.pk).exists()}
    assert len(leaders[unit.pk]) == 2 and len(leaders[local.pk]) == 1


def test_quarters_and_days_are_written_in_the_recipients_language(
    django_capture_on_commit_callbacks,
):
    indonesian, english = user(language="id"), user(language="en")
    params = {"agency": "Dinas Kesehatan", "year": 2026, "quarter": 3, "due": "2026-10-15"}
    with django_capture_on_commit_callbacks(execute=True):
        notify.notify(
            [indonesian.pk, english.pk],
            Kind.REMINDER_MISSING,
            params={**params, "n": 2, "targets": 5},
            path="/workspace/",
        )
    by_user = {m.to[0]: m for m in mail.outbox}
    assert "TW III 2026" in by_user[indonesian.email].body
    assert "Q3 2026" in by_user[english.email].body
    assert "Q3" not in by_user[indonesian.email].body
