"""Fifty leaders' clicks on one recommendation at once (SECURITY.md R10), on real PostgreSQL:
exactly one transition, one audit record, one e-mail; everyone else is told it was decided."""

import threading

import pytest
from django.core import mail
from django.db import connection, connections

from rewards import services
from rewards.models import Decision
from tests.rewards.data import build_world

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real row locks: PostgreSQL (CI)"
)
CLICKS = 50


def test_fifty_concurrent_approvals_make_one_transition(transactional_db, cast):
    world = build_world(cast)
    cast.officer_a.email = "hr@dikes.example"
    cast.officer_a.save()
    decision = world.decisions["citra"]
    barrier = threading.Barrier(CLICKS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def click(n: int) -> None:
        mine = Decision.objects.get(pk=decision.pk)
        approve = n % 2 == 0  # half approve, half reject: still one decision
        try:
            barrier.wait()
            services.decide_one(
                user=cast.leader, decision=mine, approve=approve, reason=f"click {n}"
            )
            result = "approved" if approve else "rejected"
        except services.DecisionError:
            result = "refused"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=click, args=(n,)) for n in range(CLICKS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(outcomes) == CLICKS
    assert outcomes.count("refused") == CLICKS - 1
    decision.refresh_from_db()
    assert decision.status in (Decision.Status.APPROVED, Decision.Status.REJECTED)
    transitions = decision.history.filter(status=decision.status)
    assert transitions.count() == 1
    assert transitions.get().history_user == cast.leader
    assert len(mail.outbox) == 1
