"""The API's views: the index, one list per dataset (built from `DATASETS`) and the schema.

Each is a DRF view behind the public page cache (`api_page`): a response is rendered once per
published run, language, host and query, then served from the cache with its ETag (304 on
revalidation), under the public pages' rate limits. Only GET and HEAD are answered.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django import forms
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.renderers import OpenApiJsonRenderer2
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.exceptions import APIException
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.common.runs import published_run

from ..opendata import DATASETS, LICENCE, LICENCE_URL, NO_MATCH, Dataset, FilterForm
from ..pagecache import public_page
from .serializers import (
    ErrorSerializer,
    IndexSerializer,
    class_name,
    page_serializer,
    run_data,
)

PAGE_SIZE = 100  # rows on a page unless the client asks for another size
MAX_PAGE_SIZE = 1000
PAGE_PARAMS = ("page", "page_size")
NO_NUL = "^[^\\u0000]*$"

# What each of the files' filters (FilterForm) does, for the schema; a filter added to the
# form without a word here is described by its name.
FILTER_HELP = {
    "agency": _("One agency, by its code (as the files write it) or its slug"),
    "region": _("The agencies of a region, by its BPS code"),
    "sector": _("The agencies of a sector"),
    "q": _("The agencies whose name or acronym contains this text"),
    "predikat": _("The agencies with this predikat in the year given (needs year)"),
    "year": _("One year"),
    "edition": _(
        "The figures of an edition (a date of the editions dataset) as first published, "
        "instead of the latest run's"
    ),
}


def _filter_parameter(name: str, field: forms.Field) -> OpenApiParameter:
    """A query parameter of the schema from a field of the files' filter form."""
    if isinstance(field, forms.DateField):
        schema = {"type": "string", "format": "date"}
    elif isinstance(field, forms.IntegerField):
        schema = {"type": "integer", "minimum": field.min_value, "maximum": field.max_value}
        schema = {k: v for k, v in schema.items() if v is not None}
    elif isinstance(field, forms.ChoiceField):
        schema = {"type": "string", "enum": [str(v) for v, _label in field.choices if v]}
    else:
        schema = {"type": "string", "pattern": NO_NUL}  # Django's fields refuse NUL
        if getattr(field, "max_length", None):
            schema["maxLength"] = field.max_length
    return OpenApiParameter(
        name,
        type=schema,
        location=OpenApiParameter.QUERY,
        required=False,
        description=FILTER_HELP.get(name, field.label or name),
    )


FILTER_PARAMETERS = [_filter_parameter(n, f) for n, f in FilterForm.base_fields.items()]
LIST_PARAMS = (*FilterForm.base_fields, *PAGE_PARAMS)  # what a list reads (and is cached on)
PAGE_PARAMETERS = [
    OpenApiParameter(
        "page",
        type={"type": "integer", "minimum": 1},
        location=OpenApiParameter.QUERY,
        required=False,
        description=_("Page number, from 1"),
    ),
    OpenApiParameter(
        "page_size",
        type={"type": "integer", "minimum": 1},
        location=OpenApiParameter.QUERY,
        required=False,
        description=_("Rows on a page: 100 unless asked; at most 1000 (more gives 1000)"),
    ),
]
COMMON_RESPONSES = {
    304: OpenApiResponse(description=_("Not modified since the ETag sent (If-None-Match)")),
    429: OpenApiResponse(description=_("Too many requests from this address; try later")),
}


class JSONOnly(BaseContentNegotiation):
    """Every client gets the same JSON, whatever it accepts: the page cache serves one
    representation per URL."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class PublicAPIView(APIView):
    """Anonymous and read-only: no authentication, no session, no throttling of its own
    (the page cache counts requests and renders)."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    renderer_classes = (JSONRenderer,)
    parser_classes = ()
    throttle_classes = ()
    content_negotiation_class = JSONOnly
    http_method_names = ("get", "head")


class InvalidPageSize(APIException):
    status_code = 400

    def __init__(self) -> None:
        message = _("A page size is a whole number from 1.")
        super().__init__({"detail": message, "errors": {"page_size": [message]}})


class RowsPage(PageNumberPagination):
    """Pages of `page_size` rows (default 100; a larger size than 1000 gives 1000), numbered
    from 1; a malformed size is refused, not ignored, and so is `page=last`."""

    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    last_page_strings = ()
    template = None
    invalid_page_message = _("There is no page {page_number}.")

    def get_page_size(self, request: Request) -> int:
        asked = request.query_params.get(self.page_size_query_param)
        if asked is None:
            return self.page_size
        try:
            size = int(asked)
        except ValueError:
            size = 0
        if size < 1:
            raise InvalidPageSize
        return min(size, self.max_page_size)


class InvalidFilters(APIException):
    """Filters the files refuse too, naming each parameter and what is wrong with it: 400
    when a value is malformed (what the schema forbids: a year that is not a number, a
    predikat that is none), else 404 (well-formed values that match nothing: an unknown
    agency or region, a predikat without a year with published scores). So a request the
    schema allows is never a 400."""

    def __init__(self, form: FilterForm) -> None:
        errors = form.errors.as_data()
        matches_nothing = all(e.code == NO_MATCH for found in errors.values() for e in found)
        self.status_code = 404 if matches_nothing else 400
        detail = _("A filter matches nothing.") if matches_nothing else _("A filter is not valid.")
        super().__init__(
            {
                "detail": detail,
                "errors": {name: list(messages) for name, messages in form.errors.items()},
            }
        )


