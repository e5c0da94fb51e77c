"""The open datasets as a DCAT-AP catalogue in JSON-LD (/open-data/catalog.jsonld), which a
CKAN portal (ckanext-dcat, Satu Data Indonesia) harvests.

Built from `DATASETS`, so a new dataset is catalogued without code here. Only the standard
vocabularies DCAT-AP uses (dcat, dct, foaf, vcard) with the EU's controlled vocabularies for
frequency, file type, language and theme; the context is inline prefixes, so any JSON-LD
reader parses it without fetching anything. Titles, descriptions and keywords are given in
each language of the portal (tagged `id` and `en`). Every address is absolute (the page is
cached per host).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from performance.models import ScoreRun
from portal.common.runs import published_run

from .opendata import DATASETS, LICENCE_URL, Dataset
from .pagecache import public_page

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
EU = "http://publications.europa.eu/resource/authority/"
DAILY = f"{EU}frequency/DAILY"  # the nightly job publishes a run every night
GOVERNMENT = f"{EU}data-theme/GOVE"  # "Government and public sector"
EU_LANGUAGES = {"id": f"{EU}language/IND", "en": f"{EU}language/ENG"}
REGIONAL_AUTHORITY = "http://purl.org/adms/publishertype/RegionalAuthority"
IANA = "http://www.iana.org/assignments/media-types/"
OPENAPI_3 = "https://spec.openapis.org/oas/v3.0.3"
MEDIA_TYPE = "application/ld+json"
# format: (media type, EU file type)
FILES = {
    "csv": ("text/csv", f"{EU}file-type/CSV"),
    "json": ("application/json", f"{EU}file-type/JSON"),
}

PUBLISHER = _("Government of the Province of Nusa Tenggara Barat")
CATALOGUE_TITLE = _("Kinerja NTB open data")
CATALOGUE_DESCRIPTION = _(
    "The performance of the regional government of Nusa Tenggara Barat as open data: its "
    "agencies, their public services, performance agreements, scores, citizen satisfaction "
    "and decisions, from the score run published every night. No individual civil "
    "servant's data."
)
KEYWORDS = ("Nusa Tenggara Barat", _("government performance"), _("open data"))


def texts(text: Promise | str) -> list[dict] | str:
    """`text` in each language of the portal, tagged; a plain string (a name, an acronym)
    as it is."""
    if not isinstance(text, Promise):
        return text
    values = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            values.append({"@value": str(text), "@language": code})
    return values


def _date_time(value: datetime.datetime) -> dict:
    return {"@value": timezone.localtime(value).isoformat(), "@type": "xsd:dateTime"}


def _date(value: datetime.date) -> dict:
    return {"@value": value.isoformat(), "@type": "xsd:date"}


def _temporal(run: ScoreRun | None, dataset: Dataset) -> dict | None:
    """The years of the published run, for a dataset whose rows are per year."""
    if run is None or not run.years or "year" not in dataset.header:
        return None
    return {
        "@type": "dct:PeriodOfTime",
        "dcat:startDate": _date(datetime.date(min(run.years), 1, 1)),
        "dcat:endDate": _date(datetime.date(max(run.years), 12, 31)),
    }


def catalogue_document(run: ScoreRun | None, url: Callable[[str], str]) -> dict:
    """The catalogue of the open datasets as JSON-LD; `url` makes a path absolute."""
    home = url(reverse("open_data"))
    me = url(reverse("open_data_catalogue"))
    api = url(reverse("api:index"))
    publisher = {
        "@id": f"{me}#publisher",
        "@type": "foaf:Agent",
        "foaf:name": texts(PUBLISHER),
        "dct:type": {"@id": REGIONAL_AUTHORITY},
    }
    licence = {"@id": LICENCE_URL, "@type": "dct:LicenseDocument"}
    contact = {
        "@id": f"{me}#contact",
        "@type": "vcard:Organization",
        "vcard:fn": texts(PUBLISHER),
        "vcard:hasURL": {"@id": home},
    }
    modified = _date_time(run.published_at) if run else None
    datasets = []
    for ds in DATASETS.values():
        iri = f"{me}#dataset-{ds.slug}"  # described by its section of the open-data page
        distributions = [
            {
                "@id": url(reverse("open_data_file", args=[ds.slug, fmt])),
                "@type": "dcat:Distribution",
                "dct:title": f"{ds.slug}.{fmt}",
                "dcat:accessURL": {"@id": url(reverse("open_data_file", args=[ds.slug, fmt]))},
                "dcat:downloadURL": {"@id": url(reverse("open_data_file", args=[ds.slug, fmt]))},
                "dcat:mediaType": {"@id": f"{IANA}{media_type}"},
                "dct:format": {"@id": file_type},
                "dct:license": licence,
            }
            for fmt, (media_type, file_type) in FILES.items()
        ]
        distributions.append(
            {
                "@id": url(reverse(f"api:{ds.slug}")),
                "@type": "dcat:Distribution",
                "dct:title": texts(_("JSON API, a page at a time")),
                "dcat:accessURL": {"@id": url(reverse(f"api:{ds.slug}"))},
                "dcat:accessService": {"@id": api},
                "dcat:mediaType": {"@id": f"{IANA}application/json"},
                "dct:format": {"@id": FILES["json"][1]},
                "dct:license": licence,
            }
        )
        dataset = {
            "@id": iri,
            "@type": "dcat:Dataset",
            "dct:identifier": iri,
            "dct:title": texts(ds.title),
            "dct:description": texts(ds.description),
            "dcat:keyword": [texts(k) for k in (*ds.keywords, *KEYWORDS)],
            "dcat:theme": {"@id": GOVERNMENT},
            "dct:publisher": {"@id": publisher["@id"]},
            "dcat:contactPoint": {"@id": contact["@id"]},
            "dct:accrualPeriodicity": {"@id": DAILY},
            "dcat:landingPage": {"@id": f"{home}#ds-{ds.slug}"},
            "dct:language": [{"@id": EU_LANGUAGES[code]} for code, _name in settings.LANGUAGES],
            "dcat:distribution": distributions,
        }
        if (temporal := _temporal(run, ds)) is not None:
            dataset["dct:temporal"] = temporal
        if modified:
            dataset["dct:modified"] = modified
        datasets.append(dataset)
    service = {
        "@id": api,
        "@type": "dcat:DataService",
        "dct:title": texts(_("Kinerja NTB open data API")),
        "dcat:endpointURL": {"@id": api},
        "dcat:endpointDescription": {"@id": url(reverse("api:schema"))},
        "dct:conformsTo": {"@id": OPENAPI_3},
        "dcat:servesDataset": [{"@id": d["@id"]} for d in datasets],
        "dct:publisher": {"@id": publisher["@id"]},
        "dct:license": licence,
    }
    catalogue = {
        "@id": me,
        "@type": "dcat:Catalog",
        "dct:title": texts(CATALOGUE_TITLE),
        "dct:description": texts(CATALOGUE_DESCRIPTION),
        "dct:publisher": publisher,
        "foaf:homepage": {"@id": home},
        "dct:language": [{"@id": EU_LANGUAGES[code]} for code, _name in settings.LANGUAGES],
        "dct:license": licence,
        "dcat:dataset": datasets,
        "dcat:service": [service],
    }
    if modified:
        catalogue["dct:modified"] = modified
    return {"@context": CONTEXT, "@graph": [catalogue, contact]}


@public_page(per_origin=True)
def catalogue(request: HttpRequest) -> HttpResponse:
    document = catalogue_document(published_run(request), request.build_absolute_uri)
    return HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=1),
        content_type=f"{MEDIA_TYPE}; charset=utf-8",
    )
