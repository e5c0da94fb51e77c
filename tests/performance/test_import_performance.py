"""Import of performance.csv: contracts, indicators, quarterly targets and realisations.

All-or-nothing (every bad row reported as `line N, column C: reason`, nothing saved),
upsert on natural keys (a re-import changes nothing), imported contracts approved."""

import csv
import datetime
import io
import os
import sqlite3
import subprocess
import sys
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import CommandError
from django.db import connection

from agencies.csvio import ImportFailed
from performance.imports import COLUMNS, import_performance
from performance.models import Employee, Indicator, PerformanceContract, Realisation, Target
from tests.conftest import call_in_indonesian, snapshot
from tests.factories import (
    AgencyFactory,
    ContractFactory,
    EmployeeFactory,
    UserFactory,
    make_nip,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(english):
    """Messages in English: the tests compare exact texts."""


Q1_OPEN = datetime.date(2025, 4, 10)  # Q1 2025 takes realisations in time, Q2 has started
NIP_AINI = "198507122010012003"
NIP_ZOHRI = "196912311990031001"
IKU1 = "Persentase persalinan di fasilitas kesehatan"
IKU2 = "Angka kematian bayi per 1.000 kelahiran hidup"
BASE = {
    "agency_code": "DIKES",
    "holder": "agency",
    "employee_name": "",
    "position": "",
    "year": "2025",
    "quarter": "1",
    "indicator_code": "IKU1",
    "indicator": IKU1,
    "unit": "%",
    "direction": "higher",
    "weight": "40",
    "target": "85",
    "realisation": "88.2",
}
AINI = {
    "holder": NIP_AINI,
    "employee_name": "Baiq Nurul Aini",
    "position": "Analis Kebijakan",
    "indicator_code": "RHK1",
    "indicator": "Dokumen kajian yang diselesaikan",
    "unit": "dokumen",
    "weight": "100",
    "target": "3",
    "realisation": "",
}


def row(**cells: str) -> dict[str, str]:
    return {**BASE, **cells}


# The example of DESIGN.md, plus a second quarter and an employee of another agency.
GOOD = [
    row(),
    row(
        indicator_code="IKU2",
        indicator=IKU2,
        unit="per 1.000",
        direction="lower",
        weight="60",
        target="12",
        realisation="13.5",
    ),
    row(quarter="2", target="87", realisation=""),
    row(**AINI),
    row(
        agency_code="DIKBUD",
        holder=NIP_ZOHRI,
        employee_name="Lalu Muhammad Zohri",
        position="Kepala Seksi",
        indicator_code="RHK1",
        indicator="Sekolah yang dibina",
        unit="sekolah",
        weight="100",
        target="12",
        realisation="10",
    ),
]


def csv_of(rows: list[dict[str, str]], columns: list[str] = COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([r.get(c, "") for c in columns] for r in rows)
    return out.getvalue()


def refusal(data, **kwargs) -> list[str]:
    with pytest.raises(ImportFailed) as info:
        import_performance(data, **kwargs)
    return [str(e) for e in info.value.errors]


def no_changes(result) -> bool:
    return not any(result.created.values()) and not any(result.updated.values())


@pytest.fixture
def agencies():
    return AgencyFactory(code="DIKES"), AgencyFactory(code="DIKBUD")


def test_contracts_indicators_targets_and_realisations_are_created(agencies):
    dikes, dikbud = agencies

    result = import_performance(csv_of(GOOD))

    assert result.rows == 5
    assert result.created == {
        "employees": 2,
        "contracts": 3,
        "indicators": 4,
        "targets": 5,
        "realisations": 3,
    }
    pk = PerformanceContract.objects.get(agency=dikes, employee=None, year=2025)
    assert pk.status == PerformanceContract.Status.APPROVED
    iku1, iku2 = pk.indicators.order_by("code")
    assert (iku1.code, iku1.text, iku1.unit, iku1.direction, iku1.weight) == (
        "IKU1",
        IKU1,
        "%",
        "higher",
        40,
    )
    assert (iku2.code, iku2.text, iku2.unit, iku2.direction, iku2.weight) == (
        "IKU2",
        IKU2,
        "per 1.000",
        "lower",
        60,
    )
    assert dict(iku1.targets.values_list("quarter", "value")) == {1: 85, 2: 87}
    assert dict(iku1.realisations.values_list("quarter", "value")) == {1: Decimal("88.2")}
    assert dict(iku2.realisations.values_list("quarter", "value")) == {1: Decimal("13.5")}

    aini = Employee.objects.get(nip=NIP_AINI)
    assert (aini.name, aini.position, aini.agency) == ("Baiq Nurul Aini", "Analis Kebijakan", dikes)
    skp = PerformanceContract.objects.get(employee=aini)
    assert (skp.agency, skp.year, skp.status) == (dikes, 2025, "approved")
    [rhk] = skp.indicators.all()
    assert dict(rhk.targets.values_list("quarter", "value")) == {1: 3}
    zohri_skp = PerformanceContract.objects.get(employee__nip=NIP_ZOHRI)
    assert zohri_skp.agency == dikbud


def test_empty_realisation_makes_a_target_and_no_realisation(agencies):
    import_performance(csv_of([row(**AINI)]))
    indicator = Indicator.objects.get(code="RHK1")
    assert indicator.targets.count() == 1
    assert not Realisation.objects.exists()


def test_realisation_records_who_entered_it(agencies):
    officer = UserFactory()
    import_performance(csv_of(GOOD), user=officer)
    assert set(Realisation.objects.values_list("entered_by", flat=True)) == {officer.pk}


def test_target_0_with_direction_lower_is_accepted(agencies):
    import_performance(csv_of([row(direction="lower", target="0", realisation="0")]))
    assert Target.objects.get().value == 0


def test_holder_agency_may_be_written_in_capitals(agencies):
    import_performance(csv_of([row(holder="Agency"), row(holder="AGENCY", quarter="2")]))
    assert PerformanceContract.objects.get().employee is None


def test_draft_contract_becomes_approved_on_import(agencies):
    dikes, _ = agencies
    draft = ContractFactory(agency=dikes, status=PerformanceContract.Status.DRAFT)

    result = import_performance(csv_of([row()]))

    draft.refresh_from_db()
    assert draft.status == PerformanceContract.Status.APPROVED
    assert result.updated["contracts"] == 1


@pytest.mark.parametrize(
    ("cell", "text", "value"),
    [
        ("target", "88,2", "88.2"),
        ("target", "1.234,5", "1234.5"),
        ("target", "1,234.5", "1234.5"),
        ("target", " 85 ", "85"),
        ("realisation", "13,5", "13.5"),
        ("realisation", "1.234.567,8912", "1234567.8912"),
        ("weight", "12,5", "12.5"),
    ],
)
def test_numbers_with_decimal_comma_or_thousands_are_accepted(agencies, cell, text, value):
    import_performance(csv_of([row(**{cell: text})]))
    stored = {
        "target": lambda: Target.objects.get().value,
        "realisation": lambda: Realisation.objects.get().value,
        "weight": lambda: Indicator.objects.get().weight,
    }[cell]()
    assert stored == Decimal(value)


def test_messy_file_holds_the_same_data_as_its_clean_twin(agencies):
    """BOM, CRLF, spaces around cells and header names, decimal commas and blank lines."""
    messy = "\ufeff" + " , ".join(c.upper() for c in COLUMNS) + "\r\n"
    for r in GOOD:
        cells = [
            f'"{v.replace(".", ",")}"' if c in ("target", "realisation") else f" {v} "
            for c, v in ((c, r[c]) for c in COLUMNS)
        ]
        messy += ",".join(cells) + "\r\n\r\n"
    import_performance(messy.encode("utf-8"))

    assert no_changes(import_performance(csv_of(GOOD)))


def test_reimport_of_the_same_file_changes_nothing(agencies):
    data = csv_of(GOOD)
    import_performance(data, user=UserFactory())
    before = snapshot()

    result = import_performance(data, user=UserFactory())

    assert snapshot() == before
    assert no_changes(result)
    assert result.unchanged == {
        "employees": 2,
        "contracts": 3,
        "indicators": 4,
        "targets": 5,
        "realisations": 3,
    }
    assert result.summary() == (
        "5 rows; unchanged: contracts 3, employees 2, indicators 4, realisations 3, targets 5"
    )


def test_reimport_with_one_target_changed_changes_exactly_that_target(agencies):
    import_performance(csv_of(GOOD))
    before = snapshot()
    changed = [*GOOD[:2], {**GOOD[2], "target": "90"}, *GOOD[3:]]

    result = import_performance(csv_of(changed))

    assert result.updated == {
        "employees": 0,
        "contracts": 0,
        "indicators": 0,
        "targets": 1,
        "realisations": 0,
    }
    assert not any(result.created.values())
    after = snapshot()
    target = Target.objects.get(indicator__code="IKU1", quarter=2)
    assert target.value == 90
    old_targets = [t for t in before["performance.Target"] if t["id"] != target.pk]
    new_targets = [t for t in after.pop("performance.Target") if t["id"] != target.pk]
    assert new_targets == old_targets
    [record] = after.pop("performance.HistoricalTarget")[
        len(before["performance.HistoricalTarget"]) :
    ]
    assert (record["id"], record["value"], record["history_type"]) == (target.pk, 90, "~")
    assert after == {
        k: v
        for k, v in before.items()
        if k not in ("performance.Target", "performance.HistoricalTarget")
    }


def test_reimport_with_a_new_realisation_value_records_the_new_officer(agencies):
    first, second = UserFactory(), UserFactory()
    import_performance(csv_of(GOOD), user=first)
    old = Realisation.objects.get(indicator__code="IKU1", quarter=1)

    result = import_performance(csv_of([{**GOOD[0], "realisation": "90"}, *GOOD[1:]]), user=second)

    new = Realisation.objects.get(pk=old.pk)
    assert (new.value, new.entered_by) == (90, second)
    assert new.entered_at > old.entered_at
    assert result.updated["realisations"] == 1
    assert set(Realisation.objects.exclude(pk=old.pk).values_list("entered_by", flat=True)) == {
        first.pk
    }


def test_reimport_with_an_empty_realisation_keeps_the_stored_one(agencies):
    import_performance(csv_of(GOOD))
    import_performance(csv_of([{**GOOD[0], "realisation": ""}]))
    assert Realisation.objects.get(indicator__code="IKU1", quarter=1).value == Decimal("88.2")


# Text that array literals and COPY must quote: a comma, quotes, braces, a backslash.
AWKWARD = 'Persalinan "aman", {faskes} \\ ber\'izin'


def test_reimport_with_changed_indicator_and_employee_details_updates_them(agencies):
    import_performance(csv_of(GOOD))
    renamed = [{**r, "indicator": AWKWARD} if r["indicator_code"] == "IKU1" else r for r in GOOD]
    renamed[3] = {**renamed[3], "position": "Analis, Ahli Muda", "employee_name": AWKWARD}

    result = import_performance(csv_of(renamed))

    assert (result.updated["indicators"], result.updated["employees"]) == (1, 1)
    assert Indicator.objects.get(code="IKU1").text == AWKWARD
    aini = Employee.objects.get(nip=NIP_AINI)
    assert (aini.name, aini.position) == (AWKWARD, "Analis, Ahli Muda")
    assert no_changes(import_performance(csv_of(renamed)))


def test_command_line_reimport_updates_a_realisation_without_an_officer(agencies):
    import_performance(csv_of(GOOD), user=UserFactory())
    result = import_performance(csv_of([{**GOOD[0], "realisation": "0"}]))
    realisation = Realisation.objects.get(indicator__code="IKU1", quarter=1)
    assert (realisation.value, realisation.entered_by) == (0, None)
    assert result.updated["realisations"] == 1


HISTORY = [PerformanceContract, Indicator, Target, Realisation]


def test_import_records_every_created_object_in_the_audit_trail(agencies):
    officer = UserFactory()

    # While Q1 2025 is open: a late value would be recorded with its own reason.
    result = import_performance(csv_of(GOOD), user=officer, today=Q1_OPEN)

    for model, kind in zip(
        HISTORY, ["contracts", "indicators", "targets", "realisations"], strict=True
    ):
        records = model.history.all()
        assert records.count() == result.created[kind] == model.objects.count()
        assert {(r.history_type, r.history_user_id, r.history_change_reason) for r in records} == {
            ("+", officer.pk, "CSV import")
        }
        assert {r.id for r in records} == set(model.objects.values_list("pk", flat=True))
    aini_target = Target.objects.get(indicator__contract__employee__nip=NIP_AINI)
    assert aini_target.history.get().value == 3


def test_audit_trail_of_a_changed_target_has_the_value_before_and_after(agencies):
    first, second = UserFactory(), UserFactory()
    import_performance(csv_of(GOOD), user=first)
    changed = [*GOOD[:2], {**GOOD[2], "target": "90"}, *GOOD[3:]]

    import_performance(csv_of(changed), user=second, reason="CSV import: tw2.csv")

    target = Target.objects.get(indicator__code="IKU1", quarter=2)
    before, after = target.history.order_by("history_id")
    assert (before.value, before.history_type, before.history_user) == (87, "+", first)
    assert (after.value, after.history_type, after.history_user) == (90, "~", second)
    assert after.history_change_reason == "CSV import: tw2.csv"
    assert Target.history.count() == Target.objects.count() + 1


def test_audit_trail_records_changed_contracts_indicators_and_realisations(agencies):
    dikes, _ = agencies
    draft = ContractFactory(agency=dikes, status=PerformanceContract.Status.DRAFT)
    import_performance(csv_of(GOOD))
    import_performance(
        csv_of([{**GOOD[0], "indicator": "Persalinan di faskes", "realisation": "90"}])
    )

    assert draft.history.filter(history_type="~").get().status == "approved"
    assert Indicator.history.filter(history_type="~").get().text == "Persalinan di faskes"
    assert Realisation.history.filter(history_type="~").get().value == 90


def test_dry_run_writes_nothing_and_counts_what_would_change(agencies):
    data = csv_of(GOOD)
    before = snapshot()

    preview = import_performance(data, dry_run=True)

    assert snapshot() == before
    assert preview == import_performance(data)
    assert preview.created["targets"] == 5


def many_rows(employees: int, *, agency: str = "DIKES", first: int = 0) -> list[dict]:
    """4 quarters of one indicator for each of `employees` employees."""
    return [
        row(
            agency_code=agency,
            holder=make_nip(n),
            employee_name=f"Pegawai {n}",
            position="Pelaksana",
            quarter=str(q),
            indicator_code="RHK1",
            indicator="Laporan yang diselesaikan",
            unit="laporan",
            weight="100",
            target=str(q * 3),
            realisation=str(q * 3 - n % 2),
        )
        for n in range(first, first + employees)
        for q in range(1, 5)
    ]


def test_import_runs_a_bounded_number_of_queries_not_one_per_row(
    agencies, django_assert_max_num_queries
):
    with django_assert_max_num_queries(40):
        result = import_performance(csv_of(many_rows(150)))
    assert result.created["realisations"] == 600
    with django_assert_max_num_queries(20):
        assert no_changes(import_performance(csv_of(many_rows(150))))


# A good row 2 and a bad row 3 (another indicator, so that only row 3 can be wrong).
ROW3 = {
    "indicator_code": "IKU2",
    "indicator": IKU2,
    "direction": "lower",
    "weight": "60",
    "target": "12",
    "realisation": "13.5",
}


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"agency_code": "DINSOS"}, "column agency_code: unknown agency 'DINSOS'"),
        ({"agency_code": ""}, "column agency_code: this field is required"),
        ({"holder": ""}, "column holder: this field is required"),
        (
            {**AINI, "holder": "19850712201001200"},
            "column holder: not 'agency' and not a valid NIP: a NIP has exactly 18 digits, got 17",
        ),
        (
            {**AINI, "holder": "198502302010012003"},
            "column holder: not 'agency' and not a valid NIP: digits 1-8 are not a real birth "
            "date (YYYYMMDD): 19850230",
        ),
        (
            {**AINI, "holder": "198507121984012003"},
            "column holder: not 'agency' and not a valid NIP: the appointment month 198401 is "
            "not after the birth date 19850712",
        ),
        (
            {**AINI, "holder": "198507122010013003"},
            "column holder: not 'agency' and not a valid NIP: digit 15 (sex) must be 1 or 2, got 3",
        ),
        (
            {**AINI, "holder": "19850712\u00b2010012003"},
            "column holder: not 'agency' and not a valid NIP: a NIP has only digits (18 of them)",
        ),
        (
            {**AINI, "holder": "pemda"},
            "column holder: not 'agency' and not a valid NIP: a NIP has only digits (18 of them)",
        ),
        ({**AINI, "employee_name": ""}, "column employee_name: this field is required"),
        ({"year": ""}, "column year: this field is required"),
        ({"year": "1999"}, "column year: must be between 2000 and 2100, got 1999"),
        ({"year": "2025.0"}, "column year: '2025.0' is not a whole number"),
        ({"quarter": "5"}, "column quarter: must be between 1 and 4, got 5"),
        ({"quarter": "0"}, "column quarter: must be between 1 and 4, got 0"),
        ({"quarter": "IV"}, "column quarter: 'IV' is not a whole number"),
        ({"quarter": ""}, "column quarter: this field is required"),
        ({"indicator_code": ""}, "column indicator_code: this field is required"),
        ({"indicator_code": "X" * 31}, "column indicator_code: at most 30 characters"),
        ({"indicator": ""}, "column indicator: this field is required"),
        ({"unit": "u" * 51}, "column unit: at most 50 characters"),
        ({"direction": "up"}, "column direction: must be one of higher, lower, got 'up'"),
        ({"direction": "naik"}, "column direction: must be one of higher, lower, got 'naik'"),
        ({"direction": ""}, "column direction: this field is required"),
        ({"weight": "0"}, "column weight: must be greater than 0"),
        ({"weight": "-5"}, "column weight: must be greater than 0"),
        ({"weight": ""}, "column weight: this field is required"),
        ({"weight": "60%"}, "column weight: '60%' is not a number"),
        ({"weight": "12.345"}, "column weight: at most 2 decimals"),
        ({"weight": "1000000"}, "column weight: too large"),
        ({"target": "dua belas"}, "column target: 'dua belas' is not a number"),
        ({"target": "1e3"}, "column target: '1e3' is not a number"),
        ({"target": "NaN"}, "column target: 'NaN' is not a number"),
        ({"target": "1E+999999999"}, "column target: '1E+999999999' is not a number"),
        ({"target": ""}, "column target: this field is required"),
        ({"target": "-1"}, "column target: must not be negative"),
        ({"target": "12.34567"}, "column target: at most 4 decimals"),
        ({"target": "1000000000000"}, "column target: too large"),
        (
            {"direction": "higher", "target": "0"},
            "column target: must be greater than 0 when direction is higher",
        ),
        (
            {"direction": "higher", "target": "0,00"},
            "column target: must be greater than 0 when direction is higher",
        ),
        ({"realisation": "n/a"}, "column realisation: 'n/a' is not a number"),
        ({"realisation": "-0.5"}, "column realisation: must not be negative"),
        ({"realisation": "13.50001"}, "column realisation: at most 4 decimals"),
    ],
    ids=lambda v: (
        None
        if isinstance(v, str)
        else "-".join(f"{k}={val[:20]}" for k, val in v.items() if AINI.get(k) != val)
    ),
)
def test_bad_row_is_refused_with_line_and_column_and_nothing_saved(agencies, cells, message):
    import_performance(csv_of(GOOD))
    before = snapshot()

    assert refusal(csv_of([GOOD[0], row(**{**ROW3, **cells})])) == [f"line 3, {message}"]
    assert snapshot() == before


