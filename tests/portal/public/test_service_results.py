"""A service's public page (issue 7): per quarter of the chosen year, the nine element means,
IKM, grade, n, the share of each channel and the sample the regulation expects (Krejcie and
Morgan), next to the service figures with the on-time and complaint resolution rates and a
flag where complaints rise while processing time stays within the standard. Suggestions are
never public."""

from decimal import Decimal

import pytest
from django.urls import reverse

from agencies.models import ANSWER_FIELDS, ServiceMetric, SurveyResponse
from agencies.sampling import (
    complaints_contradict_time,
    on_time_rate,
    percent,
    required_sample,
    resolution_rate,
)
from performance.services import recompute_scores
from portal.public.opendata import DATASETS
from portal.public.results import quarter_results
from tests.conftest import AFTER_2025
from tests.factories import ServiceFactory, ServiceMetricFactory, SurveyResponseFactory

MAX_QUERIES = 10  # 8, and the follow-up plans with their updates
SECRET = "Saran rahasia: petugas loket minta uang rokok"
Kind = ServiceMetric.Kind
Channel = SurveyResponse.Channel


# The sample the regulation expects (pure)


@pytest.mark.parametrize(
    ("population", "sample"),
    [
        (0, 0),
        (7, 7),
        (10, 10),
        (15, 14),
        (100, 80),
        (101, 86),  # between two rows: the row above
        (110, 86),
        (500, 217),
        (1000, 278),
        (2000, 322),
        (10000, 370),
        (75000, 382),
        (75001, 384),
        (1000000, 384),
        (5000000, 384),
    ],
)
def test_required_sample_follows_the_krejcie_morgan_table(population, sample):
    assert required_sample(population) == sample


def test_required_sample_never_falls_as_the_population_grows():
    samples = [required_sample(n) for n in range(0, 20001, 7)]
    assert samples == sorted(samples)


def test_required_sample_refuses_a_negative_population():
    with pytest.raises(ValueError):
        required_sample(-1)


@pytest.mark.parametrize(
    ("on_time", "late", "rate"),
    [(90, 10, Decimal("90.00")), (2, 1, Decimal("66.67")), (0, 0, None), (5, None, None)],
)
def test_on_time_rate(on_time, late, rate):
    assert on_time_rate(on_time, late) == rate


@pytest.mark.parametrize(
    ("resolved", "received", "rate"),
    [(6, 9, Decimal("66.67")), (12, 10, Decimal("120.00")), (3, 0, None), (None, 4, None)],
)
def test_resolution_rate(resolved, received, rate):
    assert resolution_rate(resolved, received) == rate


def test_percent_rounds_half_up():
    assert percent(1, 8) == Decimal("12.50") and percent(1, 800) == Decimal("0.13")


@pytest.mark.parametrize(
    ("complaints", "previous", "days", "standard", "flag"),
    [
        (9, 5, Decimal("4"), 5, True),  # more complaints, time on target
        (9, 5, Decimal("5"), 5, True),  # exactly on the standard is on target
        (9, 5, Decimal("5.5"), 5, False),  # time off target: the figures agree
        (5, 5, Decimal("4"), 5, False),  # complaints did not rise
        (4, 5, Decimal("4"), 5, False),
        (9, None, Decimal("4"), 5, False),  # nothing to compare with
        (9, 5, None, 5, False),
        (9, 5, Decimal("4"), None, False),
    ],
)
def test_contradiction_flag(complaints, previous, days, standard, flag):
    assert complaints_contradict_time(complaints, previous, days, standard) is flag


# The page


def respond(service, quarter, n, channel, year=2025, **fields):
    answers = dict.fromkeys(ANSWER_FIELDS, 3) | fields
    SurveyResponseFactory.create_batch(
        n, service=service, year=year, quarter=quarter, channel=channel, **answers
    )


def metric(service, quarter, kind, value, year=2025):
    ServiceMetricFactory(service=service, year=year, quarter=quarter, kind=kind, value=value)


@pytest.fixture
def service(cast):
    service = ServiceFactory(
        agency=cast.agency_a, code="IZIN", name="Izin Praktik", standard_days=5
    )
    respond(service, 1, 6, Channel.WEB, u1=4)
    respond(service, 1, 3, Channel.PAPER)
    respond(service, 1, 3, Channel.IMPORT, suggestion=SECRET)
    respond(service, 2, 4, Channel.WEB)
    for kind, value in (
        (Kind.USERS, 100),
        (Kind.COMPLETED_ON_TIME, 90),
        (Kind.COMPLETED_LATE, 10),
        (Kind.COMPLAINTS_RECEIVED, 5),
        (Kind.COMPLAINTS_RESOLVED, 5),
        (Kind.AVG_PROCESSING_DAYS, Decimal("6")),
    ):
        metric(service, 1, kind, value)
    for kind, value in (
        (Kind.USERS, 12),
        (Kind.COMPLAINTS_RECEIVED, 9),
        (Kind.COMPLAINTS_RESOLVED, 6),
        (Kind.AVG_PROCESSING_DAYS, Decimal("4")),
    ):
        metric(service, 2, kind, value)
    metric(service, 4, Kind.COMPLAINTS_RECEIVED, 1, year=2024)
    return service


@pytest.fixture
def en(client):
    client.cookies["lang"] = "en"
    return client


