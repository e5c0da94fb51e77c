"""Import of services.csv (issue 21): the services of each agency with their service
standard, upserted on (agency, service code), texts over several lines in a quoted cell,
all-or-nothing with `line N, column C: reason`."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError

from agencies.csvio import ImportFailed
from agencies.imports import SERVICE_COLUMNS, import_services
from agencies.models import AuditEvent, Service
from tests.conftest import call_in_indonesian, snapshot
from tests.factories import AgencyFactory, ServiceFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "agency_code,service_code,service_name,standard_days,fee,fee_note,requirements,"
    "procedure,location,opening_hours,complaint_url,complaint_contact"
)
KTP = (
    'DUKCAPIL,KTP-EL,Penerbitan KTP-el,1,0,,"Fotokopi Kartu Keluarga\n'
    'Surat pengantar RT/RW","1. Ambil nomor antrean\n2. Perekaman biometrik\n3. Ambil KTP-el",'
    '"Kantor Dukcapil, Jl. Udayana 4, Mataram",Senin-Jumat 08.00-15.00,'
    "https://www.lapor.go.id,WhatsApp 0812-3456-7890"
)
AKTA = "DUKCAPIL,AKTA-LAHIR,Penerbitan Akta Kelahiran,,,Gratis sesuai UU 24/2013,,,,,,"


@pytest.fixture(autouse=True)
def _english(english):
    """Messages in English: the tests compare exact texts."""


@pytest.fixture
def dukcapil():
    return AgencyFactory(code="DUKCAPIL", name="Dinas Dukcapil")


def csv_of(*lines: str, header: str = HEADER) -> str:
    return "\n".join([header, *lines]) + "\n"


def refusal(data) -> list[str]:
    with pytest.raises(ImportFailed) as info:
        import_services(data)
    return [str(e) for e in info.value.errors]


def test_the_header_is_the_documented_one():
    assert ",".join(SERVICE_COLUMNS) == HEADER


def test_services_are_created_with_their_standard_and_multi_line_texts(dukcapil):
    result = import_services(csv_of(KTP, AKTA))

    assert result.rows == 2 and result.created == {"services": 2}
    ktp = Service.objects.get(agency=dukcapil, code="KTP-EL")
    assert ktp.name == "Penerbitan KTP-el"
    assert (ktp.standard_days, ktp.fee) == (1, Decimal(0))
    assert ktp.requirements == "Fotokopi Kartu Keluarga\nSurat pengantar RT/RW"
    assert ktp.procedure.splitlines() == [
        "1. Ambil nomor antrean",
        "2. Perekaman biometrik",
        "3. Ambil KTP-el",
    ]
    assert ktp.location == "Kantor Dukcapil, Jl. Udayana 4, Mataram"
    assert ktp.complaint_url == "https://www.lapor.go.id"
    assert ktp.complaint_contact == "WhatsApp 0812-3456-7890"
    assert ktp.standard_updated_at is not None
    akta = Service.objects.get(code="AKTA-LAHIR")
    # Empty cells: not provided (no days, no fee), the note kept.
    assert (akta.standard_days, akta.fee, akta.fee_note) == (None, None, "Gratis sesuai UU 24/2013")
    assert akta.requirements == akta.procedure == akta.complaint_url == ""


def test_reimport_changes_nothing_and_a_change_updates_that_service_only(dukcapil):
    import_services(csv_of(KTP, AKTA))
    before = snapshot()
    result = import_services(csv_of(KTP, AKTA).replace("\n", "\r\n").encode("utf-8-sig"))
    assert snapshot() == before
    assert result.summary() == "2 rows; unchanged: services 2"

    stamp = Service.objects.get(code="AKTA-LAHIR").standard_updated_at
    result = import_services(csv_of(KTP.replace(",1,0,", ",2,0,"), AKTA))
    assert (result.updated, result.unchanged) == ({"services": 1}, {"services": 1})
    assert Service.objects.get(code="KTP-EL").standard_days == 2
    assert Service.objects.get(code="AKTA-LAHIR").standard_updated_at == stamp


def test_an_existing_service_keeps_its_survey_and_an_empty_cell_clears_a_component(dukcapil):
    service = ServiceFactory(agency=dukcapil, code="KTP-EL", name="KTP", standard_days=5)
    import_services(csv_of(KTP))
    service.refresh_from_db()
    assert (service.name, service.standard_days) == ("Penerbitan KTP-el", 1)
    import_services(csv_of(KTP.replace("WhatsApp 0812-3456-7890", "")))
    service.refresh_from_db()
    assert service.complaint_contact == ""
    assert Service.objects.count() == 1


LONG = "x" * 4001


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("DINSOS,X,Layanan,1,0,,,,,,,", "column agency_code: unknown agency 'DINSOS'"),
        (",X,Layanan,1,0,,,,,,,", "column agency_code: this field is required"),
        ("DUKCAPIL,,Layanan,1,0,,,,,,,", "column service_code: this field is required"),
        (
            "DUKCAPIL,A/B,Layanan,1,0,,,,,,,",
            "column service_code: must not contain /: it is part of the page's address",
        ),
        ("DUKCAPIL,X,,1,0,,,,,,,", "column service_name: this field is required"),
        (
            "DUKCAPIL,X,Layanan,366,0,,,,,,,",
            "column standard_days: must be between 0 and 365, got 366",
        ),
        ("DUKCAPIL,X,Layanan,2.5,0,,,,,,,", "column standard_days: '2.5' is not a whole number"),
        ("DUKCAPIL,X,Layanan,1,-5,,,,,,,", "column fee: must not be negative"),
        ("DUKCAPIL,X,Layanan,1,gratis,,,,,,,", "column fee: 'gratis' is not a number"),
        ("DUKCAPIL,X,Layanan,1,1.005,,,,,,,", "column fee: at most 12 digits and 2 decimals"),
        (
            f"DUKCAPIL,X,Layanan,1,0,,{LONG},,,,,",
            "column requirements: at most 4000 characters",
        ),
        (
            "DUKCAPIL,X,Layanan,1,0,,,,,,javascript:alert(1),",
            "column complaint_url: not a web address starting with https:// or http://: "
            "'javascript:alert(1)'",
        ),
        (
            "DUKCAPIL,X,Layanan,1,0,,,,,,lapor.go.id,",
            "column complaint_url: not a web address starting with https:// or http://: "
            "'lapor.go.id'",
        ),
        (
            "DUKCAPIL,KTP-EL,Lagi,1,0,,,,,,,",
            "column service_code: service 'KTP-EL' of agency DUKCAPIL is already on line 2",
        ),
        ("DUKCAPIL,X,Layanan,1,0", "column -: expected 12 cells, found 5"),
    ],
    ids=[
        "unknown-agency",
        "agency-blank",
        "code-blank",
        "code-with-slash",
        "name-blank",
        "days-too-many",
        "days-not-whole",
        "fee-negative",
        "fee-not-a-number",
        "fee-three-decimals",
        "requirements-too-long",
        "url-javascript",
        "url-without-scheme",
        "duplicate",
        "too-few-cells",
    ],
)
def test_a_bad_row_is_refused_with_line_and_column_and_nothing_saved(dukcapil, bad_line, message):
    import_services(csv_of(AKTA))
    before = snapshot()
    # KTP spans four physical lines (lines 2-5: texts over several lines): the bad row is on
    # line 6.
    assert refusal(csv_of(KTP, bad_line)) == [f"line 6, {message}"]
    assert snapshot() == before


def test_every_problem_of_every_row_is_reported(dukcapil):
    assert refusal(csv_of("NOPE,,,x,-1,,,,,,ftp://x,", KTP, "DUKCAPIL,Y,Y,1,0,,,,,,,")) == [
        "line 2, column agency_code: unknown agency 'NOPE'",
        "line 2, column service_code: this field is required",
        "line 2, column service_name: this field is required",
        "line 2, column standard_days: 'x' is not a whole number",
        "line 2, column fee: must not be negative",
        "line 2, column complaint_url: not a web address starting with https:// or http://: "
        "'ftp://x'",
    ]
    assert not Service.objects.exists()


def test_wrong_header_is_a_clear_error(dukcapil):
    [message] = refusal(csv_of(AKTA, header=HEADER.replace(",procedure", "")))
    assert message.startswith("line 1, column header: wrong header: missing column(s) procedure")


def test_command_imports_the_file_and_records_it(dukcapil, tmp_path):
    path = tmp_path / "services.csv"
    path.write_text(csv_of(KTP, AKTA))
    out = io.StringIO()
    call_in_indonesian("import_services", str(path), stdout=out)
    assert out.getvalue() == f"{path}: 2 rows; created: services 2\n"
    event = AuditEvent.objects.get()
    assert (event.actor.username, event.action, event.subject) == (
        "system-cli",
        "import:import_services",
        "services.csv",
    )


def test_command_lists_every_bad_row_on_stderr_and_fails(dukcapil, tmp_path):
    path = tmp_path / "services.csv"
    path.write_text(csv_of(AKTA, "DUKCAPIL,X,Layanan,1,-5,,,,,,,"))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_in_indonesian("import_services", str(path), stderr=err)
    assert err.getvalue() == "line 3, column fee: must not be negative\n"
    assert not Service.objects.exists()
