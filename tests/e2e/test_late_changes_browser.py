"""A late change in real Chromium, checked by axe-core on every page (issue 19): the officer
changes a realisation of a closed quarter, which asks for a reason; the approver confirms it
in the queue of late changes."""

import pytest

from performance.models import Realisation
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_workspace_browser import log_in, log_out, people  # noqa: F401
from tests.performance.late_data import agency_pk

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("private_media")]


def test_officer_enters_a_late_change_and_the_approver_confirms_it(people, live_server, page):  # noqa: F811
    contract = agency_pk(people.agency_a)  # 2026: Q3 closed on 15 October
    iku1 = contract.indicators.get(code="IKU1")
    base = live_server.url
    log_in(page, base, "officer_a", f"/workspace/contracts/{contract.pk}/realisations/3/")
    assert page.get_by_role("heading", name="Triwulan ini sudah ditutup").is_visible()
    assert_accessible(page)

    page.fill(f"#id_i{iku1.pk}-value", "96,44")
    page.get_by_role("button", name="Simpan realisasi").click()
    assert page.locator(".field--error").count() >= 1  # the reason is required
    assert_accessible(page)
    page.fill("#id_late_reason", "Data BPS triwulan III baru terbit")
    page.get_by_role("button", name="Simpan realisasi").click()
    page.wait_for_url(f"**/workspace/contracts/{contract.pk}/")
    assert "menunggu konfirmasi penyetuju: IKU1" in page.content()
    assert_accessible(page)
    log_out(page)

    log_in(page, base, "approver_a", "/workspace/late-changes/")
    assert "Data BPS triwulan III baru terbit" in page.content()
    assert_accessible(page)
    page.get_by_label("Pilih: IKU1, TW III 2026").check()
    page.get_by_role("button", name="Konfirmasi yang dicentang").click()
    page.wait_for_url("**/workspace/late-changes/")
    assert "1 perubahan susulan dikonfirmasi" in page.content()
    assert_accessible(page)
    realisation = Realisation.objects.get(indicator=iku1, quarter=3)
    assert str(realisation.value) == "96.4400" and realisation.late_entered_at is not None