def test_quarter_5_is_refused_with_line_and_column(agencies):
    assert refusal(csv_of([row(), row(quarter="5")])) == [
        "line 3, column quarter: must be between 1 and 4, got 5"
    ]


def test_row_with_too_few_cells_is_refused(agencies):
    data = csv_of([row()]) + "DIKES,agency,,,2025,2,IKU1\n"
    assert refusal(data) == ["line 3, column -: expected 13 cells, found 7"]


def test_nul_character_refuses_the_file_instead_of_failing_in_the_database(agencies):
    data = csv_of([row(), row(quarter="2", indicator=IKU1 + "\x00")])
    assert refusal(data) == [
        "line 3, column -: the file contains a NUL character: it is not a CSV text file"
    ]
    assert not PerformanceContract.objects.exists()


def test_every_bad_row_and_every_bad_cell_is_reported_in_file_order(agencies):
    rows = [
        row(),
        row(quarter="5", direction="up", weight="0"),
        *GOOD[1:],
        row(agency_code="NOPE", holder="12345", employee_name="X"),
        row(target="abc"),
    ]

    assert refusal(csv_of(rows)) == [
        "line 3, column quarter: must be between 1 and 4, got 5",
        "line 3, column direction: must be one of higher, lower, got 'up'",
        "line 3, column weight: must be greater than 0",
        "line 8, column agency_code: unknown agency 'NOPE'",
        "line 8, column holder: not 'agency' and not a valid NIP: a NIP has exactly 18 "
        "digits, got 5",
        "line 9, column target: 'abc' is not a number",
    ]
    assert not PerformanceContract.objects.exists()


