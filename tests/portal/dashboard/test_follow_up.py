"""The leaders' page of service follow-up (issue 21): a C-graded service without a follow-up
plan is listed for its agency's leaders (the province's leader and the leader of its region)
and for no other region's leader; overdue plans are listed the same way."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from agencies.models import ANSWER_FIELDS, FollowUpPlan
from tests.factories import ServiceFactory, SurveyResponseFactory
from tests.portal.dashboard.data import agency_in, region, regional_leader

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TODAY = datetime.datetime(2026, 2, 1, 10, 0, tzinfo=datetime.UTC)  # Q4 2025 has closed
URL = "dashboard:follow_up"
Status = FollowUpPlan.Status


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def graded(service, mean_u3: int, quarter: int = 4):
    """Ten answers of 3, with U3 answered `mean_u3`, in `quarter` of 2025."""
    answers = dict.fromkeys(ANSWER_FIELDS, 3) | {"u3": mean_u3}
    SurveyResponseFactory.create_batch(10, service=service, year=2025, quarter=quarter, **answers)


def plan(service, **changes):
    values = {
        "year": 2025,
        "quarter": 4,
        "action": "Menambah petugas",
        "unit": "Seksi Pelayanan",
        "due_date": datetime.date(2026, 3, 31),
    } | changes
    return FollowUpPlan.objects.create(service=service, **values)


@pytest.fixture
def west():
    """A regency with an agency whose service is graded C (IKM 69.44) and has no plan, and
    its leader; a city with an agency and its leader."""
    west = region("5201", "Kabupaten Lombok Barat")
    city = region("5271", "Kota Mataram")
    agency = agency_in(west, "Dinas Kesehatan Lombok Barat", slug="dikes-lobar")
    service = ServiceFactory(agency=agency, name="Surat Izin Praktik Bidan")
    graded(service, 1)
    return {
        "service": service,
        "leader": regional_leader("leader_west", west),
        "city_leader": regional_leader("leader_city", city),
        "city_agency": agency_in(city, "Dinas Kota", slug="dinas-kota"),
    }


def page(client, django_assert_max_num_queries):
    # 11 whatever the number of services: the session, user and roles, the run, the stored
    # schemes of two years, the survey sums, the plans and rows of the services that call for
    # one, the overdue plans, the sample-data marker.
    with django_assert_max_num_queries(11):
        response = client.get(reverse(URL))
    assert response.status_code == 200
    return response


def test_a_c_graded_service_without_a_plan_is_listed_for_its_agencys_leaders(
    cast, west, django_assert_max_num_queries
):
    for user in (west["leader"], cast.leader, cast.auditor):
        response = page(cast.client(user), django_assert_max_num_queries)
        [finding] = response.context["unanswered"]
        assert finding.service == west["service"] and finding.ikm.grade == "C"
        html = response.content.decode()
        assert "1 service needs a follow-up plan and has none" in html
        assert "Surat Izin Praktik Bidan" in html and "Dinas Kesehatan Lombok Barat" in html
        assert "U3 completion time (1.00)" in html
        assert f'href="{west["service"].get_absolute_url()}"' in html


def test_another_regions_leader_does_not_see_it(cast, west, django_assert_max_num_queries):
    plan(west["service"], due_date=datetime.date(2026, 1, 15))  # overdue as well
    west["service"].plans.update(
        year=2025, quarter=2, status=Status.DONE, completed_on=datetime.date(2025, 9, 1)
    )
    city_service = ServiceFactory(agency=west["city_agency"], name="Layanan Kota")
    graded(city_service, 4)
    response = page(cast.client(west["city_leader"]), django_assert_max_num_queries)
    assert response.context["unanswered"] == [] and response.context["overdue"] == []
    html = response.content.decode()
    assert "Surat Izin Praktik Bidan" not in html and "Lombok Barat" not in html
    assert "Every service whose survey results call for a follow-up plan has one." in html
    # And a province agency's service is not the regency leader's.
    province_service = ServiceFactory(agency=cast.agency_a, name="Layanan Provinsi")
    graded(province_service, 1)
    response = page(cast.client(west["leader"]), django_assert_max_num_queries)
    assert [f.service.name for f in response.context["unanswered"]] == ["Surat Izin Praktik Bidan"]
    response = page(cast.client(cast.leader), django_assert_max_num_queries)
    assert {f.service.name for f in response.context["unanswered"]} == {
        "Surat Izin Praktik Bidan",
        "Layanan Provinsi",
    }


def test_a_plan_takes_the_service_off_the_list(cast, west, django_assert_max_num_queries):
    plan(west["service"])
    response = page(cast.client(west["leader"]), django_assert_max_num_queries)
    assert response.context["unanswered"] == []


def test_overdue_plans_are_listed_longest_overdue_first(cast, west, django_assert_max_num_queries):
    service = west["service"]
    later = plan(service, action="Pelatihan petugas", due_date=datetime.date(2026, 1, 20))
    first = plan(service, action="Loket baru", due_date=datetime.date(2025, 12, 31))
    plan(
        service,
        action="Sudah selesai",
        due_date=datetime.date(2025, 12, 1),
        status=Status.DONE,
        completed_on=datetime.date(2025, 11, 30),
    )
    plan(service, action="Belum jatuh tempo", due_date=datetime.date(2026, 2, 1))
    response = page(cast.client(west["leader"]), django_assert_max_num_queries)
    assert response.context["overdue"] == [first, later]
    html = response.content.decode()
    assert "2 follow-up plans are overdue" in html
    assert "Overdue: due 12/31/2025" in html and "Overdue: due 01/20/2026" in html
    assert "Sudah selesai" not in html and "Belum jatuh tempo" not in html


def test_the_page_stays_bounded_with_many_services(cast, west, django_assert_max_num_queries):
    for n in range(12):
        s = ServiceFactory(agency=cast.agency_a, name=f"Layanan {n}")
        graded(s, 1)
        plan(s, due_date=datetime.date(2026, 1, 1), action=f"Tindakan {n}")
    response = page(cast.client(cast.leader), django_assert_max_num_queries)
    assert len(response.context["overdue"]) == 12 and len(response.context["unanswered"]) == 1


@pytest.mark.parametrize("who", ["officer_a", "approver_a"])
def test_officers_and_approvers_are_refused(cast, who):
    assert cast.client(getattr(cast, who)).get(reverse(URL)).status_code == 403


def test_the_dashboard_menu_links_the_page(cast):
    html = cast.client(cast.leader).get(reverse("dashboard:overview")).content.decode()
    assert f'href="{reverse(URL)}"' in html and "Service follow-up" in html
