"""A newly published run shows on every public page within 2 seconds, even when it was
published by another process whose cache this one does not share (`make run`: a second
terminal's `recompute_scores`, each process with a local-memory cache of its own)."""

import datetime
import time

import pytest
from django.urls import reverse

from performance import services
from performance.services import recompute_scores
from tests.factories import AgencyFactory
from tests.performance.test_recompute import simple_contract

pytestmark = pytest.mark.django_db

PAGES = [("home", []), ("rankings", []), ("agencies:detail", ["dikes"])]


@pytest.mark.parametrize(("page", "args"), PAGES)
def test_a_run_published_elsewhere_shows_within_two_seconds(
    client, english, monkeypatch, page, args
):
    # Real time, not a moved clock: Redis (CI) expires keys by its own clock.
    simple_contract(AgencyFactory(slug="dikes"))
    first = recompute_scores(today=datetime.date(2026, 2, 1))
    url = reverse(page, args=args)
    assert f"Scores of run {first.pk}," in client.get(url).content.decode()
    # Another process publishes: its "forget the published run" reaches its own cache,
    # not this process's, which still names the first run (for up to a minute before).
    monkeypatch.setattr(services, "forget_published_run", lambda: None)
    second = recompute_scores(today=datetime.date(2026, 2, 1))
    time.sleep(2)
    assert f"Scores of run {second.pk}," in client.get(url).content.decode()
