"""The leaders' dashboard: who may open it and which agencies they see, the overview's
headline figures and below-target list, the CSV exports and the menu link."""

import csv
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from agencies.models import Membership
from performance.models import PerformanceContract, ScoringScheme
from rewards.models import Decision, Outcome, Rule
from tests.conftest import AFTER_2025
from tests.factories import (
    ContractFactory,
    IndicatorFactory,
    RealisationFactory,
    ServiceFactory,
    SurveyResponseFactory,
    TargetFactory,
    UserFactory,
)
from tests.portal.dashboard.data import (
    agency_in,
    agency_score,
    published_run,
    region,
    regional_leader,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PAGES = ["dashboard:overview", "dashboard:coherence", "dashboard:compliance"]
CSVS = [
    "dashboard:predikat_csv",
    "dashboard:below_target_csv",
    "dashboard:coherence_csv",
    "dashboard:compliance_csv",
]
MAX_QUERIES = 12


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(AFTER_2025, tick=False):
        yield


@pytest.fixture
def regions(cast):
    """Two regencies, each with an agency; a leader of the first one."""
    west = region("5201", "Kabupaten Lombok Barat")
    city = region("5271", "Kota Mataram")
    return {
        "west": west,
        "city": city,
        "west_agency": agency_in(west, "Dinas Barat", slug="dinas-barat"),
        "city_agency": agency_in(city, "Dinas Kota", slug="dinas-kota"),
        "west_leader": regional_leader("leader_west", west),
    }


def rows_of(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


# --- access --------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES + CSVS)
def test_anonymous_is_sent_to_log_in(anonymous, name):
    response = anonymous.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", PAGES + CSVS)
@pytest.mark.parametrize("who", ["officer_a", "approver_a"])
def test_officers_and_approvers_are_refused(cast, name, who):
    assert cast.client(getattr(cast, who)).get(reverse(name)).status_code == 403


def test_user_without_role_is_refused(cast):
    client = cast.client(UserFactory(username="nobody"))
    assert client.get(reverse("dashboard:overview")).status_code == 403


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("who", ["leader", "auditor"])
def test_province_leader_and_auditor_see_every_agency(cast, regions, name, who):
    run = published_run()
    for agency in (regions["west_agency"], regions["city_agency"]):
        agency_score(run, agency, "Q4", "60")
    response = cast.client(getattr(cast, who)).get(reverse(name))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert "Dinas Barat" in response.content.decode()
    assert "Dinas Kota" in response.content.decode()


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("query", ["", "?region=5271", "?region=52", "?agency=dinas-kota"])
def test_regional_leader_never_sees_another_region(cast, regions, name, query):
    run = published_run()
    for agency in (regions["west_agency"], regions["city_agency"]):
        agency_score(run, agency, "Q4", "60")
        agency_score(run, agency, "Y", "60")
    response = cast.client(regions["west_leader"]).get(reverse(name) + query)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Dinas Barat" in page
    assert "Dinas Kota" not in page
    assert "Kota Mataram" not in page  # not even as a choice of the region filter


@pytest.mark.parametrize("name", CSVS)
def test_regional_leaders_csv_holds_only_their_region(cast, regions, name):
    run = published_run()
    for agency in (regions["west_agency"], regions["city_agency"]):
        agency_score(run, agency, "Q4", "60")
        agency_score(run, agency, "Y", "60")
    response = cast.client(regions["west_leader"]).get(reverse(name) + "?region=5271")
    assert response.status_code == 200
    assert "Dinas Kota" not in response.content.decode()


def test_province_leader_can_narrow_to_one_region(leader, regions):
    run = published_run()
    for agency in (regions["west_agency"], regions["city_agency"]):
        agency_score(run, agency, "Q4", "60")
    page = leader.get(reverse("dashboard:overview") + "?region=5271").content.decode()
    assert "Dinas Kota" in page
    assert "Dinas Barat" not in page


def test_menu_links_the_dashboard_for_leaders_and_auditors_only(cast):
    url = reverse("dashboard:overview")
    link = f'href="{url}"'
    assert link in cast.client(cast.leader).get(reverse("workspace:dashboard")).content.decode()
    assert link in cast.client(cast.auditor).get(reverse("methodology")).content.decode()
    assert link not in cast.client(cast.officer_a).get(reverse("methodology")).content.decode()
    assert link not in cast.client(None).get(reverse("methodology")).content.decode()


def test_without_a_published_run_the_pages_say_so(leader):
    for name in PAGES:
        response = leader.get(reverse(name))
        assert response.status_code == 200
        assert "No scores have been published yet." in response.content.decode()
    assert rows_of(leader.get(reverse("dashboard:coherence_csv"))) == []


# --- overview: selection -------------------------------------------------------------


def test_default_is_the_last_closed_quarter_of_the_newest_year(leader, cast):
    run = published_run(2024, 2025)
    agency_score(run, cast.agency_a, "Q4", "95")
    with time_machine.travel("2025-10-20 10:00 +0800", tick=False):
        response = leader.get(reverse("dashboard:overview"))
    # Q3 closed on 16 October (15 grace days); Q4 is not closed yet.
    assert response.context["sel"].year == 2025
    assert response.context["sel"].period == "Q3"
    with time_machine.travel("2025-10-15 10:00 +0800", tick=False):
        response = leader.get(reverse("dashboard:overview"))
    assert response.context["sel"].period == "Q2"
    response = leader.get(reverse("dashboard:overview"))
    assert (response.context["sel"].year, response.context["sel"].period) == (2025, "Q4")


def test_an_invalid_choice_falls_back_to_the_default(leader, cast):
    published_run()
    response = leader.get(reverse("dashboard:overview") + "?year=1999&period=Q9&sort=evil")
    assert response.status_code == 200
    sel = response.context["sel"]
    assert (sel.year, sel.period, sel.sort) == (2025, "Q4", "score")
    assert response.context["form"].errors


# --- overview: headline figures --------------------------------------------------------


@pytest.fixture
def overview_data(cast, regions):
    """Four agencies of the province with known Q3 and Q4 2025 scores."""
    run = published_run()
    province = cast.agency_a.region
    a, b = cast.agency_a, cast.agency_b
    c = agency_in(province, "Biro Hukum")
    d = agency_in(province, "Badan Pendapatan", is_public=False)
    scores = {  # Q3, Q4
        a: ("100", "95"),  # Baik, falling
        b: ("60", "65"),  # Kurang, rising
        c: ("111", "112"),  # Istimewa, rising
        d: (None, "45"),  # Sangat Kurang, no earlier score
    }
    for agency, (q3, q4) in scores.items():
        if q3:
            agency_score(run, agency, "Q3", q3)
        agency_score(run, agency, "Q4", q4)
    return {"run": run, "a": a, "b": b, "c": c, "d": d, **regions}


def test_headline_counts_agencies_per_predikat_and_the_mean(leader, overview_data):
    response = leader.get(reverse("dashboard:overview") + "?year=2025&period=Q4")
    head = response.context["headline"]
    # The two regional agencies have no score.
    assert dict(head.per_predikat) == {
        "Istimewa": 1,
        "Baik": 1,
        "Butuh Perbaikan": 0,
        "Kurang": 1,
        "Sangat Kurang": 1,
    }
    assert head.scored == 4
    assert head.unscored == 2
    # (95 + 65 + 112 + 45) / 4 = 79.25
    assert head.average == Decimal("79.25")
    page = response.content.decode()
    assert "79.25" in page
    assert 'class="shape" aria-hidden="true">★</span> Istimewa' in page


def test_headline_ikm_pools_every_service_of_the_period(leader, cast):
    run = published_run()
    agency_score(run, cast.agency_a, "Q4", "95")
    first = ServiceFactory(agency=cast.agency_a)
    second = ServiceFactory(agency=cast.agency_b)
    SurveyResponseFactory.create_batch(6, service=first, quarter=4)  # all answers 3
    SurveyResponseFactory.create_batch(
        6, service=second, quarter=4, **{f"u{i}": 4 for i in range(1, 10)}
    )
    SurveyResponseFactory.create_batch(20, service=second, quarter=3, u1=1)  # another quarter
    ikm = leader.get(reverse("dashboard:overview") + "?period=Q4").context["ikm"]
    # 12 respondents, mean answer 3.5: 25 x 3.5 = 87.50, grade B.
    assert (ikm.respondents, ikm.value, ikm.grade) == (12, Decimal("87.50"), "B")


def test_ikm_below_the_minimum_says_data_belum_cukup(leader, cast):
    run = published_run()
    agency_score(run, cast.agency_a, "Q4", "95")
    SurveyResponseFactory.create_batch(3, service=ServiceFactory(agency=cast.agency_a), quarter=4)
    response = leader.get(reverse("dashboard:overview") + "?period=Q4")
    assert response.context["ikm"].grade is None
    assert "data belum cukup" in response.content.decode()


def _target(agency, quarter, *, entered: bool, employee=None, status="approved"):
    contract = PerformanceContract.objects.filter(
        agency=agency, employee=employee, year=2025
    ).first() or ContractFactory(agency=agency, employee=employee, status=status)
    indicator = IndicatorFactory(contract=contract)
    TargetFactory(indicator=indicator, quarter=quarter)
    if entered:
        RealisationFactory(indicator=indicator, quarter=quarter)


def test_headline_counts_agencies_missing_realisations_of_a_closed_quarter(leader, overview_data):
    a, b, c = overview_data["a"], overview_data["b"], overview_data["c"]
    _target(a, 4, entered=False)  # missing in Q4
    _target(b, 4, entered=True)
    _target(b, 3, entered=False)  # missing only in Q3
    _target(c, 4, entered=False, status="draft")  # not approved: not counted
    q4 = leader.get(reverse("dashboard:overview") + "?period=Q4").context
    assert (q4["checked_quarters"], q4["missing"]) == ([4], 1)
    year = leader.get(reverse("dashboard:overview") + "?period=Y").context
    assert (year["checked_quarters"], year["missing"]) == ([1, 2, 3, 4], 2)


def test_an_open_quarter_is_not_counted_as_missing(leader, overview_data):
    _target(overview_data["a"], 4, entered=False)
    with time_machine.travel("2026-01-15 12:00 +0800", tick=False):  # Q4 due by 15 January
        response = leader.get(reverse("dashboard:overview") + "?year=2025&period=Q4")
    assert response.context["checked_quarters"] == []
    assert response.context["missing"] == 0
    assert "is still open" in response.content.decode()


def test_headline_counts_recommended_decisions_of_the_users_agencies(cast, regions):
    run = published_run()
    agency_score(run, regions["west_agency"], "Q4", "60")
    rule = Rule.objects.create(
        scheme=ScoringScheme.objects.create(year=2025),
        label="Tinjauan kinerja",
        level=Rule.Level.AGENCY,
        outcome=Outcome.REVIEW,
    )
    for agency, period, status in (
        (regions["west_agency"], "Q1", Decision.Status.RECOMMENDED),
        (regions["west_agency"], "Q2", Decision.Status.RECOMMENDED),
        (regions["west_agency"], "Q3", Decision.Status.APPROVED),
        (regions["city_agency"], "Q1", Decision.Status.RECOMMENDED),
    ):
        Decision.objects.create(rule=rule, agency=agency, year=2025, period=period, status=status)
    west = cast.client(regions["west_leader"]).get(reverse("dashboard:overview"))
    assert west.context["decisions"] == 2
    assert cast.client(cast.leader).get(reverse("dashboard:overview")).context["decisions"] == 3


# --- overview: below target ------------------------------------------------------------


def names(response, key="below") -> list[str]:
    return [a.name for a in response.context[key]]


def alert_fall(points: str) -> None:
    ScoringScheme.objects.update_or_create(
        year=2025, defaults={"alert_fall_points": Decimal(points)}
    )


def test_below_target_is_under_baik_or_a_fall_of_more_than_the_alert(leader, overview_data):
    response = leader.get(reverse("dashboard:overview") + "?period=Q4")
    # b: Kurang; d: Sangat Kurang. a is Baik and fell by exactly 5, the default alert: not
    # more than it. c rose and is Istimewa.
    assert names(response) == ["Badan Pendapatan", "Dinas Pendidikan dan Kebudayaan"]
    page = response.content.decode()
    assert "A score under 90.00 (the Baik threshold)" in page
    assert "more than 5.00 points lower" in page
    assert "/agencies/" + overview_data["d"].slug not in page  # not public: no scorecard link
    alert_fall("4.99")  # the scheme's alert, set lower: a's fall is now more than it
    response = leader.get(reverse("dashboard:overview") + "?period=Q4")
    assert names(response) == [
        "Badan Pendapatan",
        "Dinas Pendidikan dan Kebudayaan",
        "Dinas Kesehatan",
    ]
    assert 'href="/agencies/dikes/"' in response.content.decode()  # a scorecard link


def test_butuh_perbaikan_is_below_target_even_when_rising(leader, cast):
    run = published_run()
    agency_score(run, cast.agency_a, "Q3", "80")
    agency_score(run, cast.agency_a, "Q4", "89.99")  # Butuh Perbaikan, under Baik's 90
    agency_score(run, cast.agency_b, "Q4", "90")  # Baik
    response = leader.get(reverse("dashboard:overview") + "?period=Q4")
    assert names(response) == ["Dinas Kesehatan"]
    assert "under Baik" in response.content.decode()


def test_a_fall_within_the_alert_is_not_below_target(leader, cast):
    run = published_run()
    agency_score(run, cast.agency_a, "Q3", "110")
    agency_score(run, cast.agency_a, "Q4", "104.99")  # down 5.01
    agency_score(run, cast.agency_b, "Q3", "110")
    agency_score(run, cast.agency_b, "Q4", "105")  # down 5.00
    response = leader.get(reverse("dashboard:overview") + "?period=Q4")
    assert names(response) == ["Dinas Kesehatan"]
    assert response.context["below"][0].falling and not response.context["below"][0].below


def test_a_score_equal_to_the_period_before_is_not_falling(leader, cast):
    run = published_run()
    agency_score(run, cast.agency_a, "Q3", "95")
    agency_score(run, cast.agency_a, "Q4", "95")
    assert names(leader.get(reverse("dashboard:overview") + "?period=Q4")) == []


def test_q1_compares_with_q4_of_the_year_before(leader, cast):
    alert_fall("0")
    run = published_run(2024, 2025)
    agency_score(run, cast.agency_a, "Q4", "96", year=2024)
    agency_score(run, cast.agency_a, "Q1", "95")
    response = leader.get(reverse("dashboard:overview") + "?year=2025&period=Q1")
    assert names(response) == ["Dinas Kesehatan"]
    assert response.context["below"][0].change == Decimal("-1.00")


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("score", ["Badan Pendapatan", "Dinas Pendidikan dan Kebudayaan", "Dinas Kesehatan"]),
        ("-score", ["Dinas Kesehatan", "Dinas Pendidikan dan Kebudayaan", "Badan Pendapatan"]),
        ("name", ["Badan Pendapatan", "Dinas Kesehatan", "Dinas Pendidikan dan Kebudayaan"]),
        # a fell by 5, b rose by 5, d has no earlier score (last)
        ("change", ["Dinas Kesehatan", "Dinas Pendidikan dan Kebudayaan", "Badan Pendapatan"]),
    ],
)
def test_below_target_sorts(leader, overview_data, sort, expected):
    alert_fall("4")
    response = leader.get(reverse("dashboard:overview") + f"?period=Q4&sort={sort}")
    assert names(response) == expected


