"""`?edition=<date>` on the open-data files and the API, and the `editions` dataset (issue 24):
a figure fetched with an edition after a later correction shows the value as first
published; an edition that does not exist is a 404 that says so and where the editions are."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from performance import late
from performance.models import LateChange
from performance.services import recompute_scores
from tests.performance.late_data import DEC_6, agency_pk, row, save

pytestmark = pytest.mark.django_db
DEC_7 = DEC_6 + datetime.timedelta(days=1)


@pytest.fixture
def corrected(cast):
    """DIKES's Q3 2026 published at 85 on 6 December (an edition: Q1-Q3 closed), then
    corrected to 60 on 7 December (an edition: a correction), then a night between."""
    pk = agency_pk(cast.agency_a)
    first = recompute_scores(today=DEC_6)
    save(pk, [row(pk, "IKU1", "120"), row(pk, "IKU2", None)], cast.officer_a)
    late.confirm(list(LateChange.objects.values_list("pk", flat=True)), cast.approver_a)
    second = recompute_scores(today=DEC_7)
    recompute_scores(today=DEC_7)
    return first, second


def q3_score(client, **params) -> dict:
    response = client.get(reverse("api:agency-scores"), {"agency": "DIKES", "year": 2026, **params})
    assert response.status_code == 200, response.content
    body = response.json()
    (q3,) = [r for r in body["results"] if r["period"] == "Q3"]
    return {"score": q3["score"], "run": body["run"]["id"], "edition": body["edition"]}


def test_a_figure_fetched_with_an_edition_after_a_later_correction_is_as_first_published(
    client, corrected
):
    first, second = corrected
    assert q3_score(client, edition="2026-12-06") == {
        "score": "85",
        "run": first.pk,
        "edition": "2026-12-06",
    }
    assert q3_score(client, edition="2026-12-07") == {
        "score": "60",
        "run": second.pk,
        "edition": "2026-12-07",
    }
    assert q3_score(client)["score"] == "60"  # the latest run


def test_the_files_take_the_edition_too(client, corrected):
    url = reverse("open_data_file", args=["agency-scores", "csv"])
    response = client.get(url, {"agency": "DIKES", "edition": "2026-12-06"})
    assert response.status_code == 200
    assert "edition-2026-12-06" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    (q3,) = [r for r in rows if (r["year"], r["period"]) == ("2026", "Q3")]
    assert q3["score"] == "85"
    indicators = client.get(
        reverse("open_data_file", args=["agency-indicators", "json"]),
        {"agency": "DIKES", "edition": "2026-12-06"},
    ).json()
    assert indicators["edition"] == "2026-12-06"
    iku1 = [r for r in indicators["rows"] if (r["indicator_code"], r["quarter"]) == ("IKU1", 3)]
    assert [r["achievement"] for r in iku1] == [80.0]  # as first published


def test_an_editions_corrections_are_those_published_by_then(client, corrected):
    url = reverse("api:corrections")
    assert client.get(url, {"edition": "2026-12-06"}).json()["count"] == 0
    assert client.get(url, {"edition": "2026-12-07"}).json()["count"] == 4
    assert client.get(url).json()["count"] == 4


def test_the_editions_dataset_lists_every_edition_oldest_first(client, corrected):
    first, second = corrected
    body = client.get(reverse("api:editions")).json()
    assert [
        (r["edition"], r["run"], r["quarters_closed"], r["corrections"]) for r in body["results"]
    ] == [
        ("2026-12-06", first.pk, "2026-Q1 2026-Q2 2026-Q3", 0),
        ("2026-12-07", second.pk, "", 4),
    ]
    csv_file = client.get(reverse("open_data_file", args=["editions", "csv"]))
    assert csv_file.content.decode().splitlines()[1].startswith("2026-12-06,")


@pytest.mark.parametrize("day", ["2026-12-05", "2031-01-01"])
def test_an_unknown_edition_is_a_404_that_says_so_and_where_the_editions_are(
    client, corrected, day, english
):
    api = client.get(reverse("api:agency-scores"), {"edition": day})
    assert api.status_code == 404
    (message,) = api.json()["errors"]["edition"]
    assert f"No edition is dated {day}" in message and "/api/v1/editions/" in message
    client.cookies["lang"] = "en"
    file = client.get(reverse("open_data_file", args=["agency-scores", "csv"]), {"edition": day})
    assert file.status_code == 404
    assert f"edition: No edition is dated {day}" in file.content.decode()


@pytest.mark.parametrize("value", ["6-12-2026", "2026-02-30", "yesterday"])
def test_a_malformed_edition_is_a_400_in_the_api(client, corrected, value):
    response = client.get(reverse("api:agency-scores"), {"edition": value})
    assert response.status_code == 400
    assert "edition" in response.json()["errors"]


def test_an_edition_costs_a_bounded_number_of_queries(
    client, corrected, django_assert_max_num_queries
):
    for day in ("2026-12-06", "2026-12-07"):
        with django_assert_max_num_queries(8):
            assert client.get(reverse("api:agency-scores"), {"edition": day}).status_code == 200


def test_the_open_data_page_explains_editions_and_links_their_list(client, corrected):
    client.cookies["lang"] = "en"
    html = client.get(reverse("open_data")).content.decode()
    assert 'href="/open-data/editions.csv"' in html
    assert "?edition=YYYY-MM-DD" in html


def test_the_editions_dataset_holds_nothing_about_a_person(corrected):
    from portal.public.opendata import DATASETS

    assert DATASETS["editions"].header == [
        "edition",
        "run",
        "published_at",
        "quarters_closed",
        "corrections",
    ]
