"""The HR officer's service pages: paper survey batches (all-or-nothing, scoped, counted in
the IKM), and the services list. Metrics and suggestions are in
test_workspace_services_metrics.py."""

import datetime
import re
import threading
import uuid
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from agencies.models import PaperBatch, SurveyResponse
from agencies.services import save_paper_batch
from performance.models import Score
from performance.services import recompute_scores
from tests.factories import ServiceFactory, ServiceMetricFactory, SurveyResponseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TODAY = datetime.datetime(2026, 5, 10, 10, 0, tzinfo=datetime.UTC)  # Q2 2026
ANSWERS = {f"u{i}": "3" for i in range(1, 10)}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def service_a(cast):
    return ServiceFactory(agency=cast.agency_a, code="KIA", name="Layanan KIA")


@pytest.fixture
def service_b(cast):
    return ServiceFactory(agency=cast.agency_b, code="PPDB", name="Pendaftaran PPDB")


def batch(
    rows: list[dict], *, year=2026, quarter=2, total: int | None = None, token: str | None = None
) -> dict:
    """The POST data of the paper batch form with `rows` (blank cells left out), with a form
    token of its own unless one is given."""
    data = {
        "year": year,
        "quarter": quarter,
        "token": token or str(uuid.uuid4()),
        "p-TOTAL_FORMS": len(rows) if total is None else total,
        "p-INITIAL_FORMS": 0,
        "p-MIN_NUM_FORMS": 0,
        "p-MAX_NUM_FORMS": 50,
    }
    for i, row in enumerate(rows):
        data.update({f"p-{i}-{k}": v for k, v in row.items()})
    return data


def paper_url(service) -> str:
    return reverse("services:paper", args=[service.pk])


# --- paper batch: saving ----------------------------------------------------------------


def test_officer_saves_a_paper_batch_as_paper_entered_by_them(officer_a, cast, service_a):
    rows = [
        ANSWERS,
        {},  # blank rows are skipped
        {**ANSWERS, "u1": "4", "age_band": "30-39", "sex": "P", "suggestion": " Antrian lama "},
        {},
        {**ANSWERS, "education": "s1", "occupation": "self"},
    ]
    response = officer_a.post(paper_url(service_a), batch(rows), follow=True)
    assert response.status_code == 200
    saved = list(SurveyResponse.objects.order_by("pk"))
    assert len(saved) == 3
    assert {(r.channel, r.entered_by, r.service, r.year, r.quarter) for r in saved} == {
        ("paper", cast.officer_a, service_a, 2026, 2)
    }
    assert saved[1].u1 == 4 and saved[1].answers()[1:] == [3] * 8
    assert (saved[1].age_band, saved[1].sex, saved[1].suggestion) == ("30-39", "P", "Antrian lama")
    assert (saved[2].education, saved[2].occupation, saved[2].age_band) == ("s1", "self", "")
    message = [str(m) for m in response.context["messages"]]
    assert message == ["3 paper responses saved for Layanan KIA, Q2 2026."]
    assert response.redirect_chain[-1][0].endswith("?year=2026&quarter=2&rows=25")
    assert "3 paper responses are already stored for this quarter" in response.content.decode()


def test_a_batch_sent_twice_is_saved_once(officer_a, cast, service_a):
    """A double click or a resent form: the second send finds the first's batch by the
    form's token, stores nothing and says so."""
    data = batch([ANSWERS, ANSWERS], token="3f2b8c1e-6f0a-4c53-9a56-2f8e0b7d9c11")
    first = officer_a.post(paper_url(service_a), data, follow=True)
    second = officer_a.post(paper_url(service_a), data, follow=True)
    assert SurveyResponse.objects.count() == 2
    assert [str(m) for m in first.context["messages"]] == [
        "2 paper responses saved for Layanan KIA, Q2 2026."
    ]
    assert [str(m) for m in second.context["messages"]] == [
        "This batch was already saved (2 paper responses for Layanan KIA, Q2 2026); it was "
        "not saved a second time."
    ]
    saved = PaperBatch.objects.get()
    assert (str(saved.token), saved.service, saved.responses, saved.entered_by) == (
        "3f2b8c1e-6f0a-4c53-9a56-2f8e0b7d9c11",
        service_a,
        2,
        cast.officer_a,
    )
    # another form (another token) is another batch
    officer_a.post(paper_url(service_a), batch([ANSWERS]))
    assert SurveyResponse.objects.count() == 3


