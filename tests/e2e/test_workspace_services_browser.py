"""An HR officer enters a paper batch and a quarter's service figures on a 360 px phone in
real Chromium (the pages have no script of their own), and axe-core finds no WCAG 2.1 AA
violation on the service pages, their error states included."""

import pytest

from agencies.models import ServiceMetric, SurveyResponse
from tests.e2e.conftest import assert_accessible
from tests.factories import ServiceFactory, SurveyResponseFactory

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def officer(cast):
    cast.officer_a.set_password(PASSWORD)
    cast.officer_a.save()
    service = ServiceFactory(
        agency=cast.agency_a, code="KIA", name="Layanan Kesehatan Ibu dan Anak"
    )
    SurveyResponseFactory(service=service, suggestion="Ruang tunggu terlalu panas", channel="paper")
    return service


def submit(page) -> None:
    with page.expect_navigation():
        page.click("button[name=save]")


def fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} is {width} px wide"


def test_officer_enters_paper_batch_and_figures_on_a_phone(officer, live_server, browser):
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        locale="id-ID",
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    base = live_server.url
    page.goto(base + "/workspace/services/")
    page.fill("#id_username", "officer_a")
    page.fill("#id_password", PASSWORD)
    page.click("form.narrow button[type=submit]")
    page.wait_for_url(base + "/workspace/services/")
    assert_accessible(page)
    fits(page)

    # A batch of 10 rows: row 3 has an answer out of range, so nothing is saved.
    page.goto(f"{base}/workspace/services/{officer.pk}/paper/?rows=10")
    assert_accessible(page)
    fits(page)
    for row in range(3):
        for u in range(1, 10):
            page.fill(f"#id_p-{row}-u{u}", "3")
    page.fill("#id_p-2-u4", "5")
    page.select_option("#id_p-0-sex", "P")
    page.fill("#id_p-0-suggestion", "Pelayanan cepat")
    submit(page)
    assert page.locator("[role=alert] a[href='#id_p-2-u4']").count() == 1
    assert page.get_attribute("#id_p-2-u4", "aria-invalid") == "true"
    assert SurveyResponse.objects.count() == 1  # only the fixture's
    assert_accessible(page)
    fits(page)

    page.fill("#id_p-2-u4", "4")
    submit(page)
    assert page.locator(".message--success").count() == 1
    assert SurveyResponse.objects.filter(channel="paper").count() == 4
    assert_accessible(page)

    # The quarter's figures: an inconsistent pair first, then corrected.
    page.goto(f"{base}/workspace/services/{officer.pk}/metrics/2025/4/")
    assert_accessible(page)
    fits(page)
    page.fill("#id_applications", "100")
    page.fill("#id_completed_on_time", "90")
    page.fill("#id_completed_late", "20")
    page.fill("#id_avg_processing_days", "3,5")
    submit(page)
    assert page.get_attribute("#id_completed_late", "aria-describedby") == "id_completed_late_error"
    assert not ServiceMetric.objects.exists()
    assert_accessible(page)
    page.fill("#id_completed_late", "10")
    submit(page)
    page.wait_for_url(f"{base}/workspace/services/{officer.pk}/metrics/")
    assert ServiceMetric.objects.count() == 4
    assert_accessible(page)
    fits(page)

    page.goto(base + "/workspace/services/suggestions/")
    assert "Ruang tunggu terlalu panas" in page.content()
    assert_accessible(page)
    fits(page)
    context.close()