def get(client, url, django_assert_max_num_queries, **params):
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, heading: str) -> str:
    return html.split(f'id="{heading}"')[1].split("</section>")[0]


@pytest.mark.django_db
def test_quarter_results_pool_the_channels_and_compute_the_figures(service):
    q1, q2, q3, q4 = quarter_results(service, 2025, 10)
    assert q1.ikm.respondents == 12 and q1.ikm.grade is not None
    assert q1.ikm.nrr[0] == Decimal("3.5")  # six 4s and six 3s
    assert [(c, n, share) for c, _, n, share in q1.channels] == [
        ("web", 6, Decimal("50.00")),
        ("paper", 3, Decimal("25.00")),
        ("import", 3, Decimal("25.00")),
    ]
    assert (q1.users, q1.required, q1.sample_reached) == (100, 80, False)
    assert q1.on_time_rate == Decimal("90.00") and q1.resolution_rate == Decimal("100.00")
    # Q1: complaints rose from Q4 2024 (1 -> 5) but 6 days is over the 5-day standard.
    assert q1.contradiction is False
    assert q2.ikm.respondents == 4 and q2.ikm.grade is None  # data belum cukup
    assert (q2.required, q2.sample_reached) == (14, False)  # 12 people: the row of 15
    assert q2.resolution_rate == Decimal("66.67") and q2.on_time_rate is None
    assert q2.contradiction is True  # 5 -> 9 complaints with 4 days on a 5-day standard
    assert q3.ikm.respondents == q4.ikm.respondents == 0 and q3.required is None


@pytest.mark.django_db
def test_service_page_shows_results_per_quarter_with_channels_and_sample(
    en, service, django_assert_max_num_queries
):
    html = get(en, service.get_absolute_url(), django_assert_max_num_queries)
    ikm = section(html, "ikm-heading")
    assert "Citizen satisfaction (IKM) 2025" in ikm
    assert "n = 12" in ikm and "<abbr" in ikm  # Q1 graded
    assert "n = 4" in ikm and "data belum cukup" in ikm  # Q2 below the minimum
    assert "Answered by web" in ikm and "50.00 %" in ikm and "25.00 %" in ikm
    assert "Answered by kiosk / import" in ikm
    assert "Sample expected (Krejcie-Morgan)" in ikm and ">80<" in ikm
    assert "✗</span> no" in ikm
    figures = section(html, "metrics-heading")
    assert "People served" in figures and "Complaints received" in figures
    assert "90.00 %" in figures and "66.67 %" in figures
    assert "yes: look closer" in figures
    assert "In 1 quarter, complaints rose" in figures


@pytest.mark.django_db
def test_service_page_links_to_the_survey_and_its_qr_code(en, service):
    html = en.get(service.get_absolute_url()).content.decode()
    args = [service.agency.slug, service.code]
    assert f'href="{reverse("agencies:survey", args=args)}"' in html
    assert f'href="{reverse("agencies:survey_qr", args=args)}"' in html
    assert "QR code for counters and posters" in html


@pytest.mark.django_db
def test_service_page_shows_the_chosen_year(en, service, django_assert_max_num_queries):
    respond(service, 3, 2, Channel.PAPER, year=2024)
    html = get(en, service.get_absolute_url(), django_assert_max_num_queries, year=2024)
    assert "Citizen satisfaction (IKM) 2024" in html and "n = 2" in html
    assert '<option value="2024" selected>' in html
    # An unknown year shows the latest one.
    html = get(en, service.get_absolute_url(), django_assert_max_num_queries, year=1999)
    assert "Citizen satisfaction (IKM) 2025" in html


@pytest.mark.django_db
def test_service_without_answers_or_figures_says_so(en, cast, django_assert_max_num_queries):
    service = ServiceFactory(agency=cast.agency_a)
    html = get(en, service.get_absolute_url(), django_assert_max_num_queries)
    assert "No survey responses yet." in html and "No figures reported yet." in html


@pytest.mark.django_db
def test_service_page_is_served_from_the_cache_of_the_published_run(
    en, service, django_assert_max_num_queries
):
    first = en.get(service.get_absolute_url())
    assert "public" in first["Cache-Control"]
    with django_assert_max_num_queries(1):  # at most the published run id
        again = en.get(service.get_absolute_url())
    assert again.content == first.content


@pytest.mark.django_db
def test_suggestions_never_reach_a_public_page_or_open_data_file(client, cast, service):
    recompute_scores(year=2025, today=AFTER_2025)
    assert SurveyResponse.objects.filter(suggestion=SECRET).count() == 3
    slug, code = service.agency.slug, service.code
    urls = [
        "/",
        service.get_absolute_url(),
        service.agency.get_absolute_url(),
        reverse("agencies:survey", args=[slug, code]),
        reverse("agencies:survey_thanks", args=[slug, code]),
        reverse("agencies:list"),
        reverse("open_data"),
    ]
    for dataset in DATASETS:
        for fmt in ("csv", "json"):
            file_url = reverse("open_data_file", args=[dataset, fmt])
            urls += [file_url, f"{file_url}?agency={slug}"]
    for url in urls:
        for language in ("id", "en"):
            client.cookies["lang"] = language
            response = client.get(url)
            assert response.status_code == 200, url
            body = response.content.decode()
            assert "rahasia" not in body.casefold() and "uang rokok" not in body, url
