"""The leaders' decision pages: the queue and detail at /dashboard/decisions/; permissions by
region and role, CSRF-protected posts, and bounded queries. (The officers' pages:
tests/portal/workspace/test_decision_pages.py.)"""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from rewards import services
from rewards.models import Decision

pytestmark = pytest.mark.django_db
Status = Decision.Status
QUEUE = "/dashboard/decisions/"
STAFF = "/workspace/decisions/"
MAX_QUERIES = 16


def get(client, url, django_assert_max_num_queries, expect=200, **params):
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(url, params)
    assert response.status_code == expect, response.content[:500]
    return response


def test_the_urls_are_where_the_design_says():
    assert reverse("rewards:queue") == QUEUE
    assert reverse("staff_decisions:list") == STAFF


def test_the_leader_sees_the_recommendations_of_the_province(
    english, world, django_assert_max_num_queries
):
    html = get(world.client(world.leader), QUEUE, django_assert_max_num_queries).content.decode()
    for name in ("Ani", "Budi", "Citra", "Dewi", "Eko"):
        assert name in html
    assert 'name="decisions"' in html and "Approve the ticked" in html
    assert "csrfmiddlewaretoken" in html


def test_a_regency_leader_sees_only_the_regency(english, world, django_assert_max_num_queries):
    client = world.client(world.regency_leader)
    html = get(client, QUEUE, django_assert_max_num_queries).content.decode()
    assert "Eko" in html and "Citra" not in html and "Dewi" not in html
    get(client, f"{QUEUE}{world.decisions['citra'].pk}/", django_assert_max_num_queries, expect=404)


def test_the_auditor_reads_everything_and_decides_nothing(
    english, world, django_assert_max_num_queries
):
    client = world.client(world.auditor)
    html = get(client, QUEUE, django_assert_max_num_queries).content.decode()
    assert "Citra" in html and "Eko" in html
    assert 'name="decisions"' not in html and "csrfmiddlewaretoken" not in html
    d = world.decisions["citra"]
    html = get(client, f"{QUEUE}{d.pk}/", django_assert_max_num_queries).content.decode()
    assert "Save the decision" not in html
    assert client.post(QUEUE, {"decisions": [d.pk], "action": "approve"}).status_code == 403
    # A refused write is the read-only page (403), not a 404.
    assert client.post(f"{QUEUE}{d.pk}/decide/", {"action": "approve"}).status_code == 403
    assert Decision.objects.get(pk=d.pk).status == Status.RECOMMENDED


@pytest.mark.parametrize("who", ["officer_a", "approver_a"])
def test_officers_and_approvers_have_no_queue(world, who, django_assert_max_num_queries):
    client = world.client(getattr(world, who))
    get(client, QUEUE, django_assert_max_num_queries, expect=403)
    get(client, f"{QUEUE}{world.decisions['citra'].pk}/", django_assert_max_num_queries, expect=403)
    assert client.post(QUEUE, {"decisions": [world.decisions["citra"].pk]}).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(world):
    for url in (QUEUE, STAFF, f"{QUEUE}{world.decisions['citra'].pk}/"):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_queue_filters(english, world, django_assert_max_num_queries):
    client = world.client(world.leader)
    html = get(
        client, QUEUE, django_assert_max_num_queries, outcome="penalty", agency=world.agency_a.pk
    ).content.decode()
    assert "Citra" in html and "Ani" not in html and "Dewi" not in html
    html = get(client, QUEUE, django_assert_max_num_queries, level="agency").content.decode()
    assert "No decision matches" in html
    services.decide_one(user=world.leader, decision=world.decisions["ani"], approve=True)
    html = get(client, QUEUE, django_assert_max_num_queries).content.decode()
    assert "Ani" not in html  # the queue shows what is still to decide ...
    html = get(client, QUEUE, django_assert_max_num_queries, status="approved").content.decode()
    assert "Ani" in html and "Budi" not in html  # ... and the rest on request
    html = get(client, QUEUE, django_assert_max_num_queries, status="", year=2024).content.decode()
    assert "No decision matches" in html


