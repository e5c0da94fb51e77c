"""What a citizen needs to use a service (issue 21): the service standard first on the service
page, "not provided yet" where a component is missing; the follow-up plans with their status
in words; a search that finds a service by what a person needs; the open data of the
standards, the service figures and the plans. Both languages, bounded queries."""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from agencies.models import ANSWER_FIELDS, FollowUpPlan, ServiceMetric
from performance.services import recompute_scores
from tests.factories import (
    AgencyFactory,
    ServiceFactory,
    ServiceMetricFactory,
    SurveyResponseFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 2, 1, 10, 0, tzinfo=datetime.UTC)  # Q4 2025 has closed
# The service page's 8, its plans and their updates, the survey sums that may call for a plan;
# with no published run (as here) the two years' stored schemes too.
MAX_QUERIES = 11
Status = FollowUpPlan.Status
Kind = ServiceMetric.Kind


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def en(client):
    client.cookies["lang"] = "en"
    return client


@pytest.fixture
def ktp(cast):
    return ServiceFactory(
        agency=cast.agency_a,
        code="KTP-EL",
        name="Penerbitan KTP-el",
        standard_days=1,
        fee=Decimal(0),
        fee_note="Tidak dipungut biaya (UU 24/2013)",
        requirements="- Fotokopi Kartu Keluarga\n- Surat pengantar RT/RW",
        procedure="1. Ambil nomor antrean\n2. Perekaman sidik jari\n3. Ambil KTP-el",
        location="Kantor Dinas, Jl. Udayana 4, Mataram",
        opening_hours="Senin-Jumat 08.00-15.00",
        complaint_url="https://www.lapor.go.id",
        complaint_contact="WhatsApp 0812-0000-1111",
        standard_updated_at=datetime.datetime(2026, 1, 15, 3, 0, tzinfo=datetime.UTC),
    )


def graded_c(service, quarter=4):
    answers = dict.fromkeys(ANSWER_FIELDS, 3) | {"u3": 1}  # IKM 69.44, grade C
    SurveyResponseFactory.create_batch(10, service=service, year=2025, quarter=quarter, **answers)


def plan(service, **changes):
    values = {
        "year": 2025,
        "quarter": 4,
        "action": "Menambah loket perekaman",
        "unit": "Bidang Pelayanan Pendaftaran Penduduk",
        "due_date": datetime.date(2026, 1, 31),
        "status": Status.IN_PROGRESS,
    } | changes
    return FollowUpPlan.objects.create(service=service, **values)


def page(client, service, django_assert_max_num_queries) -> str:
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(service.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, heading: str) -> str:
    return html.split(f'id="{heading}"')[1].split("</section>")[0]


# --- the service page -------------------------------------------------------------------------


def test_the_service_page_shows_the_standard_before_the_survey_results(
    en, ktp, django_assert_max_num_queries
):
    graded_c(ktp, quarter=3)
    html = page(en, ktp, django_assert_max_num_queries)
    assert html.index('id="standard-heading"') < html.index('id="ikm-heading"')
    assert html.index('id="standard-heading"') < html.index('id="plans-heading"')
    standard = section(html, "standard-heading")
    # Lists without the typed bullets and numbers: the page numbers them itself.
    assert "<ul><li>Fotokopi Kartu Keluarga</li><li>Surat pengantar RT/RW</li></ul>" in standard
    assert "<ol><li>Ambil nomor antrean</li><li>Perekaman sidik jari</li>" in standard
    assert "1 day" in standard and "free of charge" in standard
    assert "Tidak dipungut biaya (UU 24/2013)" in standard
    assert "Kantor Dinas, Jl. Udayana 4, Mataram" in standard
    assert "Senin-Jumat 08.00-15.00" in standard
    assert 'href="https://www.lapor.go.id" rel="external noopener"' in standard
    assert "Complain online (SP4N-LAPOR!)" in standard and "WhatsApp 0812-0000-1111" in standard
    assert "Service standard last updated on Jan. 15, 2026." in html
    assert "not provided yet" not in standard


