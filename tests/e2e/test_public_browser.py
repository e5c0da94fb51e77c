"""A citizen's walk through the public portal in real Chromium, checked by axe-core:
home -> directory -> filter by region -> scorecard -> download CSV -> switch to English."""

import csv
import io

import pytest

from tests import public_data
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def province(transactional_db):
    return public_data.build()


def test_citizen_walks_from_home_to_an_agency_csv_and_reads_it_in_english(
    province, live_server, page
):
    agency = province.public_agencies[1]

    page.goto(live_server.url + "/")
    assert page.locator("h1").count() == 1
    assert page.locator("html").get_attribute("lang") == "id"
    assert_accessible(page)

    page.get_by_role("navigation", name="Utama").get_by_role("link", name="Instansi").click()
    page.wait_for_url("**/agencies/")
    assert_accessible(page)

    page.get_by_label("Wilayah").select_option(label=agency.region.name)
    page.get_by_role("button", name="Terapkan filter").click()
    page.wait_for_url("**/agencies/?*region=*")
    rows = page.locator("table.data tbody tr")
    assert rows.count() >= 1
    listed = rows.locator("th a").all_inner_texts()
    assert agency.name in listed
    assert all(
        a.name in listed for a in province.public_agencies if a.region_id == agency.region_id
    )
    assert_accessible(page)

    page.get_by_role("link", name=agency.name).click()
    page.wait_for_url(f"**/agencies/{agency.slug}/")
    assert page.locator("h1").inner_text().startswith(agency.name)
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("region", name="Unduh data instansi ini").get_by_role(
            "link", name="CSV"
        ).first.click()
    body = download_info.value.path().read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows, "the agency's score CSV is empty"
    assert {r["agency_code"] for r in rows} == {agency.code}

    page.get_by_label("Bahasa").select_option("en")
    page.get_by_role("button", name="Ganti").click()
    page.wait_for_url(f"**/agencies/{agency.slug}/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Download this agency's data").is_visible()
    assert_accessible(page)


def test_public_pages_fit_a_360_px_phone_without_sideways_scrolling(
    province, live_server, phone_page
):
    agency = province.public_agencies[1]
    service = next(s for s in province.services if s.agency_id == agency.pk)
    for path in (
        "/",
        "/agencies/",
        agency.get_absolute_url(),
        service.get_absolute_url(),
        "/rankings/",
        "/methodology/",
        "/open-data/",
    ):
        response = phone_page.goto(live_server.url + path)
        assert response.status == 200, path
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width} px wide on a 360 px screen"
