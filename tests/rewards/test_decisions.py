"""Deciding (rewards/services.py): approve, reject, bulk, reversal, objections and the
officers' e-mail, with the permission checks by region."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from rewards import services
from rewards.models import Decision, Objection

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
Status = Decision.Status
WITA = ZoneInfo("Asia/Makassar")
DECIDED = datetime.datetime(2026, 3, 1, 10, 0, tzinfo=WITA)


def refreshed(d: Decision) -> Decision:
    return Decision.objects.select_related("rule").get(pk=d.pk)


def test_a_leader_approves_with_an_optional_reason_and_it_is_recorded(world):
    d = world.decisions["ani"]
    services.decide_one(user=world.leader, decision=d, approve=True, now=DECIDED)
    d = refreshed(d)
    assert (d.status, d.decided_by, d.decided_at, d.reason) == (
        Status.APPROVED,
        world.leader,
        DECIDED,
        "",
    )
    latest = d.history.first()
    assert (latest.status, latest.history_user) == (Status.APPROVED, world.leader)


def test_a_rejection_needs_a_reason(world):
    d = world.decisions["budi"]
    for reason in ("", "   "):
        with pytest.raises(services.DecisionError):
            services.decide_one(user=world.leader, decision=d, approve=False, reason=reason)
    services.decide_one(user=world.leader, decision=d, approve=False, reason="Data salah")
    d = refreshed(d)
    assert (d.status, d.reason) == (Status.REJECTED, "Data salah")
    assert d.history.first().history_change_reason == "Data salah"


def test_a_decided_decision_cannot_be_decided_again(world):
    d = world.decisions["citra"]
    services.decide_one(user=world.leader, decision=d, approve=True)
    with pytest.raises(services.DecisionError, match="already decided"):
        services.decide_one(user=world.leader, decision=d, approve=False, reason="x")
    result = services.decide(user=world.leader, ids=[d.pk], approve=False, reason="x")
    assert (result.changed, result.not_pending) == ([], [d.pk])
    assert refreshed(d).status == Status.APPROVED


def test_a_regency_leader_decides_only_for_the_regency(world):
    own, other = world.decisions["eko"], world.decisions["citra"]
    with pytest.raises(services.DecisionError, match="cannot decide"):
        services.decide_one(user=world.regency_leader, decision=other, approve=True)
    result = services.decide(user=world.regency_leader, ids=[own.pk, other.pk], approve=True)
    assert [d.pk for d in result.changed] == [own.pk]
    assert refreshed(own).status == Status.APPROVED
    assert refreshed(other).status == Status.RECOMMENDED


@pytest.mark.parametrize("who", ["auditor", "officer_a", "approver_a"])
def test_auditors_officers_and_approvers_cannot_decide(world, who):
    user = getattr(world, who)
    d = world.decisions["citra"]
    with pytest.raises(services.DecisionError):
        services.decide_one(user=user, decision=d, approve=True)
    assert services.decide(user=user, ids=[d.pk], approve=True).changed == []
    assert refreshed(d).status == Status.RECOMMENDED


def test_bulk_approval_changes_every_pending_one_in_one_go(world):
    # The province's own agencies (eko's Lombok Barat is the regency's to decide).
    ids = [world.decisions[n].pk for n in ("ani", "budi", "citra", "dewi")]
    result = services.decide(user=world.leader, ids=ids, approve=True, reason="Rapat 3 Maret")
    assert sorted(d.pk for d in result.changed) == sorted(ids)
    decided = Decision.objects.filter(pk__in=ids)
    assert set(decided.values_list("status", flat=True)) == {Status.APPROVED}
    assert set(decided.values_list("reason", flat=True)) == {"Rapat 3 Maret"}


def test_a_reversal_needs_a_reason_and_is_audited(english, world):
    d = world.decisions["citra"]
    services.decide_one(user=world.leader, decision=d, approve=True)
    with pytest.raises(services.DecisionError):
        services.reverse_decision(user=world.leader, decision=d, reason=" ")
    with pytest.raises(services.DecisionError, match="cannot decide"):
        services.reverse_decision(user=world.regency_leader, decision=d, reason="no")
    services.reverse_decision(user=world.leader, decision=d, reason="Nilai dikoreksi")
    d = refreshed(d)
    assert (d.status, d.decided_by, d.decided_at) == (Status.RECOMMENDED, None, None)
    latest = d.history.first()
    assert latest.history_user == world.leader
    assert latest.history_change_reason == "Reversed (was approved): Nilai dikoreksi"
    assert [h.status for h in d.history.order_by("history_id")] == [
        "recommended",
        "approved",
        "recommended",
    ]
    # ... and can be decided anew.
    services.decide_one(user=world.leader, decision=d, approve=False, reason="Dibatalkan")
    assert refreshed(d).status == Status.REJECTED


def test_only_a_decided_decision_can_be_reversed(world):
    with pytest.raises(services.DecisionError, match="Only an approved or rejected"):
        services.reverse_decision(
            user=world.leader, decision=world.decisions["citra"], reason="why"
        )


# --- objections ------------------------------------------------------------------------


def approved(world, name: str) -> Decision:
    d = world.decisions[name]
    services.decide_one(user=world.leader, decision=d, approve=True, now=DECIDED)
    return refreshed(d)


def at(day: int, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 3, day, hour, minute, tzinfo=WITA)


@pytest.mark.parametrize("when", [at(1, 10, 1), at(8), at(15, 23, 59)])
def test_an_officer_objects_to_a_penalty_within_14_days(world, when):
    d = approved(world, "citra")
    o = services.lodge_objection(user=world.officer_a, decision=d, text="Sakit", now=when)
    assert (o.decision, o.lodged_by, o.text, o.lodged_at) == (d, world.officer_a, "Sakit", when)
    assert o.history.count() == 1


@pytest.mark.parametrize("when", [at(16, 0, 0), at(20)])
def test_an_objection_on_day_15_is_refused(world, when):
    d = approved(world, "citra")
    assert d.objection_deadline() == datetime.date(2026, 3, 15)
    with pytest.raises(services.DecisionError, match="14 days"):
        services.lodge_objection(user=world.officer_a, decision=d, text="Sakit", now=when)
    assert not Objection.objects.exists()


def test_only_an_approved_penalty_can_be_objected_to(world):
    reward = approved(world, "ani")
    with pytest.raises(services.DecisionError, match="penalty"):
        services.lodge_objection(user=world.officer_a, decision=reward, text="x", now=at(2))
    pending = world.decisions["citra"]
    with pytest.raises(services.DecisionError, match="penalty"):
        services.lodge_objection(user=world.officer_a, decision=pending, text="x", now=at(2))
    rejected = world.decisions["dewi"]
    services.decide_one(user=world.leader, decision=rejected, approve=False, reason="r")
    with pytest.raises(services.DecisionError, match="penalty"):
        services.lodge_objection(user=world.officer_b, decision=rejected, text="x", now=at(2))


@pytest.mark.parametrize("who", ["officer_b", "leader", "auditor", "approver_a"])
def test_only_the_agencys_hr_officer_objects(world, who):
    d = approved(world, "citra")
    with pytest.raises(services.DecisionError, match="HR officer"):
        services.lodge_objection(user=getattr(world, who), decision=d, text="x", now=at(2))


def test_one_objection_per_decision_and_the_leader_answers_it_once(world):
    d = approved(world, "citra")
    o = services.lodge_objection(user=world.officer_a, decision=d, text="Sakit", now=at(2))
    with pytest.raises(services.DecisionError, match="already been lodged"):
        services.lodge_objection(user=world.officer_a, decision=d, text="Lagi", now=at(3))
    for who in (world.regency_leader, world.auditor, world.officer_a):
        with pytest.raises(services.DecisionError):
            services.answer_objection(user=who, objection=o, answer="x")
    with pytest.raises(services.DecisionError):
        services.answer_objection(user=world.leader, objection=o, answer="  ")
    services.answer_objection(user=world.leader, objection=o, answer="Tetap", now=at(4))
    o.refresh_from_db()
    assert (o.text, o.answer, o.answered_by, o.answered_at) == (
        "Sakit",
        "Tetap",
        world.leader,
        at(4),
    )
    with pytest.raises(services.DecisionError, match="already been answered"):
        services.answer_objection(user=world.leader, objection=o, answer="Lagi")
    assert o.history.count() == 2


# --- e-mail ------------------------------------------------------------------------------


def test_the_agencys_officers_get_one_mail_per_agency_after_the_commit(
    world, django_capture_on_commit_callbacks
):
    from agencies.models import Membership
    from tests.factories import UserFactory

    world.officer_a.email = "hr@dikes.example"
    world.officer_a.save()
    world.officer_b.email = "hr@dikbud.example"
    world.officer_b.save()
    second = UserFactory(username="officer_a2", email="hr2@dikes.example")
    Membership.objects.create(user=second, role="hr_officer", agency=world.agency_a)
    no_mail = UserFactory(username="no_mail")  # an officer without an address is skipped
    Membership.objects.create(user=no_mail, role="hr_officer", agency=world.agency_a)
    ids = [world.decisions[n].pk for n in ("ani", "budi", "citra")]
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(user=world.leader, ids=ids, approve=True)
        assert mail.outbox == []  # not before the commit
    (message,) = mail.outbox
    assert sorted(message.to) == ["hr2@dikes.example", "hr@dikes.example"]
    assert "3" in message.subject and world.agency_a.name in message.subject
    for name in ("ani", "budi", "citra"):
        person = world.people[name]
        assert person.name not in message.body and person.nip not in message.body
    assert "/workspace/decisions/" in message.body

    with django_capture_on_commit_callbacks(execute=True):
        services.decide_one(
            user=world.leader, decision=world.decisions["dewi"], approve=False, reason="r"
        )
    assert mail.outbox[-1].to == ["hr@dikbud.example"]
    with django_capture_on_commit_callbacks(execute=True):
        services.reverse_decision(
            user=world.leader, decision=world.decisions["dewi"], reason="salah"
        )
    assert mail.outbox[-1].to == ["hr@dikbud.example"]
    assert len(mail.outbox) == 3


def test_no_mail_when_nothing_changed(world, django_capture_on_commit_callbacks):
    world.officer_a.email = "hr@dikes.example"
    world.officer_a.save()
    d = world.decisions["citra"]
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_one(user=world.leader, decision=d, approve=True)
        services.decide(user=world.leader, ids=[d.pk], approve=True)
    assert len(mail.outbox) == 1
