"""The DCAT-AP catalogue of the open datasets (issue 24, /open-data/catalog.jsonld), read as a
CKAN harvester reads it (ckanext-dcat parses JSON-LD with rdflib) and checked against the
DCAT-AP 3.0.1 JSON-LD context (vendored in tests/portal/public/dcat/): only the properties
the profile defines for each class, IRIs where it expects IRIs, and its mandatory
properties of Catalogue, Dataset, Distribution, Data Service and Agent."""

import datetime
import json
from pathlib import Path

import pytest
import rdflib
from django.urls import reverse
from django.utils import timezone, translation
from rdflib import RDF, BNode, Literal, Namespace, URIRef

from performance.caching import forget_published_run
from performance.models import ScoreRun
from portal.public.opendata import DATASETS, LICENCE_URL

pytestmark = [
    pytest.mark.django_db,
    # rdflib's own JSON-LD parser still uses its ConjunctiveGraph.
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
]
CONTEXT = Path(__file__).parent / "dcat" / "dcat-ap-3.0.1.jsonld"
# Plain namespaces (rdflib's closed ones warn when pytest looks into this module).
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "http://www.iana.org/assignments/media-types/"
# DCAT-AP 3.0.1's mandatory properties (its SHACL shapes: sh:minCount 1).
MANDATORY = {
    DCAT.Catalog: {DCTERMS.title, DCTERMS.description, DCTERMS.publisher},
    DCAT.Dataset: {DCTERMS.title, DCTERMS.description},
    DCAT.Distribution: {DCAT.accessURL},
    DCAT.DataService: {DCTERMS.title, DCAT.endpointURL},
    FOAF.Agent: {FOAF.name},
}


def profile() -> dict[URIRef, dict[URIRef, str | None]]:
    """From the DCAT-AP context: each class with the properties defined for it (its
    type-scoped context) and what their values are: "@id" (an IRI), a datatype, or None
    (a literal)."""
    classes = {}
    for term in json.loads(CONTEXT.read_text())["@context"].values():
        if isinstance(term, dict) and "@context" in term:
            classes[URIRef(term["@id"])] = {
                URIRef(p["@id"]): p.get("@type") for p in term["@context"].values()
            }
    return classes


@pytest.fixture
def run(db) -> ScoreRun:
    run = ScoreRun.objects.create(
        status=ScoreRun.Status.PUBLISHED,
        published_at=timezone.now(),
        as_of=datetime.date(2026, 2, 1),
        schemes={"2024": {}, "2025": {}},
    )
    forget_published_run()
    return run


