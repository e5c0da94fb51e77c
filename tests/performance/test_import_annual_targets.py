"""The optional columns of performance.csv (DESIGN.md): `annual_target`, `aggregation`
(`sum`, `last`, `average`; required with an annual target) and `previous_code`, anywhere in
the header, the same value on every row of an indicator; all-or-nothing as the rest."""

from decimal import Decimal

import pytest

from performance.imports import COLUMNS, OPTIONAL, import_performance
from performance.models import Indicator
from tests.factories import AgencyFactory
from tests.performance.test_import_performance import (
    AINI,
    csv_of,
    no_changes,
    refusal,
    row,
)

pytestmark = pytest.mark.django_db

# The optional columns in the middle of the header and at its end.
WITH_ANNUAL = [*COLUMNS[:10], "annual_target", "aggregation", *COLUMNS[10:], "previous_code"]


@pytest.fixture(autouse=True)
def _english(english):
    """Messages in English: the tests compare exact texts."""


@pytest.fixture(autouse=True)
def agency():
    return AgencyFactory(code="DIKES")


def annual(**cells: str) -> dict[str, str]:
    return row(**{"annual_target": "340", "aggregation": "sum", **cells})


def stored() -> dict[str, tuple]:
    return {
        i.code: (i.annual_target, i.aggregation, i.previous_code)
        for i in Indicator.objects.order_by("code")
    }


def test_the_optional_columns_are_read_anywhere_in_the_header():
    rows = [
        annual(previous_code="IKU-7"),
        annual(quarter="2", previous_code="IKU-7"),
        row(indicator_code="IKU2", direction="lower", annual_target="14", aggregation="LAST"),
        row(indicator_code="IKU3", annual_target="95.5", aggregation="average"),
        row(indicator_code="IKU4"),
    ]
    result = import_performance(csv_of(rows, WITH_ANNUAL))
    assert result.created["indicators"] == 4
    assert stored() == {
        "IKU1": (Decimal("340"), "sum", "IKU-7"),
        "IKU2": (Decimal("14"), "last", ""),
        "IKU3": (Decimal("95.5"), "average", ""),
        "IKU4": (None, "", ""),
    }
    # The same file again changes nothing.
    assert no_changes(import_performance(csv_of(rows, WITH_ANNUAL)))


def test_an_annual_target_of_0_is_refused_when_higher_is_better_and_taken_when_lower():
    rows = [
        row(annual_target="0", aggregation="sum"),
        row(indicator_code="IKU2", direction="lower", annual_target="0", aggregation="sum"),
    ]
    assert refusal(csv_of(rows, WITH_ANNUAL)) == [
        "line 2, column annual_target: must be greater than 0 when direction is higher"
    ]
    assert not Indicator.objects.exists()
    import_performance(csv_of(rows[1:], WITH_ANNUAL))
    assert stored() == {"IKU2": (Decimal("0"), "sum", "")}


@pytest.mark.parametrize(
    ("cells", "error"),
    [
        (
            {"annual_target": "340", "aggregation": ""},
            "line 2, column aggregation: required with an annual_target (sum, last or average)",
        ),
        (
            {"annual_target": "", "aggregation": "sum"},
            "line 2, column annual_target: required with an aggregation",
        ),
        (
            {"annual_target": "340", "aggregation": "median"},
            "line 2, column aggregation: must be one of sum, last, average, got 'median'",
        ),
        (
            {"annual_target": "-1", "aggregation": "sum"},
            "line 2, column annual_target: must not be negative",
        ),
        (
            {"annual_target": "1.23456", "aggregation": "sum"},
            "line 2, column annual_target: at most 4 decimals",
        ),
        (
            {"annual_target": "lots", "aggregation": "sum"},
            "line 2, column annual_target: 'lots' is not a number",
        ),
        (
            {"previous_code": "X" * 31},
            "line 2, column previous_code: at most 30 characters",
        ),
    ],
)
def test_a_bad_optional_cell_refuses_the_file(cells, error):
    rows = [row(**cells), row(quarter="2", **cells)]
    errors = refusal(csv_of(rows, WITH_ANNUAL))
    assert errors[0] == error
    assert not Indicator.objects.exists()


@pytest.mark.parametrize(
    ("second", "column"),
    [
        ({"annual_target": "350"}, "annual_target"),
        ({"aggregation": "last"}, "aggregation"),
        ({"previous_code": "IKU-8"}, "previous_code"),
    ],
)
def test_the_same_value_on_every_row_of_an_indicator(second, column):
    rows = [
        annual(previous_code="IKU-7"),
        annual(**{"quarter": "2", "previous_code": "IKU-7", **second}),
    ]
    assert refusal(csv_of(rows, WITH_ANNUAL)) == [
        f"line 3, column {column}: differs from line 2 for the same indicator IKU1"
    ]
    assert not Indicator.objects.exists()


def test_a_file_without_the_columns_leaves_the_annual_targets_alone():
    import_performance(csv_of([annual(previous_code="IKU-7")], WITH_ANNUAL))
    result = import_performance(csv_of([row(weight="45")]))  # the 13 columns of version 1
    assert result.updated["indicators"] == 1
    assert stored() == {"IKU1": (Decimal("340"), "sum", "IKU-7")}
    assert Indicator.objects.get().weight == 45


def test_an_empty_cell_clears_an_annual_target():
    import_performance(csv_of([annual(previous_code="IKU-7")], WITH_ANNUAL))
    without_previous_code = [*COLUMNS, "annual_target", "aggregation"]
    import_performance(csv_of([row(annual_target="", aggregation="")], without_previous_code))
    assert stored() == {"IKU1": (None, "", "IKU-7")}  # previous_code: not in that file
    import_performance(csv_of([row()], WITH_ANNUAL))
    assert stored() == {"IKU1": (None, "", "")}


def test_an_employees_indicator_takes_an_annual_target_too():
    import_performance(csv_of([row(**AINI, annual_target="12", aggregation="sum")], WITH_ANNUAL))
    assert stored() == {"RHK1": (Decimal("12"), "sum", "")}


def test_a_short_row_is_measured_against_the_header_with_its_optional_columns():
    text = csv_of([annual()], WITH_ANNUAL) + "DIKES,agency\n"
    assert refusal(text) == [f"line 3, column -: expected {len(WITH_ANNUAL)} cells, found 2"]


def test_an_unknown_column_is_still_refused():
    text = csv_of([row()], [*COLUMNS, "annual"])
    [error] = refusal(text)
    assert error.startswith("line 1, column header: wrong header: unknown column(s) annual")
    assert set(OPTIONAL) == {"annual_target", "aggregation", "previous_code", "parent_code"}
