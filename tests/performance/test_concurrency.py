"""Concurrent edits of one contract never lose an update (SECURITY.md R9): twenty officers'
saves read at the same version race on real PostgreSQL; exactly one wins, the others are told
the contract changed, and the history holds exactly the winning write."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from performance import contracts
from performance.models import PerformanceContract, Realisation
from tests.factories import AgencyFactory, UserFactory
from tests.portal.workspace.data import contract_of, keep_quarters_open

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real row-level concurrency: PostgreSQL (CI)"
)
RACERS = 20


def test_twenty_concurrent_saves_of_one_contract_one_wins_none_lost(transactional_db):
    keep_quarters_open(2025)  # saved in time, not as late changes
    contract = contract_of(AgencyFactory(), indicators=1)
    indicator = contract.indicators.get()
    version = contract.version
    user = UserFactory()
    barrier = threading.Barrier(RACERS)
    outcomes: dict[int, str] = {}

    def save(n: int) -> None:
        try:
            mine = PerformanceContract.objects.get(pk=contract.pk)
            existing = Realisation.objects.get(indicator=indicator, quarter=1)
            row = contracts.RealisationInput(
                indicator=indicator, value=Decimal(100 + n), existing=existing
            )
            barrier.wait()
            contracts.save_realisations({mine.pk: (mine, version)}, 1, [row], user)
            outcomes[n] = "saved"
        except contracts.StaleContract:
            outcomes[n] = "stale"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(n,)) for n in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    winners = [n for n, outcome in outcomes.items() if outcome == "saved"]
    assert len(outcomes) == RACERS and len(winners) == 1
    contract.refresh_from_db()
    assert contract.version == version + 1
    stored = Realisation.objects.get(indicator=indicator, quarter=1)
    assert stored.value == Decimal(100 + winners[0])
    changes = stored.history.filter(history_type="~")
    assert changes.count() == 1 and changes.get().value == stored.value