# --- CSV -------------------------------------------------------------------------------


def test_below_target_csv(leader, overview_data):
    alert_fall("4")
    response = leader.get(reverse("dashboard:below_target_csv") + "?year=2025&period=Q4")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "kinerja-ntb-dashboard-below-target-2025-Q4.csv" in response["Content-Disposition"]
    rows = rows_of(response)
    assert [r["agency_code"] for r in rows] == [overview_data["d"].code, "DIKBUD", "DIKES"]
    dikes = rows[2]
    assert [dikes[k] for k in ("score", "previous_score", "change")] == ["95.00", "100.00", "-5.00"]
    assert (dikes["previous_period"], dikes["reason"]) == ("2025-Q3", "falling")
    assert rows[1]["reason"] == "below_baik"


def test_predikat_csv(leader, overview_data):
    response = leader.get(reverse("dashboard:predikat_csv") + "?period=Q4")
    assert "kinerja-ntb-dashboard-predikat-2025-Q4.csv" in response["Content-Disposition"]
    assert [(r["predikat"], r["agencies"]) for r in rows_of(response)] == [
        ("Istimewa", "1"),
        ("Baik", "1"),
        ("Butuh Perbaikan", "0"),
        ("Kurang", "1"),
        ("Sangat Kurang", "1"),
        ("", "2"),
    ]


