"""The citizens' SKM form (issue 7): nine questions answered 1-4, an optional profile and a
private suggestion, stored as a web response in today's quarter (WITA); every refused
submission (missing or invalid answers, honeypot, too fast, forged or expired time stamp,
rate limit, duplicate) refused with a clear message and counted, never stored."""

import datetime
import re
import threading
import time
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.urls import reverse

from agencies.models import ANSWER_FIELDS, SurveyRefusal, SurveyResponse
from performance.models import Score
from performance.services import recompute_scores
from portal.public.survey import client_key, issue_token, record_refusal, wita_today
from tests.conftest import AFTER_2025
from tests.factories import AgencyFactory, ServiceFactory

pytestmark = pytest.mark.django_db
MAX_QUERIES = 6
ANSWERS = dict.fromkeys(ANSWER_FIELDS, 3)
Reason = SurveyRefusal.Reason


@pytest.fixture(autouse=True)
def _english(english):
    """Messages in English: the tests compare exact texts."""


@pytest.fixture
def service(cast):
    return ServiceFactory(agency=cast.agency_a, code="RJ", name="Rawat Jalan")


def url(service, name: str = "agencies:survey") -> str:
    return reverse(name, args=[service.agency.slug, service.code])


def post(client, service, *, token: str | None = None, ip: str = "203.0.113.7", **fields):
    """Submit the form with every answer 3 (override with fields; None drops a field), a
    time stamp of a minute ago unless `token` is given."""
    data = {**ANSWERS, "started": token or issue_token(service, time.time() - 60)}
    data.update(fields)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(url(service), data, REMOTE_ADDR=ip)


def refusals() -> dict[str, int]:
    return dict(SurveyRefusal.objects.values_list("reason", "count"))


def text(response) -> str:
    return response.content.decode()


# The form


def test_form_has_nine_questions_with_the_regulations_four_labelled_answers(
    client, service, django_assert_max_num_queries
):
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(url(service))
    assert response.status_code == 200
    html = text(response)
    assert html.count('<fieldset class="question') == 9
    assert html.count('type="radio"') == 36
    for label in (
        "Not suitable",
        "Very suitable",
        "Not easy",
        "Very fast",
        "Very expensive",
        "Free",
        "Not competent",
        "Very polite and friendly",
        "Poor",
        "Very good",
        "There is no way to complain",
        "Complaints are handled well",
    ):
        assert label in html, label
    assert "Requirements" in html and "Handling of complaints and suggestions" in html
    for name in ("age_band", "sex", "education", "occupation", "suggestion", "website"):
        assert f'name="{name}"' in html
    assert "never published" in html


def test_form_is_small_needs_no_script_and_is_never_cached(client, service):
    response = client.get(url(service))
    html = text(response)
    assert "<script" not in html and "<img" not in html
    assert len(response.content) < 30_000
    assert "csrfmiddlewaretoken" in html
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control and "private" in cache_control
    # Two visits get two time stamps: the page is rendered for each.
    again = text(client.get(url(service)))
    started = re.compile(r'name="started" value="([^"]+)"')
    assert started.search(html) and started.search(again)


def test_honeypot_is_hidden_from_people_and_screen_readers(client, service):
    html = text(client.get(url(service)))
    honeypot = html.split('<div class="hp"')[1].split("</div>")[0]
    assert 'aria-hidden="true"' in honeypot
    assert 'tabindex="-1"' in honeypot and 'autocomplete="off"' in honeypot
    assert "Leave this field empty" in honeypot


def test_survey_of_a_hidden_agency_or_unknown_service_is_not_found(client, cast):
    hidden = ServiceFactory(agency=AgencyFactory(is_public=False), code="X")
    assert client.get(url(hidden)).status_code == 404
    assert client.post(url(hidden), ANSWERS).status_code == 404
    missing = reverse("agencies:survey", args=[cast.agency_a.slug, "NOPE"])
    assert client.get(missing).status_code == 404
    assert not SurveyRefusal.objects.exists()


# Stored


