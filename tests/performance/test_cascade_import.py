"""The cascade in the imports: goals.csv (province goals, their indicators, a target per
year) and performance.csv's optional `parent_code`, checked to name something in the same
agency and year (`line N, column parent_code: ...`), all-or-nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from agencies.csvio import ImportFailed
from performance.goals import COLUMNS as GOAL_COLUMNS
from performance.goals import import_goals
from performance.imports import COLUMNS, import_performance
from performance.models import Goal, GoalIndicator, GoalTarget, Indicator
from tests.factories import AgencyFactory
from tests.performance.test_import_performance import AINI, csv_of, row

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 4, 10)
GOALS = [
    {
        "goal_code": "S1",
        "goal": "Meningkatnya derajat kesehatan masyarakat",
        "plan": "rpjmd",
        "indicator_code": "S1.1",
        "indicator": "Angka harapan hidup",
        "unit": "tahun",
        "direction": "higher",
        "year": "2025",
        "target": "71,5",
    },
    {
        "goal_code": "S1",
        "goal": "Meningkatnya derajat kesehatan masyarakat",
        "plan": "rpjmd",
        "indicator_code": "S1.1",
        "indicator": "Angka harapan hidup",
        "unit": "tahun",
        "direction": "higher",
        "year": "2026",
        "target": "72",
    },
    {
        "goal_code": "S1",
        "goal": "Meningkatnya derajat kesehatan masyarakat",
        "plan": "rpjmd",
        "indicator_code": "S1.2",
        "indicator": "Prevalensi stunting",
        "unit": "%",
        "direction": "lower",
        "year": "2025",
        "target": "14",
    },
]
WITH_PARENT = [*COLUMNS, "parent_code"]


@pytest.fixture(autouse=True)
def _english(english):
    """Messages in English: the tests compare exact texts."""


@pytest.fixture
def dikes():
    AgencyFactory(code="DIKBUD")
    return AgencyFactory(code="DIKES")


def goals_csv(rows) -> str:
    return csv_of(rows, GOAL_COLUMNS)


def refusal(importer, data, **kwargs) -> list[str]:
    with pytest.raises(ImportFailed) as info:
        importer(data, **kwargs)
    return [str(e) for e in info.value.errors]


def test_goals_their_indicators_and_yearly_targets_are_imported_and_reimport_changes_nothing():
    result = import_goals(goals_csv(GOALS))

    assert result.created == {"goals": 1, "goal indicators": 2, "targets": 3}
    goal = Goal.objects.get()
    assert (goal.code, goal.plan) == ("S1", "rpjmd")
    ahh = GoalIndicator.objects.get(code="S1.1")
    assert dict(ahh.targets.values_list("year", "value")) == {2025: Decimal("71.5"), 2026: 72}
    assert GoalIndicator.objects.get(code="S1.2").direction == "lower"
    assert ahh.history.count() == 1  # the audit trail

    again = import_goals(goals_csv(GOALS))
    assert not any(again.created.values()) and not any(again.updated.values())

    changed = [dict(GOALS[0], target="71,8"), *GOALS[1:]]
    assert import_goals(goals_csv(changed)).updated == {"targets": 1}
    assert GoalTarget.objects.get(indicator=ahh, year=2025).value == Decimal("71.8")


def test_a_bad_goals_file_is_refused_whole_with_every_line_and_column():
    bad = [
        GOALS[0],
        dict(GOALS[1], goal="Another text"),
        dict(GOALS[2], plan="renstra", direction="up", target="-1"),
        dict(GOALS[0], goal_code="S2", goal="Other goal"),
    ]

    errors = refusal(import_goals, goals_csv(bad))

    assert errors == [
        "line 3, column goal: differs from line 2 for the same goal S1",
        "line 4, column plan: must be one of rpjmd, rkpd, got 'renstra'",
        "line 4, column direction: must be one of higher, lower, got 'up'",
        "line 4, column target: must not be negative",
        "line 5, column goal_code: differs from line 2 for the same indicator S1.1",
        "line 5, column year: indicator S1.1 already has a target for 2025 on line 2",
    ]
    assert not Goal.objects.exists()


def test_import_goals_command_reports_lines_and_exits_non_zero(tmp_path, capsys):
    path = tmp_path / "goals.csv"
    path.write_text(goals_csv([dict(GOALS[0], year="1999")]))

    with pytest.raises(CommandError):
        call_command("import_goals", str(path))

    assert "line 2, column year: must be between 2000 and 2100, got 1999" in capsys.readouterr().err
    path.write_text(goals_csv(GOALS))
    call_command("import_goals", str(path))
    assert GoalTarget.objects.count() == 3


def test_parent_codes_link_a_pk_indicator_to_its_goal_and_an_skp_indicator_to_its_pk(dikes):
    import_goals(goals_csv(GOALS))
    rows = [row(parent_code="S1.1"), row(**AINI, parent_code="IKU1")]

    result = import_performance(csv_of(rows, WITH_PARENT), today=TODAY)

    iku1 = Indicator.objects.get(code="IKU1")
    rhk1 = Indicator.objects.get(code="RHK1")
    assert iku1.goal_indicator.code == "S1.1" and iku1.parent is None
    assert rhk1.parent == iku1 and rhk1.goal_indicator is None
    assert rhk1.history.latest().parent_id == iku1.pk  # the audit trail holds the link
    again = import_performance(csv_of(rows, WITH_PARENT), today=TODAY)
    assert not any(again.created.values()) and not any(again.updated.values())
    assert result.created["indicators"] == 2


def test_an_skp_indicator_may_serve_a_pk_indicator_stored_before(dikes):
    import_performance(csv_of([row()]), today=TODAY)

    import_performance(csv_of([row(**AINI, parent_code="IKU1")], WITH_PARENT), today=TODAY)

    assert Indicator.objects.get(code="RHK1").parent == Indicator.objects.get(code="IKU1")


def test_a_parent_code_naming_nothing_in_the_same_agency_and_year_is_refused(dikes):
    import_goals(goals_csv(GOALS))
    import_performance(csv_of([row(agency_code="DIKBUD", indicator_code="IKU9")]), today=TODAY)
    import_performance(csv_of([row(year="2024", indicator_code="IKU8")]), today=TODAY)
    rows = [
        row(parent_code="S9"),  # no such goal indicator
        row(indicator_code="IKU2", parent_code="S1.2", year="2026", quarter="1", realisation=""),
        row(**AINI, parent_code="IKU9"),  # another agency's indicator
        row(**dict(AINI, indicator_code="RHK2"), parent_code="IKU8"),  # another year's
        row(**dict(AINI, indicator_code="RHK3"), parent_code="IKU1"),  # fine
    ]

    errors = refusal(import_performance, csv_of(rows, WITH_PARENT), today=TODAY)

    assert errors == [
        "line 2, column parent_code: no province goal indicator 'S9' with a target for 2025 "
        "(import it with goals.csv first)",
        "line 3, column parent_code: no province goal indicator 'S1.2' with a target for 2026 "
        "(import it with goals.csv first)",
        "line 4, column parent_code: no indicator 'IKU9' in the Perjanjian Kinerja of DIKES "
        "for 2025: an SKP indicator serves an indicator of its own agency's agreement of the "
        "same year",
        "line 5, column parent_code: no indicator 'IKU8' in the Perjanjian Kinerja of DIKES "
        "for 2025: an SKP indicator serves an indicator of its own agency's agreement of the "
        "same year",
    ]
    assert not Indicator.objects.filter(code__startswith="RHK").exists()


def test_parent_code_is_the_same_on_every_row_of_an_indicator(dikes):
    rows = [row(), row(**AINI, parent_code="IKU1"), row(**AINI, quarter="2", parent_code="")]

    errors = refusal(import_performance, csv_of(rows, WITH_PARENT), today=TODAY)

    assert errors == ["line 4, column parent_code: differs from line 3 for the same indicator RHK1"]


def test_a_file_without_parent_code_keeps_the_links_and_an_empty_cell_clears_them(dikes):
    rows = [row(), row(**AINI, parent_code="IKU1")]
    import_performance(csv_of(rows, WITH_PARENT), today=TODAY)

    import_performance(csv_of([row(), row(**AINI)]), today=TODAY)
    assert Indicator.objects.get(code="RHK1").parent is not None

    result = import_performance(csv_of([row(), row(**AINI)], WITH_PARENT), today=TODAY)
    assert Indicator.objects.get(code="RHK1").parent is None
    assert result.updated["indicators"] == 1


def test_an_upload_may_not_change_the_link_of_an_approved_contract(dikes):
    import_goals(goals_csv(GOALS))
    import_performance(csv_of([row(), row(**AINI)]), today=TODAY)  # approved
    scope = [dikes.pk]

    errors = refusal(
        import_performance,
        csv_of([row(parent_code="S1.1")], WITH_PARENT),
        scope=scope,
        today=TODAY,
    )
    assert errors == [
        "line 2, column parent_code: the Perjanjian Kinerja of DIKES for 2025 is approved: its "
        "indicators and targets change only through a target revision with a reason in the "
        "workspace, not by upload"
    ]
    # A new PK indicator refused (the contract is locked) leaves the SKP naming it refused
    # with the file, not a crash.
    rows = [
        row(indicator_code="IKU7"),
        row(**dict(AINI, indicator_code="RHK7"), parent_code="IKU7"),
    ]
    errors = refusal(import_performance, csv_of(rows, WITH_PARENT), scope=scope, today=TODAY)
    assert any(e.startswith("line 2, column indicator_code:") for e in errors)
    assert Indicator.objects.get(code="IKU1").goal_indicator is None
    assert not Indicator.objects.filter(code__in=["IKU7", "RHK7"]).exists()