class DatasetList(PublicAPIView):
    """The rows of one dataset, filtered as the files are, a page at a time."""

    dataset: Dataset
    page_serializer: type

    def rows_page(self, request: Request) -> Response:
        run = published_run(request._request)
        form = FilterForm(request.query_params, run=run)
        if not form.is_valid():
            raise InvalidFilters(form)
        run = form.run  # the edition's when one is asked for
        header = self.dataset.header
        rows = [
            dict(zip(header, row, strict=True)) for row in self.dataset.rows(run, form.filters())
        ]
        edition = form.cleaned_data["edition"]
        pages = RowsPage()
        results = pages.paginate_queryset(rows, request, view=self)
        page = {
            "count": pages.page.paginator.count,
            "next": pages.get_next_link(),
            "previous": pages.get_previous_link(),
            "run": run_data(run),
            "edition": edition.date if edition else None,
            "licence": LICENCE,
            "licence_url": LICENCE_URL,
            "results": results,
        }
        return Response(self.page_serializer(page).data)


def dataset_view(dataset: Dataset) -> type[DatasetList]:
    """The list view of `dataset`, with its schema: its rows' fields come from its columns."""
    page = page_serializer(dataset)

    @extend_schema(
        operation_id=f"list_{dataset.slug.replace('-', '_')}",
        summary=dataset.title,
        description=dataset.description,
        tags=["datasets"],
        parameters=[*FILTER_PARAMETERS, *PAGE_PARAMETERS],
        responses={
            200: OpenApiResponse(page, description=_("A page of rows")),
            400: OpenApiResponse(
                ErrorSerializer, description=_("A filter or the page size is not valid")
            ),
            404: OpenApiResponse(
                ErrorSerializer, description=_("A filter matches nothing, or no such page")
            ),
            **COMMON_RESPONSES,
        },
    )
    def get(self: DatasetList, request: Request) -> Response:
        return self.rows_page(request)

    members = {"dataset": dataset, "page_serializer": page, "get": get}
    return type(f"{class_name(dataset)}List", (DatasetList,), members)


def _absolute(request: Request, name: str, *args: str) -> str:
    return request.build_absolute_uri(reverse(name, args=args))


class Index(PublicAPIView):
    """The datasets, with the addresses of each in the API and as files."""

    @extend_schema(
        operation_id="index",
        summary=_("The datasets"),
        description=_("Every dataset with its address in this API and as CSV and JSON files."),
        tags=["datasets"],
        responses={
            200: OpenApiResponse(IndexSerializer, description=_("The datasets")),
            **COMMON_RESPONSES,
        },
    )
    def get(self, request: Request) -> Response:
        datasets = [
            {
                "slug": ds.slug,
                "title": ds.title,
                "description": ds.description,
                "url": _absolute(request, f"api:{ds.slug}"),
                "csv": _absolute(request, "open_data_file", ds.slug, "csv"),
                "json": _absolute(request, "open_data_file", ds.slug, "json"),
            }
            for ds in DATASETS.values()
        ]
        index = {
            "datasets": datasets,
            "schema": _absolute(request, "api:schema"),
            "catalogue": _absolute(request, "open_data_catalogue"),
            "run": run_data(published_run(request._request)),
            "licence": LICENCE,
            "licence_url": LICENCE_URL,
        }
        return Response(IndexSerializer(index).data)


class Schema(SpectacularAPIView):
    """The OpenAPI 3 schema of this API, in the visitor's language, as application/json."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    renderer_classes = (OpenApiJsonRenderer2,)
    content_negotiation_class = JSONOnly
    http_method_names = ("get", "head")
    custom_settings = {
        "TITLE": _("Kinerja NTB open data API"),
        "DESCRIPTION": _(
            "The open data of the performance portal of the province of Nusa Tenggara Barat, "
            "read only: the same datasets, rows and filters as the CSV and JSON files of "
            "/open-data/, from the published score run, a page at a time. Decimals are JSON "
            'strings ("88.2"): exact, never a binary float. Responses carry an ETag: send it '
            "back in If-None-Match for a 304 until the next run is published."
        ),
        "VERSION": "1",
        "LICENSE": {"name": "CC BY 4.0 (the data)", "url": LICENCE_URL},
        "POSTPROCESSING_HOOKS": [
            "drf_spectacular.hooks.postprocess_schema_enums",
            "portal.public.api.views.empty_means_absent",
        ],
    }

    def _get_filename(self, request: Request, version: str | None) -> str:
        return "openapi.json"  # not the translated title


def empty_means_absent(result: dict, **kwargs: object) -> dict:
    """Schema hook: a query parameter sent empty (`?year=`, as an HTML form sends an unset
    field) counts as not sent; the schema says so with `allowEmptyValue`."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    parameter["allowEmptyValue"] = True
    return result


def api_page(view_class: type[APIView], *, params: tuple[str, ...] = ()) -> Callable:
    """`view_class` as a public page: cached per published run, language and host (its
    links are absolute), with the page cache's ETag, 304 and rate limits."""
    drf_view = view_class.as_view()

    @wraps(drf_view)
    def page(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = drf_view(request, *args, **kwargs)
        response.render()  # the page cache stores and hashes the bytes
        return response

    # Each view its own budget of renders (`over_render_limit` counts per view name).
    page.__qualname__ = f"api.{view_class.__name__}"
    return public_page(page, params=params, per_origin=True)