def test_valid_submission_is_stored_as_web_in_todays_quarter_in_wita(client, service):
    # 17:30 UTC on 31 March is 01:30 on 1 April in WITA: the second quarter.
    with time_machine.travel(datetime.datetime(2025, 3, 31, 17, 30, tzinfo=datetime.UTC)):
        response = post(
            client,
            service,
            u4=4,
            age_band="30-39",
            sex="P",
            education="s1",
            occupation="private",
            suggestion="  Antrean terlalu panjang.  ",
        )
    assert response.status_code == 302
    assert response["Location"] == url(service, "agencies:survey_thanks")
    stored = SurveyResponse.objects.get()
    assert (stored.year, stored.quarter, stored.channel) == (2025, 2, "web")
    assert stored.answers() == [3, 3, 3, 4, 3, 3, 3, 3, 3]
    assert (stored.age_band, stored.sex, stored.education, stored.occupation) == (
        "30-39",
        "P",
        "s1",
        "private",
    )
    assert stored.suggestion == "Antrean terlalu panjang." and stored.entered_by is None
    assert not SurveyRefusal.objects.exists()
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200 and "Thank you for your answers" in text(thanks)


def test_profile_and_suggestion_are_optional(client, service):
    assert post(client, service).status_code == 302
    stored = SurveyResponse.objects.get()
    assert (stored.age_band, stored.sex, stored.suggestion) == ("", "", "")


def test_web_answers_count_in_the_agency_ikm_after_the_next_recompute(client, cast, service):
    with time_machine.travel(datetime.datetime(2025, 2, 10, 2, 0, tzinfo=datetime.UTC)):
        for i in range(10):
            answers = dict.fromkeys(ANSWER_FIELDS, 4)
            assert post(client, service, ip=f"198.51.100.{i}", **answers).status_code == 302
    assert SurveyResponse.objects.filter(year=2025, quarter=1, channel="web").count() == 10
    assert not Score.objects.exists()  # counted at the next recompute, not on submission

    recompute_scores(year=2025, today=AFTER_2025)
    score = Score.objects.get(agency=cast.agency_a, contract=None, year=2025, period="Q1")
    # The IKM is 100; S, its achievement against the IKM target 88.31, 113.24.
    assert (score.ikm, score.s, score.respondents) == (100, Decimal("113.24"), 10)
    page = text(client.get(cast.agency_a.get_absolute_url(), {"year": 2025}))
    assert "n = 10" in page and "100.00" in page
    service_page = text(client.get(service.get_absolute_url()))
    assert "n = 10" in service_page and ">A</abbr>" in service_page


# Refused, with a message, counted, not stored


def test_missing_answers_re_render_the_form_with_a_message_per_question(client, service):
    response = post(client, service, u3=None, u7=None, suggestion="tetap di sini")
    assert response.status_code == 400
    html = text(response)
    assert "Please choose an answer to question 3." in html
    assert "Please choose an answer to question 7." in html
    assert 'href="#q-u3"' in html and 'id="u3-error"' in html
    assert "tetap di sini" in html  # what was written is kept
    assert html.count("checked") == 7  # and the answers given
    assert not SurveyResponse.objects.exists()
    assert refusals() == {Reason.INVALID: 1}


@pytest.mark.parametrize("value", ["5", "0", "-1", "3.5", "x"])
def test_an_answer_outside_1_to_4_is_refused(client, service, value):
    response = post(client, service, u2=value)
    assert response.status_code == 400
    assert "Question 2: choose one of the four answers." in text(response)
    assert not SurveyResponse.objects.exists()
    assert refusals() == {Reason.INVALID: 1}


def test_a_profile_value_not_in_the_choices_is_refused(client, service):
    response = post(client, service, age_band="99")
    assert response.status_code == 400
    assert not SurveyResponse.objects.exists()
    assert refusals() == {Reason.INVALID: 1}


def test_a_suggestion_over_the_maximum_length_is_refused(client, service):
    response = post(client, service, suggestion="x" * 1001)
    assert response.status_code == 400 and "at most 1000 characters" in text(response)
    assert refusals() == {Reason.INVALID: 1}


