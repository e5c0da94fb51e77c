"""Select-all for the leaders' bulk decisions (issue 23): every recommendation matching the
queue's filters, on every page, within the leader's authority, decided after a confirmation
that shows the count, and only if the set is still the one that was shown."""

import re

import pytest

from performance.models import ScoreRun
from portal.common.decisions import PAGE_SIZE
from rewards import services
from rewards.models import Decision
from rewards.rules import apply_rules
from tests.factories import EmployeeFactory
from tests.rewards.data import score

pytestmark = pytest.mark.django_db
Status = Decision.Status
QUEUE = "/dashboard/decisions/"
ALL = "/dashboard/decisions/all/"
MAX_QUERIES = 16


@pytest.fixture
def many(world):
    """More penalties in agency A than a page holds, a few in agency B and in the regency."""
    run = ScoreRun.objects.get()
    for i in range(PAGE_SIZE + 10):
        score(run, EmployeeFactory(agency=world.agency_a, name=f"Pegawai A{i:03}"), 2025, "Y", "40")
    for i in range(4):
        score(run, EmployeeFactory(agency=world.agency_b, name=f"Pegawai B{i:03}"), 2025, "Y", "30")
    for i in range(3):
        score(run, EmployeeFactory(agency=world.regency, name=f"Pegawai R{i:03}"), 2025, "Y", "20")
    apply_rules(run=run)
    return world


def digest_in(html: str) -> str:
    return re.search(r'name="digest" value="([0-9a-f]+)"', html).group(1)


def statuses() -> dict[int, str]:
    return dict(Decision.objects.values_list("pk", "status"))


def test_select_all_decides_exactly_the_filtered_set_across_pages(
    english, many, django_assert_max_num_queries
):
    client = many.client(many.leader)
    query = f"?agency={many.agency_a.pk}&outcome=penalty"
    wanted = set(
        Decision.objects.filter(
            agency=many.agency_a, rule__outcome="penalty", status=Status.RECOMMENDED
        ).values_list("pk", flat=True)
    )
    assert len(wanted) == PAGE_SIZE + 11  # citra and the new ones: more than one page

    with django_assert_max_num_queries(MAX_QUERIES):
        html = client.get(QUEUE + query).content.decode()
    assert f"Decide all {len(wanted)} matching recommendations" in html
    assert f'href="{ALL}{query.replace("&", "&amp;")}"' in html

    with django_assert_max_num_queries(MAX_QUERIES):
        page = client.get(ALL + query)
    html = page.content.decode()
    assert page.status_code == 200
    assert f"{len(wanted)} recommendations in your authority match these filters" in html
    assert "Approve all 61" in html and many.agency_a.name in html

    before = statuses()
    response = client.post(ALL + query, {"digest": digest_in(html), "action": "approve"})
    assert response.status_code == 302 and response["Location"] == QUEUE + query
    after = statuses()
    changed = {pk for pk in after if after[pk] != before[pk]}
    assert changed == wanted
    assert {after[pk] for pk in wanted} == {Status.APPROVED}
    html = client.get(QUEUE + query, follow=True).content.decode()
    assert f"{len(wanted)} decisions approved." in html


def test_the_set_is_decided_only_if_it_is_still_the_one_shown(english, many):
    client = many.client(many.leader)
    query = f"?agency={many.agency_a.pk}"
    html = client.get(ALL + query).content.decode()
    shown = digest_in(html)
    # Another leader's hand (or a run) changes the set between the page and the click.
    services.decide_one(user=many.leader, decision=many.decisions["citra"], approve=True)
    before = statuses()
    response = client.post(ALL + query, {"digest": shown, "action": "approve"})
    assert response.status_code == 409
    assert "changed while you looked" in response.content.decode()
    assert statuses() == before
    assert digest_in(response.content.decode()) != shown  # the new set, to confirm again


def test_a_rejection_needs_a_reason_and_nothing_is_decided_without_it(english, many):
    client = many.client(many.leader)
    query = f"?agency={many.agency_b.pk}"
    html = client.get(ALL + query).content.decode()
    before = statuses()
    response = client.post(ALL + query, {"digest": digest_in(html), "action": "reject"})
    assert response.status_code == 400
    assert "Give a reason for the rejection." in response.content.decode()
    assert statuses() == before
    response = client.post(
        ALL + query,
        {"digest": digest_in(html), "action": "reject", "reason": "Data belum diverifikasi"},
    )
    assert response.status_code == 302
    b = Decision.objects.filter(agency=many.agency_b)
    assert set(b.values_list("status", flat=True)) == {Status.REJECTED}
    assert set(b.values_list("reason", flat=True)) == {"Data belum diverifikasi"}


def test_select_all_leaves_what_another_leader_decides(english, many):
    """The province leader sees the regency's recommendations but does not decide them."""
    client = many.client(many.leader)
    html = client.get(ALL + "?outcome=penalty").content.decode()
    regency = Decision.objects.filter(agency=many.regency, status=Status.RECOMMENDED).count()
    assert regency == 4  # eko and three more
    assert f"{regency} others you may see are decided by their own leaders" in html
    client.post(ALL + "?outcome=penalty", {"digest": digest_in(html), "action": "approve"})
    assert set(Decision.objects.filter(agency=many.regency).values_list("status", flat=True)) == {
        Status.RECOMMENDED
    }
    assert not Decision.objects.filter(
        rule__outcome="penalty", status=Status.RECOMMENDED, agency__region__code="52"
    ).exists()
    # Only the filtered outcome: the reward and the coaching are still to decide.
    for name in ("ani", "budi"):
        assert Decision.objects.get(pk=many.decisions[name].pk).status == Status.RECOMMENDED


def test_an_agency_outside_the_leaders_view_is_a_404_not_all_agencies(many):
    client = many.client(many.regency_leader)
    before = statuses()
    assert client.get(ALL + f"?agency={many.agency_a.pk}").status_code == 404
    assert (
        client.post(
            ALL + f"?agency={many.agency_a.pk}", {"digest": "0" * 32, "action": "approve"}
        ).status_code
        == 404
    )
    assert client.get(ALL + "?agency=999999").status_code == 404
    assert client.get(ALL + "?year=not-a-year").status_code == 400
    assert statuses() == before


@pytest.mark.parametrize("who", ["auditor", "officer_a", "approver_a"])
def test_only_leaders_decide_all(many, who):
    client = many.client(getattr(many, who))
    assert client.get(ALL).status_code == 403
    before = statuses()
    assert client.post(ALL, {"digest": "0" * 32, "action": "approve"}).status_code == 403
    assert statuses() == before
