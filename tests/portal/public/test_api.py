"""The open-data API (issue 24, /api/v1/): every dataset of the open-data files, row for row,
with the files' filters, a page at a time, in both languages, in a bounded number of
queries, and never an individual civil servant."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.urls import resolve, reverse

from agencies.csvio import safe_cell
from performance.models import Employee
from portal.public.api.views import LIST_PARAMS
from portal.public.opendata import DATASETS, FilterForm
from tests.public_data import module_fixture
from tests.test_privacy import word_runs, words

pytestmark = pytest.mark.django_db
public_data = module_fixture()


def get(client, url: str, params: dict | None = None, **headers) -> dict:
    response = client.get(url, params or {}, **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def api_rows(client, slug: str, **params) -> list[dict]:
    """Every row of a dataset through the API, following the `next` links."""
    page = get(client, reverse(f"api:{slug}"), {**params, "page_size": 1000})
    rows = page["results"]
    while page["next"]:
        page = get(client, page["next"])
        rows += page["results"]
    assert len(rows) == page["count"]
    return rows


def file_rows(client, slug: str, **params) -> list[dict]:
    response = client.get(reverse("open_data_file", args=[slug, "csv"]), params)
    assert response.status_code == 200, response.content
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def as_file_cell(value: object) -> str:
    """An API value as the CSV file writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(safe_cell(value))


def filters(data) -> list[dict]:
    agency = data.public_agencies[3]
    return [
        {},
        {"agency": agency.code},
        {"agency": agency.slug, "year": "2025"},
        {"year": "2024"},
        {"region": agency.region.code, "sector": agency.sector},
        {"q": "uji 1"},
        {"predikat": "Baik", "year": "2024"},
    ]


@pytest.mark.parametrize("slug", DATASETS)
def test_each_dataset_gives_the_rows_of_its_file_with_the_same_filters(client, public_data, slug):
    for params in filters(public_data):
        expected = file_rows(client, slug, **params)
        got = api_rows(client, slug, **params)
        assert [{k: as_file_cell(v) for k, v in row.items()} for row in got] == expected, params
    assert api_rows(client, slug) != []


def test_the_filters_narrow(client, public_data):
    agency = public_data.public_agencies[3]
    one = api_rows(client, "agency-scores", agency=agency.slug, year="2025")
    assert one and {(r["agency_code"], r["year"]) for r in one} == {(agency.code, 2025)}
    rated = api_rows(client, "agencies", predikat="Baik", year="2024")
    assert 0 < len(rated) < len(public_data.public_agencies)


@pytest.mark.parametrize(
    ("params", "status", "named", "words_"),
    [
        # Well-formed, matching nothing: not found, as the files say.
        ({"agency": "nonexistent"}, 404, "agency", "nonexistent"),
        ({"region": "9999"}, 404, "region", "9999"),
        ({"predikat": "Baik"}, 404, "predikat", "year"),
        # Malformed (what the schema forbids): a bad request.
        ({"year": "abc"}, 400, "year", "number"),
        ({"year": "1999"}, 400, "year", "2000"),
        ({"predikat": "Hebat", "year": "2025"}, 400, "predikat", "Hebat"),
        ({"q": "a\x00b"}, 400, "q", "Null"),
        ({"agency": "nonexistent", "year": "abc"}, 400, "year", "number"),
    ],
)
def test_a_filter_the_files_refuse_is_an_error_naming_the_parameter(
    client, public_data, english, params, status, named, words_
):
    response = client.get(reverse("api:agency-scores"), params)
    assert response.status_code == status
    body = response.json()
    assert body["detail"] and named in body["errors"]
    assert words_ in body["errors"][named][0]


def test_a_hidden_agency_is_not_found_by_its_code_either(client, public_data):
    response = client.get(reverse("api:agencies"), {"agency": public_data.hidden.code})
    assert response.status_code == 404 and "agency" in response.json()["errors"]


def test_pages_have_a_count_links_and_a_bounded_size(client, public_data):
    url = reverse("api:agency-indicators")
    first = get(client, url)
    assert len(first["results"]) == 100 and first["count"] > 1000
    assert first["previous"] is None
    assert first["next"] == f"http://testserver{url}?page=2"
    second = get(client, first["next"])
    assert second["previous"] == f"http://testserver{url}"
    assert second["results"][0] != first["results"][0]
    # A client cannot ask for more than 1000 rows at once.
    huge = get(client, url, {"page_size": 100000})
    assert len(huge["results"]) == 1000 and huge["next"].endswith("page=2&page_size=100000")
    last = (first["count"] + 999) // 1000
    assert get(client, url, {"page_size": 1000, "page": last})["next"] is None


def test_a_page_beyond_the_last_is_a_404_that_says_so(client, public_data, english):
    response = client.get(reverse("api:agencies"), {"page": 99})
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no page 99."}
    assert client.get(reverse("api:agencies"), {"page": "last"}).status_code == 404


@pytest.mark.parametrize("size", ["0", "-3", "abc", "1.5"])
def test_a_malformed_page_size_is_refused_not_ignored(client, public_data, english, size):
    response = client.get(reverse("api:agencies"), {"page_size": size})
    assert response.status_code == 400
    assert response.json()["errors"] == {"page_size": ["A page size is a whole number from 1."]}