def test_bad_row_at_the_end_of_a_long_file_leaves_the_database_unchanged(agencies):
    import_performance(csv_of(GOOD))
    before = snapshot()
    rows = many_rows(500)  # 2,000 good rows, all new

    assert refusal(csv_of([*rows, row(quarter="5")])) == [
        "line 2002, column quarter: must be between 1 and 4, got 5"
    ]
    assert snapshot() == before


def test_conflicting_indicator_details_across_quarters_are_refused(agencies):
    assert refusal(
        csv_of(
            [
                row(),
                row(quarter="2", weight="50"),
                row(quarter="3", direction="lower"),
                row(quarter="4", unit="persen"),
                row(quarter="4", indicator_code="IKU2", indicator=IKU2, weight="60"),
                row(
                    quarter="3", indicator_code="IKU2", indicator="Angka kematian bayi", weight="60"
                ),
            ]
        )
    ) == [
        "line 3, column weight: differs from line 2 for the same indicator IKU1",
        "line 4, column direction: differs from line 2 for the same indicator IKU1",
        "line 5, column unit: differs from line 2 for the same indicator IKU1",
        "line 7, column indicator: differs from line 6 for the same indicator IKU2",
    ]


def test_same_indicator_code_may_differ_between_holders_and_years(agencies):
    import_performance(
        csv_of(
            [
                row(),
                row(year="2024", weight="30", indicator="Persalinan di faskes"),
                row(**{**AINI, "indicator_code": "IKU1"}),
                row(agency_code="DIKBUD", indicator="Angka partisipasi sekolah"),
            ]
        )
    )
    assert Indicator.objects.filter(code="IKU1").count() == 4


