"""The leaders' cascade gaps (issue 22): per agency in view, the PK indicators no SKP
indicator supports and the SKP indicators that serve nothing; counts, never a name; a
regional leader sees only their region; bounded queries."""

import pytest
from django.urls import reverse

from agencies.models import Membership
from performance.services import recompute_scores
from tests.factories import (
    AgencyFactory,
    ContractFactory,
    IndicatorFactory,
    RegionFactory,
    UserFactory,
)
from tests.performance.test_cascade_support import AUG_2025, staff_indicator

pytestmark = pytest.mark.django_db
URL = reverse("dashboard:cascade")


def agency_with_gaps(agency, *, supported: int, unsupported: int, orphans: int, staff: int):
    pk = ContractFactory(agency=agency)
    indicators = [
        IndicatorFactory(contract=pk, code=f"IKU{n}") for n in range(supported + unsupported)
    ]
    for n in range(staff):
        staff_indicator(agency, indicators[n % supported] if supported else None, 10, 10)
    for _ in range(orphans):
        staff_indicator(agency, None, 10, 10)


@pytest.fixture
def gaps(cast):
    agency_with_gaps(cast.agency_a, supported=2, unsupported=3, orphans=4, staff=6)
    agency_with_gaps(cast.agency_b, supported=1, unsupported=0, orphans=0, staff=2)
    regency = RegionFactory(code="5201", name="Lombok Barat")
    far = AgencyFactory(name="Dinas Lombok Barat", region=regency)
    agency_with_gaps(far, supported=0, unsupported=1, orphans=1, staff=0)
    recompute_scores(today=AUG_2025)
    regional = UserFactory(username="regional")
    Membership.objects.create(user=regional, role=Membership.Role.LEADER, region=regency)
    return cast, far, regional


def test_leaders_see_the_gaps_per_agency_without_names(gaps, django_assert_max_num_queries):
    cast, far, _regional = gaps
    client = cast.client(cast.leader)

    with django_assert_max_num_queries(12):
        page = client.get(URL, {"year": 2025})

    assert page.status_code == 200
    rows = {agency.code: g for agency, g in page.context["rows"]}
    a, b, lobar = rows["DIKES"], rows["DIKBUD"], rows[far.code]
    assert (a.pk_indicators, a.unsupported, a.staff_indicators, a.serving_nothing) == (5, 3, 10, 4)
    assert (b.pk_indicators, b.unsupported, b.staff_indicators, b.serving_nothing) == (1, 0, 2, 0)
    assert (lobar.unsupported, lobar.serving_nothing) == (1, 1)
    html = page.content.decode()
    for employee in cast.agency_a.employees.all():
        assert employee.nip not in html and employee.name not in html


def test_a_regional_leader_sees_only_their_region(gaps):
    cast, far, regional = gaps
    client = cast.client(regional)

    page = client.get(URL, {"year": 2025})

    assert [agency.pk for agency, _ in page.context["rows"]] == [far.pk]


def test_the_page_stays_bounded_as_agencies_grow(gaps, django_assert_max_num_queries):
    cast, *_ = gaps
    client = cast.client(cast.auditor)
    with django_assert_max_num_queries(12) as few:
        client.get(URL, {"year": 2025})
    for _ in range(6):
        agency_with_gaps(AgencyFactory(), supported=1, unsupported=1, orphans=1, staff=2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(URL, {"year": 2025})
    assert len(page.context["rows"]) == 9


def test_officers_and_citizens_are_refused(cast):
    assert cast.client(cast.officer_a).get(URL).status_code == 403
    assert cast.client(None).get(URL).status_code == 302
