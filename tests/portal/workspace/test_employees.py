"""The civil servants' pages of the workspace (issue 23): the list (searchable, paginated,
bounded in queries), a new hire, an edit, a transfer and the end of employment by the
agency's HR officer; another agency's officer gets a 404 and changes nothing."""

import datetime

import pytest
from django.urls import reverse

from agencies.models import Agency, AuditEvent
from performance import employees
from performance.models import Employee, EmployeePosting, PerformanceContract, PersonalDataAccess
from portal.workspace.forms import ContractCreateForm
from tests.factories import EmployeeFactory
from tests.portal.workspace.data import contract_of

pytestmark = pytest.mark.django_db
Status = PerformanceContract.Status
NIP = "196501012020011999"


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def baiq(cast):
    return EmployeeFactory(agency=cast.agency_a, name="Baiq Nurul Aini")


def _listed(response) -> list[str]:
    return [e.name for e in response.context["page"].object_list]


def test_list_shows_the_officers_staff_only_and_searches_name_and_nip(cast, officer_a, baiq):
    EmployeeFactory(agency=cast.agency_a, name="Lalu Ahmad")
    EmployeeFactory(agency=cast.agency_b, name="Baiq Other Agency")
    url = reverse("workspace:employees")
    assert _listed(officer_a.get(url)) == ["Baiq Nurul Aini", "Lalu Ahmad"]
    assert _listed(officer_a.get(url, {"q": "baiq"})) == ["Baiq Nurul Aini"]
    assert _listed(officer_a.get(url, {"q": baiq.nip[:10]})) == ["Baiq Nurul Aini"]
    assert PersonalDataAccess.objects.filter(user=cast.officer_a, employee=None).exists()


def test_list_shows_ended_employees_on_request(cast, officer_a, baiq):
    EmployeeFactory(agency=cast.agency_a, name="Retired", ended_on=datetime.date(2025, 1, 31))
    url = reverse("workspace:employees")
    assert _listed(officer_a.get(url)) == ["Baiq Nurul Aini"]
    assert _listed(officer_a.get(url, {"status": "ended"})) == ["Retired"]
    assert _listed(officer_a.get(url, {"status": ""})) == ["Baiq Nurul Aini", "Retired"]
    assert _listed(officer_a.get(url, {"page": "1"})) == ["Baiq Nurul Aini"]


