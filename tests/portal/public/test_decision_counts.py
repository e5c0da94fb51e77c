"""Public decision counts (open-data dataset `decisions`): per agency and year, approved
decisions by kind, staff counts suppressed ("< 10", complementary), never a name or NIP."""

import csv
import io
import json

import pytest
from django.urls import reverse

from rewards import services
from rewards.models import Decision
from rewards.rules import apply_rules
from tests.factories import AgencyFactory, EmployeeFactory
from tests.rewards.data import copy_run, published_run, score

pytestmark = pytest.mark.django_db
HEADER = [
    "agency_code",
    "year",
    "level",
    "reward",
    "coaching",
    "penalty",
    "review",
    "total",
    "suppressed",
]


@pytest.fixture
def counted(cast):
    """Agency A: 12 staff penalties and 3 staff rewards approved, 2 penalties only
    recommended, 1 rejected, and its own award approved. Agency B: 4 staff penalties
    approved. A hidden agency: 12 penalties approved. Then a newer run is published."""
    hidden = AgencyFactory(code="RAHASIA", is_public=False)
    run = published_run(years=(2025,))
    staff = {
        "a_penalty": EmployeeFactory.create_batch(15, agency=cast.agency_a),
        "a_reward": EmployeeFactory.create_batch(3, agency=cast.agency_a),
        "b_penalty": EmployeeFactory.create_batch(4, agency=cast.agency_b),
        "hidden": EmployeeFactory.create_batch(12, agency=hidden),
    }
    for group, people in staff.items():
        for e in people:
            score(run, e, 2025, "Y", "115" if group == "a_reward" else "30")
    score(run, cast.agency_a, 2025, "Y", "112")
    apply_rules(run=run)
    decisions = Decision.objects.order_by("pk")
    a_penalties = list(decisions.filter(employee__in=staff["a_penalty"]))
    approve = (
        a_penalties[:12]
        + list(decisions.filter(employee__in=staff["a_reward"]))
        + list(decisions.filter(employee__in=staff["b_penalty"]))
        + list(decisions.filter(employee__in=staff["hidden"]))
        + list(decisions.filter(employee=None))
    )
    services.decide(user=cast.leader, ids=[d.pk for d in approve], approve=True)
    services.decide(user=cast.leader, ids=[a_penalties[12].pk], approve=False, reason="r")
    latest = copy_run(run)
    apply_rules(run=latest)
    cast.staff = staff
    return cast


def rows(client, fmt="json", **params):
    response = client.get(reverse("open_data_file", args=["decisions", fmt]), params)
    assert response.status_code == 200
    return response


def by_key(payload) -> dict:
    return {(r["agency_code"], r["year"], r["level"]): r for r in payload["rows"]}


def test_counts_per_agency_year_and_kind_with_suppression(counted, client):
    table = by_key(json.loads(rows(client).content))
    assert set(table) == {
        ("DIKES", 2025, "staff"),
        ("DIKES", 2025, "agency"),
        ("DIKBUD", 2025, "staff"),
        ("DIKBUD", 2025, "agency"),
    }
    a = table[("DIKES", 2025, "staff")]
    # 12 penalties shown; 3 rewards and the zeros hidden ("< 10"); only approved ones count.
    assert (a["penalty"], a["reward"], a["coaching"], a["review"]) == (12, None, None, None)
    assert (a["total"], a["suppressed"]) == (15, True)
    b = table[("DIKBUD", 2025, "staff")]
    assert [b[k] for k in ("reward", "coaching", "penalty", "review", "total")] == [None] * 5
    assert b["suppressed"] is True
    own = table[("DIKES", 2025, "agency")]
    assert (own["reward"], own["review"], own["total"], own["suppressed"]) == (1, 0, 1, False)


def test_a_single_small_cell_is_not_given_away_by_the_total(counted, client):
    from agencies.suppression import suppress

    # The dataset uses the shared suppression: with 12 penalties and 3 rewards, no hidden
    # cell can be derived from the total.
    row = suppress({"reward": 3, "coaching": 0, "penalty": 12, "review": 0}, 10)
    table = by_key(json.loads(rows(client).content))
    assert table[("DIKES", 2025, "staff")]["total"] == row.total


def test_decisions_taken_after_the_run_wait_for_the_next_run(counted, client):
    last = Decision.objects.filter(status=Decision.Status.RECOMMENDED, employee__isnull=False)
    services.decide(user=counted.leader, ids=list(last.values_list("pk", flat=True)), approve=True)
    table = by_key(json.loads(rows(client).content))
    assert table[("DIKES", 2025, "staff")]["penalty"] == 12


def test_the_file_has_no_name_no_nip_and_no_hidden_agency(counted, client):
    for fmt in ("csv", "json"):
        body = rows(client, fmt).content.decode()
        for people in counted.staff.values():
            for e in people:
                assert e.nip not in body and e.name not in body
        assert "RAHASIA" not in body
    table = list(csv.reader(io.StringIO(rows(client, "csv").content.decode())))
    assert table[0] == HEADER
    assert ["DIKES", "2025", "staff", "", "", "12", "", "15", "true"] in table


def test_the_file_narrows_to_an_agency_and_a_year(counted, client):
    payload = json.loads(rows(client, agency="dikbud", year=2025).content)
    assert {r["agency_code"] for r in payload["rows"]} == {"DIKBUD"}
    assert json.loads(rows(client, year=2019).content)["rows"] == []


def test_the_hub_lists_the_dataset(counted, client):
    html = client.get(reverse("open_data")).content.decode()
    assert reverse("open_data_file", args=["decisions", "csv"]) in html
