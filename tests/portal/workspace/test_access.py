"""Who may reach what in the workspace: login, object-level checks on every URL, forged form
fields, roles, and headers."""

from decimal import Decimal

import pytest
from django.urls import reverse

from agencies.models import Membership
from performance.models import Indicator, PerformanceContract, Realisation, Target
from tests.factories import AgencyFactory, EmployeeFactory

from .data import contract_of, object_urls, page_urls, skp_of, with_evidence

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media", "english")]
Status = PerformanceContract.Status


@pytest.fixture
def a_contract(cast):
    return contract_of(cast.agency_a, status=Status.SUBMITTED)


@pytest.fixture
def a_evidence(a_contract):
    return with_evidence(a_contract)


def test_anonymous_is_sent_to_login_from_every_url(anonymous, a_contract, a_evidence):
    for url in page_urls() + object_urls(a_contract, a_evidence):
        for method in (anonymous.get, anonymous.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("login") + "?next="), url


def test_officer_b_gets_404_on_every_url_of_agency_a(officer_b, a_contract, a_evidence):
    for url in object_urls(a_contract, a_evidence):
        assert officer_b.get(url).status_code == 404, url
        assert (
            officer_b.post(url, {"version": a_contract.version, "reason": "x"}).status_code == 404
        ), url


def test_officer_b_changes_nothing_of_agency_a_by_posting(officer_b, a_contract, a_evidence):
    before = (
        a_contract.status,
        a_contract.version,
        Indicator.objects.count(),
        Target.objects.count(),
        Realisation.objects.count(),
    )
    for url in object_urls(a_contract, a_evidence):
        officer_b.post(
            url,
            {
                "version": a_contract.version,
                "reason": "x",
                "ind-TOTAL_FORMS": 1,
                "ind-INITIAL_FORMS": 0,
                "i1-value": "5",
            },
        )
    a_contract.refresh_from_db()
    assert before == (
        a_contract.status,
        a_contract.version,
        Indicator.objects.count(),
        Target.objects.count(),
        Realisation.objects.count(),
    )


def test_officer_b_lists_and_audits_only_agency_b(officer_b, cast, a_contract):
    b_contract = contract_of(cast.agency_b)
    listing = officer_b.get(reverse("workspace:contracts")).content.decode()
    assert reverse("workspace:contract", args=[b_contract.pk]) in listing
    assert reverse("workspace:contract", args=[a_contract.pk]) not in listing
    # Filtering on agency A's id is refused (not one of the choices), not answered.
    response = officer_b.get(reverse("workspace:contracts"), {"agency": cast.agency_a.pk})
    assert reverse("workspace:contract", args=[a_contract.pk]) not in response.content.decode()
    trail = officer_b.get(reverse("workspace:audit"), {"kind": "contract"}).content.decode()
    assert "Dinas Kesehatan" not in trail
    assert (
        officer_b.get(reverse("workspace:audit"), {"agency": cast.agency_a.pk}).context["page"]
        is None
    )


def test_forged_agency_on_create_is_refused(officer_b, cast):
    response = officer_b.post(
        reverse("workspace:contract_create"),
        {
            "agency": cast.agency_a.pk,
            "holder": "agency",
            "year": 2025,
            "ind-TOTAL_FORMS": 1,
            "ind-INITIAL_FORMS": 0,
            "ind-0-code": "X",
            "ind-0-text": "x",
            "ind-0-direction": "higher",
            "ind-0-weight": "1",
            "ind-0-target_q1": "5",
        },
    )
    assert response.status_code == 200
    assert "agency" in response.context["form"].errors
    assert not PerformanceContract.objects.exists()


def test_forged_nip_of_another_agency_is_refused(officer_b, cast):
    stranger = EmployeeFactory(agency=cast.agency_a)
    response = officer_b.post(
        reverse("workspace:contract_create"),
        {
            "agency": cast.agency_b.pk,
            "holder": "employee",
            "nip": stranger.nip,
            "year": 2025,
            "ind-TOTAL_FORMS": 1,
            "ind-INITIAL_FORMS": 0,
            "ind-0-code": "X",
            "ind-0-text": "x",
            "ind-0-direction": "higher",
            "ind-0-weight": "1",
            "ind-0-target_q1": "5",
        },
    )
    assert "nip" in response.context["form"].errors
    assert not PerformanceContract.objects.exists()