def test_filled_honeypot_is_refused_with_a_message(client, service):
    response = post(client, service, website="http://spam.example")
    assert response.status_code == 400
    assert "“Leave this field empty” was filled in" in text(response)
    assert not SurveyResponse.objects.exists()
    assert refusals() == {Reason.HONEYPOT: 1}


def test_an_answer_faster_than_the_minimum_time_is_refused(client, service, settings):
    settings.SURVEY_MIN_SECONDS = 20
    token = issue_token(service, time.time() - 5)
    response = post(client, service, token=token)
    assert response.status_code == 400
    html = text(response)
    assert "faster than a person can read the questions" in html
    assert f'value="{token}"' in html  # the clock keeps running from the first visit
    assert not SurveyResponse.objects.exists()
    assert refusals() == {Reason.TOO_FAST: 1}
    # Sent again once enough time has passed, the same form is accepted.
    with time_machine.travel(time.time() + 30):
        assert post(client, service, token=token).status_code == 302
    assert SurveyResponse.objects.count() == 1


def test_the_form_served_by_get_is_too_fast_to_send_at_once(client, service):
    html = text(client.get(url(service)))
    token = re.search(r'name="started" value="([^"]+)"', html).group(1)
    assert post(client, service, token=token).status_code == 400
    assert refusals() == {Reason.TOO_FAST: 1}


@pytest.mark.parametrize("case", ["forged", "missing", "expired", "other service"])
def test_a_forged_missing_or_expired_time_stamp_is_refused(client, service, case):
    good = issue_token(service, time.time() - 60)
    token = {
        "forged": good[:-3] + ("abc" if not good.endswith("abc") else "xyz"),
        "missing": "",
        "expired": issue_token(service, time.time() - 3 * 60 * 60),
        "other service": issue_token(ServiceFactory(agency=service.agency), time.time() - 60),
    }[case]
    response = post(client, service, started=token)
    assert response.status_code == 400
    html = text(response)
    assert "This form has expired or could not be checked" in html
    assert f'value="{token}"' not in html or not token  # a fresh time stamp to send again
    assert not SurveyResponse.objects.exists()
    assert refusals() == {Reason.INVALID: 1}


def test_rate_limit_per_client_and_service_answers_429_politely(client, cast, service, settings):
    settings.SURVEY_RATE_LIMIT = 3
    for i in range(3):
        assert post(client, service, u1=1 + i).status_code == 302
    response = post(client, service, u1=4)
    assert response.status_code == 429
    assert "Please try again later" in text(response)
    assert 0 < int(response["Retry-After"]) <= 3600
    assert post(client, service, u1=4).status_code == 429
    assert SurveyResponse.objects.count() == 3
    assert refusals() == {Reason.RATE_LIMITED: 2}
    # Another client, and the same client on another service, are not limited.
    assert post(client, service, u1=4, ip="203.0.113.8").status_code == 302
    other = ServiceFactory(agency=cast.agency_a)
    assert post(client, other, u1=4).status_code == 302
    # A new hour, a new allowance.
    with time_machine.travel(time.time() + 3600):
        assert post(client, service, u2=1).status_code == 302
    assert SurveyResponse.objects.count() == 6


def test_identical_answers_twice_are_counted_once_and_still_thanked(client, service, settings):
    first = post(client, service, suggestion="Sama")
    second = post(client, service, suggestion="Sama")
    assert first.status_code == second.status_code == 302
    assert second["Location"] == url(service, "agencies:survey_thanks")
    assert SurveyResponse.objects.count() == 1
    assert refusals() == {Reason.DUPLICATE: 1}
    # Someone else with the same answers, or the same person with other answers, counts.
    assert post(client, service, suggestion="Sama", ip="203.0.113.99").status_code == 302
    assert post(client, service, suggestion="Lain").status_code == 302
    assert SurveyResponse.objects.count() == 3
    # After the window the same answers count again (Redis expires keys by its own clock).
    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        with time_machine.travel(time.time() + 11 * 60):
            assert post(client, service, suggestion="Sama").status_code == 302
        assert SurveyResponse.objects.count() == 4


