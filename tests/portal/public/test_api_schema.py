"""The API's OpenAPI 3 schema (issue 24, /api/v1/openapi.json): it validates, each dataset's
row schema is its data dictionary (a new dataset or column needs no code), and the API keeps
to it: a property-based run of schemathesis against the real API finds no server error and
no response that breaks the schema (a few examples per operation: seconds, not minutes)."""

import datetime
import json
from decimal import Decimal

import pytest
import schemathesis
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis import GenerationMode

from portal.public.api.serializers import class_name, row_serializer
from portal.public.api.views import LIST_PARAMS, api_page, dataset_view
from portal.public.opendata import DATASETS, Column, Dataset
from tests.public_data import module_fixture

pytestmark = pytest.mark.django_db
public_data = module_fixture()
EXAMPLES = 12  # per operation and mode: 13 runs of 12 requests, a few seconds in all
TYPES = {
    "text": {"type": "string"},
    "integer": {"type": "integer"},
    "decimal": {"type": "string", "format": "decimal"},
    "date-time": {"type": "string", "format": "date-time"},
    "boolean": {"type": "boolean"},
}


def openapi(client, language: str = "id") -> dict:
    client.cookies["lang"] = language
    response = client.get(reverse("api:schema"))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return response.json()


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_schema_is_valid_openapi_3(client, public_data, language):
    schema = openapi(client, language)
    assert schema["openapi"].startswith("3.")
    validate(schema)  # openapi-spec-validator: raises on any error
    schemathesis.openapi.from_dict(schema).validate()  # and schemathesis's own reading
    paths = {reverse(f"api:{slug}") for slug in DATASETS} | {reverse("api:index")}
    assert set(schema["paths"]) == paths


def test_each_row_schema_is_its_datasets_columns_in_the_visitors_language(client, public_data):
    for language in ("id", "en"):
        components = openapi(client, language)["components"]["schemas"]
        for dataset in DATASETS.values():
            row = components[f"{class_name(dataset)}Row"]
            assert list(row["properties"]) == dataset.header
            assert set(row["required"]) == set(dataset.header)  # present, if maybe null
            for column in dataset.columns:
                prop = row["properties"][column.name]
                assert TYPES[column.type].items() <= prop.items(), column
                assert prop.get("nullable", False) == column.nullable, column
                with translation.override(language):
                    assert prop["description"].startswith(str(column.description))
            page = components[f"{class_name(dataset)}Page"]
            assert page["properties"]["results"]["items"]["$ref"].endswith(
                f"/{class_name(dataset)}Row"
            )
            assert {"count", "next", "previous", "run", "results"} <= set(page["required"])


def test_each_list_takes_the_files_filters_and_the_page_parameters(client, public_data):
    schema = openapi(client)
    for slug in DATASETS:
        operation = schema["paths"][reverse(f"api:{slug}")]["get"]
        assert {p["name"] for p in operation["parameters"]} == set(LIST_PARAMS)
        assert {"200", "400", "404", "304", "429"} <= set(operation["responses"])


def test_a_new_dataset_gets_its_list_and_schema_from_its_columns_alone(rf, public_data):
    """What the lead's next datasets will do: declare columns and a rows function."""
    updated = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    new = Dataset(
        "late-marks",
        _("Late marks"),
        _("Invented for this test"),
        (
            Column("agency_code", "text", _("Code of the agency"), nullable=False),
            Column("count", "integer", _("Number"), _("people")),
            Column("value", "decimal", _("Value")),
            Column("marked_at", "date-time", _("When")),
            Column("late", "boolean", _("Late")),
        ),
        lambda run, filters: iter([["OPD01", 3, Decimal("4.50"), updated, True]]),
    )
    view = api_page(dataset_view(new), params=LIST_PARAMS)
    response = view(rf.get("/api/v1/late-marks/"))
    assert response.status_code == 200
    assert json.loads(response.content)["results"] == [
        {
            "agency_code": "OPD01",
            "count": 3,
            "value": "4.5",
            "marked_at": "2026-01-02T11:04:05+08:00",
            "late": True,
        }
    ]
    generated = SchemaGenerator(patterns=[path("api/v1/late-marks/", view)]).get_schema(
        request=None, public=True
    )
    row = generated["components"]["schemas"]["LateMarksRow"]["properties"]
    assert [p.get("format", p["type"]) for p in row.values()] == [
        "string",
        "integer",
        "decimal",
        "date-time",
        "boolean",
    ]


def test_a_column_of_an_unknown_type_is_refused_when_the_api_is_built():
    odd = Dataset("odd", _("Odd"), _("Odd"), (Column("x", "money", _("X")),), lambda r, f: iter([]))
    with pytest.raises(ImproperlyConfigured, match="money"):
        row_serializer(odd)


@pytest.fixture
def api_schema(public_data, settings):
    """The API's schema as its own server serves it, calls going to that server in-process
    (WSGI), inside the test's transaction as Django's test client keeps them: the handler
    must not close the connection at each request."""
    settings.PUBLIC_RATE_LIMIT = settings.PAGE_RATE_LIMIT = ""  # many requests, fast
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi(reverse("api:schema"), get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_the_api_keeps_to_its_own_schema(api_schema):
    """No 5xx, and status code, content type, headers and body as the schema says, for
    generated requests: values the schema allows (filters matching something or nothing,
    pages, page sizes) and, where an operation takes parameters, values it forbids."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == len(DATASETS) + 1
    for operation in operations:
        modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if operation.query else [])
        for mode in modes:

            @given(case=operation.as_strategy(mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=datetime.timedelta(seconds=5),  # a cold render of a province's rows
                derandomize=True,  # the same examples on every run: CI stays reproducible
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def call(case):
                # In-process (WSGI) calls are not decompressed as a real client's are: ask
                # for the plain body (the page cache's gzip: test_pagecache.py).
                case.call_and_validate(headers={"Accept-Encoding": "identity"})

            call()
