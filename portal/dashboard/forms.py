"""The dashboard's GET form: year, period, region (only among the user's own) and the sort
of the below-target table. An invalid value is reported on the form and the default used:
nothing a query string says can widen what the user sees."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from agencies.models import QUARTERS, AgencyQuerySet, Region
from performance.models import ScoreRun

PERIOD_CHOICES = [*[(f"Q{q}", label) for q, label in QUARTERS], ("Y", _("Whole year"))]
SORT_CHOICES = [
    ("score", _("Score, lowest first")),
    ("-score", _("Score, highest first")),
    ("change", _("Largest fall first")),
    ("name", _("Name (A-Z)")),
]


@dataclass(frozen=True)
class Selection:
    year: int
    period: str
    agencies: AgencyQuerySet
    sort: str


class DashboardForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_CHOICES)
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("All my regions"),
    )
    sort = forms.ChoiceField(label=_("Sort agencies below target by"), choices=SORT_CHOICES)

    def __init__(
        self,
        data: QueryDict,
        *,
        run: ScoreRun,
        agencies: AgencyQuerySet,
        default: tuple[int, str],
        fields: tuple[str, ...] = ("year", "period", "region", "sort"),
    ) -> None:
        self.defaults = {"year": default[0], "period": default[1], "sort": "score"}
        merged = data.copy()
        for name, value in self.defaults.items():
            if not merged.get(name):
                merged[name] = str(value)
        super().__init__(merged)
        self.scope = agencies
        years = run.years or [default[0]]
        self.fields["year"].choices = [(y, str(y)) for y in years]
        self.fields["region"].queryset = Region.objects.filter(
            pk__in=agencies.values("region_id")
        ).order_by("code")
        for name in [f for f in self.fields if f not in fields]:
            del self.fields[name]

    def selection(self) -> Selection:
        """The year, period, agencies and sort to show: each valid value asked for, else its
        default; the agencies are always within the user's own."""
        self.is_valid()
        data = self.cleaned_data
        region = data.get("region")
        agencies = self.scope.filter(region=region) if region else self.scope
        return Selection(
            year=data.get("year") or self.defaults["year"],
            period=data.get("period") or self.defaults["period"],
            agencies=agencies,
            sort=data.get("sort") or self.defaults["sort"],
        )
