"""Privacy (DESIGN.md, "Privacy and openness"): no public page or open-data file shows an
individual civil servant. Crawls every public page and file of a province-sized data set
and fails on any employee NIP or name; checks small-group suppression on a small agency."""

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import reverse

from performance.models import Employee
from portal.public.opendata import DATASETS
from tests.public_data import module_fixture

pytestmark = pytest.mark.django_db
public_data = module_fixture()
NOT_PUBLIC = ("/admin/", "/i18n/", "/accounts/", "/dashboard/", "/workspace/", "/static/")


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a" and (href := dict(attrs).get("href")):
            self.hrefs.append(href)


def internal_links(base: str, html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    out = []
    for href in parser.hrefs:
        url = urlsplit(urljoin(base, href))
        if url.netloc in ("", "testserver") and not url.path.startswith(NOT_PUBLIC):
            out.append(url.path + (f"?{url.query}" if url.query else ""))
    return out


def seed_urls(data) -> list[str]:
    """Every public page and file, with the filters a visitor can set."""
    urls = ["/", reverse("methodology"), reverse("open_data"), reverse("compare")]
    listing = reverse("agencies:list")
    urls += [
        listing,
        f"{listing}?page=2",
        f"{listing}?q=dinas&sort=name",
        f"{listing}?region=5271&year=2024",
        f"{listing}?predikat=Kurang&sort=-ikm",
    ]
    for period in ("Y", "Q1", "Q2", "Q3", "Q4"):
        urls.append(f"{reverse('rankings')}?period={period}")
    urls.append(f"{reverse('rankings')}?year=2024&sector=Kesehatan")
    agencies = data.public_agencies
    for agency in agencies:
        urls.append(agency.get_absolute_url())
    urls += [f"{agencies[0].get_absolute_url()}?year=2024&quarter={q}" for q in (1, 2, 3, 4)]
    urls.append(f"{data.small.get_absolute_url()}?quarter=3")
    urls += [s.get_absolute_url() for s in data.services if s.agency.is_public]
    slugs = [a.slug for a in agencies]
    urls += [f"{reverse('compare')}?a={a}&a={b}" for a, b in zip(slugs, slugs[1:], strict=False)]
    for dataset in DATASETS:
        for fmt in ("csv", "json"):
            file_url = reverse("open_data_file", args=[dataset, fmt])
            urls += [file_url, f"{file_url}?agency={data.small.slug}", f"{file_url}?year=2025"]
    return urls


def words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", text.casefold()))


def word_runs(text: str, lengths: set[int]) -> set[tuple[str, ...]]:
    """Every run of consecutive words of the given lengths: a name shows in a text exactly
    when its words are one of these runs (whatever the markup or punctuation around)."""
    tokens = words(text)
    return {tuple(tokens[i : i + k]) for k in lengths for i in range(len(tokens) - k + 1)}


def worth_following(url: str) -> bool:
    """A link to follow: any page, and a data file unless it is a narrowed copy (a file
    narrowed to one agency is a subset of the whole file, which is fetched)."""
    return not (url.startswith("/open-data/") and "?" in url)


def crawl(client, data) -> dict[str, str]:
    """Every URL above plus every internal link found on the pages, fetched once."""
    pending, pages = seed_urls(data), {}
    while pending:
        url = pending.pop()
        if url in pages:
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        pages[url] = body
        if response["Content-Type"].startswith("text/html"):
            pending += [
                u for u in internal_links(url, body) if u not in pages and worth_following(u)
            ]
    return pages


def test_no_public_page_or_file_shows_an_employee(client, public_data):
    nips = set(Employee.objects.values_list("nip", flat=True))
    names = {words(n) for n in Employee.objects.values_list("name", flat=True)}
    assert len(nips) == len(names) == 2000
    any_nip = re.compile(r"(?<!\d)(\d{18}|\d{8} \d{6} \d \d{3})(?!\d)")
    pages = crawl(client, public_data)
    assert len(pages) > 150
    for url, body in pages.items():
        leaked = {n.replace(" ", "") for n in any_nip.findall(body)} & nips
        assert not leaked, f"{url} shows NIP(s) {sorted(leaked)[:3]}"
        shown = word_runs(body, {len(n) for n in names}) & names
        assert not shown, f"{url} shows the name(s) {sorted(shown)[:3]}"
        assert public_data.hidden.name not in body, f"{url} shows an agency that is not public"


def test_small_agency_staff_counts_are_suppressed(client, public_data):
    html = client.get(public_data.small.get_absolute_url()).content.decode()
    staff = html.split('id="staff-heading"')[1].split("</section>")[0]
    assert "&lt; 10" in staff
    assert not re.search(r'<td class="num"[^>]*>\s*\d+\s*</td>', staff)  # not one count shown