def harvest(client) -> rdflib.Graph:
    response = client.get(reverse("open_data_catalogue"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json; charset=utf-8"
    return rdflib.Graph().parse(data=response.content.decode(), format="json-ld")


def test_the_catalogue_keeps_to_the_dcat_ap_context(client, run):
    graph, classes = harvest(client), profile()
    checked = 0
    for subject, _p, cls in graph.triples((None, RDF.type, None)):
        if cls not in classes:
            continue
        checked += 1
        for prop, value in graph.predicate_objects(subject):
            if prop == RDF.type:
                continue
            assert prop in classes[cls], f"{cls} has no property {prop} in DCAT-AP"
            kind = classes[cls][prop]
            if kind == "@id":
                assert isinstance(value, URIRef | BNode), (cls, prop, value)  # a node
            else:
                assert isinstance(value, Literal), (cls, prop, value)
                if kind:
                    assert value.datatype == URIRef(kind), (cls, prop, value)
    assert checked > len(DATASETS) * 4
    # Only the standard vocabularies, as a CKAN harvester expects.
    namespaces = {str(DCAT), str(DCTERMS), str(FOAF), str(VCARD), str(RDF)}
    for _s, prop, _o in graph:
        assert any(str(prop).startswith(ns) for ns in namespaces), prop


def test_every_mandatory_property_is_there(client, run):
    graph = harvest(client)
    for cls, properties in MANDATORY.items():
        subjects = set(graph.subjects(RDF.type, cls))
        assert subjects, cls
        for subject in subjects:
            missing = {p for p in properties if graph.value(subject, p) is None}
            assert not missing, (subject, missing)


def test_each_dataset_with_its_licence_publisher_frequency_years_and_distributions(client, run):
    graph = harvest(client)
    (catalogue,) = graph.subjects(RDF.type, DCAT.Catalog)
    datasets = set(graph.objects(catalogue, DCAT.dataset))
    assert datasets == set(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == len(DATASETS)
    (publisher,) = graph.subjects(RDF.type, FOAF.Agent)
    assert graph.value(catalogue, DCTERMS.publisher) == publisher
    assert Literal("Pemerintah Provinsi Nusa Tenggara Barat", lang="id") in set(
        graph.objects(publisher, FOAF.name)
    )
    (service,) = graph.subjects(RDF.type, DCAT.DataService)
    assert graph.value(service, DCAT.endpointURL) == URIRef("http://testserver/api/v1/")
    assert graph.value(service, DCAT.endpointDescription) == URIRef(
        "http://testserver/api/v1/openapi.json"
    )
    assert set(graph.objects(service, DCAT.servesDataset)) == datasets
    for slug, ds in DATASETS.items():
        (dataset,) = graph.subjects(DCTERMS.identifier, Literal(str(dataset_iri(slug))))
        for code in ("id", "en"):
            with translation.override(code):
                assert Literal(str(ds.title), lang=code) in set(
                    graph.objects(dataset, DCTERMS.title)
                )
                assert Literal(str(ds.description), lang=code) in set(
                    graph.objects(dataset, DCTERMS.description)
                )
        assert graph.value(dataset, DCTERMS.publisher) == publisher
        assert graph.value(dataset, DCTERMS.accrualPeriodicity) == URIRef(f"{EU}frequency/DAILY")
        assert graph.value(dataset, DCAT.landingPage) == URIRef(
            f"http://testserver/open-data/#ds-{slug}"
        )
        keywords = {str(k) for k in graph.objects(dataset, DCAT.keyword)}
        assert "Nusa Tenggara Barat" in keywords and "data terbuka" in keywords
        assert {str(k) for k in ds.keywords} <= keywords
        temporal = graph.value(dataset, DCTERMS.temporal)
        if "year" in ds.header:
            assert graph.value(temporal, DCAT.startDate) == Literal("2024-01-01", datatype=XSD.date)
            assert graph.value(temporal, DCAT.endDate) == Literal("2025-12-31", datatype=XSD.date)
        else:  # the agencies and their services are as they stand, not per year
            assert temporal is None
        assert graph.value(dataset, DCTERMS.modified).toPython() == run.published_at
        distributions = {
            str(graph.value(d, DCAT.accessURL)): d
            for d in graph.objects(dataset, DCAT.distribution)
        }
        base = "http://testserver"
        assert set(distributions) == {
            f"{base}/open-data/{slug}.csv",
            f"{base}/open-data/{slug}.json",
            f"{base}/api/v1/{slug}/",
        }
        for url, distribution in distributions.items():
            assert graph.value(distribution, DCTERMS.license) == URIRef(LICENCE_URL)
            media_type = str(graph.value(distribution, DCAT.mediaType))
            assert media_type.startswith(IANA)
            response = client.get(url.removeprefix(base))
            assert response.status_code == 200, url
            assert response["Content-Type"].split(";")[0] == media_type.removeprefix(IANA)
            if "/api/" in url:
                assert graph.value(distribution, DCAT.accessService) == service
            else:
                assert graph.value(distribution, DCAT.downloadURL) == URIRef(url)


def dataset_iri(slug: str) -> str:
    return f"http://testserver/open-data/catalog.jsonld#dataset-{slug}"


def test_before_the_first_run_the_catalogue_lists_the_datasets_without_years(client, db):
    graph = harvest(client)
    assert len(set(graph.subjects(RDF.type, DCAT.Dataset))) == len(DATASETS)
    assert not set(graph.subjects(RDF.type, DCTERMS.PeriodOfTime))


def test_the_open_data_page_links_the_api_its_schema_and_the_catalogue(client, run):
    html = client.get(reverse("open_data")).content.decode()
    for url in ("/api/v1/", "/api/v1/openapi.json", "/open-data/catalog.jsonld"):
        assert f'href="{url}"' in html
    assert "skema OpenAPI" in html  # Indonesian, the default language
    client.cookies["lang"] = "en"
    assert "OpenAPI schema" in client.get(reverse("open_data")).content.decode()


def test_the_catalogue_takes_a_bounded_number_of_queries(
    client, run, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):  # the published run; nothing per dataset
        assert client.get(reverse("open_data_catalogue")).status_code == 200
    with django_assert_max_num_queries(0):  # then from the cache
        assert client.get(reverse("open_data_catalogue")).status_code == 200
