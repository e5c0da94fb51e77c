"""Self-service for civil servants (issue 23): HR officers create their own accounts, one or
every one of an agency at once (all or nothing), with a one-time first-login link; a civil
servant reads only their own contracts, scores, predikat, decisions and objections (another
person's record: 404), every page logged as an access to personal data, and lodges their own
objection within the 14 days, refused after them."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from agencies.models import AuditEvent
from performance.models import Employee, PersonalDataAccess
from performance.selfservice import first_login_path
from rewards import services
from rewards.models import Decision, Objection
from tests.factories import (
    ContractFactory,
    EmployeeFactory,
    IndicatorFactory,
    RealisationFactory,
    StaffRatingFactory,
    TargetFactory,
    UserFactory,
)
from tests.rewards.data import score

pytestmark = pytest.mark.django_db
User = get_user_model()
MAX_QUERIES = 20
ACCOUNTS = "/workspace/accounts/"
ME = "/workspace/me/"


def get(client, url, django_assert_max_num_queries, expect=200):
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(url)
    assert response.status_code == expect, response.content[:500]
    return response


def account_of(employee: Employee):
    user = UserFactory(username=employee.nip)
    Employee.objects.filter(pk=employee.pk).update(user=user)
    return user


@pytest.fixture
def citra(world):
    """Citra of agency A with her own account, an approved penalty (decided today) and a
    rated 2025 SKP with an indicator, targets, a realisation and a published score."""
    person = world.people["citra"]
    world.citra_user = account_of(person)
    services.decide_one(user=world.leader, decision=world.decisions["citra"], approve=True)
    contract = person.contracts.get(year=2025)
    indicator = IndicatorFactory(contract=contract, code="RHK7", text="Laporan kajian terbit")
    TargetFactory(indicator=indicator, quarter=1, value=Decimal("3"))
    RealisationFactory(indicator=indicator, quarter=1, value=Decimal("2"))
    StaffRatingFactory(contract=contract, results="below", behaviour="as_expected")
    world.citra_contract = contract
    return world


# --- what a civil servant sees ----------------------------------------------------------------


def test_a_civil_servant_sees_their_own_records_and_each_page_is_logged(
    english, citra, django_assert_max_num_queries
):
    w = citra
    client = w.client(w.citra_user)
    html = get(client, ME, django_assert_max_num_queries).content.decode()
    person = w.people["citra"]
    assert person.nip in html and "Citra" in html
    assert f'href="{ME}contracts/{w.citra_contract.pk}/"' in html
    assert f'href="{ME}decisions/{w.decisions["citra"].pk}/"' in html
    assert "40.00" in html  # the published annual score of her SKP
    assert w.people["ani"].nip not in html and "Ani" not in html

    html = get(
        client, f"{ME}contracts/{w.citra_contract.pk}/", django_assert_max_num_queries
    ).content.decode()
    assert "Laporan kajian terbit" in html
    assert "below expectation" in html and "Butuh Perbaikan" in html  # the matrix cell
    assert "Lodge the objection" in html

    html = get(
        client, f"{ME}decisions/{w.decisions['citra'].pk}/", django_assert_max_num_queries
    ).content.decode()
    assert "penalty" in html and "Lodge the objection" in html

    logged = list(PersonalDataAccess.objects.values_list("user_id", "employee_id", "agency_id"))
    assert logged == [(w.citra_user.pk, person.pk, person.agency_id)] * 3


def test_another_civil_servants_record_is_not_found(english, citra, django_assert_max_num_queries):
    """Of the same agency, of another, or a recommendation not yet decided: 404, as for an
    id that does not exist, and nothing is logged."""
    w = citra
    client = w.client(w.citra_user)
    ani_contract = w.people["ani"].contracts.get(year=2025)
    dewi_contract = w.people["dewi"].contracts.get(year=2025)
    StaffRatingFactory(contract=ani_contract)
    for url in (
        f"{ME}contracts/{ani_contract.pk}/",
        f"{ME}contracts/{dewi_contract.pk}/",
        f"{ME}contracts/999999999/",
        f"{ME}decisions/{w.decisions['ani'].pk}/",
        f"{ME}decisions/{w.decisions['dewi'].pk}/",
        f"{ME}decisions/999999999/",
    ):
        get(client, url, django_assert_max_num_queries, expect=404)
    for url in (
        f"{ME}contracts/{ani_contract.pk}/objection/",
        f"{ME}decisions/{w.decisions['dewi'].pk}/objection/",
    ):
        assert client.post(url, {"text": "x"}).status_code == 404
    # Her own decision while it is still a recommendation is not a decision about her yet.
    Decision.objects.filter(pk=w.decisions["citra"].pk).update(status=Decision.Status.RECOMMENDED)
    get(client, f"{ME}decisions/{w.decisions['citra'].pk}/", django_assert_max_num_queries, 404)
    assert not PersonalDataAccess.objects.exists()
    assert not Objection.objects.exists()


def test_the_staff_pages_refuse_a_civil_servant_and_point_to_their_own(english, citra):
    client = citra.client(citra.citra_user)
    response = client.get("/workspace/")
    assert response.status_code == 403
    assert f'href="{ME}"' in response.content.decode()
    assert client.get(f"/workspace/contracts/{citra.citra_contract.pk}/").status_code == 403
    assert client.get("/dashboard/").status_code == 403


def test_staff_accounts_are_not_civil_servants_accounts(english, citra):
    response = citra.client(citra.officer_a).get(ME)
    assert response.status_code == 403
    assert "not a civil servant's own account" in response.content.decode()


def test_the_overview_stays_bounded_in_queries(english, citra, django_assert_max_num_queries):
    w = citra
    person = w.people["citra"]
    run = w.decisions["citra"].run
    for year in range(2015, 2024):
        ContractFactory(agency=person.agency, employee=person, year=year)
        score(run, person, year, "Y", "80")
    client = w.client(w.citra_user)
    html = get(client, ME, django_assert_max_num_queries).content.decode()
    assert "SKP 2016" in html
    for _ in range(30):
        indicator = IndicatorFactory(contract=w.citra_contract)
        for q in (1, 2, 3, 4):
            TargetFactory(indicator=indicator, quarter=q)
            RealisationFactory(indicator=indicator, quarter=q)
    url = f"{ME}contracts/{w.citra_contract.pk}/"
    page = get(client, url, django_assert_max_num_queries).content.decode()
    assert page.count('<th scope="row"><span class="code">') == 31


def test_a_civil_servants_pages_need_no_second_factor(settings, citra):
    """The second factor is staff's; a civil servant's own account reads its pages with its
    password."""
    settings.STAFF_2FA = True
    client = citra.client(citra.citra_user)
    assert client.get(ME).status_code == 200
    # Staff still go to the second factor first.
    assert citra.client(citra.officer_a).get(ME)["Location"].startswith("/accounts/two-factor/")


# --- their own objections ------------------------------------------------------------------


def test_a_civil_servant_objects_to_a_penalty_within_the_limit(english, citra):
    w = citra
    client = w.client(w.citra_user)
    url = f"{ME}decisions/{w.decisions['citra'].pk}/"
    assert client.post(f"{url}objection/", {"text": ""}).status_code == 400
    response = client.post(f"{url}objection/", {"text": "Saya sakit panjang"}, follow=True)
    assert "Objection lodged." in response.content.decode()
    objection = Objection.objects.get()
    assert objection.decision_id == w.decisions["citra"].pk
    assert objection.lodged_by == w.citra_user
    html = client.get(url).content.decode()
    assert "Saya sakit panjang" in html and "Lodge the objection" not in html
    # Once: a second one is refused.
    response = client.post(f"{url}objection/", {"text": "Lagi"}, follow=True)
    assert "already been lodged" in response.content.decode()
    assert Objection.objects.count() == 1
    # Her HR officer sees it on the staff pages, the leader can answer it.
    assert (
        "Saya sakit panjang"
        in w.client(w.officer_a)
        .get(f"/workspace/decisions/{w.decisions['citra'].pk}/")
        .content.decode()
    )


def test_a_civil_servant_is_refused_after_the_limit_with_the_reason(english, citra):
    w = citra
    decided = timezone.now() - datetime.timedelta(days=15)
    Decision.objects.filter(pk=w.decisions["citra"].pk).update(decided_at=decided)
    client = w.client(w.citra_user)
    url = f"{ME}decisions/{w.decisions['citra'].pk}/"
    html = client.get(url).content.decode()
    assert "Lodge the objection" not in html
    assert "The time to object to this penalty ended on" in html
    response = client.post(f"{url}objection/", {"text": "Terlambat"}, follow=True)
    assert "The 14 days to object to this decision are over." in response.content.decode()
    assert not Objection.objects.exists()


def test_a_civil_servant_objects_to_their_predikat_within_the_limit_only(english, citra):
    w = citra
    client = w.client(w.citra_user)
    url = f"{ME}contracts/{w.citra_contract.pk}/"
    rating = w.citra_contract.rating
    rating.changed_at = timezone.now() - datetime.timedelta(days=15)
    rating.save()
    assert "ended on" in client.get(url).content.decode()
    response = client.post(f"{url}objection/", {"text": "Terlambat"}, follow=True)
    assert "The 14 days to object to this predikat are over." in response.content.decode()
    assert not Objection.objects.exists()

    rating.changed_at = timezone.now() - datetime.timedelta(days=14)
    rating.save()
    response = client.post(f"{url}objection/", {"text": "Perilaku dinilai keliru"}, follow=True)
    assert "Objection lodged." in response.content.decode()
    objection = Objection.objects.get()
    assert (objection.rating_id, objection.lodged_by_id) == (rating.pk, w.citra_user.pk)


def test_the_service_lets_a_civil_servant_object_only_for_themself(citra):
    w = citra
    ani = account_of(w.people["ani"])
    with pytest.raises(services.DecisionError):
        services.lodge_objection(user=ani, decision=w.decisions["citra"], text="x")
    assert not Objection.objects.exists()


# --- accounts: created by HR officers ---------------------------------------------------------


def link_in(html: str) -> str:
    match = re.search(r"http://testserver(/accounts/first-login/[^<\s]+/)", html)
    assert match, html
    return match.group(1)


def test_an_officer_creates_one_account_and_its_link_works_once(english, world):
    w = world
    budi = w.people["budi"]
    officer = w.client(w.officer_a)
    assert "Budi" in officer.get(ACCOUNTS).content.decode()
    response = officer.post(f"{ACCOUNTS}{budi.pk}/create/")
    assert response.status_code == 200
    html = response.content.decode()
    link = link_in(html)
    user = User.objects.get(username=budi.nip)
    budi.refresh_from_db()
    assert budi.user == user and not user.has_usable_password()
    assert not user.memberships.exists()
    assert AuditEvent.objects.filter(action="account.create", actor=w.officer_a).count() == 1
    # A second account for the same person is refused; nothing changes.
    again = officer.post(f"{ACCOUNTS}{budi.pk}/create/")
    assert again.status_code == 409 and "already has an account" in again.content.decode()
    assert User.objects.filter(username=budi.nip).count() == 1

    # The first login: the link asks for a password, then sends to the login page.
    anonymous = w.client(None)
    form_url = anonymous.get(link)["Location"]
    assert form_url.endswith("/set-password/")
    new = "kopi-pagi-di-mataram-2026"
    response = anonymous.post(form_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    user.refresh_from_db()
    assert user.check_password(new)
    response = anonymous.post(
        "/accounts/login/", {"username": budi.nip, "password": new, "next": ME}
    )
    assert response.status_code == 302 and response["Location"] == ME
    assert "Budi" in anonymous.get(ME).content.decode()

    # Later logins, without a `next`, land on their own records too.
    again = w.client(None)
    response = again.post("/accounts/login/", {"username": budi.nip, "password": new})
    assert response.status_code == 302 and response["Location"] == ME

    # Used once: the same link no longer works, and the password stays.
    other = w.client(None)
    response = other.get(link, follow=True)
    assert "This link does not work" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(new)


def test_a_first_login_link_opens_no_staff_account(english, world):
    """A token for a staff account (were one ever made) is refused like a wrong one."""
    link = first_login_path(world.officer_a)
    response = world.client(None).get(link, follow=True)
    assert "This link does not work" in response.content.decode()


def test_officers_of_another_agency_and_other_roles_cannot_create_accounts(world):
    budi = world.people["budi"]
    for user in (world.officer_b, world.approver_a, world.leader):
        client = world.client(user)
        assert client.post(f"{ACCOUNTS}{budi.pk}/create/").status_code == 404
        assert client.post(f"{ACCOUNTS}agency/{budi.agency_id}/create/").status_code == 404
    assert world.client(world.auditor).post(f"{ACCOUNTS}{budi.pk}/create/").status_code == 403
    assert not User.objects.filter(username=budi.nip).exists()
    assert world.client(world.approver_a).get(ACCOUNTS).status_code == 403


def test_an_officer_creates_every_missing_account_of_the_agency_at_once(english, world):
    w = world
    account_of(w.people["ani"])
    officer = w.client(w.officer_a)
    html = officer.get(ACCOUNTS).content.decode()
    assert "2 civil servants without an account" in html
    response = officer.post(f"{ACCOUNTS}agency/{w.agency_a.pk}/create/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 accounts created." in html
    assert len(re.findall(r"/accounts/first-login/", html)) == 2
    without = Employee.objects.filter(agency=w.agency_a, user__isnull=True)
    assert not without.exists()
    assert set(
        User.objects.filter(civil_servant__agency=w.agency_a).values_list("username", flat=True)
    ) == {w.people[n].nip for n in ("ani", "budi", "citra")}
    # Agency B's staff are untouched.
    assert w.people["dewi"].__class__.objects.get(pk=w.people["dewi"].pk).user_id is None
    # Nobody left: nothing created, said so.
    response = officer.post(f"{ACCOUNTS}agency/{w.agency_a.pk}/create/")
    assert "nothing was created" in response.content.decode()


def test_the_bulk_creation_is_all_or_nothing(english, world):
    """One civil servant's NIP already taken as another account's user name: the whole batch
    is refused, naming that person, and no account is created."""
    w = world
    UserFactory(username=w.people["citra"].nip)
    before = User.objects.count()
    response = w.client(w.officer_a).post(f"{ACCOUNTS}agency/{w.agency_a.pk}/create/")
    assert response.status_code == 409
    html = response.content.decode()
    assert w.people["citra"].nip in html and "Nothing was created" in html
    assert User.objects.count() == before
    assert not Employee.objects.filter(user__isnull=False).exists()
    assert not AuditEvent.objects.filter(action="account.create").exists()


def test_the_accounts_page_stays_bounded_in_queries(english, world, django_assert_max_num_queries):
    for n in range(30):
        person = EmployeeFactory(agency=world.agency_a)
        if n % 2:
            account_of(person)
    html = get(world.client(world.officer_a), ACCOUNTS, django_assert_max_num_queries)
    assert "Create an account" in html.content.decode()
    assert PersonalDataAccess.objects.filter(user=world.officer_a, employee=None).exists()


def test_a_new_link_voids_the_old_one_until_the_account_is_used(english, world):
    w = world
    budi = w.people["budi"]
    officer = w.client(w.officer_a)
    first = link_in(officer.post(f"{ACCOUNTS}{budi.pk}/create/").content.decode())
    assert "Make a new link" in officer.get(ACCOUNTS).content.decode()
    response = officer.post(f"{ACCOUNTS}{budi.pk}/link/")
    assert response.status_code == 200
    second = link_in(response.content.decode())
    assert "This link does not work" in w.client(None).get(first, follow=True).content.decode()
    anonymous = w.client(None)
    form_url = anonymous.get(second)["Location"]
    new = "kopi-pagi-di-mataram-2026"
    anonymous.post(form_url, {"new_password1": new, "new_password2": new})
    assert User.objects.get(username=budi.nip).check_password(new)
    # The account is in use: no more links, its password stays.
    response = officer.post(f"{ACCOUNTS}{budi.pk}/link/")
    assert response.status_code == 409 and "has chosen a password" in response.content.decode()
    assert User.objects.get(username=budi.nip).check_password(new)
    # Another agency's officer: not found.
    assert w.client(w.officer_b).post(f"{ACCOUNTS}{budi.pk}/link/").status_code == 404


def test_the_bulk_creation_is_set_based(world, django_assert_max_num_queries):
    """Fifty civil servants or three: the same few statements."""
    for _ in range(50):
        EmployeeFactory(agency=world.agency_a)
    officer = world.client(world.officer_a)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = officer.post(f"{ACCOUNTS}agency/{world.agency_a.pk}/create/")
    assert response.status_code == 200
    assert Employee.objects.filter(agency=world.agency_a, user__isnull=True).count() == 0
    assert len(set(re.findall(r"/accounts/first-login/[^<\s]+/", response.content.decode()))) == 53
