"""The public agency pages on a province-sized data set (44 agencies, 2,000 civil servants):
directory, scorecard, service page, rankings and comparison. Each page's query count is
bounded whatever the number of agencies, indicators or employees."""

import re

import pytest
from django.urls import reverse

from agencies.models import Agency
from performance.models import Realisation, Score
from tests.public_data import EXPLANATION, module_fixture

pytestmark = pytest.mark.django_db
public_data = module_fixture()
MAX_QUERIES = 12
LIST = reverse("agencies:list")


@pytest.fixture
def en(client):
    """A client reading the pages in English (the language cookie)."""
    client.cookies["lang"] = "en"
    return client


def rows(html: str) -> list[str]:
    """The agency names of a directory or ranking table, in order."""
    return re.findall(r'<th scope="row"[^>]*><a href="/agencies/[^"]+/">([^<]+)</a>', html)


def get(client, url, django_assert_max_num_queries, **params):
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


# Directory


def test_directory_lists_every_public_agency_with_score_predikat_ikm_and_trend(
    en,
    public_data,
    django_assert_max_num_queries,
):
    html = get(en, LIST, django_assert_max_num_queries)
    assert "43 agencies" in html
    assert len(rows(html)) == 25  # first page
    assert public_data.hidden.name not in html
    assert "predikat--" in html and "grade--" in html and "change--" in html
    html2 = get(en, LIST, django_assert_max_num_queries, page=2)
    assert len(rows(html2)) == 18
    assert not set(rows(html)) & set(rows(html2))


def test_directory_sorts_by_score_by_default_and_by_name_on_request(
    en,
    public_data,
    django_assert_max_num_queries,
):
    best = (
        Score.objects.filter(
            run=public_data.run,
            contract__isnull=True,
            year=2025,
            period="Y",
            agency__is_public=True,
        )
        .order_by("-score")
        .select_related("agency")
    )
    assert rows(get(en, LIST, django_assert_max_num_queries))[0] == best[0].agency.name
    lowest = rows(get(en, LIST, django_assert_max_num_queries, sort="score"))[0]
    assert lowest == best.last().agency.name
    by_name = rows(get(en, LIST, django_assert_max_num_queries, sort="name"))
    assert by_name == sorted(by_name)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"region": "5271"}, {"Dinas Uji 09", "Dinas Uji 20", "Dinas Uji 31", "Biro Kecil"}),
        ({"q": "kecil"}, {"Biro Kecil"}),
        ({"q": "du05"}, {"Dinas Uji 05"}),
        ({"region": "5271", "sector": "Perizinan"}, set()),
        ({"sector": "Sosial", "region": "5204"}, {"Dinas Uji 04"}),
    ],
)
def test_directory_filters_over_get(
    en,
    public_data,
    django_assert_max_num_queries,
    params,
    expected,
):
    assert set(rows(get(en, LIST, django_assert_max_num_queries, **params))) == expected


def test_directory_filters_by_predikat_of_the_year(
    en,
    public_data,
    django_assert_max_num_queries,
):
    kurang = set(
        Score.objects.filter(
            run=public_data.run,
            contract__isnull=True,
            year=2025,
            period="Y",
            predikat="Kurang",
            agency__is_public=True,
        ).values_list("agency__name", flat=True)
    )
    assert kurang
    html = get(en, LIST, django_assert_max_num_queries, predikat="Kurang", year="2025")
    assert set(rows(html)) == kurang


def test_directory_empty_result_says_so_and_offers_to_clear_filters(
    en,
    public_data,
    django_assert_max_num_queries,
):
    html = get(en, LIST, django_assert_max_num_queries, q="zzz-nothing")
    assert "No agency matches these filters." in html
    assert f'<a href="{LIST}">Clear the filters and show every agency</a>' in html


def test_directory_invalid_filter_is_reported_not_a_crash(
    en,
    public_data,
    django_assert_max_num_queries,
):
    html = get(en, LIST, django_assert_max_num_queries, region="9999", year="1999")
    assert 'class="error"' in html
    assert len(rows(html)) == 25


