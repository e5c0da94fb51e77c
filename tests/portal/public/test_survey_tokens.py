"""Survey time stamps are single use (issue 16, finding 5): the 20-second floor is paid per
response. A stamp sent again with other answers is refused and counted as replayed; sent
again with the same answers (a double click) it is the duplicate it always was."""

import re
import time

import pytest
import time_machine
from django.urls import reverse

from agencies.models import ANSWER_FIELDS, SurveyRefusal, SurveyResponse
from portal.public.survey import issue_token
from tests.factories import ServiceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
Reason = SurveyRefusal.Reason


@pytest.fixture
def service(cast):
    return ServiceFactory(agency=cast.agency_a, code="RJ", name="Rawat Jalan")


def post(client, service, token: str, **answers):
    data = {**dict.fromkeys(ANSWER_FIELDS, 3), **answers, "started": token}
    return client.post(
        reverse("agencies:survey", args=[service.agency.slug, service.code]),
        data,
        REMOTE_ADDR="203.0.113.7",
    )


def refusals() -> dict[str, int]:
    return dict(SurveyRefusal.objects.values_list("reason", "count"))


def test_one_form_sent_many_times_with_other_answers_is_stored_once(client, service):
    token = issue_token(service, time.time() - 60)  # the floor paid once
    statuses = [
        post(client, service, token, u1=1 + i % 4, u2=1 + i // 4).status_code for i in range(10)
    ]
    assert statuses == [302] + [400] * 9
    assert SurveyResponse.objects.count() == 1
    assert refusals() == {Reason.REPLAYED: 9}


def test_a_replayed_form_is_refused_with_a_fresh_time_stamp_and_the_answers_kept(client, service):
    token = issue_token(service, time.time() - 60)
    assert post(client, service, token, u1=1).status_code == 302
    response = post(client, service, token, u1=4, suggestion="Lain kali")
    assert response.status_code == 400
    html = response.content.decode()
    assert "This form has already been sent once" in html
    assert "Lain kali" in html
    fresh = re.search(r'name="started" value="([^"]+)"', html).group(1)
    assert fresh != token
    # The fresh stamp starts its own clock: sent at once it is too fast, later it counts.
    assert post(client, service, fresh, u1=4).status_code == 400
    with time_machine.travel(time.time() + 30):
        assert post(client, service, fresh, u1=4).status_code == 302
    assert SurveyResponse.objects.count() == 2
    assert refusals() == {Reason.REPLAYED: 1, Reason.TOO_FAST: 1}


def test_a_double_click_is_still_a_duplicate_and_thanked(client, service):
    token = issue_token(service, time.time() - 60)
    first = post(client, service, token, u1=2)
    second = post(client, service, token, u1=2)
    assert first.status_code == second.status_code == 302
    assert SurveyResponse.objects.count() == 1
    assert refusals() == {Reason.DUPLICATE: 1}


def test_forms_served_in_the_same_second_carry_different_stamps(service):
    now = time.time()
    assert issue_token(service, now) != issue_token(service, now)
