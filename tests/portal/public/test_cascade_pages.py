"""The cascade in public: `/goals/` lists each goal of the year with its indicators, their
targets and the agencies' PK indicators serving them with their achievement; the scorecard
shows, per PK indicator, the goal it serves and how many staff indicators support it with
their mean achievement, only from the group minimum. Never a civil servant's name, NIP or
figure. Query counts bounded whatever the number of goals, agencies and staff."""

from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from performance.models import Goal, GoalIndicator, GoalTarget
from performance.services import recompute_scores
from tests.factories import AgencyFactory, ContractFactory, IndicatorFactory, TargetFactory
from tests.performance.test_cascade_support import AUG_2025, staff_indicator

pytestmark = pytest.mark.django_db

MAX_QUERIES = 8


def english() -> Client:
    client = Client()
    client.cookies["lang"] = "en"
    return client


def goal_indicator(goal, code, target, year=2025):
    found = GoalIndicator.objects.create(goal=goal, code=code, text=f"Goal indicator {code}")
    GoalTarget.objects.create(indicator=found, year=year, value=D(target))
    return found


def pk_indicator(agency, code, served, realisation):
    contract = ContractFactory._meta.model.objects.filter(
        agency=agency, employee=None, year=2025
    ).first() or ContractFactory(agency=agency)
    found = IndicatorFactory(contract=contract, code=code, goal_indicator=served)
    TargetFactory(indicator=found, quarter=1, value=D(100))
    found.realisations.create(quarter=1, value=D(realisation))
    return found


def build(agencies: int, goals: int, staff: int, prefix: str = "S"):
    """`goals` goals of two indicators each (one more for 2026 only), `agencies` agencies
    each with a PK indicator serving every goal's first indicator, `staff` civil servants
    of the first agency supporting its first indicator."""
    made = []
    for g in range(goals):
        goal = Goal.objects.create(code=f"{prefix}{g}", text=f"Goal {g}", plan="rpjmd")
        made.append(
            (
                goal_indicator(goal, f"{prefix}{g}.1", 70),
                goal_indicator(goal, f"{prefix}{g}.2", 14),
            )
        )
        goal_indicator(goal, f"{prefix}{g}.9", 1, year=2026)
    dikes = None
    for a in range(agencies):
        agency = AgencyFactory(name=f"Dinas {prefix}{a:02d}")
        dikes = dikes or agency
        for g, (first, _second) in enumerate(made):
            pk_indicator(agency, f"IKU{g}", first, 80 + a)
    iku0 = dikes.contracts.get().indicators.get(code="IKU0")
    for _ in range(staff):
        staff_indicator(dikes, iku0, 10, 10)
    return dikes


def test_the_goals_page_lists_goals_targets_and_serving_agency_indicators():
    build(agencies=2, goals=1, staff=0)
    hidden = AgencyFactory(name="Hidden agency", is_public=False)
    pk_indicator(hidden, "IKU0", GoalIndicator.objects.get(code="S0.1"), 50)
    recompute_scores(today=AUG_2025)

    page = english().get(reverse("goals"), {"year": 2025})

    assert page.status_code == 200
    [goal] = page.context["goals"]
    first, second = goal.lines
    assert (first.indicator.code, first.target) == ("S0.1", D(70))
    assert [(i.agency.name, i.code, i.achievement) for i in first.serving] == [
        ("Dinas S00", "IKU0", D("80.00")),
        ("Dinas S01", "IKU0", D("81.00")),
    ]
    assert (second.indicator.code, second.serving) == ("S0.2", [])
    html = page.content.decode()
    assert "Goal indicator S0.1" in html and "No agency indicator serves it yet." in html
    assert "S0.9" not in html  # a 2026 target only
    assert "Hidden agency" not in html


def test_the_goals_page_of_another_year_and_without_a_run():
    empty = english().get(reverse("goals"))
    assert empty.status_code == 200 and empty.context["goals"] == []
    build(agencies=1, goals=1, staff=0)
    ContractFactory(year=2026)
    recompute_scores(today=AUG_2025)

    page = english().get(reverse("goals"), {"year": 2026})

    [goal] = page.context["goals"]
    assert [line.indicator.code for line in goal.lines] == ["S0.9"]


