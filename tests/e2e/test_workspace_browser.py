"""An HR officer and an approver at work in real Chromium, checked by axe-core on every
workspace page: log in, create a contract with three indicators, enter a quarter's
realisations with evidence, submit; log in as the approver, approve, read the audit trail."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from performance.models import PerformanceContract, Realisation
from tests.e2e.conftest import assert_accessible
from tests.portal.workspace.data import PDF, keep_quarters_open

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("private_media")]
PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def people(cast):
    keep_quarters_open(2025)  # the contract's realisations are entered in time
    for user in (cast.officer_a, cast.approver_a, cast.auditor):
        user.set_password(PASSWORD)
        user.save()
    return cast


def log_in(page, base: str, username: str, next_path: str = "/workspace/") -> None:
    page.goto(base + next_path)
    page.wait_for_url(lambda url: "/accounts/login/" in url)
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.narrow button[type=submit]")
    page.wait_for_url(base + next_path)


def log_out(page) -> None:
    page.click("form.ws-user button[type=submit]")
    page.wait_for_load_state()


def test_officer_creates_enters_submits_and_approver_approves(people, live_server, page, tmp_path):
    base = live_server.url
    page.goto(base + "/workspace/")
    page.wait_for_url(lambda url: "/accounts/login/" in url)
    assert_accessible(page)
    log_in(page, base, "officer_a")
    assert page.locator("h1").count() == 1
    assert_accessible(page)

    # A new agency contract with three indicators.
    page.click(".ws-nav a[href='/workspace/contracts/new/']")
    page.wait_for_url("**/contracts/new/")
    assert_accessible(page)
    page.select_option("#id_agency", str(people.agency_a.pk))
    page.check("input[name=holder][value=agency]")
    page.fill("#id_year", "2025")
    rows = [
        ("IKU1", "Persentase persalinan di fasilitas kesehatan", "higher", "40", "85"),
        ("IKU2", "Angka kematian bayi per 1.000 kelahiran hidup", "lower", "60", "12"),
        ("IKU3", "Cakupan imunisasi dasar lengkap", "higher", "20", "90"),
    ]
    for i, (code, text, direction, weight, target) in enumerate(rows):
        page.fill(f"#id_ind-{i}-code", code)
        page.fill(f"#id_ind-{i}-text", text)
        page.fill(f"#id_ind-{i}-unit", "%")
        page.select_option(f"#id_ind-{i}-direction", direction)
        page.fill(f"#id_ind-{i}-weight", weight)
        for q in (1, 2, 3, 4):
            page.fill(f"#id_ind-{i}-target_q{q}", target)
    page.click("button[name=save]")
    page.wait_for_url("**/workspace/contracts/*/")
    contract = PerformanceContract.objects.get()
    assert list(contract.indicators.values_list("code", flat=True)) == ["IKU1", "IKU2", "IKU3"]
    assert_accessible(page)

    # Q1 realisations, one with a PDF as evidence.
    page.click(f"a[href='/workspace/contracts/{contract.pk}/realisations/1/']")
    page.wait_for_url("**/realisations/1/")
    assert_accessible(page)
    evidence = tmp_path / "laporan-tw1.pdf"
    evidence.write_bytes(PDF)
    for ind, value in zip(
        contract.indicators.order_by("code"), ("88,2", "13,5", "91"), strict=True
    ):
        page.fill(f"#id_i{ind.pk}-value", value)
    first = contract.indicators.order_by("code").first()
    page.fill(f"#id_i{first.pk}-explanation", "Persalinan di puskesmas naik")
    page.set_input_files(f"#id_i{first.pk}-evidence_file", str(evidence))
    page.click("form button[type=submit] >> nth=-1")
    page.wait_for_url(f"**/workspace/contracts/{contract.pk}/")
    assert Realisation.objects.filter(quarter=1).count() == 3
    assert page.locator("a[href^='/workspace/evidence/']").count() == 1

    page.click(f"form[action='/workspace/contracts/{contract.pk}/submit/'] button")
    page.wait_for_url(f"**/workspace/contracts/{contract.pk}/")
    contract.refresh_from_db()
    assert contract.status == "submitted"
    for path in (
        "/workspace/",
        "/workspace/contracts/",
        "/workspace/upload/",
        f"/workspace/preview/?agency={people.agency_a.pk}&year=2025",
        "/workspace/audit/",
        f"/workspace/contracts/{contract.pk}/revise/",
        f"/workspace/agencies/{people.agency_a.pk}/realisations/2025/1/",
    ):
        page.goto(base + path)
        assert_accessible(page)
    log_out(page)

    # The approver approves and sees the trail.
    log_in(page, base, "approver_a", f"/workspace/contracts/{contract.pk}/")
    assert_accessible(page)
    page.click(f"form[action='/workspace/contracts/{contract.pk}/approve/'] button")
    page.wait_for_url(f"**/workspace/contracts/{contract.pk}/")
    contract.refresh_from_db()
    assert contract.status == "approved"
    history = page.locator("#history-caption").locator("xpath=ancestor::table")
    text = history.inner_text()
    assert "approver_a" in text and "officer_a" in text
    with translation.override("id"):  # reasons are recorded in the user's language
        assert gettext("approved") in text and gettext("submitted for approval") in text
    assert "IKU1 Q1" in text
    assert_accessible(page)
    page.goto(base + f"/workspace/contracts/{contract.pk}/return/")
    assert_accessible(page)
    log_out(page)

    log_in(page, base, "auditor", "/workspace/audit/?kind=realisation")
    assert page.locator("table.history tbody tr").count() == 3
    assert_accessible(page)


def test_workspace_fits_a_360px_phone(people, live_server, phone_page):
    from tests.portal.workspace.data import contract_of

    contract = contract_of(people.agency_a)
    page = phone_page
    base = live_server.url
    log_in(page, base, "officer_a")
    for path in (
        "/workspace/",
        "/workspace/contracts/",
        "/workspace/contracts/new/",
        f"/workspace/contracts/{contract.pk}/",
        f"/workspace/contracts/{contract.pk}/edit/",
        f"/workspace/contracts/{contract.pk}/realisations/1/",
        "/workspace/upload/",
    ):
        page.goto(base + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width}px wide"
        assert_accessible(page)
