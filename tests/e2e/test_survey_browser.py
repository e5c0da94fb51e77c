"""A citizen answers the SKM survey on a 360 px phone in real Chromium, checked by axe-core:
the form, a refusal with its messages, the thank-you page."""

import pytest

from agencies.models import SurveyRefusal, SurveyResponse
from tests.e2e.conftest import assert_accessible
from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def service(cast, settings):
    # The live server runs in this process with the test settings: no waiting 20 s here.
    settings.SURVEY_MIN_SECONDS = 0
    return ServiceFactory(agency=cast.agency_a, code="RJ", name="Rawat Jalan")


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_citizen_answers_the_survey_on_a_phone(service, live_server, phone_page):
    page = phone_page
    page.goto(live_server.url + service.get_absolute_url())
    page.click(".survey-links a.button")  # by place: the new texts are not translated yet
    page.wait_for_url("**/survey/")
    assert page.locator("h1").count() == 1 and fits_the_screen(page)
    assert_accessible(page)

    # Sent with two questions unanswered: the form says which, keeping the answers given.
    questions = page.locator("fieldset.question")
    assert questions.count() == 9
    for i in range(7):
        questions.nth(i).locator("label.choice").nth(2).click()  # 3
    page.click("form.survey button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".error-summary li").count() == 2
    assert page.locator("input[type=radio]:checked").count() == 7
    assert fits_the_screen(page)
    assert_accessible(page)

    # Answer the rest by tapping the labels (the whole row is the target), add a profile and
    # a suggestion, send.
    questions.nth(7).locator("label.choice").nth(3).tap()
    questions.nth(8).locator("label.choice").nth(0).tap()
    box = questions.nth(8).locator("label.choice").nth(0).bounding_box()
    assert box["height"] >= 44 and box["width"] >= 250
    page.select_option("#id_age_band", "30-39")
    page.fill("#id_suggestion", "Ruang tunggu perlu kipas angin.")
    page.click("form.survey button[type=submit]")
    page.wait_for_url("**/survey/thanks/")
    assert page.locator("h1").count() == 1 and fits_the_screen(page)
    assert_accessible(page)

    stored = SurveyResponse.objects.get()
    assert stored.answers() == [3, 3, 3, 3, 3, 3, 3, 4, 1]
    assert stored.channel == "web" and stored.age_band == "30-39"
    assert stored.suggestion == "Ruang tunggu perlu kipas angin."
    assert list(SurveyRefusal.objects.values_list("reason", "count")) == [("invalid", 1)]
