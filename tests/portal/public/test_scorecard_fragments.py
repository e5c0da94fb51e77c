"""The scorecard's sections below the headline are fragments cached per published run,
language, year and quarter (issue 17, `{% cache %}` in public/detail.html): a render whose
fragments are cached reads only the headline's data, shows the same page, and a new run,
another language or another quarter is a fragment of its own."""

from decimal import Decimal as D

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from performance.models import Realisation
from performance.services import recompute_scores
from portal.public import pagecache
from tests.performance.late_data import DEC_6, agency_pk

pytestmark = pytest.mark.django_db
PARAMS = {"year": "2026", "quarter": "3"}


@pytest.fixture
def dikes(cast):
    """Agency A's 2026 PK (IKU1 80 and IKU2 90 in Q3), scored and published."""
    contract = agency_pk(cast.agency_a)
    recompute_scores(today=DEC_6)
    return contract


def client_in(language: str) -> Client:
    client = Client()
    client.cookies["lang"] = language
    return client


def render_without_page_cache(client, rf, url, language, params=PARAMS):
    """The page rendered anew (its whole-page entry forgotten, as on a page-cache miss), with
    the number of SQL queries the render ran."""
    cache.delete(pagecache._key(rf.get(url, params), language))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def iku2_cell(html: str) -> str:
    """The realisation cell of IKU2 in the agreement's table."""
    row = html[html.index('<span class="code">IKU2</span>') :]
    start = row.index('data-label="Realisation">') + len('data-label="Realisation">')
    return row[start : row.index("</td>", start)]


def test_a_render_with_its_fragments_cached_reads_less_and_shows_the_same_page(cast, dikes, rf):
    client, url = client_in("en"), cast.agency_a.get_absolute_url()
    first, cold = render_without_page_cache(client, rf, url, "en")
    again, warm = render_without_page_cache(client, rf, url, "en")
    assert again == first
    # The agreement's table, the year so far, the verified share, the cascade, the staff and
    # the services are not read again.
    assert warm <= cold - 5, (cold, warm)
    print(f"scorecard render: {cold} queries, {warm} with its fragments cached")
    assert iku2_cell(again).startswith("90.00")


def test_a_new_run_renders_its_fragments_anew(cast, dikes, rf):
    client, url = client_in("en"), cast.agency_a.get_absolute_url()
    before, _ = render_without_page_cache(client, rf, url, "en")
    assert iku2_cell(before).startswith("90.00")
    Realisation.objects.filter(indicator__contract=dikes, indicator__code="IKU2", quarter=3).update(
        value=D("45")
    )
    # Until the next run the published page (and its fragments) stay as published.
    unchanged, _ = render_without_page_cache(client, rf, url, "en")
    assert iku2_cell(unchanged).startswith("90.00")
    recompute_scores(today=DEC_6)
    after = client.get(url, PARAMS).content.decode()
    assert iku2_cell(after).startswith("45.00")


def test_each_language_and_quarter_has_fragments_of_its_own(cast, dikes, rf):
    url = cast.agency_a.get_absolute_url()
    english, _ = render_without_page_cache(client_in("en"), rf, url, "en")
    indonesian, _ = render_without_page_cache(client_in("id"), rf, url, "id")
    assert "Performance agreement (Perjanjian Kinerja): Q3 2026" in english
    assert "Staff by predikat, 2026" in english and "Public services" in english
    assert "Perjanjian Kinerja: TW III 2026" in indonesian
    assert "Performance agreement" not in indonesian and "Public services" not in indonesian
    second, _ = render_without_page_cache(
        client_in("en"), rf, url, "en", {"year": "2026", "quarter": "2"}
    )
    assert "Performance agreement (Perjanjian Kinerja): Q2 2026" in second
    assert "90.00" not in iku2_cell(second)  # Q2 has no realisation
