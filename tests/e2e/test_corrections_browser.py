"""`/corrections/` in real Chromium (issue 19): a correction with its reason, read and
filtered by agency from its scorecard's link, on a 1280 px screen and a 360 px phone, with no
WCAG 2.1 AA violation (axe-core) and no sideways scrolling on the phone."""

import pytest

from tests import public_data
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)
REASON = "Data susulan dari dinas kabupaten"  # public_data's correction


@pytest.fixture
def province(transactional_db):
    return public_data.build()


def test_a_citizen_follows_the_scorecard_to_its_corrections(province, live_server, page):
    agency = province.public_agencies[1]  # public_data corrected its Q2 IKU1
    page.goto(live_server.url + agency.get_absolute_url())
    page.get_by_role("link", name="Koreksi atas angka terbitan instansi ini").click()
    page.wait_for_url(f"**/corrections/?agency={agency.slug}")
    assert page.locator("h1").inner_text() == "Koreksi"
    rows = page.locator("table.data tbody tr")
    assert rows.count() == 1
    assert REASON in rows.first.inner_text() and agency.name in rows.first.inner_text()
    assert province.hidden.name not in page.content()
    assert_accessible(page)

    page.get_by_label("Tahun").select_option("2025")
    page.get_by_role("button", name="Terapkan filter").click()
    page.wait_for_url("**/corrections/?*year=2025*")
    assert page.locator("table.data tbody tr").count() == 1
    assert_accessible(page)


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_corrections_page_fits_a_phone(province, live_server, phone_page, language):
    phone_page.context.add_cookies([{"name": "lang", "value": language, "url": live_server.url}])
    response = phone_page.goto(live_server.url + "/corrections/")
    assert response.status == 200
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    assert REASON in phone_page.locator("table.data tbody").inner_text()
    assert_accessible(phone_page)