@pytest.mark.parametrize("count", [3, 60])
def test_list_is_bounded_in_queries(cast, officer_a, django_assert_max_num_queries, count):
    """The same queries for 3 civil servants as for 60 (two pages)."""
    for n in range(count):
        EmployeeFactory(agency=cast.agency_a, name=f"Pegawai {n:03d}")
    with django_assert_max_num_queries(9):
        response = officer_a.get(reverse("workspace:employees"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(count, 50)


def test_detail_is_bounded_in_queries(cast, officer_a, baiq, django_assert_max_num_queries):
    for year in (2024, 2025, 2026):
        contract_of(cast.agency_a, employee=baiq, year=year, indicators=1)
    with django_assert_max_num_queries(10):
        response = officer_a.get(reverse("workspace:employee", args=[baiq.pk]))
    assert response.status_code == 200
    assert len(response.context["contracts"]) == 3


def test_officer_adds_a_civil_servant(cast, officer_a, english):
    response = officer_a.post(
        reverse("workspace:employee_create"),
        {
            "agency": cast.agency_a.pk,
            "nip": NIP,
            "name": "Lalu Ahmad",
            "position": "Analis",
            "start": "2025-03-01",
        },
    )
    employee = Employee.objects.get(nip=NIP)
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:employee", args=[employee.pk])
    assert employee.agency == cast.agency_a
    assert employee.postings.get().start == datetime.date(2025, 3, 1)
    assert AuditEvent.objects.get(action="employee.add").actor == cast.officer_a


def test_an_invalid_nip_is_named_and_nothing_is_saved(cast, officer_a, english):
    response = officer_a.post(
        reverse("workspace:employee_create"),
        {"agency": cast.agency_a.pk, "nip": "196501012020013999", "name": "Lalu Ahmad"},
    )
    assert response.status_code == 200
    assert "digit 15" in " ".join(response.context["form"].errors["nip"])
    assert not Employee.objects.exists() and not AuditEvent.objects.exists()


def test_a_duplicate_nip_is_refused(cast, officer_a, baiq):
    response = officer_a.post(
        reverse("workspace:employee_create"),
        {"agency": cast.agency_a.pk, "nip": baiq.nip, "name": "Someone"},
    )
    assert response.status_code == 200 and "nip" in response.context["form"].errors
    assert Employee.objects.count() == 1


def test_officer_cannot_add_to_another_agency(cast, officer_b):
    response = officer_b.post(
        reverse("workspace:employee_create"),
        {"agency": cast.agency_a.pk, "nip": NIP, "name": "Lalu Ahmad"},
    )
    assert response.status_code == 200 and "agency" in response.context["form"].errors
    assert not Employee.objects.exists()


def test_officer_edits_a_civil_servant(cast, officer_a, baiq):
    response = officer_a.post(
        reverse("workspace:employee_edit", args=[baiq.pk]),
        {"nip": baiq.nip, "name": "Baiq Nurul Aini, S.K.M.", "position": "Epidemiolog"},
    )
    assert response.status_code == 302
    baiq.refresh_from_db()
    assert (baiq.name, baiq.position) == ("Baiq Nurul Aini, S.K.M.", "Epidemiolog")
    event = AuditEvent.objects.get(action="employee.edit")
    assert set(event.details["after"]) == {"name", "position"}


def test_officer_transfers_mid_year_and_the_new_agency_finds_the_draft(
    cast, officer_a, officer_b, baiq
):
    old = contract_of(cast.agency_a, employee=baiq, status=Status.APPROVED)
    response = officer_a.post(
        reverse("workspace:employee_transfer", args=[baiq.pk]),
        {"agency": cast.agency_b.pk, "on": "2025-07-01"},
    )
    # Officer A may no longer read them: back to the list.
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:employees")
    assert officer_a.get(reverse("workspace:employee", args=[baiq.pk])).status_code == 404
    # Officer A keeps the old SKP (Q1-Q2); officer B reads the civil servant and the draft.
    kept = officer_a.get(reverse("workspace:contract", args=[old.pk]))
    assert kept.status_code == 200
    # No link to a civil servant who is another agency's now (it would be a 404).
    assert reverse("workspace:employee", args=[baiq.pk]) not in kept.content.decode()
    draft = officer_b.get(
        reverse("workspace:contract", args=[baiq.contracts.get(agency=cast.agency_b).pk])
    )
    assert reverse("workspace:employee", args=[baiq.pk]) in draft.content.decode()
    page = officer_b.get(reverse("workspace:employee", args=[baiq.pk]))
    assert page.status_code == 200
    (new,) = page.context["contracts"]
    assert (new.agency, new.status, new.year) == (cast.agency_b, Status.DRAFT, 2025)
    assert [p.agency for p in page.context["postings"]] == [cast.agency_a, cast.agency_b]
    # The transfer is in both agencies' trails, and once on the page.
    assert [e.action for e, _label in page.context["events"]] == ["employee.transfer"]
    assert "DIKES → DIKBUD" in page.content.decode()


def test_a_refused_transfer_says_why_on_the_form(cast, officer_a, baiq, english):
    employees_posting = EmployeePosting.objects.create(
        employee=baiq, agency=cast.agency_a, start=datetime.date(2025, 6, 1)
    )
    response = officer_a.post(
        reverse("workspace:employee_transfer", args=[baiq.pk]),
        {"agency": cast.agency_b.pk, "on": "2025-05-01"},
    )
    assert response.status_code == 200
    assert "after" in " ".join(response.context["form"].errors["on"])
    employees_posting.refresh_from_db()
    assert employees_posting.end is None
    baiq.refresh_from_db()
    assert baiq.agency == cast.agency_a


def test_officer_ends_employment(cast, officer_a, baiq):
    response = officer_a.post(
        reverse("workspace:employee_end", args=[baiq.pk]),
        {"on": "2025-06-30", "reason": "Pensiun"},
    )
    assert response.status_code == 302
    baiq.refresh_from_db()
    assert baiq.ended_on == datetime.date(2025, 6, 30)
    assert Employee.objects.filter(pk=baiq.pk).exists()  # kept
    assert officer_a.get(reverse("workspace:employee", args=[baiq.pk])).status_code == 200


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("workspace:employee", None),
        ("workspace:employee_edit", {"nip": "", "name": "X"}),
        ("workspace:employee_transfer", {"agency": "", "on": "2025-07-01"}),
        ("workspace:employee_end", {"on": "2025-06-30", "reason": "Pensiun"}),
    ],
)
def test_another_agencys_officer_gets_404_and_changes_nothing(cast, officer_b, baiq, name, data):
    url = reverse(name, args=[baiq.pk])
    assert officer_b.get(url).status_code == 404
    if data is not None:
        data = dict(data, agency=cast.agency_b.pk) if "agency" in data else data
        assert officer_b.post(url, data).status_code == 404
    baiq.refresh_from_db()
    assert (baiq.agency, baiq.name, baiq.ended_on) == (cast.agency_a, "Baiq Nurul Aini", None)
    assert not AuditEvent.objects.exists() and not EmployeePosting.objects.exists()


def test_approver_reads_but_cannot_change(cast, approver_a, baiq):
    assert approver_a.get(reverse("workspace:employee", args=[baiq.pk])).status_code == 200
    url = reverse("workspace:employee_end", args=[baiq.pk])
    assert approver_a.post(url, {"on": "2025-06-30", "reason": "x"}).status_code == 404


def test_a_new_skp_is_refused_for_an_ended_employee(cast, baiq):
    employee = baiq
    employees.end_employment(
        actor=cast.officer_a, employee=employee, on=datetime.date(2025, 12, 31), reason="Pensiun"
    )
    form = ContractCreateForm(
        {"agency": cast.agency_a.pk, "holder": "employee", "nip": employee.nip, "year": 2026},
        agencies=Agency.objects.filter(pk=cast.agency_a.pk),
    )
    assert not form.is_valid() and "nip" in form.errors
