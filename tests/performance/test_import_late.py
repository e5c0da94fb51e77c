"""performance.csv and time (DESIGN.md, Integrity): no realisation for a quarter that has not
started (`line N, column quarter: ...`, all or nothing); a realisation of a closed quarter is
late: an officer's upload turns it into a late change with the upload's one reason (refused
without one), the command-line import (the administrator's act) writes it at once, marked
late, recorded as "import by administrator" by system-cli."""

import datetime
import io
from decimal import Decimal as D

import pytest
import time_machine
from django.core.management import CommandError

from agencies.csvio import ImportFailed
from performance.imports import import_performance
from performance.models import LateChange, Realisation
from tests.conftest import call_in_indonesian, snapshot
from tests.factories import AgencyFactory
from tests.performance.test_import_performance import csv_of, row

pytestmark = pytest.mark.django_db

DEC_6 = datetime.date(2026, 12, 6)  # Q3 2026 closed on 15 October, Q4 open
DEC_6_WITA = datetime.datetime(2026, 12, 6, 1, 0, tzinfo=datetime.UTC)  # 09:00 WITA


@pytest.fixture(autouse=True)
def dikes(english):
    return AgencyFactory(code="DIKES")


def test_the_command_refuses_a_realisation_of_a_quarter_not_started(tmp_path):
    path = tmp_path / "performance.csv"
    path.write_text(
        csv_of(
            [
                row(year="2026", quarter="4", realisation="88"),
                row(year="2027", quarter="1", realisation="90"),
                row(year="2027", quarter="2", realisation=""),  # a target alone: accepted
            ]
        )
    )
    before = snapshot()
    err = io.StringIO()

    with time_machine.travel(DEC_6_WITA, tick=False), pytest.raises(CommandError):
        call_in_indonesian("import_performance", str(path), stderr=err)

    assert err.getvalue().splitlines() == [
        "line 3, column quarter: Q1 2027 has not started yet (it starts on "
        "2027-01-01): no realisation can be entered for it"
    ]
    assert snapshot() == before


def test_an_upload_refuses_a_realisation_of_a_quarter_not_started(dikes):
    with pytest.raises(ImportFailed) as refused:
        import_performance(
            csv_of([row(year="2027", quarter="1", realisation="90")]),
            scope=[dikes.pk],
            today=DEC_6,
        )
    assert [str(e) for e in refused.value.errors] == [
        "line 2, column quarter: Q1 2027 has not started yet (it starts on "
        "2027-01-01): no realisation can be entered for it"
    ]
    # Next year's contract with its targets only is prepared before it starts.
    result = import_performance(
        csv_of([row(year="2027", quarter="1", realisation="")]), scope=[dikes.pk], today=DEC_6
    )
    assert result.created["targets"] == 1


def test_the_command_writes_a_late_value_marked_late_as_the_administrators(tmp_path):
    path = tmp_path / "performance.csv"
    path.write_text(
        csv_of(
            [
                row(year="2026", quarter="3", realisation="96.4"),  # closed: late
                row(year="2026", quarter="4", realisation="88"),  # open: in time
            ]
        )
    )
    with time_machine.travel(DEC_6_WITA, tick=False):
        call_in_indonesian("import_performance", str(path), stdout=io.StringIO())

    q3, q4 = Realisation.objects.order_by("quarter")
    assert q3.value == D("96.4") and q3.late_entered_at == DEC_6_WITA
    assert q4.late_entered_at is None
    record = q3.history.get()
    assert (record.history_user.username, record.history_change_reason) == (
        "system-cli",
        "import by administrator",
    )
    assert q4.history.get().history_change_reason == "CSV import"
    assert not LateChange.objects.exists()


def test_an_upload_without_a_reason_refuses_its_late_rows(dikes):
    before = snapshot()
    with pytest.raises(ImportFailed) as refused:
        import_performance(
            csv_of(
                [
                    row(year="2026", quarter="3", realisation="96.4"),
                    row(year="2026", quarter="4", realisation="88"),
                ]
            ),
            scope=[dikes.pk],
            today=DEC_6,
        )
    assert [str(e) for e in refused.value.errors] == [
        "line 2, column realisation: Q3 2026 closed on 2026-10-15: a new or changed "
        "realisation is a late change, which waits for an approver's confirmation and needs "
        "a reason (give one in the upload form)"
    ]
    assert snapshot() == before


def test_an_upload_with_a_reason_makes_its_late_rows_wait_for_an_approver(dikes):
    import_performance(
        csv_of(
            [
                row(year="2026", quarter="3", realisation="80"),
                row(year="2026", quarter="4", realisation=""),
            ]
        ),
        today=DEC_6,
        mark_late=False,
    )
    data = csv_of(
        [
            row(year="2026", quarter="3", realisation="96.4"),
            row(year="2026", quarter="4", realisation="88"),
        ]
    )

    result = import_performance(
        data, scope=[dikes.pk], today=DEC_6, late_reason="Revisi data dinas kabupaten"
    )

    assert result.created["late changes"] == 1
    change = LateChange.objects.get()
    assert (change.quarter, change.old_value, change.new_value, change.reason) == (
        3,
        D(80),
        D("96.4"),
        "Revisi data dinas kabupaten",
    )
    # Q3 keeps the value that counts; Q4 (open) is saved.
    assert dict(Realisation.objects.values_list("quarter", "value")) == {3: D(80), 4: D(88)}
    # The same file again changes nothing.
    again = import_performance(
        data, scope=[dikes.pk], today=DEC_6, late_reason="Revisi data dinas kabupaten"
    )
    assert again.unchanged["late changes"] == 1 and LateChange.objects.count() == 1
