"""Bounded queries on the decision pages with a province-sized data set (44 agencies, 2,000
civil servants, two years, scored and run through the rules): the number of queries of a
page does not grow with the number of decisions."""

import pytest
from django.db import connection

from agencies.models import Membership
from rewards import services
from rewards.models import Decision, Objection, Rule
from rewards.rules import apply_rules
from tests import public_data as pd
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
MAX_QUERIES = 16


@pytest.fixture(scope="module")
def data(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        built = pd.build()
        summary = apply_rules(run=built.run)
        yield built, summary
        with connection.cursor() as cursor:
            for model in (
                Objection.history.model,
                Objection,
                Decision.history.model,
                Decision,
                Rule,
            ):
                cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608 - model names
        pd.wipe()


@pytest.fixture
def people(data, cast):
    built, _ = data
    # A province agency: the province leader of the cast decides on it (its authority).
    agency = next(a for a in built.agencies[1:] if a.region.code == "52")
    officer = UserFactory(username="officer_opd01")
    Membership.objects.create(user=officer, role=Membership.Role.HR_OFFICER, agency=agency)
    return built, agency, officer


def test_the_data_set_has_decisions_of_every_kind(data):
    built, summary = data
    assert summary.recommended > 500
    kinds = set(Decision.objects.values_list("rule__code", flat=True).distinct())
    assert {"employee-reward", "employee-coaching", "employee-penalty"} <= kinds


def test_pages_have_bounded_queries(people, cast, django_assert_max_num_queries):
    built, agency, officer = people
    leader, auditor = cast.client(cast.leader), cast.client(cast.auditor)
    d = Decision.objects.filter(agency=agency, rule__outcome="penalty").first()
    services.decide_one(user=cast.leader, decision=d, approve=True)
    services.lodge_objection(user=officer, decision=d, text="Sakit")
    ids = list(
        Decision.objects.filter(status="recommended", agency__region__code="52").values_list(
            "pk", flat=True
        )[:50]
    )
    urls = [
        (leader, "/dashboard/decisions/"),
        (leader, "/dashboard/decisions/?page=3"),
        (leader, f"/dashboard/decisions/?agency={agency.pk}&outcome=penalty&level=employee"),
        (leader, "/dashboard/decisions/?status=&year=2025"),
        (auditor, "/dashboard/decisions/"),
        (leader, f"/dashboard/decisions/{d.pk}/"),
        (auditor, f"/dashboard/decisions/{d.pk}/"),
        (cast.client(officer), "/workspace/decisions/"),
        (cast.client(officer), f"/workspace/decisions/{d.pk}/"),
    ]
    for client, url in urls:
        with django_assert_max_num_queries(MAX_QUERIES):
            response = client.get(url)
        assert response.status_code == 200, url
    with django_assert_max_num_queries(MAX_QUERIES + 6):  # the bulk decision of 50
        response = leader.post("/dashboard/decisions/", {"decisions": ids, "action": "approve"})
    assert response.status_code == 302
    assert Decision.objects.filter(pk__in=ids, status="approved").count() == 50


def test_rules_rerun_on_the_data_set_change_nothing(data, django_assert_max_num_queries):
    built, _ = data
    with django_assert_max_num_queries(80):
        summary = apply_rules(run=built.run)
    assert (summary.recommended, summary.withdrawn, summary.refreshed) == (0, 0, 0)
