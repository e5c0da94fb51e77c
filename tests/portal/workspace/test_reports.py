"""What auditors take away (issue 23): the audit trail as CSV with the page's filters, the
report of late changes and the report of uploads, each with its CSV; every role over its
own agencies, the auditor over all of them."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies.audit import record, system_actor
from agencies.models import AuditEvent
from performance import late
from performance.models import LateChange, PersonalDataAccess
from portal.workspace import reports
from tests.factories import ContractFactory, EmployeeFactory
from tests.performance.late_data import agency_pk, row, save

from .data import keep_quarters_open

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media", "english")]

DEC_6 = datetime.datetime(2026, 12, 6, 1, 0, tzinfo=datetime.UTC)  # 09:00 WITA


def read(response) -> list[dict]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


# --- the audit trail as CSV ------------------------------------------------------------


def test_the_audit_csv_has_one_line_per_changed_field_with_the_pages_filters(
    cast, officer_a, auditor, monkeypatch
):
    monkeypatch.setattr(reports, "CHUNK", 2)  # several chunks of the streamed file
    for n in range(3):
        contract = ContractFactory(agency=cast.agency_a, year=2024 + n)
        contract._change_reason = "dibuat"
        contract.return_reason = f"perbaiki {n}"
        contract.save()
    ContractFactory(agency=cast.agency_b, year=2026)
    rows = read(officer_a.get(reverse("workspace:audit_csv") + "?kind=contract"))
    assert list(rows[0]) == reports.AUDIT_HEADER
    changed = [r for r in rows if r["field"] == "reason for return"]
    assert sorted(r["after"] for r in changed) == ["perbaiki 0", "perbaiki 1", "perbaiki 2"]
    assert {r["subject"].rsplit(" ", 1)[0] for r in rows} == {cast.agency_a.name}
    assert all(r["at"].endswith("+08:00") for r in rows)  # WITA
    # The auditor's trail holds agency B's too; a filter narrows it like the page's.
    every = read(auditor.get(reverse("workspace:audit_csv") + "?kind=contract"))
    assert cast.agency_b.name in {r["subject"].rsplit(" ", 1)[0] for r in every}
    only_b = read(
        auditor.get(reverse("workspace:audit_csv") + f"?kind=contract&agency={cast.agency_b.pk}")
    )
    assert {r["subject"].rsplit(" ", 1)[0] for r in only_b} == {cast.agency_b.name}
    # An agency outside the officer's choices is a bad filter, not "every agency".
    bad = officer_a.get(reverse("workspace:audit_csv") + f"?agency={cast.agency_b.pk}")
    assert bad.status_code == 400 and "agency" in bad.content.decode()


def test_the_audit_page_links_its_csv_with_its_filters(cast, officer_a):
    ContractFactory(agency=cast.agency_a, year=2026)
    html = officer_a.get(reverse("workspace:audit") + "?kind=contract&since=2026-01-01")
    assert 'href="/workspace/audit.csv?kind=contract&amp;since=2026-01-01"' in html.content.decode()


# --- late changes --------------------------------------------------------------------------


@pytest.fixture
def late_changes(cast, time_machine):
    """In agency A a confirmed and a pending late change of 2026 Q3, in agency B a pending
    one of an SKP."""
    time_machine.move_to(DEC_6, tick=False)
    a = agency_pk(cast.agency_a)
    save(a, [row(a, "IKU1", "85")], cast.officer_a)
    late.confirm(list(LateChange.objects.values_list("pk", flat=True)), cast.approver_a, "Oke")
    save(a, [row(a, "IKU2", "95")], cast.officer_a)
    skp = agency_pk(cast.agency_b)
    skp.employee = EmployeeFactory(agency=cast.agency_b, name="Lalu Fikri")
    skp.save()
    save(skp, [row(skp, "IKU1", "70")], cast.officer_b)
    return a, skp


def test_the_late_report_lists_every_state_of_the_users_agencies(
    cast, officer_a, auditor, late_changes
):
    response = officer_a.get(reverse("workspace:late_report"))
    html = response.content.decode()
    assert response.context["page"].paginator.count == 2
    assert "confirmed" in html and "awaiting confirmation" in html and "Lalu Fikri" not in html
    pending = officer_a.get(reverse("workspace:late_report") + "?status=pending")
    assert pending.context["page"].paginator.count == 1
    assert auditor.get(reverse("workspace:late_report")).context["page"].paginator.count == 3


def test_the_late_report_csv(cast, auditor, late_changes):
    before = PersonalDataAccess.objects.count()
    rows = read(auditor.get(reverse("workspace:late_report_csv") + "?year=2026"))
    assert list(rows[0]) == reports.LATE_HEADER
    by_code = {(r["agency_code"], r["indicator_code"], r["status"]): r for r in rows}
    confirmed = by_code[(cast.agency_a.code, "IKU1", "confirmed")]
    assert (confirmed["value_before"], confirmed["new_value"], confirmed["quarter"]) == (
        "80.0000",
        "85.0000",
        "3",
    )
    assert (confirmed["entered_by"], confirmed["decided_by"], confirmed["note"]) == (
        cast.officer_a.username,
        cast.approver_a.username,
        "Oke",
    )
    assert (cast.agency_b.code, "IKU1", "pending") in by_code
    # The SKP's row is a civil servant's record: the access is logged.
    assert PersonalDataAccess.objects.count() == before + 1
    assert read(auditor.get(reverse("workspace:late_report_csv") + "?year=2025")) == []


# --- uploads -----------------------------------------------------------------------------

GOOD = (
    "agency_code,holder,employee_name,position,year,quarter,indicator_code,indicator,"
    "unit,direction,weight,target,realisation\n"
    "DIKES,agency,,,2025,1,IKU1,Persentase persalinan di fasilitas kesehatan,%,higher,40,85,88.2\n"
    "DIKES,agency,,,2025,1,IKU2,Angka kematian bayi,per 1.000,lower,60,12,13.5\n"
)


def test_an_upload_is_recorded_and_reported(cast, officer_a, approver_a, officer_b, auditor):
    keep_quarters_open(2025)
    preview = officer_a.post(
        reverse("workspace:upload"),
        {"file": SimpleUploadedFile("pk-dikes.csv", GOOD.encode(), "text/csv")},
    )
    officer_a.post(
        reverse("workspace:upload_confirm"), {"token": preview.context["confirm"]["token"].value()}
    )
    event = AuditEvent.objects.get(action="upload:performance")
    assert (event.actor, event.subject, event.agency) == (
        cast.officer_a,
        "pk-dikes.csv",
        cast.agency_a,
    )
    # A command-line import (no agency): the auditor's report only.
    record(system_actor("cli"), "import:import_services", "services.csv", rows=3)
    for client, seen in ((officer_a, 1), (approver_a, 1), (officer_b, 0), (auditor, 2)):
        assert client.get(reverse("workspace:uploads_report")).context["page"].paginator.count == (
            seen
        )
    html = officer_a.get(reverse("workspace:uploads_report")).content.decode()
    assert "pk-dikes.csv" in html and "Contracts and realisations" in html
    rows = read(auditor.get(reverse("workspace:uploads_report_csv")))
    assert list(rows[0]) == reports.UPLOAD_HEADER
    upload_row = next(r for r in rows if r["kind"] == "upload:performance")
    # 2 rows: a contract, 2 indicators, 2 targets and 2 realisations created.
    assert (upload_row["rows"], upload_row["created"], upload_row["updated"]) == ("2", "7", "0")
    assert upload_row["agency_code"] == cast.agency_a.code
    assert {r["file"] for r in rows} == {"pk-dikes.csv", "services.csv"}


def test_report_filters_are_checked(cast, officer_a):
    bad = officer_a.get(reverse("workspace:uploads_report") + f"?agency={cast.agency_b.pk}")
    assert bad.status_code == 400
    assert officer_a.get(reverse("workspace:late_report_csv") + "?year=abc").status_code == 400