def test_each_empty_form_gets_its_own_token(officer_a, service_a):
    tokens = [
        officer_a.get(paper_url(service_a)).context["batch"].initial["token"] for _ in range(2)
    ]
    assert tokens[0] != tokens[1]
    html = officer_a.get(paper_url(service_a)).content.decode()
    assert re.search(r'<input type="hidden" name="token" value="[0-9a-f-]{36}"', html)


@pytest.mark.parametrize("token", [None, "", "not-a-uuid"])
def test_a_batch_without_its_form_token_saves_nothing(officer_a, service_a, token):
    data = batch([ANSWERS])
    if token is None:
        del data["token"]
    else:
        data["token"] = token
    response = officer_a.post(paper_url(service_a), data)
    assert response.status_code == 400
    assert not SurveyResponse.objects.exists() and not PaperBatch.objects.exists()
    assert "Form: The form was incomplete; reload the page." in response.content.decode()


def test_one_bad_row_saves_nothing_and_names_row_and_element(officer_a, service_a):
    rows = [ANSWERS, ANSWERS, {**ANSWERS, "u4": "5"}, ANSWERS]
    response = officer_a.post(paper_url(service_a), batch(rows))
    assert response.status_code == 400
    assert not SurveyResponse.objects.exists()
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert "Row 3, U4 (cost / fee): answer 1, 2, 3 or 4" in html
    # the error is tied to its cell for screen readers, and the summary links to it
    assert 'aria-describedby="id_p-2-u4_error"' in html
    assert 'id="id_p-2-u4_error"' in html
    assert 'href="#id_p-2-u4"' in html
    assert response.context["row_errors"] == [
        (3, "U4 (cost / fee)", "answer 1, 2, 3 or 4", "id_p-2-u4")
    ]


def test_partly_filled_row_needs_all_nine_answers(officer_a, service_a):
    rows = [ANSWERS, {"u1": "2", "suggestion": "lebih cepat"}]
    response = officer_a.post(paper_url(service_a), batch(rows))
    assert response.status_code == 400
    assert not SurveyResponse.objects.exists()
    errors = response.context["row_errors"]
    assert [(row, name) for row, name, _msg, _id in errors] == [
        (2, f"U{i} ({SurveyResponse._meta.get_field(f'u{i}').verbose_name})") for i in range(2, 10)
    ]
    assert all(msg == "missing: answer 1, 2, 3 or 4" for _r, _n, msg, _i in errors)


@pytest.mark.parametrize(
    "row",
    [
        {"u1": "0"},
        {"u1": "x"},
        {"u1": "3.5"},
        {"sex": "X"},
        {"age_band": "99"},
        {"suggestion": "x" * 2001},
    ],
)
def test_invalid_cell_refuses_the_whole_batch(officer_a, service_a, row):
    response = officer_a.post(paper_url(service_a), batch([ANSWERS, {**ANSWERS, **row}]))
    assert response.status_code == 400
    assert not SurveyResponse.objects.exists()
    assert [e[0] for e in response.context["row_errors"]] == [2]


def test_all_empty_batch_is_refused(officer_a, service_a):
    response = officer_a.post(paper_url(service_a), batch([{}, {}, {}]))
    assert response.status_code == 400
    assert "Nothing to save: every row is empty." in response.content.decode()


