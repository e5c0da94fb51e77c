"""Staff access to an individual civil servant's records is logged (who, whose, when, which
page), so a personal-data incident can be scoped within UU 27/2022's 3 x 24 hours."""

from django.urls import reverse

from performance.models import PersonalDataAccess
from tests.portal.workspace.data import contract_of, skp_of, with_evidence


def test_opening_an_skp_logs_who_looked_at_whom(cast):
    skp = skp_of(cast.agency_a)
    url = reverse("workspace:contract", args=[skp.pk])
    assert cast.client(cast.officer_a).get(url).status_code == 200
    entry = PersonalDataAccess.objects.get()
    assert (entry.user, entry.employee, entry.agency, entry.path) == (
        cast.officer_a,
        skp.employee,
        cast.agency_a,
        url,
    )


def test_every_page_about_one_person_is_logged(cast):
    skp = skp_of(cast.agency_a)
    realisation = with_evidence(skp)
    client = cast.client(cast.officer_a)
    for url in (
        reverse("workspace:contract", args=[skp.pk]),
        reverse("workspace:contract_edit", args=[skp.pk]),
        reverse("workspace:realisations", args=[skp.pk, 1]),
        reverse("workspace:evidence", args=[realisation.pk]),
    ):
        client.get(url)
    logged = list(PersonalDataAccess.objects.values_list("employee", flat=True))
    assert logged == [skp.employee_id] * 4


def test_pages_showing_many_staff_log_the_agency(cast):
    client = cast.client(cast.officer_a)
    client.get(reverse("workspace:bulk_realisations", args=[cast.agency_a.pk, 2025, 1]))
    client.get(reverse("workspace:preview"), {"agency": cast.agency_a.pk, "year": 2025})
    rows = list(PersonalDataAccess.objects.values_list("agency", "employee"))
    assert rows == [(cast.agency_a.pk, None), (cast.agency_a.pk, None)]


def test_the_agency_pk_contract_is_not_personal(cast):
    pk_contract = contract_of(cast.agency_a)
    cast.client(cast.officer_a).get(reverse("workspace:contract", args=[pk_contract.pk]))
    assert not PersonalDataAccess.objects.exists()


def test_a_refused_attempt_on_another_agency_is_not_an_access(cast):
    skp = skp_of(cast.agency_a)
    response = cast.client(cast.officer_b).get(reverse("workspace:contract", args=[skp.pk]))
    assert response.status_code == 404
    assert not PersonalDataAccess.objects.exists()


def test_the_log_cannot_be_edited_in_the_admin(cast, admin_client):
    skp = skp_of(cast.agency_a)
    cast.client(cast.officer_a).get(reverse("workspace:contract", args=[skp.pk]))
    entry = PersonalDataAccess.objects.get()
    listing = admin_client.get("/admin/performance/personaldataaccess/")
    assert listing.status_code == 200 and skp.employee.name in listing.content.decode()
    assert (
        admin_client.post(
            f"/admin/performance/personaldataaccess/{entry.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    assert PersonalDataAccess.objects.count() == 1
