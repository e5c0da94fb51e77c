"""Home, methodology and open data on a province-sized data set, and the page cache
(per published run and language, with ETag / Last-Modified / Cache-Control)."""

import csv
import io
import json
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from agencies.models import SurveyResponse
from performance import scoring
from performance.caching import forget_published_run
from performance.models import Realisation, Score, ScoreRun
from portal.public.opendata import DATASETS
from tests.conftest import clear_cache
from tests.public_data import module_fixture

pytestmark = pytest.mark.django_db
public_data = module_fixture()
MAX_QUERIES = 12


@pytest.fixture
def en(client):
    client.cookies["lang"] = "en"
    return client


def get(client, url, django_assert_max_num_queries, **params):
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(url, params)
    assert response.status_code == 200
    return response


def annual_scores(run):
    return Score.objects.filter(
        run=run, contract__isnull=True, year=2025, period="Y", agency__is_public=True
    ).select_related("agency")


# Home


def test_home_shows_the_province_at_a_glance(en, public_data, django_assert_max_num_queries):
    html = get(en, "/", django_assert_max_num_queries).content.decode()
    assert html.count("<h1") == 1
    scores = list(annual_scores(public_data.run))
    totals = html.split('id="regions-caption"')[1].split("<tfoot>")[1].split("</tfoot>")[0]
    cells = re.findall(r'<td class="num" data-label="([^"]+)">([\d.,]+)</td>', totals)
    assert cells == [
        (p, str(sum(s.predikat == p for s in scores))) for p in scoring.ORGANISATION_SCALE
    ]
    complete = [s for s in scores if s.complete]
    best = max(complete, key=lambda s: s.score)
    worst = min(complete, key=lambda s: s.score)
    assert best.agency.name in html.split('id="best-heading"')[1].split("</section>")[0]
    assert worst.agency.name in html.split('id="weakest-heading"')[1].split("</section>")[0]
    respondents = SurveyResponse.objects.filter(service__agency__is_public=True).count()
    assert "province-wide IKM" in html and f"n = {respondents:,}" in html
    assert "Biggest changes in Q4" in html
    assert f"Scores of run {public_data.run.pk}" in html


def test_pages_before_the_first_run_say_so(en, public_data):
    ScoreRun.objects.update(status=ScoreRun.Status.FAILED)
    clear_cache()
    for url in (
        "/",
        reverse("agencies:list"),
        reverse("rankings"),
        reverse("methodology"),
        reverse("open_data"),
        public_data.public_agencies[0].get_absolute_url(),
    ):
        response = en.get(url)
        assert response.status_code == 200, url
    assert "No scores have been computed yet." in en.get("/").content.decode()
    assert (
        en.get(reverse("open_data_file", args=["agency-scores", "csv"]))
        .content.decode()
        .strip()
        .count("\n")
        == 0
    )  # the header only


# Methodology


def test_methodology_renders_the_scheme_of_the_run_and_a_worked_example(
    en,
    public_data,
    django_assert_max_num_queries,
):
    html = get(en, reverse("methodology"), django_assert_max_num_queries).content.decode()
    assert html.count("<h1") == 1
    assert "The scheme in force: 2025, version 1" in html
    assert "120.00 %" in html  # the cap
    # The worked example (v2): K 94.00, E 98.04, IKM 79.28 so S = 100 x 79.28 / 88.31 = 89.77;
    # 0.5 x 94.00 + 0.3 x 98.04 + 0.2 x 89.77 = 94.37, Baik.
    assert "89.77" in html and "94.37" in html and "Baik" in html
    assert 'id="privacy"' in html and "NIP" in html


def test_methodology_follows_a_change_of_scheme_in_the_published_run(en, public_data):
    run = public_data.run
    ScoreRun.objects.filter(pk=run.pk).update(
        schemes={**run.schemes, "2025": {**run.schemes["2025"], "cap": "115", "version": 3}}
    )
    clear_cache()
    html = en.get(reverse("methodology")).content.decode()
    assert "version 3" in html and "115.00 %" in html


# Open data


def test_open_data_hub_has_each_dataset_with_dictionary_licence_and_run(
    en,
    public_data,
    django_assert_max_num_queries,
):
    html = get(en, reverse("open_data"), django_assert_max_num_queries).content.decode()
    assert "CC BY 4.0" in html and "creativecommons.org/licenses/by/4.0" in html
    assert f"Score run {public_data.run.pk}" in html
    for slug, dataset in DATASETS.items():
        assert reverse("open_data_file", args=[slug, "csv"]) in html
        assert reverse("open_data_file", args=[slug, "json"]) in html
        for column in dataset.columns:
            assert f"<code>{column.name}</code>" in html