def test_bulk_approve_and_reject_from_the_queue(english, world):
    client = world.client(world.leader)
    ids = [world.decisions[n].pk for n in ("ani", "budi")]
    response = client.post(
        QUEUE + "?outcome=&agency=", {"decisions": ids, "action": "approve"}, follow=True
    )
    assert response.redirect_chain[0][0] == QUEUE + "?outcome=&agency="
    assert "2 decisions approved." in response.content.decode()
    assert {Decision.objects.get(pk=i).status for i in ids} == {Status.APPROVED}

    citra = world.decisions["citra"].pk
    response = client.post(QUEUE, {"decisions": [citra], "action": "reject", "reason": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give a reason for the rejection." in html
    assert f'value="{citra}" id="pick-{citra}" checked' in html  # the ticks are kept
    response = client.post(
        QUEUE, {"decisions": [citra], "action": "reject", "reason": "Belum cukup bukti"}
    )
    assert response.status_code == 302
    assert Decision.objects.get(pk=citra).status == Status.REJECTED


def test_bulk_refuses_another_regions_decision(world):
    client = world.client(world.regency_leader)
    ids = [world.decisions["eko"].pk, world.decisions["citra"].pk]
    response = client.post(QUEUE, {"decisions": ids, "action": "approve"})
    assert response.status_code == 404  # outside the authority, like a missing one: nothing
    assert not Decision.objects.filter(status=Status.APPROVED).exists()


def test_bulk_on_an_already_decided_one_says_so(english, world):
    d = world.decisions["citra"]
    services.decide_one(user=world.leader, decision=d, approve=True)
    response = world.client(world.leader).post(
        QUEUE, {"decisions": [d.pk], "action": "reject", "reason": "x"}, follow=True
    )
    assert "already decided or withdrawn" in response.content.decode()
    assert Decision.objects.get(pk=d.pk).status == Status.APPROVED


def test_the_detail_page_decides_reverses_and_shows_the_history(
    english, world, django_assert_max_num_queries
):
    client = world.client(world.leader)
    d = world.decisions["citra"]
    url = f"{QUEUE}{d.pk}/"
    html = get(client, url, django_assert_max_num_queries).content.decode()
    assert "Citra" in html and d.employee.nip in html and "40.00" in html
    assert "Sangat Kurang" in html and "Save the decision" in html

    response = client.post(f"{url}decide/", {"action": "reject", "reason": ""})
    assert response.status_code == 400 and "Give a reason" in response.content.decode()
    assert client.post(f"{url}decide/", {"action": "approve"}).status_code == 302
    assert client.post(f"{url}decide/", {"action": "approve"}, follow=True).status_code == 200
    html = get(client, url, django_assert_max_num_queries).content.decode()
    assert "already decided" not in html  # the flash was shown on the previous page
    assert "Reverse this decision" in html

    assert client.post(f"{url}reverse/", {"reason": ""}).status_code == 400
    response = client.post(f"{url}reverse/", {"reason": "Salah hitung"}, follow=True)
    assert "Reversed: the decision is open again." in response.content.decode()
    html = get(client, url, django_assert_max_num_queries).content.decode()
    assert "Reversed (was approved): Salah hitung" in html
    assert Decision.objects.get(pk=d.pk).status == Status.RECOMMENDED


def test_get_on_an_action_is_refused(world):
    d = world.decisions["citra"]
    assert world.client(world.leader).get(f"{QUEUE}{d.pk}/decide/").status_code == 405


def test_posts_need_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.leader)
    d = world.decisions["citra"]
    assert client.post(f"{QUEUE}{d.pk}/decide/", {"action": "approve"}).status_code == 403
    assert client.post(QUEUE, {"decisions": [d.pk], "action": "approve"}).status_code == 403
    assert Decision.objects.get(pk=d.pk).status == Status.RECOMMENDED


def test_deciding_in_the_page_mails_the_officers(world, django_capture_on_commit_callbacks):
    world.officer_a.email = "hr@dikes.example"
    world.officer_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        world.client(world.leader).post(
            f"{QUEUE}{world.decisions['ani'].pk}/decide/", {"action": "approve"}
        )
    assert [m.to for m in mail.outbox] == [["hr@dikes.example"]]