def test_duplicate_holder_year_quarter_indicator_is_refused(agencies):
    assert refusal(csv_of([row(), row(target="90"), row(**AINI), row(**AINI)])) == [
        "line 3, column indicator_code: indicator IKU1 of this holder, year and quarter is "
        "already on line 2",
        "line 5, column indicator_code: indicator RHK1 of this holder, year and quarter is "
        "already on line 4",
    ]


def test_nip_with_two_different_names_in_one_file_is_refused(agencies):
    assert refusal(
        csv_of(
            [
                row(**AINI),
                row(**{**AINI, "quarter": "2", "employee_name": "Baiq Nurul Aeni"}),
                row(**{**AINI, "quarter": "3", "position": "Analis"}),
                row(**{**AINI, "quarter": "4", "agency_code": "DIKBUD"}),
            ]
        )
    ) == [
        "line 3, column employee_name: differs from line 2 for the same NIP",
        "line 4, column position: differs from line 2 for the same NIP",
        "line 5, column agency_code: differs from line 2 for the same NIP",
    ]
    assert not Employee.objects.exists()


@pytest.mark.parametrize(
    "columns",
    [
        [c for c in COLUMNS if c != "realisation"],
        [*COLUMNS, "notes"],
        ["kode_opd" if c == "agency_code" else c for c in COLUMNS],
        [*COLUMNS[:-1], "target"],
    ],
    ids=["missing-realisation", "extra-notes", "renamed-agency-code", "repeated-target"],
)
def test_wrong_header_is_a_clear_error(agencies, columns):
    [message] = refusal(csv_of(GOOD, columns))
    assert message.startswith("line 1, column header: wrong header: ")
    assert message.endswith("expected " + ",".join(COLUMNS))
    assert not PerformanceContract.objects.exists()


