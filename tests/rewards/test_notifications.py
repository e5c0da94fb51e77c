"""What needs a leader is mailed to the leaders whose authority holds the agency, and to
nobody else (rewards/notifications.py): recommended decisions after the rules, one mail per
agency; an objection when it is lodged."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from agencies.models import NotificationPreference
from rewards import services
from rewards.rules import apply_rules
from tests.rewards.data import build_world

WITA = ZoneInfo("Asia/Makassar")
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks", "english")]


def with_email(*users) -> None:
    for u in users:
        u.email = f"{u.username}@example.org"
        u.save(update_fields=["email"])
        NotificationPreference.objects.create(user=u, language="en")


def test_recommended_decisions_mail_the_leaders_with_authority_once_per_agency(
    cast, django_capture_on_commit_callbacks
):
    with_email(cast.leader, cast.auditor, cast.officer_a, cast.approver_a)
    with django_capture_on_commit_callbacks(execute=True):
        world = build_world(cast)
    # The province leader decides on the province's agencies: DIKES (three) and DIKBUD (one);
    # Lombok Barat's agency is its own leader's. Auditors, officers, approvers: nothing.
    assert sorted(m.to[0] for m in mail.outbox) == [cast.leader.email] * 2
    bodies = sorted(m.body for m in mail.outbox)
    assert any("3 recommended decisions about Dinas Kesehatan" in b for b in bodies)
    assert any("1 recommended decision about Dinas Pendidikan" in b for b in bodies)
    for person in world.people.values():  # nobody named in a mail
        assert all(person.name not in b for b in bodies)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        apply_rules(run=world.run)  # nothing new: nobody is told again
    assert mail.outbox == []


def test_an_objection_mails_the_leaders_with_authority_only(
    world, django_capture_on_commit_callbacks
):
    with_email(world.leader, world.regency_leader, world.auditor, world.approver_a)
    decided = datetime.datetime(2026, 3, 1, 10, 0, tzinfo=WITA)
    d = services.decide_one(
        user=world.leader, decision=world.decisions["citra"], approve=True, now=decided
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.lodge_objection(
            user=world.officer_a, decision=d, text="Sakit", now=decided + datetime.timedelta(1)
        )
    assert [m.to for m in mail.outbox] == [[world.leader.email]]
    assert "An objection about Dinas Kesehatan" in mail.outbox[0].body
    assert "Sakit" not in mail.outbox[0].body


def test_an_objection_to_a_predikat_mails_the_leaders_with_authority_only(
    world, django_capture_on_commit_callbacks
):
    from tests.factories import StaffRatingFactory
    from tests.portal.workspace.data import skp_of

    with_email(world.leader, world.regency_leader, world.auditor, world.approver_a)
    rating = StaffRatingFactory(
        contract=skp_of(world.regency, status="approved", year=2025), results="below"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.lodge_rating_objection(user=world.officer_regency, rating=rating, text="Keliru")
    # A Lombok Barat civil servant: the regency's leader, not the province's.
    assert [m.to for m in mail.outbox] == [[world.regency_leader.email]]
    assert world.regency.name in mail.outbox[0].body
