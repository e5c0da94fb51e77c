"""The authority scope of leaders apart from their view (DESIGN.md, Integrity; issue 20): a
leader decides only on the civil servants of the agencies their authority holds (the
province: its own agencies, region 52; a regency or city: its own), however wide what they
see. The authorization matrix's second table: every acting URL, with a Kota Bima agency's
objects, for leaders of each scope. Outside the authority the answer is exactly what a
missing object gets (404), in the UI, in the bulk form and by URL, and nothing is written.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.models import Membership, Region
from performance.models import StaffRating
from rewards.models import Decision, Objection
from tests.factories import AgencyFactory, EmployeeFactory, UserFactory
from tests.rewards.data import score
from tests.security.policy import ALLOW, HIDDEN

pytestmark = pytest.mark.django_db
Status = Decision.Status

# Leaders by scope: (authority region code or None for the province, view region code).
LEADERS = {
    "province": (None, None),  # the cast's province leader: no region
    "province_52": ("52", None),
    "kota_bima": ("5272", None),
    "kota_bima_wide": ("5272", "52"),  # sees the whole province, decides for Kota Bima
    "lombok_barat": ("5201", None),
}
# Who decides on a Kota Bima decision, who sees it.
DECIDES = {"kota_bima", "kota_bima_wide"}
SEES = {"province", "province_52", "kota_bima", "kota_bima_wide"}


@pytest.fixture
def bima(in_world):
    """A Kota Bima agency with a recommended penalty, an approved one with an objection, an
    approved one to reverse, and a rated civil servant with an objection to the predikat;
    and a leader of every scope."""
    w = in_world
    region = Region.objects.get_or_create(
        code="5272", defaults={"name": "Kota Bima", "kind": Region.Kind.CITY}
    )[0]
    Region.objects.get_or_create(
        code="5201", defaults={"name": "Lombok Barat", "kind": Region.Kind.REGENCY}
    )
    agency = AgencyFactory(code="DINKES-BIMA", slug="dinkes-bima", name="Dinkes Kota Bima")
    agency.region = region
    agency.save()
    people = [EmployeeFactory(agency=agency, name=f"Pegawai Bima {n}") for n in range(4)]
    run = w.cast.run
    rule = w.objects["penalty"].rule
    now = timezone.now()
    made = {}
    for name, person, status in (
        ("recommended", people[0], Status.RECOMMENDED),
        ("objected", people[1], Status.APPROVED),
        ("decided", people[2], Status.APPROVED),
    ):
        made[name] = Decision.objects.create(
            rule=rule,
            run=run,
            agency=agency,
            employee=person,
            year=2025,
            period="Y",
            status=status,
            decided_at=now if status == Status.APPROVED else None,
        )
    made["objection"] = Objection.objects.create(
        decision=made["objected"], lodged_by=w.cast.officer_a, text="Keliru", lodged_at=now
    )
    contract = score(run, people[3], 2025, "Y", "40").contract
    rating = StaffRating.objects.create(
        contract=contract, results="below", behaviour="below", rated_at=now, changed_at=now
    )
    made["rating_objection"] = Objection.objects.create(
        rating=rating, lodged_by=w.cast.officer_a, text="Keliru", lodged_at=now
    )
    clients = {}
    for name, (authority, view) in LEADERS.items():
        if name == "province":
            user = w.cast.leader
        else:
            user = UserFactory(username=f"leader_{name}")
            Membership.objects.create(
                user=user,
                role=Membership.Role.LEADER,
                region=Region.objects.get(code=authority),
                view_region=Region.objects.get(code=view) if view else None,
            )
        client = Client()
        client.force_login(user)
        clients[name] = client
    made["clients"] = clients
    return made


def outcome(response) -> str:
    if response.status_code == 404:
        return HIDDEN
    assert response.status_code in (200, 302), response.status_code
    return ALLOW


MISSING = 999_999_999
# action: (URL name, the object's key in `bima`, the data a leader's form posts)
ACTIONS = {
    "decide": ("rewards:decide", "recommended", {"action": "approve", "reason": ""}),
    "bulk": ("rewards:queue", "recommended", {"action": "approve", "reason": ""}),
    "reverse": ("rewards:reverse", "decided", {"reason": "Data keliru"}),
    "answer": ("rewards:answer", "objection", {"answer": "Ditolak"}),
    "answer to a predikat objection": (
        "rewards:answer",
        "rating_objection",
        {"answer": "Ditolak"},
    ),
}


def post(client, name: str, pk: int, data: dict):
    if name == "rewards:queue":  # the bulk form names the decision in its data
        return client.post(reverse(name), {**data, "decisions": [pk]})
    return client.post(reverse(name, args=[pk]), data)


def state(b) -> tuple:
    return (
        Decision.objects.get(pk=b["recommended"].pk).status,
        Decision.objects.get(pk=b["decided"].pk).status,
        Objection.objects.get(pk=b["objection"].pk).answer,
        Objection.objects.get(pk=b["rating_objection"].pk).answer,
    )


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("leader", LEADERS)
def test_only_the_authority_acts_on_a_kota_bima_decision(bima, leader, action):
    name, key, data = ACTIONS[action]
    client = bima["clients"][leader]
    before = state(bima)
    response = post(client, name, bima[key].pk, data)
    expected = ALLOW if leader in DECIDES else HIDDEN
    assert outcome(response) == expected, (leader, action, response.status_code)
    if expected == HIDDEN:
        assert state(bima) == before  # nothing written
        # Exactly what an object that does not exist gets: no existence oracle.
        assert post(client, name, MISSING, data).status_code == response.status_code
    else:
        assert state(bima) != before


@pytest.mark.parametrize("leader", LEADERS)
def test_seeing_is_not_deciding(bima, leader):
    """The decision page opens for every leader who sees Kota Bima; only the authority gets
    the form to decide, and the queue offers the tick box to them only."""
    client = bima["clients"][leader]
    d = bima["recommended"]
    response = client.get(reverse("rewards:detail", args=[d.pk]))
    assert outcome(response) == (ALLOW if leader in SEES else HIDDEN)
    if leader in SEES:
        page = response.content.decode()
        has_form = reverse("rewards:decide", args=[d.pk]) in page
        assert has_form is (leader in DECIDES)
        queue = client.get(reverse("rewards:queue") + "?status=recommended").content.decode()
        assert (f'value="{d.pk}" id="pick-{d.pk}"' in queue) is (leader in DECIDES)
        objections = client.get(reverse("rewards:objections")).content.decode()
        answer = reverse("rewards:answer", args=[bima["rating_objection"].pk])
        assert (answer in objections) is (leader in DECIDES)


def test_a_wide_view_does_not_widen_the_authority_over_the_province(bima, in_world):
    """The Kota Bima leader who sees the province cannot decide on a province agency's
    decision (agency A's), which the province leader can."""
    d = in_world.objects["recommended"]
    wide = bima["clients"]["kota_bima_wide"]
    assert wide.get(reverse("rewards:detail", args=[d.pk])).status_code == 200
    response = wide.post(reverse("rewards:decide", args=[d.pk]), {"action": "approve"})
    assert response.status_code == 404
    assert Decision.objects.get(pk=d.pk).status == Status.RECOMMENDED
    response = bima["clients"]["province_52"].post(
        reverse("rewards:decide", args=[d.pk]), {"action": "approve"}
    )
    assert response.status_code == 302
    assert Decision.objects.get(pk=d.pk).status == Status.APPROVED
