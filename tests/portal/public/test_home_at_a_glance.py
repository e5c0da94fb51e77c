"""The home page at a glance (issue 21): big-number tiles, a tile map of NTB's regions by
predikat with the same figures in a table, small trend lines in the lists, all drawn on the
server, light enough for a cheap phone."""

import gzip
import re

import pytest
from django.urls import reverse

from tests.public_data import module_fixture

pytestmark = pytest.mark.django_db
public_data = module_fixture()


def test_the_home_page_has_tiles_a_map_and_its_table(client, english, public_data):
    html = client.get(reverse("home")).content.decode()
    tiles = html.split('<ul class="tiles">')[1].split("</ul>")[0]
    assert tiles.count('class="tile"') == 4
    map_svg = html.split('<figure class="province-map">')[1].split("</figure>")[0]
    assert 'role="img"' in map_svg and "<title" in map_svg and "<desc" in map_svg
    # Every region with public agencies has a tile naming how many, and a table row.
    table = html.split('id="regions-caption"')[1].split("</table>")[0]
    for region in {a.region for a in public_data.public_agencies}:
        n = sum(a.region_id == region.pk for a in public_data.public_agencies)
        assert f">{region.name}</a>" in table
        assert re.search(rf"{n} agenc(y|ies)</text>", map_svg)
    assert "<script" not in html


def test_the_home_page_weighs_under_30_kb_compressed(client, public_data):
    body = client.get(reverse("home")).content
    assert len(gzip.compress(body, compresslevel=6)) < 30_000


@pytest.mark.parametrize("url", ["agencies:list", "rankings"])
def test_each_listed_agency_has_a_small_trend_line_with_its_numbers(
    client, english, public_data, url
):
    html = client.get(reverse(url) + "?year=2025").content.decode()
    sparks = re.findall(r'<svg class="spark"[^>]*aria-label="([^"]+)"', html)
    assert len(sparks) >= 10
    assert all(": " in label and "Q1 2025" in label for label in sparks)