def test_directory_controls_are_labelled(en, public_data, django_assert_max_num_queries):
    html = get(en, LIST, django_assert_max_num_queries)
    for name in ("q", "region", "sector", "predikat", "year", "sort"):
        assert f'<label for="id_{name}">' in html
        assert f'id="id_{name}"' in html


# Scorecard


def test_scorecard_shows_year_quarters_components_weights_and_chart(
    en,
    public_data,
    django_assert_max_num_queries,
):
    agency = public_data.public_agencies[1]
    html = get(en, agency.get_absolute_url(), django_assert_max_num_queries)
    year = Score.objects.get(
        run=public_data.run, agency=agency, contract__isnull=True, year=2025, period="Y"
    )
    assert html.count("<h1") == 1
    assert f"{year.score:.2f}" in html and year.predikat in html
    assert "K: the agency's Perjanjian Kinerja" in html
    assert "0.50" in html and "0.30" in html and "0.20" in html  # the scheme's weights
    assert "<svg viewBox" in html and 'role="img"' in html and "<desc" in html
    assert "The figures of the chart" in html  # the same figures as a table
    for quarter in ("Q1 2024", "Q4 2025"):
        assert quarter in html


def test_scorecard_period_form_names_a_wrong_year_where_the_field_points(
    en,
    public_data,
    django_assert_max_num_queries,
):
    """A year the run did not compute: the page shows its newest year, and the year field
    says what is wrong in an error its aria-describedby points at."""
    agency = public_data.public_agencies[1]
    html = get(en, agency.get_absolute_url(), django_assert_max_num_queries, year=1999)
    [described] = re.findall(r'<select name="year"[^>]*aria-describedby="([^"]+)"', html)
    assert f'<p class="error" id="{described}">' in html
    assert "1999 is not one of the available choices" in html
    assert '<option value="2025" selected>' not in html  # nothing chosen: the default shows
    assert "Score 2025" in html


def test_scorecard_indicator_table_has_status_words_shape_last_year_and_update(
    en,
    public_data,
    django_assert_max_num_queries,
):
    agency = public_data.public_agencies[1]
    html = get(en, agency.get_absolute_url(), django_assert_max_num_queries, quarter="2")
    assert html.count("IKU") >= 4
    assert re.search(r"status--(met|near|below)", html)
    assert re.search(r'aria-hidden="true">[✔◐▼]</span> (Target met|Nearly met|Below target)', html)
    last_year = Realisation.objects.get(
        indicator__contract__agency=agency,
        indicator__contract__year=2024,
        indicator__contract__employee=None,
        indicator__code="IKU1",
        quarter=2,
    )
    assert f"{last_year.value:.2f}" in html
    assert "<time datetime=" in html


def test_scorecard_flags_overdue_realisations_of_a_closed_quarter(
    en,
    public_data,
    django_assert_max_num_queries,
):
    agency = public_data.public_agencies[7]  # every 7th agency left Q3 2025 unreported
    html = get(en, agency.get_absolute_url(), django_assert_max_num_queries, quarter="3")
    assert html.count("Overdue: no realisation reported") == 4


def test_scorecard_shows_the_explanation_of_a_variance(
    en,
    public_data,
    django_assert_max_num_queries,
):
    explained = (
        Realisation.objects.filter(
            indicator__contract__year=2025,
            indicator__contract__employee=None,
            indicator__contract__agency__is_public=True,
            explanation=EXPLANATION,
        )
        .select_related("indicator__contract__agency")
        .first()
    )
    html = get(
        en,
        explained.indicator.contract.agency.get_absolute_url(),
        django_assert_max_num_queries,
        quarter=str(explained.quarter),
    )
    assert EXPLANATION in html


