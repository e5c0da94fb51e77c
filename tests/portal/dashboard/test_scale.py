"""The dashboard at province scale (44 agencies, 2,000 civil servants): a bounded number of
queries on every page and CSV, whatever the number of agencies and staff, and no civil
servant's name or NIP anywhere."""

import pytest
import time_machine
from django.urls import reverse

from agencies.models import Membership
from performance.models import Employee
from tests.conftest import AFTER_2025
from tests.factories import UserFactory
from tests.public_data import module_fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
public_data = module_fixture()

MAX_QUERIES = 13  # the overview reads the year's fall alert (one query)
URLS = [
    ("dashboard:overview", ""),
    ("dashboard:overview", "?year=2025&period=Y&sort=change"),
    ("dashboard:overview", "?year=2025&period=Q3&region=5201"),
    ("dashboard:coherence", "?year=2025"),
    ("dashboard:compliance", "?year=2025"),
    ("dashboard:predikat_csv", "?period=Q3"),
    ("dashboard:below_target_csv", "?period=Q3"),
    ("dashboard:coherence_csv", ""),
    ("dashboard:compliance_csv", ""),
]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(AFTER_2025, tick=False):
        yield


@pytest.fixture
def province_leader(client, public_data):
    user = UserFactory(username="gubernur")
    Membership.objects.create(user=user, role=Membership.Role.LEADER)
    client.force_login(user)
    return client


@pytest.mark.parametrize(("name", "query"), URLS)
def test_query_count_is_bounded(province_leader, django_assert_max_num_queries, name, query):
    province_leader.get(reverse(name) + query)  # warm the run cache, as in production
    with django_assert_max_num_queries(MAX_QUERIES):
        response = province_leader.get(reverse(name) + query)
    assert response.status_code == 200


def test_cold_overview_is_bounded_too(province_leader, django_assert_max_num_queries):
    with django_assert_max_num_queries(MAX_QUERIES):
        assert province_leader.get(reverse("dashboard:overview")).status_code == 200


def test_overview_covers_every_agency(province_leader, public_data):
    response = province_leader.get(reverse("dashboard:overview") + "?year=2025&period=Q3")
    assert len(response.context["rows"]) == len(public_data.agencies)
    assert response.context["headline"].scored > 0
    # Agencies whose Q3 realisations are missing (every seventh one in the data set).
    assert response.context["missing"] == len(
        [i for i, _a in enumerate(public_data.agencies) if i % 7 == 0]
    )


def test_no_civil_servant_appears_anywhere(province_leader, public_data):
    names = list(Employee.objects.values_list("name", flat=True)[:50])
    nips = list(Employee.objects.values_list("nip", flat=True))
    for name, query in URLS:
        body = province_leader.get(reverse(name) + query).content.decode()
        assert "Rahasia Pegawai" not in body
        assert not [n for n in names if n in body]
        assert not [nip for nip in nips if nip in body], name