@pytest.mark.parametrize("size", [(1, 1, 1), (4, 5, 12)])
def test_the_goals_page_is_bounded_in_queries(size, django_assert_max_num_queries):
    build(*size)
    recompute_scores(today=AUG_2025)
    client = english()
    with django_assert_max_num_queries(MAX_QUERIES):
        page = client.get(reverse("goals"), {"year": 2025})
    assert len(page.context["goals"]) == size[1]


def test_the_scorecard_shows_the_goal_served_and_the_support_from_the_group_minimum(
    django_assert_max_num_queries,
):
    dikes = build(agencies=1, goals=2, staff=12)
    iku1 = dikes.contracts.get(employee=None).indicators.get(code="IKU1")
    for _ in range(4):
        staff_indicator(dikes, iku1, 10, 5)
    recompute_scores(today=AUG_2025)
    client = english()

    with django_assert_max_num_queries(14):
        page = client.get(dikes.get_absolute_url(), {"year": 2025})

    rows = {r.indicator.code: r for r in page.context["supports"]}
    assert (rows["IKU0"].indicators, rows["IKU0"].mean) == (12, D("100.00"))
    assert rows["IKU0"].indicator.goal_indicator.code == "S0.1"
    assert (rows["IKU1"].indicators, rows["IKU1"].mean, rows["IKU1"].suppressed) == (
        None,
        None,
        True,
    )
    html = page.content.decode()
    assert "From the province&#x27;s goals to the staff&#x27;s work" in html or (
        "From the province's goals to the staff's work" in html
    )
    assert 'title="Fewer than 10: not published">&lt; 10</span>' in html
    assert "75.00" not in html  # IKU1's suppressed mean
    # No civil servant's name or NIP.
    for employee in dikes.employees.all():
        assert employee.name not in html and employee.nip not in html


def test_the_scorecard_query_count_does_not_grow_with_staff_and_goals(
    django_assert_max_num_queries,
):
    dikes = build(agencies=1, goals=1, staff=1)
    recompute_scores(today=AUG_2025)
    client = english()
    with django_assert_max_num_queries(14) as small:
        client.get(dikes.get_absolute_url(), {"year": 2025})
    bigger = build(agencies=1, goals=6, staff=15, prefix="T")
    recompute_scores(today=AUG_2025)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(bigger.get_absolute_url(), {"year": 2025})
    assert len(page.context["supports"]) == 6
    assert page.content.decode().count("no staff indicator") == 5  # IKU1-IKU5


def test_open_data_carries_the_goals_and_the_suppressed_support(django_assert_max_num_queries):
    dikes = build(agencies=1, goals=2, staff=12)
    iku1 = dikes.contracts.get(employee=None).indicators.get(code="IKU1")
    for _ in range(3):
        staff_indicator(dikes, iku1, 10, 5)
    recompute_scores(today=AUG_2025)
    client = english()

    goals = client.get(reverse("open_data_file", args=["goals", "csv"]), {"year": 2025})
    with django_assert_max_num_queries(MAX_QUERIES):
        support = client.get(
            reverse("open_data_file", args=["indicator-support", "csv"]), {"year": 2025}
        )

    goal_lines = goals.content.decode().splitlines()
    assert goal_lines[0] == (
        "goal_code,goal,plan,indicator_code,indicator,unit,direction,year,target"
    )
    assert "S0,Goal 0,rpjmd,S0.1,Goal indicator S0.1,,higher,2025,70" in goal_lines
    assert not any(",2026," in line for line in goal_lines)
    lines = support.content.decode().splitlines()
    assert lines[0] == (
        "agency_code,year,indicator_code,goal_indicator_code,staff_indicators,"
        "staff_mean_achievement,suppressed"
    )
    assert f"{dikes.code},2025,IKU0,S0.1,12,100,false" in lines
    assert f"{dikes.code},2025,IKU1,S1.1,,,true" in lines
    for employee in dikes.employees.all():
        assert employee.nip not in support.content.decode()