def test_scorecard_staff_distribution_counts_with_suppression(
    en,
    public_data,
    django_assert_max_num_queries,
):
    small = get(en, public_data.small.get_absolute_url(), django_assert_max_num_queries)
    section = small.split('id="staff-heading"')[1].split("</section>")[0]
    assert section.count(">&lt; 10</span>") == 6  # five predikat and the total
    big = get(en, public_data.public_agencies[0].get_absolute_url(), django_assert_max_num_queries)
    section = big.split('id="staff-heading"')[1].split("</section>")[0]
    assert re.search(r'<td class="num"[^>]*>\s*\d{2}\s*</td>', section)  # counts of 10 or more


def test_scorecard_services_show_ikm_grade_n_and_data_belum_cukup(
    en,
    public_data,
    django_assert_max_num_queries,
):
    agency = public_data.public_agencies[3]
    html = get(en, agency.get_absolute_url(), django_assert_max_num_queries)
    section = html.split('id="services-heading"')[1].split("</section>")[0]
    assert "n = 36" in section  # 12 respondents in each of three quarters: graded
    assert re.search(r"<abbr[^>]*>[ABCD]</abbr>", section)
    assert "data belum cukup" in section and "n = 9" in section
    assert reverse("agencies:service", args=[agency.slug, "L1"]) in section


def test_scorecard_links_to_this_agencys_downloads(
    en,
    public_data,
    django_assert_max_num_queries,
):
    agency = public_data.public_agencies[3]
    html = get(en, agency.get_absolute_url(), django_assert_max_num_queries)
    for dataset in ("agency-scores", "agency-indicators", "ikm"):
        for fmt in ("csv", "json"):
            url = reverse("open_data_file", args=[dataset, fmt])
            assert f"{url}?agency={agency.slug}" in html


def test_scorecard_of_a_hidden_or_unknown_agency_is_not_found(client, public_data):
    assert client.get(public_data.hidden.get_absolute_url()).status_code == 404
    assert client.get(reverse("agencies:detail", args=["no-such"])).status_code == 404


# Service page


def test_service_page_shows_standard_elements_ikm_and_metrics(
    en,
    public_data,
    django_assert_max_num_queries,
):
    service = public_data.services[2]  # L1 of the second agency: enough respondents
    html = get(en, service.get_absolute_url(), django_assert_max_num_queries)
    assert html.count("<h1") == 1 and service.name in html
    assert "4 days" in html and "free of charge" in html
    assert "Requirements" in html and "Handling of complaints and suggestions" in html
    assert "n = 12" in html and re.search(r"<abbr[^>]*>[ABCD]</abbr>", html)
    assert "Applications received" in html and "4.50" in html
    assert reverse("agencies:survey", args=[service.agency.slug, service.code]) in html


def test_service_page_with_few_respondents_says_data_belum_cukup(
    en,
    public_data,
    django_assert_max_num_queries,
):
    service = public_data.services[3]  # L2: three respondents a quarter
    html = get(en, service.get_absolute_url(), django_assert_max_num_queries)
    assert "data belum cukup" in html and "n = 3" in html
    assert "<abbr" not in html.split('id="ikm-heading"')[1].split("</section>")[0]


def test_service_of_a_hidden_agency_is_not_found(client, public_data):
    service = public_data.hidden.services.first()
    assert client.get(service.get_absolute_url()).status_code == 404


# Rankings


def test_rankings_rank_by_score_with_movement_since_the_period_before(
    en,
    public_data,
    django_assert_max_num_queries,
):
    html = get(en, reverse("rankings"), django_assert_max_num_queries)
    names = rows(html)
    assert len(names) == 43 and public_data.hidden.name not in html
    scores = dict(
        Score.objects.filter(
            run=public_data.run, contract__isnull=True, year=2025, period="Y"
        ).values_list("agency__name", "score")
    )
    assert [scores[n] for n in names] == sorted(scores[n] for n in names)[::-1]
    # 2024 has no survey answers: its scores are incomplete, so nothing compares with them.
    assert "movement since Whole year 2024" in html
    assert "no comparable earlier score" in html
    quarter = get(en, reverse("rankings") + "?year=2025&period=Q2", django_assert_max_num_queries)
    assert "movement since Q1 2025" in quarter
    assert re.search(r"(up|down) \d+ places?|same place", quarter)


