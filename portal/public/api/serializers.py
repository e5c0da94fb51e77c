"""What the API returns, as DRF serializers built from the datasets' columns: one serializer
makes both a response and its OpenAPI schema (drf-spectacular), so the two cannot drift.

Decimals are JSON strings (`"88.2"`, format `decimal`): exact, as the CSV files write them
(no trailing zeros), where a JSON number would reach most clients as a binary float.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from performance.models import ScoreRun

from ..opendata import Column, Dataset

DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"


@extend_schema_field(
    {"type": "string", "format": "decimal", "pattern": DECIMAL_PATTERN, "example": "88.2"}
)
class DecimalString(serializers.Field):
    """A decimal as a JSON string in plain notation, without trailing zeros (`"100"`,
    `"88.2"`), whatever the database returned (a Decimal, or a float from SQLite's
    arithmetic)."""

    def to_representation(self, value: object) -> str:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
        return format(number.normalize(), "f")


# A column's type (`opendata.Column.type`) -> the serializer field that writes it.
FIELDS: dict[str, type[serializers.Field]] = {
    "text": serializers.CharField,
    "integer": serializers.IntegerField,
    "decimal": DecimalString,
    "date": serializers.DateField,  # ISO 8601, YYYY-MM-DD
    "date-time": serializers.DateTimeField,  # ISO 8601 in WITA, with its offset (+08:00)
    "boolean": serializers.BooleanField,
}


def column_field(column: Column) -> serializers.Field:
    """The read-only field of one column: its type, its description (with its unit) and
    whether it may be null."""
    if column.type not in FIELDS:
        raise ImproperlyConfigured(
            f"column {column.name}: type {column.type!r} is not one of {', '.join(FIELDS)}"
        )
    help_text = (
        format_lazy("{} ({}: {})", column.description, _("unit"), column.unit)
        if column.unit
        else column.description
    )
    return FIELDS[column.type](read_only=True, allow_null=column.nullable, help_text=help_text)


def class_name(dataset: Dataset) -> str:
    """`agency-scores` -> `AgencyScores`: the stem of the dataset's schema components."""
    return "".join(part.capitalize() for part in dataset.slug.split("-"))


def row_serializer(dataset: Dataset) -> type[serializers.Serializer]:
    """A serializer of one row of `dataset` (a dict keyed by its column names)."""
    fields = {c.name: column_field(c) for c in dataset.columns}
    return type(f"{class_name(dataset)}Row", (serializers.Serializer,), fields)


class RunSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text=_("Number of the score run"))
    published_at = serializers.DateTimeField(
        read_only=True, help_text=_("When the run was published")
    )
    as_of = serializers.DateField(
        read_only=True, allow_null=True, help_text=_("The date the run's figures are as of")
    )


def run_data(run: ScoreRun | None) -> dict | None:
    if run is None:
        return None
    return {"id": run.pk, "published_at": run.published_at, "as_of": run.as_of}


def page_serializer(dataset: Dataset) -> type[serializers.Serializer]:
    """A serializer of one page of `dataset`'s rows: the count of all rows, links to the next
    and previous pages, the run they come from, the licence and the rows."""
    fields = {
        "count": serializers.IntegerField(
            read_only=True, help_text=_("Number of rows on all pages together")
        ),
        "next": serializers.URLField(
            read_only=True, allow_null=True, help_text=_("The next page; null on the last")
        ),
        "previous": serializers.URLField(
            read_only=True,
            allow_null=True,
            help_text=_("The previous page; null on the first"),
        ),
        "run": RunSerializer(
            read_only=True,
            allow_null=True,
            help_text=_(
                "The score run of the figures (the edition's, else the latest published); "
                "null before the first"
            ),
        ),
        "edition": serializers.DateField(
            read_only=True,
            allow_null=True,
            help_text=_("The edition asked for (?edition=); null for the latest run"),
        ),
        "licence": serializers.CharField(read_only=True, help_text=_("Licence of the data")),
        "licence_url": serializers.URLField(read_only=True),
        "results": row_serializer(dataset)(many=True, read_only=True),
    }
    return type(f"{class_name(dataset)}Page", (serializers.Serializer,), fields)


class DatasetLinkSerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True, help_text=_("Identifier of the dataset"))
    title = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    url = serializers.URLField(read_only=True, help_text=_("The dataset in this API"))
    csv = serializers.URLField(read_only=True, help_text=_("The whole dataset as a CSV file"))
    json = serializers.URLField(read_only=True, help_text=_("The whole dataset as a JSON file"))


class IndexSerializer(serializers.Serializer):
    datasets = DatasetLinkSerializer(many=True, read_only=True)
    schema = serializers.URLField(read_only=True, help_text=_("This API's OpenAPI 3 schema"))
    catalogue = serializers.URLField(
        read_only=True, help_text=_("The datasets' DCAT-AP catalogue (JSON-LD)")
    )
    run = RunSerializer(read_only=True, allow_null=True)
    licence = serializers.CharField(read_only=True)
    licence_url = serializers.URLField(read_only=True)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True, help_text=_("What is wrong, in words"))
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,  # absent where no parameter is to blame (a page that does not exist)
        help_text=_("For each query parameter in error, what is wrong with it"),
    )