def test_csv_cells_that_look_like_formulas_are_escaped(leader, cast):
    run = published_run()
    cast.agency_a.name = '=HYPERLINK("http://evil")'
    cast.agency_a.save()
    agency_score(run, cast.agency_a, "Q4", "40")
    for name in CSVS[1:]:
        body = leader.get(reverse(name) + "?period=Q4").content.decode()
        assert "'=HYPERLINK" in body
        assert ",=HYPERLINK" not in body


def test_csv_keeps_the_region_and_sort_asked_for(cast, regions):
    run = published_run()
    agency_score(run, regions["west_agency"], "Q4", "40")
    agency_score(run, regions["city_agency"], "Q4", "30")
    response = cast.client(cast.leader).get(reverse("dashboard:overview") + "?region=5201")
    assert "below-target.csv?region=5201" in response.content.decode()
    csv_url = reverse("dashboard:below_target_csv") + "?region=5201"
    rows = rows_of(cast.client(cast.leader).get(csv_url))
    assert [r["agency"] for r in rows] == ["Dinas Barat"]


def test_leader_in_two_roles_sees_the_union(cast, regions):
    user = regions["west_leader"]
    Membership.objects.create(user=user, role=Membership.Role.HR_OFFICER, agency=cast.agency_a)
    run = published_run()
    agency_score(run, cast.agency_a, "Q4", "40")
    agency_score(run, regions["west_agency"], "Q4", "40")
    page = cast.client(user).get(reverse("dashboard:overview")).content.decode()
    # The HR officer role gives no dashboard scope: only the region's agencies.
    assert "Dinas Barat" in page
    assert "Dinas Kesehatan" not in page