def test_a_missing_component_says_not_provided_yet(en, cast, django_assert_max_num_queries):
    service = ServiceFactory(agency=cast.agency_a, standard_days=None, fee=None)
    standard = section(page(en, service, django_assert_max_num_queries), "standard-heading")
    # requirements, procedure, time, fee, where, hours, complaints
    assert standard.count("not provided yet") == 7
    assert "last updated" not in standard


def test_the_standard_in_indonesian(client, ktp, django_assert_max_num_queries):
    standard = section(page(client, ktp, django_assert_max_num_queries), "standard-heading")
    assert "Persyaratan" in standard and "Prosedur" in standard and "1 hari" in standard
    assert "Jam pelayanan" in standard and "gratis" in standard
    service = ServiceFactory(agency=ktp.agency, fee=None)
    assert "belum tersedia" in section(
        page(client, service, django_assert_max_num_queries), "standard-heading"
    )


def test_a_plans_status_is_public_in_words_with_its_updates(en, ktp, django_assert_max_num_queries):
    graded_c(ktp)
    late = plan(ktp)
    late.updates.create(on=datetime.date(2026, 1, 10), text="Satu loket dibuka", status="planned")
    late.updates.create(
        on=datetime.date(2026, 1, 20),
        text="Menunggu perangkat",
        status=Status.IN_PROGRESS,
        previous_due_date=datetime.date(2025, 12, 31),
        due_date=datetime.date(2026, 1, 31),
    )
    plan(
        ktp,
        action="Pelatihan petugas",
        status=Status.DONE,
        completed_on=datetime.date(2026, 1, 25),
        due_date=datetime.date(2026, 1, 30),
    )
    plans = section(page(en, ktp, django_assert_max_num_queries), "plans-heading")
    assert "Menambah loket perekaman" in plans and "Pelatihan petugas" in plans
    assert "Bidang Pelayanan Pendaftaran Penduduk" in plans
    # Status in words with a shape, not colour alone; the late one marked overdue.
    assert '<span class="shape" aria-hidden="true">◐</span> in progress' in plans
    assert '<span class="shape" aria-hidden="true">✔</span> done' in plans
    assert plans.count("Overdue: due 01/31/2026") == 1
    assert "Completed on" in plans and "Jan. 25, 2026" in plans
    assert "Menunggu perangkat" in plans and "Satu loket dibuka" in plans
    assert "Due date moved from Dec. 31, 2025 to Jan. 31, 2026." in plans
    assert plans.index("Menunggu perangkat") < plans.index("Satu loket dibuka")  # newest first
    # Answered (a plan of the quarter): no call left open.
    assert "No follow-up plan answers it yet." not in plans


def test_the_plans_in_indonesian(client, ktp, django_assert_max_num_queries):
    plan(ktp)
    plans = section(page(client, ktp, django_assert_max_num_queries), "plans-heading")
    assert "Rencana tindak lanjut" in plans and "sedang berjalan" in plans
    assert "Terlambat" in plans


def test_a_c_graded_service_without_a_plan_says_so(en, ktp, django_assert_max_num_queries):
    graded_c(ktp)
    plans = section(page(en, ktp, django_assert_max_num_queries), "plans-heading")
    assert "The survey of Q4 2025 calls for a follow-up plan" in plans
    assert "U3 completion time (1.00)" in plans
    assert "No follow-up plan answers it yet." in plans


def test_a_service_without_a_call_or_plan_says_none_is_needed(
    en, ktp, django_assert_max_num_queries
):
    plans = section(page(en, ktp, django_assert_max_num_queries), "plans-heading")
    assert "do not call for one" in plans


def test_the_service_page_stays_bounded_with_many_plans_and_updates(
    en, ktp, django_assert_max_num_queries
):
    graded_c(ktp)
    for n in range(8):
        p = plan(ktp, action=f"Tindakan {n}")
        for d in range(3):
            p.updates.create(
                on=datetime.date(2026, 1, 1 + d), text=f"Catatan {n}.{d}", status="planned"
            )
    html = page(en, ktp, django_assert_max_num_queries)
    assert html.count("Catatan ") == 24


# --- finding a service by need ----------------------------------------------------------------


