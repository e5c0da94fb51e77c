"""ASVS V3 (sessions) and V7 (errors): idle and absolute session limits, no-store on every
authenticated page, and error pages with an incident id that the log line carries."""

import datetime
import logging

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

START = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)


def _logged_in(user, when):
    with time_machine.travel(when, tick=False):
        client = Client()
        client.force_login(user)
    return client


def _workspace_status(client, when) -> int:
    with time_machine.travel(when, tick=False):
        return client.get("/workspace/").status_code


def test_session_survives_29_idle_minutes(cast):
    client = _logged_in(cast.officer_a, START)
    assert _workspace_status(client, START + datetime.timedelta(minutes=29)) == 200


def test_session_ends_after_30_idle_minutes(cast):
    client = _logged_in(cast.officer_a, START)
    assert _workspace_status(client, START + datetime.timedelta(minutes=31)) == 302
    # Logged out for good, not just redirected once.
    assert _workspace_status(client, START + datetime.timedelta(minutes=32)) == 302


def test_activity_keeps_the_session_alive_until_the_12_hour_limit(cast):
    client = _logged_in(cast.officer_a, START)
    when = START
    for _ in range(35):  # a page every 20 minutes for 11 h 40 min
        when += datetime.timedelta(minutes=20)
        assert _workspace_status(client, when) == 200
    assert _workspace_status(client, START + datetime.timedelta(hours=12, minutes=1)) == 302


def _session_writes(client, when) -> int:
    with time_machine.travel(when, tick=False), CaptureQueriesContext(connection) as ctx:
        client.get("/workspace/")
    return sum("django_session" in q["sql"] and "UPDATE" in q["sql"] for q in ctx)


def test_the_idle_clock_is_written_at_most_once_a_minute(cast):
    client = _logged_in(cast.officer_a, START)
    assert _session_writes(client, START + datetime.timedelta(seconds=30)) == 0
    assert _session_writes(client, START + datetime.timedelta(seconds=61)) == 1


@pytest.mark.parametrize("path", ["/workspace/", "/workspace/contracts/", "/"])
def test_authenticated_responses_are_no_store(cast, path):
    response = cast.client(cast.officer_a).get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_anonymous_public_page_stays_cacheable(db):
    response = Client().get("/")
    assert "no-store" not in response.get("Cache-Control", "")


def test_404_page_shows_incident_id_that_is_in_the_log(db, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = Client().get("/agencies/no-such-agency/")
    assert response.status_code == 404
    incident = response["X-Request-ID"]
    assert len(incident) == 12
    assert incident in response.content.decode()
    record = next(r for r in caplog.records if r.name == "django.request")
    from portal.security import IncidentFilter

    IncidentFilter().filter(record)
    assert record.incident == incident


@pytest.mark.urls("tests.portal.urls_errors")
def test_500_page_shows_no_internals_and_logs_the_incident(db, caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "hunter2" not in body and "Traceback" not in body and "RuntimeError" not in body
    incident = response["X-Request-ID"]
    assert incident in body
    record = next(r for r in caplog.records if r.levelno == logging.ERROR)
    assert record.request.incident_id == incident
    assert record.exc_info is not None  # the detail is in the log, not on the page


def test_csrf_failure_page_is_ours(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.officer_a)
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    body = response.content.decode()
    assert response["X-Request-ID"] in body
    assert "CSRF" not in body  # no Django internals, plain words instead


@pytest.mark.urls("tests.portal.urls_errors")
def test_403_page_has_an_incident_id(db):
    response = Client().get("/forbidden/")
    assert response.status_code == 403
    assert response["X-Request-ID"] in response.content.decode()
    assert "internal reason" not in response.content.decode()
