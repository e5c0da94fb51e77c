"""Every public page on a 360 px phone, in both languages (issue 21): no page is wider than
the screen, every cell of a table's key columns (the name, score, predikat, IKM, status:
marked `data-key` in the templates) lies inside the viewport, and axe-core finds no WCAG 2.1
AA violation."""

import pytest

from tests import public_data
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)

KEY_CELLS_OFF_SCREEN = """
() => {
    const width = document.documentElement.clientWidth;
    const out = [];
    for (const cell of document.querySelectorAll("[data-key]")) {
        const box = cell.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) continue;  // not shown (e.g. an empty cell)
        if (box.left < -0.5 || box.right > width + 0.5) {
            out.push(`${cell.tagName} "${cell.innerText.slice(0, 40)}" ${box.left}-${box.right}`);
        }
    }
    return out;
}
"""


@pytest.fixture
def province(transactional_db):
    return public_data.build()


def public_paths(province) -> list[str]:
    agency = province.public_agencies[1]
    other = province.public_agencies[2]
    service = next(s for s in province.services if s.agency_id == agency.pk)
    return [
        "/",
        "/agencies/",
        f"/agencies/?region={agency.region.code}",
        agency.get_absolute_url(),
        agency.get_absolute_url() + "?year=2025&quarter=2",
        service.get_absolute_url(),
        service.get_absolute_url() + "survey/",
        "/rankings/",
        "/rankings/?year=2025&period=Q2",
        f"/compare/?a={agency.slug}&a={other.slug}&a={province.public_agencies[3].slug}",
        "/methodology/",
        "/open-data/",
    ]


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_public_page_keeps_its_key_figures_on_a_360_px_screen(
    province, live_server, phone_page, language
):
    phone_page.context.add_cookies([{"name": "lang", "value": language, "url": live_server.url}])
    checked = 0
    for path in public_paths(province):
        response = phone_page.goto(live_server.url + path)
        assert response.status == 200, path
        assert phone_page.locator("html").get_attribute("lang") == language
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width} px wide on a 360 px screen"
        off_screen = phone_page.evaluate(KEY_CELLS_OFF_SCREEN)
        assert off_screen == [], f"{path}: key cells off screen: {off_screen[:5]}"
        checked += phone_page.locator("[data-key]").count()
        assert_accessible(phone_page)
    assert checked > 100  # the key cells exist: the check above looked at something


def test_filters_fold_away_on_a_phone_and_stay_open_on_a_desktop(province, live_server, browser):
    phone = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = phone.new_page()
    page.goto(live_server.url + "/agencies/")
    fold = page.locator("details.filter-fold")
    assert fold.get_attribute("open") is None  # folded: the list comes first
    page.locator("details.filter-fold > summary").click()
    assert page.locator("details.filter-fold select").first.is_visible()
    phone.close()
    desktop = browser.new_context(viewport={"width": 1280, "height": 900})
    page = desktop.new_page()
    page.goto(live_server.url + "/agencies/")
    assert page.locator("details.filter-fold").get_attribute("open") is not None
    assert not page.locator("details.filter-fold > summary").is_visible()
    desktop.close()
