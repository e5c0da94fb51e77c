"""The HR officer's service figures (validated upsert per quarter, scoped) and the citizens'
suggestions list (scoped, private, never cached)."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from agencies import services
from agencies.models import ServiceMetric
from tests.factories import ServiceFactory, ServiceMetricFactory, SurveyResponseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TODAY = datetime.datetime(2026, 5, 10, 10, 0, tzinfo=datetime.UTC)  # Q2 2026
FIGURES = {
    "applications": "120",
    "completed_on_time": "100",
    "completed_late": "15",
    "avg_processing_days": "4,5",  # a comma is read as the decimal point in English too
    "complaints_received": "8",
    "complaints_resolved": "6",
    "users": "1500",
}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def service_a(cast):
    return ServiceFactory(agency=cast.agency_a, code="KIA", name="Layanan KIA", standard_days=5)


@pytest.fixture
def service_b(cast):
    return ServiceFactory(agency=cast.agency_b, code="PPDB", name="Pendaftaran PPDB")


def edit_url(service, year=2026, quarter=1) -> str:
    return reverse("services:metrics_edit", args=[service.pk, year, quarter])


def stored(service, year=2026, quarter=1) -> dict[str, Decimal]:
    return services.metric_values(service, year, quarter)


def figures(**changes) -> dict[str, str]:
    return {**FIGURES, **changes}


# --- entering figures -------------------------------------------------------------------


def test_officer_enters_a_quarters_figures(officer_a, service_a):
    response = officer_a.post(edit_url(service_a), figures(), follow=True)
    assert response.redirect_chain[-1][0] == reverse("services:metrics", args=[service_a.pk])
    assert stored(service_a) == {
        "applications": 120,
        "completed_on_time": 100,
        "completed_late": 15,
        "avg_processing_days": Decimal("4.5"),
        "complaints_received": 8,
        "complaints_resolved": 6,
        "users": 1500,
    }
    assert [str(m) for m in response.context["messages"]] == [
        "Service figures saved for Layanan KIA, Q1 2026."
    ]


def test_indonesian_officer_types_decimal_comma(cast, service_a):
    client = cast.client(cast.officer_a)
    client.cookies["lang"] = "id"
    assert client.post(edit_url(service_a), figures(avg_processing_days="3,25")).status_code == 302
    assert stored(service_a)["avg_processing_days"] == Decimal("3.25")


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("typed", ["1.500", "1,500", "1 500", "1500"])
def test_counts_may_be_typed_with_thousands_separators(cast, service_a, lang, typed):
    client = cast.client(cast.officer_a)
    client.cookies["lang"] = lang
    assert client.post(edit_url(service_a), figures(users=typed)).status_code == 302
    assert stored(service_a)["users"] == 1500


def test_saving_again_upserts_and_emptying_deletes(officer_a, service_a):
    officer_a.post(edit_url(service_a), figures(), follow=True)
    ids = dict(ServiceMetric.objects.filter(service=service_a).values_list("kind", "pk"))
    response = officer_a.post(
        edit_url(service_a), figures(users="1600", complaints_resolved=""), follow=True
    )
    assert response.status_code == 200
    now = stored(service_a)
    assert now["users"] == 1600 and "complaints_resolved" not in now
    assert ServiceMetric.objects.get(service=service_a, kind="users").pk == ids["users"]
    assert ServiceMetric.objects.count() == 6
    response = officer_a.post(edit_url(service_a), figures(complaints_resolved=""), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Service figures saved for Layanan KIA, Q1 2026."
    ]
    officer_a.post(edit_url(service_a), figures(), follow=True)
    response = officer_a.post(edit_url(service_a), figures(), follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Nothing changed."]


def test_other_quarters_and_services_are_untouched(officer_a, service_a, cast):
    other = ServiceMetricFactory(service=service_a, year=2025, quarter=4, kind="users", value=9)
    elsewhere = ServiceMetricFactory(
        service=ServiceFactory(agency=cast.agency_a), year=2026, quarter=1, kind="users", value=7
    )
    officer_a.post(edit_url(service_a), figures(users=""))
    other.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (other.value, elsewhere.value) == (9, 7)


def test_form_shows_the_stored_figures(officer_a, service_a):
    ServiceMetricFactory(
        service=service_a, year=2026, quarter=1, kind="avg_processing_days", value=Decimal("2.50")
    )
    response = officer_a.get(edit_url(service_a))
    assert response.status_code == 200
    assert response.context["form"]["avg_processing_days"].value() == Decimal("2.5")
    assert "The service standard is 5 days." in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"completed_on_time": "110", "completed_late": "15"},
            "completed_late",
            "Completed on time plus completed late (125) is more than the applications "
            "received (120).",
        ),
        (
            {"completed_on_time": "130", "completed_late": ""},
            "completed_on_time",
            "Completed on time plus completed late (130) is more than the applications "
            "received (120).",
        ),
        (
            {"complaints_resolved": "9"},
            "complaints_resolved",
            "More complaints resolved (9) than received (8).",
        ),
        ({"applications": "12.5"}, "applications", "This is a count: enter a whole number."),
        ({"users": "1.5"}, "users", "This is a count: enter a whole number."),
        ({"users": "1.50"}, "users", "This is a count: enter a whole number."),
        ({"complaints_received": "-1"}, "complaints_received", None),
        ({"avg_processing_days": "abc"}, "avg_processing_days", None),
        ({"avg_processing_days": "1.234"}, "avg_processing_days", None),
        ({"users": "9" * 15}, "users", None),
    ],
)
def test_invalid_figures_are_refused_with_a_field_error(
    officer_a, service_a, changes, field, message
):
    response = officer_a.post(edit_url(service_a), figures(**changes))
    assert response.status_code == 400
    assert not ServiceMetric.objects.exists()
    form = response.context["form"]
    assert field in form.errors
    if message:
        assert message in form.errors[field]
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert f'aria-describedby="id_{field}_error"' in html or (
        f'aria-describedby="id_{field}_helptext id_{field}_error"' in html
    )


def test_both_completion_fields_are_marked_when_their_sum_is_too_high(officer_a, service_a):
    response = officer_a.post(edit_url(service_a), figures(completed_on_time="110"))
    assert {"completed_on_time", "completed_late"} <= set(response.context["form"].errors)


@pytest.mark.parametrize(
    ("year", "quarter"), [(2026, 3), (2027, 1), (2026, 5), (2026, 0), (1999, 4)]
)
def test_future_or_impossible_quarters_are_not_found(officer_a, service_a, year, quarter):
    assert officer_a.get(edit_url(service_a, year, quarter)).status_code == 404
    assert officer_a.post(edit_url(service_a, year, quarter), figures()).status_code == 404
    assert not ServiceMetric.objects.exists()


def test_current_quarter_can_be_entered(officer_a, service_a):
    assert officer_a.post(edit_url(service_a, 2026, 2), figures()).status_code == 302


def test_other_agencys_officer_gets_404_and_changes_nothing(officer_b, service_a):
    ServiceMetricFactory(service=service_a, year=2026, quarter=1, kind="users", value=5)
    assert officer_b.get(edit_url(service_a)).status_code == 404
    assert officer_b.post(edit_url(service_a), figures()).status_code == 404
    assert officer_b.get(reverse("services:metrics", args=[service_a.pk])).status_code == 404
    assert stored(service_a) == {"users": 5}


@pytest.mark.parametrize("who", ["approver_a", "leader", "auditor"])
def test_readers_see_the_figures_but_cannot_enter_them(cast, service_a, who):
    ServiceMetricFactory(service=service_a, year=2025, quarter=3, kind="users", value=42)
    client = cast.client(getattr(cast, who))
    response = client.get(reverse("services:metrics", args=[service_a.pk]))
    assert response.status_code == 200
    assert response.context["can_edit"] is False
    assert edit_url(service_a) not in response.content.decode()
    refused = 403 if who == "auditor" else 404  # the auditor: the read-only page
    assert client.get(edit_url(service_a)).status_code == refused
    assert client.post(edit_url(service_a), figures()).status_code == refused
    assert stored(service_a) == {}


def test_metrics_list_has_a_row_per_quarter_with_links(officer_a, service_a):
    ServiceMetricFactory(service=service_a, year=2023, quarter=2, kind="users", value=42)
    ServiceMetricFactory(service=service_a, year=2026, quarter=1, kind="applications", value=10)
    response = officer_a.get(reverse("services:metrics", args=[service_a.pk]))
    quarters = [(q.year, q.quarter) for q, _values, _entered in response.context["rows"]]
    # this year up to now, all of last year, and older quarters that have figures
    assert quarters == [(2026, 2), (2026, 1), (2025, 4), (2025, 3), (2025, 2), (2025, 1), (2023, 2)]
    html = response.content.decode()
    assert edit_url(service_a, 2023, 2) in html and edit_url(service_a, 2026, 2) in html


def test_metrics_pages_query_bounds(officer_a, service_a, django_assert_max_num_queries):
    for year in (2024, 2025):
        for q in (1, 2, 3, 4):
            for kind in ServiceMetric.Kind.values:
                ServiceMetricFactory(service=service_a, year=year, quarter=q, kind=kind)
    with django_assert_max_num_queries(8):
        assert officer_a.get(reverse("services:metrics", args=[service_a.pk])).status_code == 200
    with django_assert_max_num_queries(8):
        assert officer_a.get(edit_url(service_a)).status_code == 200
    with django_assert_max_num_queries(12):
        assert officer_a.post(edit_url(service_a), figures()).status_code == 302
    with django_assert_max_num_queries(12):
        assert (
            officer_a.post(edit_url(service_a), figures(users="", applications="121")).status_code
            == 302
        )


# --- suggestions ------------------------------------------------------------------------


@pytest.fixture
def suggestions(service_a, service_b):
    SurveyResponseFactory(service=service_a, suggestion="Ruang tunggu panas", year=2026, quarter=1)
    SurveyResponseFactory(
        service=service_a, suggestion="Petugas ramah", year=2026, quarter=2, channel="paper"
    )
    SurveyResponseFactory(service=service_a, suggestion="", year=2026, quarter=2)
    SurveyResponseFactory(service=service_b, suggestion="Rahasia sekolah B", year=2026, quarter=2)


def texts(response) -> list[str]:
    return [r.suggestion for r in response.context["page"]]


def test_officer_reads_own_agencys_suggestions_newest_first(officer_a, suggestions):
    response = officer_a.get(reverse("services:suggestions"))
    assert response.status_code == 200
    assert texts(response) == ["Petugas ramah", "Ruang tunggu panas"]
    html = response.content.decode()
    assert "Rahasia sekolah B" not in html
    assert "paper" in html and "Layanan KIA" in html


def test_suggestions_are_never_cached(officer_a, suggestions):
    cache_control = officer_a.get(reverse("services:suggestions"))["Cache-Control"]
    assert "no-store" in cache_control and "private" in cache_control


def test_other_agency_sees_only_its_own(officer_b, suggestions):
    assert texts(officer_b.get(reverse("services:suggestions"))) == ["Rahasia sekolah B"]


def test_approver_reads_suggestions_leaders_and_auditors_do_not(cast, suggestions):
    assert len(texts(cast.client(cast.approver_a).get(reverse("services:suggestions")))) == 2
    for who in (cast.leader, cast.auditor):
        response = cast.client(who).get(reverse("services:suggestions"))
        assert response.status_code == 200 and texts(response) == []


def test_suggestions_filter_by_service_and_quarter(officer_a, cast, service_a, suggestions):
    other = ServiceFactory(agency=cast.agency_a, name="Layanan Lain")
    SurveyResponseFactory(service=other, suggestion="Parkir sempit", year=2026, quarter=2)
    url = reverse("services:suggestions")
    assert len(texts(officer_a.get(url))) == 3
    assert texts(officer_a.get(url, {"service": service_a.pk})) == [
        "Petugas ramah",
        "Ruang tunggu panas",
    ]
    assert texts(officer_a.get(url, {"service": service_a.pk, "quarter": 1})) == [
        "Ruang tunggu panas"
    ]
    assert texts(officer_a.get(url, {"year": 2025})) == []
    assert texts(officer_a.get(url, {"channel": "paper"})) == ["Petugas ramah"]


def test_filtering_on_another_agencys_service_is_an_invalid_choice(
    officer_a, service_b, suggestions
):
    response = officer_a.get(reverse("services:suggestions"), {"service": service_b.pk})
    assert response.status_code == 200
    assert "service" in response.context["filter"].form.errors
    assert "Rahasia sekolah B" not in response.content.decode()
    assert "Rahasia sekolah B" not in texts(response)


def test_suggestions_page_queries_are_bounded(officer_a, service_a, django_assert_max_num_queries):
    SurveyResponseFactory.create_batch(80, service=service_a, suggestion="saran")
    with django_assert_max_num_queries(10):
        response = officer_a.get(reverse("services:suggestions"))
    assert len(response.context["page"].object_list) == 50