@pytest.mark.parametrize(
    ("year", "quarter", "saved"),
    [(2026, 2, True), (2026, 1, True), (2025, 1, True), (2026, 3, False), (2024, 4, False)],
)
def test_batch_period_is_this_or_last_year_and_not_in_the_future(
    officer_a, service_a, year, quarter, saved
):
    response = officer_a.post(paper_url(service_a), batch([ANSWERS], year=year, quarter=quarter))
    assert response.status_code == (302 if saved else 400)
    assert SurveyResponse.objects.exists() is saved


def test_more_rows_than_the_limit_are_refused(officer_a, service_a):
    response = officer_a.post(paper_url(service_a), batch([ANSWERS] * 51))
    assert response.status_code == 400
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize(("query", "rows"), [("", 25), ("?rows=10", 10), ("?rows=50", 50)])
def test_officer_chooses_the_number_of_rows(officer_a, service_a, query, rows):
    response = officer_a.get(paper_url(service_a) + query)
    assert response.status_code == 200
    assert len(response.context["formset"].forms) == rows


def test_invalid_setup_shows_its_errors_and_no_table(officer_a, service_a):
    response = officer_a.get(paper_url(service_a) + "?year=2026&quarter=4&rows=7")
    assert response.context["formset"] is None
    assert set(response.context["setup"].errors) == {"rows", "quarter"}
    assert "This quarter has not started yet." in response.content.decode()


def test_setup_form_shows_the_current_quarter_by_default(officer_a, service_a):
    setup = officer_a.get(paper_url(service_a)).context["setup"]
    assert (setup["year"].value(), setup["quarter"].value(), setup["rows"].value()) == (2026, 2, 25)


def test_every_cell_has_a_label(officer_a, service_a):
    html = officer_a.get(paper_url(service_a) + "?rows=10").content.decode()
    assert html.count('<label class="vh" for="id_p-') == 10 * 14
    assert '<label class="vh" for="id_p-9-u4">Row 10: U4 (cost / fee)</label>' in html
    assert 'role="region" aria-labelledby="batch-caption"' in html


# --- paper batch: who may ---------------------------------------------------------------


def test_other_agencys_officer_gets_404_and_saves_nothing(officer_b, service_a):
    assert officer_b.get(paper_url(service_a)).status_code == 404
    assert officer_b.post(paper_url(service_a), batch([ANSWERS])).status_code == 404
    assert not SurveyResponse.objects.exists()


def test_unknown_service_is_the_same_404(officer_b):
    assert officer_b.get(reverse("services:paper", args=[999999])).status_code == 404


@pytest.mark.parametrize("who", ["approver_a", "leader", "auditor"])
def test_only_hr_officers_enter_paper_batches(cast, service_a, who):
    client = cast.client(getattr(cast, who))
    refused = 403 if who == "auditor" else 404  # the auditor: the read-only page
    assert client.get(paper_url(service_a)).status_code == refused
    assert client.post(paper_url(service_a), batch([ANSWERS])).status_code == refused
    assert not SurveyResponse.objects.exists()


def test_anonymous_is_sent_to_login(anonymous, service_a):
    for url in (
        paper_url(service_a),
        reverse("services:list"),
        reverse("services:suggestions"),
        reverse("services:metrics", args=[service_a.pk]),
        reverse("services:metrics_edit", args=[service_a.pk, 2026, 1]),
    ):
        for method in (anonymous.get, anonymous.post):
            response = method(url)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("login"))
    assert not SurveyResponse.objects.exists()


def test_csrf_is_required(cast, service_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.officer_a)
    assert client.post(paper_url(service_a), batch([ANSWERS])).status_code == 403
    assert not SurveyResponse.objects.exists()


# --- paper responses in the IKM ---------------------------------------------------------


def test_paper_responses_count_in_ikm_after_recompute(officer_a, cast, service_a):
    rows = [{f"u{i}": "4" for i in range(1, 10)}] * 6 + [{f"u{i}": "2" for i in range(1, 10)}] * 4
    assert (
        officer_a.post(paper_url(service_a), batch(rows, year=2025, quarter=4)).status_code == 302
    )
    run = recompute_scores(year=2025, today=datetime.date(2026, 5, 10))
    score = Score.objects.get(run=run, agency=cast.agency_a, contract=None, year=2025, period="Q4")
    assert score.respondents == 10
    assert score.ikm == Decimal("80.00")  # 25 x (6x4 + 4x2) / 10
    assert score.s == Decimal("90.59")  # against the IKM target: 100 x 80 / 88.31
    assert score.k is None and score.score == Decimal("90.59")