@pytest.fixture
def catalogue(cast, ktp):
    perizinan = AgencyFactory(name="Dinas Penanaman Modal dan PTSP", acronym="DPMPTSP")
    izin = ServiceFactory(
        agency=perizinan,
        code="IZIN-USAHA",
        name="Perizinan Berusaha Berbasis Risiko",
        requirements="NIB\nKTP pemohon",
    )
    akta = ServiceFactory(agency=cast.agency_a, code="AKTA", name="Penerbitan Akta Kelahiran")
    hidden = AgencyFactory(name="Unit Internal", is_public=False)
    ServiceFactory(agency=hidden, code="KTP-X", name="KTP internal")
    return {"ktp": ktp, "izin": izin, "akta": akta}


def search(client, django_assert_max_num_queries, **params):
    with django_assert_max_num_queries(4):
        response = client.get(reverse("service_search"), params)
    assert response.status_code == 200
    return response


def names(response) -> list[str]:
    return [s.name for s in response.context["page"]]


@pytest.mark.parametrize(
    ("q", "found"),
    [
        # by name first, then by what a service requires
        ("KTP", ["Penerbitan KTP-el", "Perizinan Berusaha Berbasis Risiko"]),
        ("ktp", ["Penerbitan KTP-el", "Perizinan Berusaha Berbasis Risiko"]),
        ("izin usaha", ["Perizinan Berusaha Berbasis Risiko"]),
        ("akta", ["Penerbitan Akta Kelahiran"]),
        ("DPMPTSP", ["Perizinan Berusaha Berbasis Risiko"]),  # the agency's acronym
        ("kesehatan akta", ["Penerbitan Akta Kelahiran"]),  # the agency's name and the service
        ("paspor", []),
    ],
)
def test_a_service_is_found_by_what_a_person_needs(
    en, catalogue, q, found, django_assert_max_num_queries
):
    assert names(search(en, django_assert_max_num_queries, q=q)) == found


def test_the_search_lists_every_public_service_without_a_query(
    en, catalogue, django_assert_max_num_queries
):
    response = search(en, django_assert_max_num_queries)
    assert names(response) == [
        "Penerbitan Akta Kelahiran",
        "Penerbitan KTP-el",
        "Perizinan Berusaha Berbasis Risiko",
    ]
    assert "3 public services, by name." in response.content.decode()


def test_the_search_page_in_both_languages(en, catalogue, django_assert_max_num_queries):
    html = search(en, django_assert_max_num_queries, q="izin usaha").content.decode()
    assert "1 service found for “izin usaha”." in html
    assert f'href="{catalogue["izin"].get_absolute_url()}"' in html
    assert "Processing time: 5 days" in html
    indonesian = Client()
    html = search(indonesian, django_assert_max_num_queries, q="paspor").content.decode()
    assert "Tidak ada layanan" in html
    html = search(indonesian, django_assert_max_num_queries, q="akta").content.decode()
    assert "1 layanan ditemukan untuk “akta”." in html


def test_the_home_page_has_the_search_form(db):
    for language in ("id", "en"):
        client = Client()
        client.cookies["lang"] = language
        html = client.get(reverse("home")).content.decode()
        assert f'action="{reverse("service_search")}"' in html
        assert 'method="get"' in html and 'name="q"' in html and 'type="search"' in html


def test_the_search_is_cached_per_query_and_ignores_other_parameters(
    en, catalogue, django_assert_max_num_queries
):
    first = en.get(reverse("service_search"), {"q": "akta", "utm_source": "x"})
    with django_assert_max_num_queries(1):
        again = en.get(reverse("service_search"), {"q": "akta"})
    assert again.content == first.content and "utm_source" not in first.content.decode()


# --- open data --------------------------------------------------------------------------------


def rows(client, dataset, **params):
    url = reverse("open_data_file", args=[dataset, "json"])
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    table = list(
        csv.DictReader(
            io.StringIO(client.get(url.replace(".json", ".csv"), params).content.decode())
        )
    )
    payload = json.loads(response.content)["rows"]
    assert len(table) == len(payload)
    return payload, table


