"""Downloadable templates of the files the portal imports: each a header and example rows,
in the form the import reads (DESIGN.md, CSV files). The formats are the domain apps'; this
module only lists them for the workspace."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from agencies import imports as agency_imports
from agencies.csvio import write_csv
from performance import imports as performance_imports
from performance import ratings
from portal.common.decorators import staff_view


@dataclass(frozen=True)
class FileTemplate:
    name: str
    title: Promise
    header: list[str]
    rows: list[list[str]]
    imported_by: str  # the management command, or the workspace page that takes it


def templates() -> dict[str, FileTemplate]:
    return {
        t.name: t
        for t in (
            FileTemplate(
                "performance",
                _("Contracts, targets and realisations (performance.csv)"),
                [*performance_imports.COLUMNS, *performance_imports.OPTIONAL],
                performance_imports.EXAMPLE,
                "import_performance; /workspace/upload/",
            ),
            FileTemplate(
                "survey",
                _("Survey answers (survey.csv)"),
                agency_imports.SURVEY_COLUMNS,
                agency_imports.SURVEY_EXAMPLE,
                "import_survey",
            ),
            FileTemplate(
                "service_metrics",
                _("Service figures (service_metrics.csv)"),
                agency_imports.METRIC_COLUMNS,
                agency_imports.METRIC_EXAMPLE,
                "import_service_metrics",
            ),
            FileTemplate(
                "ratings",
                _("Ratings of civil servants (ratings.csv)"),
                ratings.RATING_COLUMNS,
                ratings.RATING_EXAMPLE,
                "import_ratings; /workspace/ratings/upload/",
            ),
            FileTemplate(
                "agencies",
                _("Agencies (agencies.csv)"),
                agency_imports.AGENCY_COLUMNS,
                agency_imports.AGENCY_EXAMPLE,
                "import_agencies",
            ),
        )
    }


@staff_view
@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    return render(request, "workspace/file_templates.html", {"templates": templates().values()})


@staff_view
@require_GET
def template_file(request: HttpRequest, name: str) -> HttpResponse:
    """The template `name` as a CSV file: its header and example rows."""
    found = templates().get(name)
    if found is None:
        raise Http404
    out = io.StringIO()
    write_csv(out, found.header, found.rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
