"""The open-data files' filters (issue 19): an agency by the code the files use or by its
slug, the directory's own filters so its download links give the list shown, and an error
naming the value, not an empty file, when a filter matches nothing."""

import csv
import io

import pytest
from django.urls import reverse

from tests.public_data import module_fixture

pytestmark = pytest.mark.django_db
public_data = module_fixture()


def rows(client, dataset: str, **params) -> list[dict]:
    response = client.get(reverse("open_data_file", args=[dataset, "csv"]), params)
    assert response.status_code == 200, response.content
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize("dataset", ["agency-scores", "agency-indicators", "services", "ikm"])
def test_an_agency_is_found_by_its_code_or_its_slug(client, public_data, dataset):
    agency = public_data.public_agencies[3]
    by_code = rows(client, dataset, agency=agency.code)
    assert by_code and {r["agency_code"] for r in by_code} == {agency.code}
    assert rows(client, dataset, agency=agency.slug) == by_code
    assert rows(client, dataset, agency=agency.code.lower()) == by_code


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"agency": "nonexistent"}, "nonexistent"),
        ({"region": "9999"}, "9999"),
        ({"year": "abc"}, "year"),
        ({"predikat": "Baik"}, "predikat"),
    ],
)
def test_a_filter_that_matches_nothing_is_a_404_that_says_which(
    client, public_data, english, params, named
):
    response = client.get(reverse("open_data_file", args=["agency-scores", "csv"]), params)
    assert response.status_code == 404
    assert named in response.content.decode()
    assert "agency_code" not in response.content.decode()  # no empty file


def test_a_hidden_agency_is_not_found_by_its_code_either(client, public_data):
    hidden = public_data.hidden
    url = reverse("open_data_file", args=["agency-scores", "csv"])
    assert client.get(url, {"agency": hidden.code}).status_code == 404


def test_the_directorys_download_links_give_the_list_shown(client, public_data):
    agency = public_data.public_agencies[0]
    query = {"region": agency.region.code, "sector": agency.sector}
    page = client.get(reverse("agencies:list"), query)
    listed = {a.code for a in page.context["page"].object_list}
    assert len(listed) < len(public_data.public_agencies)
    link = page.context["filter"].download_query()
    assert f"region={agency.region.code}" in link and "year=" in link
    assert reverse("open_data_file", args=["agencies", "csv"]) + "?" + link in (
        page.content.decode().replace("&amp;", "&")
    )
    downloaded = client.get(reverse("open_data_file", args=["agencies", "csv"]) + "?" + link)
    assert {r["code"] for r in csv.DictReader(io.StringIO(downloaded.content.decode()))} == listed