def test_the_plans_are_open_data_with_their_status(client, cast, ktp):
    late = plan(ktp)
    late.updates.create(
        on=datetime.date(2026, 1, 20), text="Menunggu perangkat", status="in_progress"
    )
    plan(ktp, action="Pelatihan", status=Status.DONE, completed_on=datetime.date(2026, 1, 25))
    hidden = ServiceFactory(agency=AgencyFactory(is_public=False))
    plan(hidden, action="Rahasia internal")
    recompute_scores(year=2025)
    payload, table = rows(client, "follow-up-plans")
    assert [r["action"] for r in payload] == ["Menambah loket perekaman", "Pelatihan"]
    first = payload[0]
    assert first["agency_code"] == "DIKES" and first["service_code"] == "KTP-EL"
    assert (first["survey_year"], first["survey_quarter"]) == (2025, 4)
    assert (first["status"], first["overdue"], first["due_date"]) == (
        "in_progress",
        True,
        "2026-01-31",
    )
    assert first["updates"] == 1 and first["last_update_on"] == "2026-01-20"
    assert first["update_log"] == "2026-01-20 (in_progress): Menunggu perangkat"
    assert (payload[1]["status"], payload[1]["overdue"], payload[1]["completed_on"]) == (
        "done",
        False,
        "2026-01-25",
    )
    assert table[0]["status"] == "in_progress" and table[0]["overdue"] == "true"
    assert table[1]["overdue"] == "false"
    # One agency, or a year of surveys.
    assert rows(client, "follow-up-plans", agency="dikbud")[0] == []
    assert len(rows(client, "follow-up-plans", agency="dikes", year=2025)[0]) == 2


def test_the_service_figures_are_open_data(client, ktp):
    for kind, value in (
        (Kind.APPLICATIONS, 120),
        (Kind.COMPLETED_ON_TIME, 90),
        (Kind.COMPLETED_LATE, 10),
        (Kind.AVG_PROCESSING_DAYS, Decimal("1.5")),
        (Kind.COMPLAINTS_RECEIVED, 6),
        (Kind.COMPLAINTS_RESOLVED, 4),
        (Kind.USERS, 118),
    ):
        ServiceMetricFactory(service=ktp, year=2025, quarter=2, kind=kind, value=value)
    ServiceMetricFactory(service=ktp, year=2025, quarter=3, kind=Kind.USERS, value=40)
    payload, table = rows(client, "service-figures")
    assert payload[0] == {
        "agency_code": "DIKES",
        "service_code": "KTP-EL",
        "year": 2025,
        "quarter": 2,
        "applications": 120.0,
        "completed_on_time": 90.0,
        "completed_late": 10.0,
        "avg_processing_days": 1.5,
        "complaints_received": 6.0,
        "complaints_resolved": 4.0,
        "users": 118.0,
        "on_time_percent": 90.0,
        "complaints_resolved_percent": 66.67,
    }
    assert (payload[1]["quarter"], payload[1]["users"], payload[1]["applications"]) == (3, 40, None)
    assert table[0]["avg_processing_days"] == "1.5" and table[0]["users"] == "118"
    assert table[1]["applications"] == ""


def test_the_services_file_carries_the_standard(client, ktp):
    payload, table = rows(client, "services")
    [service] = payload
    assert service["requirements"] == "- Fotokopi Kartu Keluarga\n- Surat pengantar RT/RW"
    assert service["complaint_url"] == "https://www.lapor.go.id"
    assert service["fee"] == 0 and service["standard_days"] == 1
    assert table[0]["procedure"].splitlines()[0] == "1. Ambil nomor antrean"
    assert table[0]["standard_updated_at"] == "2026-01-15T11:00:00+08:00"


def test_codes_and_acronyms_match_by_their_start(en, cast, django_assert_max_num_queries):
    ServiceFactory(agency=cast.agency_a, code="KK", name="Penerbitan Kartu Keluarga")
    hewan = AgencyFactory(name="Dinas Peternakan", acronym="DISNAKKESWAN")
    ServiceFactory(agency=hewan, code="SKK", name="Kesehatan Hewan")
    assert names(search(en, django_assert_max_num_queries, q="kk")) == ["Penerbitan Kartu Keluarga"]


def test_the_methodology_states_the_schemes_follow_up_threshold(en):
    html = en.get(reverse("methodology")).content.decode()
    row = html.split("A service needs a follow-up plan when")[1].split("</tr>")[0]
    assert "2.75" in row and "Province policy" in row