def test_forged_indicator_id_of_agency_a_in_b_edit_is_refused(officer_b, cast, a_contract):
    b_contract = contract_of(cast.agency_b, indicators=1)
    mine = b_contract.indicators.get()
    theirs = a_contract.indicators.first()
    data = {
        "version": b_contract.version,
        "ind-TOTAL_FORMS": 1,
        "ind-INITIAL_FORMS": 1,
        "ind-MIN_NUM_FORMS": 1,
        "ind-MAX_NUM_FORMS": 100,
        "ind-0-id": theirs.pk,
        "ind-0-contract": a_contract.pk,
        "ind-0-code": "HACK",
        "ind-0-text": "hacked",
        "ind-0-unit": "%",
        "ind-0-direction": "higher",
        "ind-0-weight": "9",
        "ind-0-target_q1": "1",
    }
    response = officer_b.post(reverse("workspace:contract_edit", args=[b_contract.pk]), data)
    assert response.status_code == 200  # the form is refused and shown again
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.code == "IKU1" and mine.code == "IKU1"


def test_forged_status_and_agency_fields_are_ignored(officer_a, cast):
    contract = contract_of(cast.agency_a, indicators=1)
    ind = contract.indicators.get()
    officer_a.post(
        reverse("workspace:contract_edit", args=[contract.pk]),
        {
            "version": contract.version,
            "status": "approved",
            "agency": cast.agency_b.pk,
            "ind-TOTAL_FORMS": 1,
            "ind-INITIAL_FORMS": 1,
            "ind-0-id": ind.pk,
            "ind-0-contract": contract.pk,
            "ind-0-code": "IKU1",
            "ind-0-text": "Baru",
            "ind-0-unit": "%",
            "ind-0-direction": "higher",
            "ind-0-weight": "1",
            "ind-0-target_q1": "100",
            "ind-0-target_q2": "100",
            "ind-0-target_q3": "100",
            "ind-0-target_q4": "100",
        },
    )
    contract.refresh_from_db()
    assert (contract.status, contract.agency_id) == (Status.DRAFT, cast.agency_a.pk)
    assert contract.indicators.get().text == "Baru"


def test_forged_realisation_rows_of_agency_a_are_ignored(officer_b, cast, a_contract):
    b_contract = contract_of(cast.agency_b, indicators=1, realised=False)
    theirs = a_contract.indicators.first()
    officer_b.post(
        reverse("workspace:realisations", args=[b_contract.pk, 2]),
        {"version": b_contract.version, f"i{theirs.pk}-value": "1"},
    )
    assert not Realisation.objects.filter(indicator=theirs, quarter=2).exists()


def test_approver_cannot_approve_outside_own_agency(cast):
    b_contract = contract_of(cast.agency_b, status=Status.SUBMITTED)
    client = cast.client(cast.approver_a)
    for name in ("contract_approve", "contract_return"):
        response = client.post(
            reverse(f"workspace:{name}", args=[b_contract.pk]),
            {"version": b_contract.version, "reason": "no"},
        )
        assert response.status_code == 404
    b_contract.refresh_from_db()
    assert b_contract.status == Status.SUBMITTED


def test_officer_cannot_approve_own_agencys_contract(officer_a, a_contract):
    response = officer_a.post(
        reverse("workspace:contract_approve", args=[a_contract.pk]), {"version": a_contract.version}
    )
    assert response.status_code == 404
    a_contract.refresh_from_db()
    assert a_contract.status == Status.SUBMITTED


def test_approver_who_submitted_cannot_approve_alone(cast):
    """Four eyes: the person who submitted a contract does not also approve it."""
    both = cast.approver_a
    Membership.objects.create(user=both, role=Membership.Role.HR_OFFICER, agency=cast.agency_a)
    contract = contract_of(cast.agency_a)
    client = cast.client(both)
    client.post(
        reverse("workspace:contract_submit", args=[contract.pk]), {"version": contract.version}
    )
    contract.refresh_from_db()
    client.post(
        reverse("workspace:contract_approve", args=[contract.pk]), {"version": contract.version}
    )
    contract.refresh_from_db()
    assert contract.status == Status.SUBMITTED


@pytest.mark.parametrize("who", ["leader", "auditor", "approver_a"])
def test_readers_can_read_but_not_change(cast, who, a_contract, a_evidence):
    client = cast.client(getattr(cast, who))
    assert client.get(reverse("workspace:contract", args=[a_contract.pk])).status_code == 200
    assert client.get(reverse("workspace:evidence", args=[a_evidence.pk])).status_code == 200
    for url in (
        reverse("workspace:contract_edit", args=[a_contract.pk]),
        reverse("workspace:realisations", args=[a_contract.pk, 1]),
        reverse("workspace:contract_revise", args=[a_contract.pk]),
        reverse("workspace:contract_submit", args=[a_contract.pk]),
        reverse("workspace:contract_create"),
        reverse("workspace:upload"),
    ):
        # An auditor is told the page is read-only (403); the others get the 404 of a scope.
        refused = 403 if who == "auditor" else 404
        assert client.post(url, {"version": a_contract.version}).status_code == refused, url
    a_contract.refresh_from_db()
    assert a_contract.version == 1


