"""The HR officers' decision pages at /workspace/decisions/: their agencies' decisions and
objections (answered by the leader), by role, with bounded queries."""

import datetime

import pytest
from django.utils import timezone

from rewards import services
from rewards.models import Decision, Objection

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


def test_an_officer_sees_only_the_own_agencys_decisions(
    english, world, django_assert_max_num_queries
):
    client = world.client(world.officer_a)
    html = get(client, STAFF, django_assert_max_num_queries).content.decode()
    assert "Ani" in html and "Citra" in html
    assert "Dewi" not in html and "Eko" not in html
    get(client, f"{STAFF}{world.decisions['dewi'].pk}/", django_assert_max_num_queries, expect=404)
    get(client, f"{STAFF}{world.decisions['citra'].pk}/", django_assert_max_num_queries)
    assert (
        'href="/workspace/decisions/"'
        in get(client, "/workspace/", django_assert_max_num_queries).content.decode()
    )


@pytest.mark.parametrize("who", ["leader", "auditor", "approver_a"])
def test_the_officers_pages_are_for_officers(world, who, django_assert_max_num_queries):
    get(world.client(getattr(world, who)), STAFF, django_assert_max_num_queries, expect=403)


def test_an_officer_lodges_an_objection_and_the_leader_answers(
    english, world, django_assert_max_num_queries
):
    d = world.decisions["citra"]
    services.decide_one(user=world.leader, decision=d, approve=True)
    officer = world.client(world.officer_a)
    url = f"{STAFF}{d.pk}/"
    html = get(officer, url, django_assert_max_num_queries).content.decode()
    assert "Lodge an objection" in html
    assert officer.post(f"{url}objection/", {"text": ""}).status_code == 400
    response = officer.post(f"{url}objection/", {"text": "Pegawai sakit panjang"}, follow=True)
    assert "Objection lodged." in response.content.decode()
    html = get(officer, url, django_assert_max_num_queries).content.decode()
    assert "Pegawai sakit panjang" in html and "Lodge an objection" not in html

    # Another agency's officer: not found.
    assert world.client(world.officer_b).post(f"{url}objection/", {"text": "x"}).status_code == 404

    objection = Objection.objects.get()
    leader = world.client(world.leader)
    html = get(leader, f"{QUEUE}{d.pk}/", django_assert_max_num_queries).content.decode()
    assert "Pegawai sakit panjang" in html and "Save the answer" in html
    answer_url = f"{QUEUE}objections/{objection.pk}/answer/"
    assert world.client(world.regency_leader).post(answer_url, {"answer": "x"}).status_code == 404
    assert leader.post(answer_url, {"answer": ""}).status_code == 400
    assert leader.post(answer_url, {"answer": "Keberatan ditolak"}).status_code == 302
    html = get(officer, url, django_assert_max_num_queries).content.decode()
    assert "Pegawai sakit panjang" in html and "Keberatan ditolak" in html


def test_no_objection_form_after_14_days(english, world, django_assert_max_num_queries):
    d = world.decisions["citra"]
    services.decide_one(
        user=world.leader,
        decision=d,
        approve=True,
        now=timezone.now() - datetime.timedelta(days=15),
    )
    officer = world.client(world.officer_a)
    html = get(officer, f"{STAFF}{d.pk}/", django_assert_max_num_queries).content.decode()
    assert "Lodge an objection" not in html
    response = officer.post(f"{STAFF}{d.pk}/objection/", {"text": "x"}, follow=True)
    assert "14 days" in response.content.decode()
    assert not Objection.objects.exists()