def test_scope_refuses_rows_of_other_agencies(agencies):
    dikes, _ = agencies
    assert refusal(csv_of(GOOD), scope=[dikes.pk]) == [
        "line 6, column agency_code: agency 'DIKBUD' is not one of yours"
    ]
    assert not PerformanceContract.objects.exists()


def test_scope_refuses_a_nip_of_another_agencys_employee(agencies):
    dikes, dikbud = agencies
    EmployeeFactory(
        nip=NIP_AINI, agency=dikbud, name="Baiq Nurul Aini", position="Analis Kebijakan"
    )
    before = snapshot()

    assert refusal(csv_of(GOOD[:4]), scope=[dikes.pk]) == [
        "line 5, column holder: this NIP belongs to another agency's employee"
    ]
    assert snapshot() == before


def test_scope_lets_an_officer_import_their_own_agency(agencies):
    dikes, _ = agencies
    EmployeeFactory(nip=NIP_AINI, agency=dikes, name="Baiq Nurul Aini", position="Analis Kebijakan")
    result = import_performance(csv_of(GOOD[:4]), scope=[dikes.pk], today=Q1_OPEN)
    assert result.created["contracts"] == 2
    assert result.unchanged["employees"] == 1


def test_command_imports_the_file_and_prints_a_summary(agencies, tmp_path):
    path = tmp_path / "performance.csv"
    path.write_text(csv_of(GOOD))
    out = io.StringIO()

    call_in_indonesian("import_performance", str(path), stdout=out)

    assert out.getvalue() == (
        f"{path}: 5 rows; created: contracts 3, employees 2, indicators 4, realisations 3, "
        "targets 5\n"
    )