def test_regency_leader_sees_only_that_regency(cast):
    from agencies.models import Region

    lobar = Region.objects.create(code="5201", name="Lombok Barat", kind=Region.Kind.REGENCY)
    regency_agency = AgencyFactory(region=lobar)
    theirs = contract_of(regency_agency, indicators=1)
    a_contract = contract_of(cast.agency_a, indicators=1)
    user = cast.leader
    user.memberships.all().delete()
    Membership.objects.create(user=user, role=Membership.Role.LEADER, region=lobar)
    client = cast.client(user)
    assert client.get(reverse("workspace:contract", args=[theirs.pk])).status_code == 200
    assert client.get(reverse("workspace:contract", args=[a_contract.pk])).status_code == 404


def test_officer_of_a_reaches_a_units_contracts(cast, officer_a):
    unit = AgencyFactory(parent=cast.agency_a, region=cast.agency_a.region)
    contract = skp_of(unit, indicators=1)
    url = reverse("workspace:contract", args=[contract.pk])
    assert officer_a.get(url).status_code == 200
    assert cast.client(cast.officer_b).get(url).status_code == 404


def test_user_without_role_is_told_so_on_every_workspace_page(cast, a_contract, english):
    from tests.factories import UserFactory

    client = cast.client(UserFactory(username="nobody"))
    for url in (
        reverse("workspace:dashboard"),
        reverse("workspace:contract", args=[a_contract.pk]),
        reverse("workspace:contract_create"),
    ):
        response = client.get(url)
        assert response.status_code == 403
        assert "no role yet" in response.content.decode()


def test_workspace_pages_are_never_cached(officer_a, a_contract, a_evidence):
    for url in page_urls()[:3] + object_urls(a_contract, a_evidence)[:1]:
        response = officer_a.get(url)
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url
    assert (
        "no-store"
        in officer_a.get(reverse("workspace:evidence", args=[a_evidence.pk]))["Cache-Control"]
    )


def test_forms_need_csrf(cast, a_contract):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.officer_a)
    response = client.post(
        reverse("workspace:contract_submit", args=[a_contract.pk]), {"version": a_contract.version}
    )
    assert response.status_code == 403


def test_login_and_logout(cast, client):
    cast.officer_a.set_password("correct-horse-battery-9")
    cast.officer_a.save()
    page = client.get(reverse("login"))
    assert b'name="username"' in page.content and b'for="id_password"' in page.content
    response = client.post(
        reverse("login") + "?next=/workspace/",
        {"username": "officer_a", "password": "correct-horse-battery-9", "next": "/workspace/"},
    )
    assert response.status_code == 302 and response["Location"] == "/workspace/"
    assert client.get(reverse("workspace:dashboard")).status_code == 200
    assert client.get(reverse("logout")).status_code == 405  # logout is a POST
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("workspace:dashboard")).status_code == 302


def test_media_is_not_served_by_url(officer_a, a_evidence):
    assert officer_a.get("/media/private/" + a_evidence.evidence_file.name).status_code == 404


def test_weights_are_data_not_forged_ids(officer_a, cast):
    """A contract created by officer A lands in A, whatever else the form carries."""
    officer_a.cookies["lang"] = "id"  # numbers typed the Indonesian way: 2,5
    response = officer_a.post(
        reverse("workspace:contract_create"),
        {
            "agency": cast.agency_a.pk,
            "holder": "agency",
            "year": 2025,
            "contract": 999,
            "status": "approved",
            "ind-TOTAL_FORMS": 1,
            "ind-INITIAL_FORMS": 0,
            "ind-0-code": "IKU1",
            "ind-0-text": "x",
            "ind-0-direction": "higher",
            "ind-0-weight": "2,5",
            "ind-0-target_q1": "10",
        },
    )
    assert response.status_code == 302
    contract = PerformanceContract.objects.get()
    assert (contract.agency, contract.status) == (cast.agency_a, Status.DRAFT)
    assert contract.indicators.get().weight == Decimal("2.5")


def test_officer_changes_own_password(officer_a, cast):
    url = reverse("password_change")
    assert officer_a.get(url).status_code == 200
    response = officer_a.post(
        url,
        {
            "old_password": "correct-horse-battery-9",
            "new_password1": "a-new-long-passphrase-52",
            "new_password2": "a-new-long-passphrase-52",
        },
    )
    assert response.status_code == 302
    cast.officer_a.refresh_from_db()
    assert cast.officer_a.check_password("a-new-long-passphrase-52")