def test_rankings_filter_by_quarter_and_region(
    en,
    public_data,
    django_assert_max_num_queries,
):
    html = get(
        en,
        reverse("rankings"),
        django_assert_max_num_queries,
        period="Q1",
        year="2025",
        region="5271",
    )
    assert set(rows(html)) == {"Dinas Uji 09", "Dinas Uji 20", "Dinas Uji 31", "Biro Kecil"}
    assert "movement since Q4 2024" in html
    ranks = re.findall(r'<td class="num"[^>]*>(\d+)</td>', html)
    assert [int(r) for r in ranks][:4] == [1, 2, 3, 4]


# Compare


def test_compare_puts_two_to_four_agencies_side_by_side(
    en,
    public_data,
    django_assert_max_num_queries,
):
    a, b, c = public_data.public_agencies[:3]
    url = reverse("compare") + f"?a={a.slug}&a={b.slug}&a={c.slug}&a="
    with django_assert_max_num_queries(MAX_QUERIES):
        html = en.get(url).content.decode()
    table = html.split('id="compare-caption"')[1]
    for agency in (a, b, c):
        assert agency.name in table
    assert "E: staff mean" in table and "Indicators by status" in table
    assert "Target met" in table


@pytest.mark.parametrize("count", [1, 5])
def test_compare_asks_for_two_to_four_agencies(en, public_data, count):
    slugs = [a.slug for a in public_data.public_agencies[:count]]
    html = en.get(reverse("compare"), {"a": slugs}).content.decode()
    assert "Choose between 2 and 4 different agencies." in html
    assert 'id="compare-caption"' not in html


def test_compare_refuses_a_hidden_agency(en, public_data):
    slugs = [public_data.public_agencies[0].slug, public_data.hidden.slug]
    html = en.get(reverse("compare"), {"a": slugs}).content.decode()
    assert public_data.hidden.name not in html
    assert 'class="error"' in html


def test_compare_without_choice_shows_the_form(en, public_data, django_assert_max_num_queries):
    html = get(en, reverse("compare"), django_assert_max_num_queries)
    assert html.count('<select id="compare-a') == 4
    assert "Choose at least two agencies above." in html


# Language


def test_pages_are_indonesian_by_default_with_comma_decimals(client, public_data):
    agency = public_data.public_agencies[1]
    score = Score.objects.get(
        run=public_data.run, agency=agency, contract__isnull=True, year=2025, period="Y"
    ).score
    html = client.get(agency.get_absolute_url()).content.decode()
    assert '<html lang="id">' in html
    assert f"{score:.2f}".replace(".", ",") in html


def test_language_switch_keeps_the_page_and_formats_numbers_in_english(client, public_data):
    agency = public_data.public_agencies[1]
    response = client.post(
        reverse("set_language"), {"language": "en", "next": agency.get_absolute_url()}
    )
    assert response.status_code == 302 and response.url == agency.get_absolute_url()
    html = client.get(agency.get_absolute_url()).content.decode()
    score = Score.objects.get(
        run=public_data.run, agency=agency, contract__isnull=True, year=2025, period="Y"
    ).score
    assert '<html lang="en">' in html and f"{score:.2f}" in html


def test_every_agency_page_has_one_h1_landmarks_and_a_skip_link(en, public_data):
    agency = public_data.public_agencies[1]
    for url in (
        LIST,
        agency.get_absolute_url(),
        public_data.services[2].get_absolute_url(),
        reverse("rankings"),
        reverse("compare"),
    ):
        html = en.get(url).content.decode()
        assert html.count("<h1") == 1, url
        assert '<main id="main"' in html and "<header" in html and "<footer" in html
        assert 'href="#main"' in html


def test_agency_model_untouched_by_pages(public_data):
    assert Agency.objects.count() == 44