# --- services list ----------------------------------------------------------------------


def test_services_list_shows_own_services_with_counts(officer_a, cast, service_a, service_b):
    SurveyResponseFactory.create_batch(3, service=service_a, year=2026, quarter=2)
    SurveyResponseFactory.create_batch(2, service=service_a, year=2026, quarter=2, channel="paper")
    SurveyResponseFactory(service=service_a, year=2026, quarter=1)  # not this quarter
    # Q1 2026 is the last closed quarter on 10 May (closed from 16 April)
    for kind in ("applications", "users"):
        ServiceMetricFactory(service=service_a, year=2026, quarter=1, kind=kind)
    response = officer_a.get(reverse("services:list"))
    assert response.status_code == 200
    rows = list(response.context["page"])
    assert rows == [service_a]
    assert (rows[0].responses_now, rows[0].paper_now, rows[0].metrics_closed) == (5, 2, 2)
    html = response.content.decode()
    assert "Pendaftaran PPDB" not in html
    assert "2 of 7 entered" in html
    assert reverse("services:paper", args=[service_a.pk]) in html
    assert reverse("services:metrics_edit", args=[service_a.pk, 2026, 1]) in html


def test_services_list_for_a_reader_has_no_entry_links(leader, service_a, service_b):
    response = leader.get(reverse("services:list"))
    assert set(response.context["page"]) == {service_a, service_b}
    html = response.content.decode()
    assert reverse("services:paper", args=[service_a.pk]) not in html
    assert reverse("services:metrics", args=[service_a.pk]) in html


def test_services_list_queries_do_not_grow_with_services(
    officer_a, cast, django_assert_max_num_queries
):
    services = ServiceFactory.create_batch(60, agency=cast.agency_a)
    for s in services[:20]:
        SurveyResponseFactory(service=s, year=2026, quarter=2)
        ServiceMetricFactory(service=s, year=2026, quarter=1)
    with django_assert_max_num_queries(12):
        response = officer_a.get(reverse("services:list"))
    assert len(response.context["page"].object_list) == 50


def test_paper_pages_query_bounds(officer_a, service_a, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        assert officer_a.get(paper_url(service_a) + "?rows=50").status_code == 200
    rows = [{**ANSWERS, "suggestion": f"saran {i}", "sex": "L"} for i in range(50)]
    with django_assert_max_num_queries(10):  # one INSERT for the 50 rows, not one per row
        assert officer_a.post(paper_url(service_a), batch(rows)).status_code == 302
    assert SurveyResponse.objects.filter(channel="paper").count() == 50
    with django_assert_max_num_queries(10):
        assert officer_a.post(paper_url(service_a), batch([{"u1": "9"}] * 50)).status_code == 400


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency needs PostgreSQL")
def test_a_batch_sent_twice_at_the_same_moment_is_saved_once(cast, service_a):
    """Two sends of one form racing (a double click on a slow line): one stores the rows,
    the other waits for its transaction, finds its batch and stores nothing."""
    token, barrier, results = uuid.uuid4(), threading.Barrier(4), []
    rows = [{f"u{i}": 3 for i in range(1, 10)}] * 3

    def send():
        try:
            barrier.wait()
            results.append(
                save_paper_batch(
                    service=service_a,
                    year=2026,
                    quarter=2,
                    rows=rows,
                    user=cast.officer_a,
                    token=token,
                )
            )
        finally:
            connection.close()

    workers = [threading.Thread(target=send) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert sorted((r.responses, r.again) for r in results) == [
        (3, False),
        (3, True),
        (3, True),
        (3, True),
    ]
    assert SurveyResponse.objects.count() == 3