def test_command_lists_every_bad_row_on_stderr_and_fails(agencies, tmp_path):
    path = tmp_path / "performance.csv"
    path.write_text(csv_of([row(), row(quarter="5"), row(agency_code="NOPE", quarter="2")]))
    err = io.StringIO()

    with pytest.raises(CommandError, match=r"2 problem\(s\) found; nothing was imported"):
        call_in_indonesian("import_performance", str(path), stdout=io.StringIO(), stderr=err)

    assert err.getvalue().splitlines() == [
        "line 3, column quarter: must be between 1 and 4, got 5",
        "line 4, column agency_code: unknown agency 'NOPE'",
    ]
    assert not PerformanceContract.objects.exists()


def database_url_for_a_subprocess(tmp_path) -> str:
    """A DATABASE_URL that shows a subprocess what this (transactional) test committed: the
    PostgreSQL test database itself, or a file copy of the in-memory SQLite one."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        path = tmp_path / "copy.sqlite3"
        with sqlite3.connect(path) as copy:
            connection.connection.backup(copy)
        copy.close()
        return f"sqlite:///{path}"
    auth = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def run_manage(*args: str, database_url: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(DEBUG="1", DATABASE_URL=database_url)
    return subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
def test_cli_exits_non_zero_and_prints_line_and_column_on_stderr(tmp_path):
    AgencyFactory(code="DIKES")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        csv_of(
            [
                row(),
                row(quarter="5"),
                row(**{**AINI, "holder": "1985"}),
                row(agency_code="NOPE", quarter="3"),
            ]
        )
    )
    good = tmp_path / "good.csv"
    good.write_text(csv_of([row(), row(quarter="2"), row(**AINI)]))
    database_url = database_url_for_a_subprocess(tmp_path)

    refused = run_manage("import_performance", str(bad), database_url=database_url)

    assert refused.returncode == 1
    assert refused.stdout == ""
    assert refused.stderr.splitlines() == [
        "line 3, column quarter: must be between 1 and 4, got 5",
        "line 4, column holder: not 'agency' and not a valid NIP: a NIP has exactly 18 "
        "digits, got 4",
        "line 5, column agency_code: unknown agency 'NOPE'",
        f"CommandError: {bad}: 3 problem(s) found; nothing was imported.",
    ]

    # Nothing was written: the good file then creates everything from scratch.
    imported = run_manage("import_performance", str(good), database_url=database_url)
    assert (imported.returncode, imported.stderr) == (0, "")
    assert imported.stdout == (
        f"{good}: 3 rows; created: contracts 2, employees 1, indicators 2, realisations 2, "
        "targets 3\n"
    )