def test_the_index_lists_every_dataset_with_its_addresses(client, public_data):
    index = get(client, reverse("api:index"))
    assert [d["slug"] for d in index["datasets"]] == list(DATASETS)
    for entry in index["datasets"]:
        assert entry["url"] == f"http://testserver/api/v1/{entry['slug']}/"
        for link in (entry["url"], entry["csv"], entry["json"]):
            assert client.get(link).status_code == 200, link
    assert index["schema"] == "http://testserver/api/v1/openapi.json"
    assert index["catalogue"] == "http://testserver/open-data/catalog.jsonld"
    assert index["run"]["id"] == public_data.run.pk
    assert index["licence"] == "CC-BY-4.0"


def test_every_response_is_in_the_visitors_language(client, public_data):
    indonesian = get(client, reverse("api:index"))
    client.cookies["lang"] = "en"
    english = get(client, reverse("api:index"))
    titles = {d["slug"]: d["title"] for d in indonesian["datasets"]}
    assert titles["agencies"] == "Instansi"
    assert {d["slug"]: d["title"] for d in english["datasets"]}["agencies"] == "Agencies"
    client.cookies["lang"] = "id"
    errors = client.get(reverse("api:agencies"), {"agency": "x"}).json()
    assert errors["errors"]["agency"] == ["Tidak ada instansi publik dengan kode atau slug “x”."]


def test_decimals_are_exact_strings_and_keys_are_never_null(client, public_data):
    rows = api_rows(client, "services")
    fees = {r["fee"] for r in rows}
    assert fees == {"0", "50000"}  # stored as 0.00 and 50000.00: no float, no trailing zeros
    for slug, dataset in DATASETS.items():
        required = [c.name for c in dataset.columns if not c.nullable]
        for row in api_rows(client, slug):
            assert list(row) == dataset.header
            assert all(row[name] is not None for name in required), (slug, row)
            for column in dataset.columns:
                if column.type == "decimal" and row[column.name] is not None:
                    assert Decimal(row[column.name]) == Decimal(row[column.name]).normalize()


@pytest.mark.parametrize("slug", DATASETS)
def test_a_list_takes_a_bounded_number_of_queries(
    client, public_data, slug, django_assert_max_num_queries
):
    agency = public_data.public_agencies[5]
    narrowed = {"agency": agency.slug, "region": agency.region.code, "q": "uji", "year": "2024"}
    for params in ({}, narrowed, {"predikat": "Baik", "year": "2024", "page_size": 5}):
        # The published run (2, the first time), the filters (up to 3), the rows (1 or 2):
        # the same however many rows.
        with django_assert_max_num_queries(7):
            get(client, reverse(f"api:{slug}"), params)
        with django_assert_max_num_queries(0):  # the cached response
            get(client, reverse(f"api:{slug}"), params)


def test_the_index_and_the_schema_take_a_bounded_number_of_queries(
    client, public_data, django_assert_max_num_queries
):
    for name in ("api:index", "api:schema"):
        with django_assert_max_num_queries(2):
            client.get(reverse(name))


def test_the_filters_are_the_files_own(public_data):
    """The list views take exactly the open-data files' filters, and the pages' two."""
    for slug in DATASETS:
        view = resolve(reverse(f"api:{slug}"))
        assert view.func.page_params == frozenset(LIST_PARAMS)
    assert set(LIST_PARAMS) == {*FilterForm.base_fields, "page", "page_size"}


def test_the_api_shows_no_employee_and_no_figure_of_one(client, public_data):
    """As tests/test_privacy.py for the pages and files: every row of every dataset, the
    index and the schema carry no NIP, no name of a civil servant, no column about one
    person, and the small agency's staff figures are hidden."""
    nips = set(Employee.objects.values_list("nip", flat=True))
    names = {words(n) for n in Employee.objects.values_list("name", flat=True)}
    any_nip = re.compile(r"(?<!\d)(\d{18}|\d{8} \d{6} \d \d{3})(?!\d)")
    bodies = {
        reverse("api:index"): client.get(reverse("api:index")).content.decode(),
        reverse("api:schema"): client.get(reverse("api:schema")).content.decode(),
    }
    for slug in DATASETS:
        for params in ({}, {"agency": public_data.small.slug}):
            page = client.get(reverse(f"api:{slug}"), {**params, "page_size": 1000})
            while True:
                bodies[page.wsgi_request.get_full_path()] = page.content.decode()
                if not (following := page.json()["next"]):
                    break
                page = client.get(following)
    assert len(bodies) > 12
    for url, body in bodies.items():
        leaked = {n.replace(" ", "") for n in any_nip.findall(body)} & nips
        assert not leaked, f"{url} shows NIP(s) {sorted(leaked)[:3]}"
        shown = word_runs(body, {len(n) for n in names}) & names
        assert not shown, f"{url} shows the name(s) {sorted(shown)[:3]}"
        assert public_data.hidden.name not in body, url
    personal = {"nip", "employee", "employee_name", "holder", "position", "name_of_employee"}
    for dataset in DATASETS.values():
        assert not personal & set(dataset.header), dataset.slug
    # The small agency (6 staff, below the minimum group size): no staff mean, and its
    # counts of decisions about staff hidden.
    small = {"agency": public_data.small.slug}
    assert all(r["staff_component"] is None for r in api_rows(client, "agency-scores", **small))
    staff = [r for r in api_rows(client, "decisions", **small) if r["level"] == "staff"]
    assert staff and all(r["suppressed"] for r in staff)
