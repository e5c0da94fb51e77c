"""A leader at the dashboard in real Chromium: log in, open the overview, the coherence
and the compliance pages; axe-core finds no WCAG 2.1 AA violation on any of them, and each
fits a 360 px phone without sideways scrolling."""

import pytest

from tests.e2e.conftest import assert_accessible
from tests.factories import (
    EmployeeFactory,
    IndicatorFactory,
    RealisationFactory,
    TargetFactory,
)
from tests.portal.dashboard.data import agency_in, agency_score, published_run, staff_scores

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct-horse-battery-9"
PAGES = ["/dashboard/", "/dashboard/coherence/", "/dashboard/compliance/"]


@pytest.fixture
def dashboard_data(cast):
    """2025 scores of three agencies (one below target, one falling), staff distributions
    (one implausible) and Q1 targets with a missing realisation."""
    cast.leader.set_password(PASSWORD)
    cast.leader.save()
    run = published_run()
    third = agency_in(cast.agency_a.region, "Badan Perencanaan Pembangunan Daerah")
    for agency, q3, q4 in (
        (cast.agency_a, "100", "94"),  # falling by more than the alert (5 points)
        (cast.agency_b, "62", "60"),
        (third, "112", "115"),
    ):
        agency_score(run, agency, "Q3", q3)
        agency_score(run, agency, "Q4", q4)
        agency_score(run, agency, "Y", q4)
    staff_scores(run, cast.agency_a, {"Baik": 7, "Butuh Perbaikan": 3})
    staff_scores(run, cast.agency_b, {"Sangat Baik": 7, "Kurang": 5})
    for agency, entered in ((cast.agency_a, True), (cast.agency_b, False)):
        indicator = IndicatorFactory(contract__agency=agency)
        TargetFactory(indicator=indicator, quarter=1)
        if entered:
            RealisationFactory(indicator=indicator, quarter=1)
    EmployeeFactory(agency=third)
    return cast


def log_in(page, base: str) -> None:
    page.goto(base + "/dashboard/")
    page.wait_for_url(lambda url: "/accounts/login/" in url)
    page.fill("#id_username", "leader")
    page.fill("#id_password", PASSWORD)
    page.click("form.narrow button[type=submit]")
    page.wait_for_url(base + "/dashboard/")


def test_leader_opens_every_dashboard_page(dashboard_data, live_server, page):
    base = live_server.url
    log_in(page, base)
    assert page.locator("h1").count() == 1
    assert page.locator("#below-caption").count() == 1
    assert_accessible(page)

    # Sorting by name goes through the GET form, without JavaScript.
    page.select_option("#id_sort", "name")
    page.click("form.dash-form button[type=submit]")
    page.wait_for_url("**/dashboard/?*sort=name*")
    first = page.locator("table:has(#below-caption) tbody th").first.inner_text()
    assert first.startswith("Dinas Kesehatan")
    assert_accessible(page)

    page.click(".dash-nav a[href='/dashboard/coherence/']")
    page.wait_for_url("**/dashboard/coherence/")
    assert page.locator("tr.flagged").count() == 1
    assert_accessible(page)

    page.click(".dash-nav a[href='/dashboard/compliance/']")
    page.wait_for_url("**/dashboard/compliance/")
    assert page.locator("table:has(#compliance-caption) tbody tr").count() == 3 * 4
    assert_accessible(page)

    # Printing hides the navigation and the form.
    page.emulate_media(media="print")
    assert not page.locator(".dash-form").is_visible()
    assert not page.locator(".dash-nav").is_visible()
    assert page.locator(".print-only").is_visible()


def test_dashboard_fits_a_360px_phone(dashboard_data, live_server, phone_page):
    base = live_server.url
    log_in(phone_page, base)
    for path in PAGES:
        phone_page.goto(base + path)
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width}px wide"
        assert_accessible(phone_page)
