"""What a citizen needs to use a service (issue 21) in real Chromium at 360 px, checked by
axe-core: the home page's search, the results, a service page with its standard and a
follow-up plan; and an HR officer writing the standard and a plan on a phone."""

import datetime

import pytest

from agencies.models import ANSWER_FIELDS, FollowUpPlan
from tests.e2e.conftest import assert_accessible
from tests.factories import ServiceFactory, SurveyResponseFactory

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct-horse-battery-9"


def fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} is {width} px wide on a 360 px screen"


@pytest.fixture
def ktp(cast):
    service = ServiceFactory(
        agency=cast.agency_a,
        code="KTP-EL",
        name="Penerbitan KTP-el",
        standard_days=1,
        requirements="Kartu Keluarga (asli)\nSurat keterangan kehilangan dari kepolisian",
        procedure="Ambil nomor antrean\nPerekaman foto, sidik jari dan iris mata\nPencetakan",
        location="Mal Pelayanan Publik, Jl. Pejanggik No. 12, Cakranegara, Kota Mataram",
        opening_hours="Senin-Kamis 08.00-15.30 WITA\nJumat 08.00-11.30 WITA",
        complaint_url="https://www.lapor.go.id/instansi/dinas-kependudukan-dan-pencatatan-sipil",
        complaint_contact="Meja pengaduan di ruang pelayanan",
    )
    answers = dict.fromkeys(ANSWER_FIELDS, 3) | {"u3": 1}
    SurveyResponseFactory.create_batch(12, service=service, year=2026, quarter=3, **answers)
    plan = FollowUpPlan.objects.create(
        service=service,
        year=2026,
        quarter=3,
        action="Perekaman KTP-el keliling ke kelurahan setiap pekan dan satu loket cetak "
        "tambahan di Mal Pelayanan Publik",
        unit="Bidang Pelayanan Pendaftaran Penduduk",
        due_date=datetime.date(2026, 10, 31),
        status=FollowUpPlan.Status.IN_PROGRESS,
    )
    plan.updates.create(
        on=datetime.date(2026, 10, 26),
        text="Perekaman keliling berjalan di 12 kelurahan; alat cetak tambahan belum tiba.",
        status=FollowUpPlan.Status.IN_PROGRESS,
    )
    return service


def test_a_citizen_finds_a_service_and_reads_its_standard_on_a_phone(ktp, live_server, phone_page):
    page = phone_page
    page.goto(live_server.url + "/")
    fits(page)
    page.get_by_label("Cari layanan: apa yang Anda perlukan?").fill("ktp")
    page.get_by_role("button", name="Cari", exact=True).click()
    page.wait_for_url("**/services/?q=ktp")
    assert_accessible(page)
    fits(page)

    page.get_by_role("link", name="Penerbitan KTP-el").click()
    page.wait_for_url(f"**{ktp.get_absolute_url()}")
    assert_accessible(page)
    fits(page)
    standard = page.locator("dl.standard")
    assert standard.locator("li").first.inner_text() == "Kartu Keluarga (asli)"
    assert page.get_by_role("link", name="Sampaikan pengaduan daring (SP4N-LAPOR!)").is_visible()
    plans = page.get_by_role("region", name="Rencana tindak lanjut")
    assert "sedang berjalan" in plans.inner_text() and "Terlambat" in plans.inner_text()
    # The standard is the first thing after the title.
    assert page.locator("h2").first.inner_text() == "Standar pelayanan"


def test_an_officer_writes_the_standard_and_a_plan_on_a_phone(cast, ktp, live_server, browser):
    cast.officer_a.set_password(PASSWORD)
    cast.officer_a.save()
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="id-ID", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    base = live_server.url
    page.goto(f"{base}/workspace/services/{ktp.pk}/standard/")
    page.fill("#id_username", "officer_a")
    page.fill("#id_password", PASSWORD)
    page.click("form.narrow button[type=submit]")
    page.wait_for_url(f"{base}/workspace/services/{ktp.pk}/standard/")
    assert_accessible(page)
    fits(page)
    page.fill("#id_standard_days", "2")
    page.click("form.standard button[type=submit]")
    page.wait_for_url(f"{base}/workspace/services/")
    assert_accessible(page)
    fits(page)

    page.goto(f"{base}/workspace/services/{ktp.pk}/plans/")
    assert_accessible(page)
    fits(page)
    page.goto(f"{base}/workspace/services/{ktp.pk}/plans/new/")
    assert_accessible(page)
    fits(page)
    page.fill("#id_action", "Membuka layanan Sabtu")
    page.fill("#id_unit", "Seksi Pelayanan")
    page.fill("#id_due_date", "2030-01-31")
    page.click("form.narrow button[type=submit]")
    page.wait_for_url(f"{base}/workspace/services/{ktp.pk}/plans/")
    assert FollowUpPlan.objects.filter(action="Membuka layanan Sabtu").exists()
    context.close()


def test_a_leader_reads_the_service_follow_up_page(cast, ktp, live_server, page):
    cast.leader.set_password(PASSWORD)
    cast.leader.save()
    page.goto(live_server.url + "/dashboard/follow-up/")
    page.fill("#id_username", "leader")
    page.fill("#id_password", PASSWORD)
    page.click("form.narrow button[type=submit]")
    page.wait_for_url(live_server.url + "/dashboard/follow-up/")
    table = page.get_by_role("region", name="Rencana tindak lanjut yang belum selesai", exact=False)
    assert "Penerbitan KTP-el" in table.inner_text()
    assert_accessible(page)