@pytest.mark.parametrize("slug", list(DATASETS))
def test_open_data_files_in_csv_and_json_agree(
    client,
    public_data,
    slug,
    django_assert_max_num_queries,
):
    dataset = DATASETS[slug]
    response = get(
        client, reverse("open_data_file", args=[slug, "csv"]), django_assert_max_num_queries
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"run{public_data.run.pk}.csv" in response["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.content.decode())))
    assert table[0] == dataset.header
    assert len(table) > 1
    response = get(
        client, reverse("open_data_file", args=[slug, "json"]), django_assert_max_num_queries
    )
    assert response["Content-Type"] == "application/json; charset=utf-8"
    payload = json.loads(response.content)
    assert payload["licence"] == "CC-BY-4.0"
    assert payload["run"]["id"] == public_data.run.pk
    assert [c["name"] for c in payload["columns"]] == dataset.header
    assert len(payload["rows"]) == len(table) - 1
    assert public_data.hidden.code not in response.content.decode()


def test_open_data_narrows_to_one_agency_and_year(client, public_data):
    agency = public_data.public_agencies[2]
    url = reverse("open_data_file", args=["agency-scores", "json"])
    rows = json.loads(client.get(url, {"agency": agency.slug, "year": 2025}).content)["rows"]
    assert {r["agency_code"] for r in rows} == {agency.code}
    assert {r["year"] for r in rows} == {2025}
    assert [r["period"] for r in rows] == ["Q1", "Q2", "Q3", "Q4", "Y"]
    stored = Score.objects.get(
        run=public_data.run, agency=agency, contract__isnull=True, year=2025, period="Y"
    )
    assert rows[-1]["score"] == float(stored.score) and rows[-1]["predikat"] == stored.predikat


def test_open_data_indicators_carry_targets_realisations_status_and_overdue(
    client,
    public_data,
):
    agency = public_data.public_agencies[7]  # Q3 2025 left unreported
    url = reverse("open_data_file", args=["agency-indicators", "csv"])
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(url, {"agency": agency.slug, "year": 2025}).content.decode())
        )
    )
    assert len(rows) == 16  # four indicators, four quarters
    q3 = [r for r in rows if r["quarter"] == "3"]
    assert {r["status"] for r in q3} == {"overdue"} and {r["overdue"] for r in q3} == {"true"}
    assert all(r["realisation"] == "" and r["target"] == "100" for r in q3)
    q1 = [r for r in rows if r["quarter"] == "1"]
    assert all(r["last_year_realisation"] for r in q1)


def test_open_data_csv_escapes_formula_cells(client, public_data):
    agency = public_data.public_agencies[2]
    Realisation.objects.filter(indicator__contract__agency=agency).update(
        explanation='=HYPERLINK("http://example.com","klik")'
    )
    clear_cache()
    body = client.get(
        reverse("open_data_file", args=["agency-indicators", "csv"]), {"agency": agency.slug}
    ).content.decode()
    assert "'=HYPERLINK" in body
    assert ",=HYPERLINK" not in body and ',"=HYPERLINK' not in body


def test_unknown_dataset_or_format_is_not_found(client, public_data):
    assert client.get("/open-data/employees.csv").status_code == 404
    assert client.get("/open-data/agencies.xlsx").status_code == 404


# Page cache


def test_a_page_is_served_from_the_cache_of_the_run_with_validators(
    client,
    public_data,
    django_assert_num_queries,
):
    first = client.get(reverse("rankings"))
    with django_assert_num_queries(0):
        second = client.get(reverse("rankings"))
    assert second.content == first.content
    assert second["ETag"] == first["ETag"] and str(public_data.run.pk) in first["ETag"]
    assert "public" in second["Cache-Control"] and "max-age=300" in second["Cache-Control"]
    assert "Last-Modified" in second and "Cookie" in second["Vary"]
    not_modified = client.get(reverse("rankings"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304 and not_modified.content == b""
    since = client.get(reverse("rankings"), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304


def test_a_new_run_changes_the_page_and_its_etag(client, public_data):
    before = client.get("/")
    ScoreRun.objects.create(
        status=ScoreRun.Status.PUBLISHED,
        published_at=timezone.now(),
        schemes=public_data.run.schemes,
    )
    forget_published_run()
    after = client.get("/", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after["ETag"] != before["ETag"]


def test_each_language_has_its_own_cached_page(client, public_data):
    indonesian = client.get("/").content.decode()
    client.cookies["lang"] = "en"
    english = client.get("/").content.decode()
    assert '<html lang="id">' in indonesian and '<html lang="en">' in english


def test_a_visitor_with_a_session_gets_a_private_uncached_page(client, public_data):
    client.get("/")  # warm the shared cache
    client.cookies[settings.SESSION_COOKIE_NAME] = "some-session"
    response = client.get("/")
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "ETag" not in response


def test_public_pages_carry_no_csrf_token(client, public_data):
    html = client.get("/").content.decode()
    assert "csrfmiddlewaretoken" not in html
    assert reverse("set_language") in html