# --- drill-down by region ------------------------------------------------------------------


def test_the_overview_drills_down_by_region(cast, regions, overview_data):
    agency_score(overview_data["run"], regions["west_agency"], "Q4", "40")
    client = cast.client(cast.leader)
    response = client.get(reverse("dashboard:overview") + "?period=Q4&sort=name")
    lines = {line.region.code: line for line, _ in response.context["region_links"]}
    assert list(lines) == ["52", "5201", "5271"]
    province, west, city = lines["52"], lines["5201"], lines["5271"]
    # The province: 95, 65, 112 and 45 (mean 79.25); below target: b and d.
    assert (province.agencies, province.average, province.below) == (4, Decimal("79.25"), 2)
    assert (west.agencies, west.average, west.below) == (1, Decimal("40.00"), 1)
    assert (city.agencies, city.average, city.below) == (1, None, 0)
    page = response.content.decode()
    link = "?period=Q4&amp;sort=name&amp;region=5201"
    assert f'<a href="{link}">Kabupaten Lombok Barat</a>' in page
    narrowed = client.get(reverse("dashboard:overview") + link.replace("&amp;", "&"))
    assert [r.name for r in narrowed.context["rows"]] == ["Dinas Barat"]
    assert narrowed.context["region_links"] == []  # one region: nothing to drill into


def test_a_regional_leader_has_no_region_table(cast, regions, overview_data):
    response = cast.client(regions["west_leader"]).get(reverse("dashboard:overview"))
    assert response.status_code == 200
    assert response.context["region_links"] == []
    assert "By region" not in response.content.decode()
