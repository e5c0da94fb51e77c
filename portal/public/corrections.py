"""`/corrections/`: every correction of a published figure (DESIGN.md, Integrity), newest
first, filterable by agency and year (GET, so a filtered list can be cited), paginated, and
cached per published run like every public page (corrections are written only when a run is
published). Agency-level and PK figures only: never a civil servant's.
"""

from __future__ import annotations

import django_filters
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from performance.corrections import explain
from performance.models import Correction

from .pagecache import public_page

PAGE_SIZE = 25


class CorrectionFilter(django_filters.FilterSet):
    """The list's filters: an agency (by slug, as its scorecard links it) and a year."""

    agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.public().order_by("name"),
        to_field_name="slug",
        label=_("Agency"),
        empty_label=_("All agencies"),
    )
    year = django_filters.ChoiceFilter(label=_("Year"), empty_label=_("All years"))

    class Meta:
        model = Correction
        fields: list[str] = []

    def __init__(self, data: object) -> None:
        super().__init__(data, queryset=Correction.objects.public())
        years = Correction.objects.public().values_list("year", flat=True).distinct()
        self.filters["year"].extra["choices"] = [
            (str(y), str(y)) for y in sorted(years, reverse=True)
        ]

    def download_query(self) -> str:
        """The open-data file's query for the list shown (`agency` code or slug, `year`)."""
        if not self.is_bound or not self.form.is_valid():
            return ""
        agency, year = self.form.cleaned_data.get("agency"), self.form.cleaned_data.get("year")
        wanted = {"agency": agency.slug if agency else None, "year": year}
        return urlencode({k: v for k, v in wanted.items() if v})


@public_page(params=("agency", "year", "page"))
def corrections(request: HttpRequest) -> HttpResponse:
    found = CorrectionFilter(request.GET)
    # A value the form refuses (an unknown agency, a year without corrections) lists none,
    # with the form saying why, rather than every correction.
    listed = found.qs if found.is_valid() else Correction.objects.none()
    listed = listed.select_related("agency").order_by(
        "-published_at", "agency__name", "year", "period", "indicator_code", "figure", "pk"
    )
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for correction in rows:
        correction.why = explain(correction)
    return render(
        request,
        "public/corrections.html",
        {
            "filter": found,
            "page": page,
            "rows": rows,
            "download_query": found.download_query(),
        },
    )
