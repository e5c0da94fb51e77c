"""Import of service_metrics.csv: quarterly figures of services, upserted on (service, year,
quarter, kind), all-or-nothing."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError

from agencies.csvio import ImportFailed
from agencies.imports import import_service_metrics
from agencies.models import ServiceMetric
from tests.conftest import call_in_indonesian, snapshot
from tests.factories import AgencyFactory, ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(english):
    """Messages in English: the tests compare exact texts."""


HEADER = "agency_code,service_code,year,quarter,kind,value"
RJ = "DIKES,RAWAT-JALAN,2025,1"
GOOD = [
    f"{RJ},applications,1200",
    f"{RJ},completed_on_time,1100",
    f"{RJ},completed_late,100",
    f'{RJ},avg_processing_days,"3,5"',
    f"{RJ},complaints_received,12",
    f"{RJ},complaints_resolved,10",
    f"{RJ},users,1150",
]


@pytest.fixture
def dikes():
    agency = AgencyFactory(code="DIKES")
    ServiceFactory(agency=agency, code="RAWAT-JALAN", name="Rawat Jalan")
    return agency


def csv_of(*lines: str, header: str = HEADER) -> str:
    return "\n".join([header, *lines]) + "\n"


def refusal(data, **kwargs) -> list[str]:
    with pytest.raises(ImportFailed) as info:
        import_service_metrics(data, **kwargs)
    return [str(e) for e in info.value.errors]


def stored() -> dict[str, Decimal]:
    return dict(ServiceMetric.objects.values_list("kind", "value"))


def test_every_kind_of_metric_is_stored(dikes):
    result = import_service_metrics(csv_of(*GOOD))

    assert result.rows == 7
    assert result.created == {"metrics": 7}
    assert stored() == {
        "applications": 1200,
        "completed_on_time": 1100,
        "completed_late": 100,
        "avg_processing_days": Decimal("3.5"),
        "complaints_received": 12,
        "complaints_resolved": 10,
        "users": 1150,
    }
    metric = ServiceMetric.objects.get(kind="users")
    assert (metric.service.code, metric.service.agency, metric.year, metric.quarter) == (
        "RAWAT-JALAN",
        dikes,
        2025,
        1,
    )


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.234,5", "1234.5"),
        ('"1,234.5"', "1234.5"),
        ("3.25", "3.25"),
        ("3,25", "3.25"),
        ("4", "4"),
    ],
)
def test_decimal_comma_and_thousands_are_accepted(dikes, text, value):
    if "," in text and not text.startswith('"'):
        text = f'"{text}"'
    import_service_metrics(csv_of(f"{RJ},avg_processing_days,{text}"))
    assert stored() == {"avg_processing_days": Decimal(value)}


def test_reimport_of_the_same_file_changes_nothing(dikes):
    import_service_metrics(csv_of(*GOOD))
    before = snapshot()

    result = import_service_metrics(csv_of(*GOOD))

    assert snapshot() == before
    assert result.unchanged == {"metrics": 7}
    assert result.summary() == "7 rows; unchanged: metrics 7"


def test_reimport_with_a_changed_value_updates_exactly_that_metric(dikes):
    import_service_metrics(csv_of(*GOOD))
    before = {m.kind: (m.pk, m.value) for m in ServiceMetric.objects.all()}

    result = import_service_metrics(csv_of(f"{RJ},applications,1250", *GOOD[1:]))

    assert (result.created, result.updated, result.unchanged) == (
        {"metrics": 0},
        {"metrics": 1},
        {"metrics": 6},
    )
    after = {m.kind: (m.pk, m.value) for m in ServiceMetric.objects.all()}
    assert after.pop("applications") == (before.pop("applications")[0], 1250)
    assert after == before


def test_metrics_the_file_does_not_mention_stay(dikes):
    import_service_metrics(csv_of(*GOOD))
    import_service_metrics(csv_of(GOOD[0]))
    assert len(stored()) == 7


def test_bom_crlf_spaces_and_a_blank_trailing_line_are_accepted(dikes):
    data = (
        "\ufeff"
        + HEADER
        + "\r\n"
        + "\r\n".join(" " + g.replace(",applications,", " , applications , ") for g in GOOD)
        + "\r\n\r\n"
    )
    import_service_metrics(data.encode())
    assert import_service_metrics(csv_of(*GOOD)).unchanged == {"metrics": 7}


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("DIKES,NOPE,2025,1,users,5", "column service_code: agency DIKES has no service 'NOPE'"),
        ("DINSOS,RAWAT-JALAN,2025,1,users,5", "column agency_code: unknown agency 'DINSOS'"),
        (f"{RJ},applications,12.5", "column value: applications is a count: a whole number"),
        (f'{RJ},users,"12,5"', "column value: users is a count: a whole number"),
        # "1.200" is 1.2 by the contract (one separator is the decimal one), so a count
        # written with a thousands dot is refused rather than read as 1.2 or 1,200.
        (
            f"{RJ},complaints_received,1.200",
            "column value: complaints_received is a count: a whole number",
        ),
        (f"{RJ},users,1.000", "column value: at most 12 digits and 2 decimals"),
        (f"{RJ},users,many", "column value: 'many' is not a number"),
        (f"{RJ},users,", "column value: this field is required"),
        (f"{RJ},users,-5", "column value: must not be negative"),
        (f"{RJ},avg_processing_days,3.125", "column value: at most 12 digits and 2 decimals"),
        (f"{RJ},users,1000000000000", "column value: at most 12 digits and 2 decimals"),
        (
            f"{RJ},visitors,5",
            "column kind: must be one of applications, completed_on_time, "
            "completed_late, avg_processing_days, complaints_received, complaints_resolved, "
            "users, got 'visitors'",
        ),
        ("DIKES,RAWAT-JALAN,2025,5,users,5", "column quarter: must be between 1 and 4, got 5"),
        ("DIKES,RAWAT-JALAN,2025,,users,5", "column quarter: this field is required"),
        (
            f"{RJ},completed_on_time,1",
            "column kind: this service, year, quarter and kind are already on line 2",
        ),
        (f"{RJ},users", "column -: expected 6 cells, found 5"),
    ],
    ids=[
        "unknown-service",
        "unknown-agency",
        "count-with-decimals",
        "count-with-decimal-comma",
        "count-with-thousands-dot",
        "count-1.000",
        "value-not-a-number",
        "value-blank",
        "negative",
        "three-decimals",
        "too-large",
        "unknown-kind",
        "quarter-5",
        "quarter-blank",
        "duplicate",
        "too-few-cells",
    ],
)
def test_bad_row_is_refused_with_line_and_column_and_nothing_saved(dikes, bad_line, message):
    import_service_metrics(csv_of(*GOOD))
    before = snapshot()

    assert refusal(csv_of(GOOD[1], bad_line)) == [f"line 3, {message}"]
    assert snapshot() == before


def test_every_bad_row_is_reported_not_just_the_first(dikes):
    assert refusal(
        csv_of(
            "DIKES,NOPE,2025,7,users,x",
            *GOOD,
            f"{RJ},applications,-1",
        )
    ) == [
        "line 2, column service_code: agency DIKES has no service 'NOPE'",
        "line 2, column quarter: must be between 1 and 4, got 7",
        "line 2, column value: 'x' is not a number",
        "line 10, column value: must not be negative",
    ]
    assert not ServiceMetric.objects.exists()


def test_bad_row_at_the_end_of_a_long_file_leaves_the_database_unchanged(dikes):
    import_service_metrics(csv_of(*GOOD))
    before = snapshot()
    lines = [f"DIKES,RAWAT-JALAN,{2000 + i // 4},{1 + i % 4},users,{i}" for i in range(400)]

    assert refusal(csv_of(*lines, f"{RJ},users,1,5")) == [
        "line 402, column -: expected 6 cells, found 7"
    ]
    assert snapshot() == before


def test_scope_refuses_rows_of_other_agencies(dikes):
    other = AgencyFactory(code="DINSOS")
    ServiceFactory(agency=other, code="BANSOS")

    assert refusal(csv_of(GOOD[0], "DINSOS,BANSOS,2025,1,users,5"), scope=[dikes.pk]) == [
        "line 3, column agency_code: agency 'DINSOS' is not one of yours"
    ]
    assert not ServiceMetric.objects.exists()
    assert import_service_metrics(csv_of(*GOOD), scope=[dikes.pk]).created == {"metrics": 7}


@pytest.mark.parametrize(
    "header",
    [HEADER.replace("kind", "metric"), HEADER + ",note", "agency_code,service_code,value"],
    ids=["renamed", "extra", "missing"],
)
def test_wrong_header_is_a_clear_error(dikes, header):
    [message] = refusal(csv_of(GOOD[0], header=header))
    assert message.startswith("line 1, column header: wrong header: ")
    assert message.endswith(f"expected {HEADER}")


def test_command_imports_the_file(dikes, tmp_path):
    path = tmp_path / "service_metrics.csv"
    path.write_text(csv_of(*GOOD))
    out = io.StringIO()
    call_in_indonesian("import_service_metrics", str(path), stdout=out)
    assert out.getvalue() == f"{path}: 7 rows; created: metrics 7\n"


def test_command_lists_every_bad_row_on_stderr_and_fails(dikes, tmp_path):
    path = tmp_path / "service_metrics.csv"
    path.write_text(csv_of(GOOD[0], "DIKES,NOPE,2025,1,users,5", f"{RJ},users,2.5"))
    err = io.StringIO()

    with pytest.raises(CommandError, match=r"2 problem\(s\) found; nothing was imported"):
        call_in_indonesian("import_service_metrics", str(path), stdout=io.StringIO(), stderr=err)

    assert err.getvalue().splitlines() == [
        "line 3, column service_code: agency DIKES has no service 'NOPE'",
        "line 4, column value: users is a count: a whole number",
    ]
    assert not ServiceMetric.objects.exists()