def test_csrf_is_enforced(service):
    client = Client(enforce_csrf_checks=True)
    data = {**ANSWERS, "started": issue_token(service, time.time() - 60)}
    assert client.post(url(service), data).status_code == 403
    html = text(client.get(url(service)))
    data["csrfmiddlewaretoken"] = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', html
    ).group(1)
    assert client.post(url(service), data).status_code == 302
    assert SurveyResponse.objects.count() == 1


def test_post_queries_are_bounded(client, service, django_assert_max_num_queries):
    with django_assert_max_num_queries(MAX_QUERIES):
        assert post(client, service).status_code == 302
    with django_assert_max_num_queries(MAX_QUERIES):
        assert post(client, service, u1=None).status_code == 400


# The client and the counters


def test_client_is_the_remote_address_and_ipv6_counts_per_64(rf, settings):
    def key(**meta):
        return client_key(rf.get("/", **meta))

    assert key(REMOTE_ADDR="203.0.113.1") != key(REMOTE_ADDR="203.0.113.2")
    assert key(REMOTE_ADDR="2001:db8:1:2::1") == key(REMOTE_ADDR="2001:db8:1:2:ffff::9")
    assert key(REMOTE_ADDR="2001:db8:1:2::1") != key(REMOTE_ADDR="2001:db8:1:3::1")
    # X-Forwarded-For is ignored unless the proxy is declared...
    spoofed = key(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert spoofed == key(REMOTE_ADDR="10.0.0.1")
    # ...and then its last address (the one the proxy appended) is the client.
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    assert key(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5") == key(
        REMOTE_ADDR="203.0.113.5"
    )


def test_refusals_are_counted_per_service_day_and_reason(service):
    day = datetime.date(2025, 5, 1)
    for _ in range(3):
        record_refusal(service, Reason.HONEYPOT, day)
    record_refusal(service, Reason.HONEYPOT, day + datetime.timedelta(days=1))
    record_refusal(service, Reason.TOO_FAST, day)
    rows = SurveyRefusal.objects.order_by("day", "reason").values_list("day", "reason", "count")
    assert list(rows) == [
        (day, "honeypot", 3),
        (day, "too_fast", 1),
        (day + datetime.timedelta(days=1), "honeypot", 1),
    ]


def test_the_refusal_day_is_the_day_in_wita():
    # 16:30 UTC on 1 May is 00:30 on 2 May in WITA.
    moment = datetime.datetime(2025, 5, 1, 16, 30, tzinfo=datetime.UTC).timestamp()
    assert wita_today(moment) == datetime.date(2025, 5, 2)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency needs PostgreSQL")
def test_concurrent_first_refusals_of_a_day_are_all_counted():
    service = ServiceFactory()
    day = datetime.date(2025, 6, 1)
    threads, barrier = 8, threading.Barrier(8)

    def refuse():
        try:
            barrier.wait()
            for _ in range(5):
                record_refusal(service, Reason.RATE_LIMITED, day)
        finally:
            connection.close()

    workers = [threading.Thread(target=refuse) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert SurveyRefusal.objects.get(service=service, day=day).count == threads * 5


def test_refusals_are_visible_to_administrators_in_the_admin(client, service):
    record_refusal(service, Reason.HONEYPOT, datetime.date(2025, 5, 1))
    admin = User.objects.create_superuser("root", "root@example.org", "x" * 16)
    client.force_login(admin)
    response = client.get(reverse("admin:agencies_surveyrefusal_changelist"))
    assert response.status_code == 200
    html = text(response)
    assert "Rawat Jalan" in html and "honeypot field filled" in html.lower()


# QR code


def test_qr_code_is_an_svg_of_the_absolute_survey_address(client, service):
    response = client.get(url(service, "agencies:survey_qr"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = text(response)
    assert "<svg" in svg and "<script" not in svg
    assert f"http://testserver{url(service)}" in svg  # in its title
    assert "public" in response["Cache-Control"]
