"""GET filters of the public pages (django-filter FilterSets and small forms): every filtered
or ranked page is a URL that can be shared and cited."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Case, F, QuerySet, When, Window
from django.db.models.functions import Rank
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from agencies.models import QUARTERS, Agency, AgencyQuerySet, Region
from performance.models import Predikat, ScoreRun
from performance.queries import PublishedPeriod, latest_quarter, published_period, run_year
from performance.scoring import previous_period

PAGE_SIZE = 25
SORTS = [  # the first is the default
    ("-score", _("Score, highest first")),
    ("score", _("Score, lowest first")),
    ("name", _("Name (A-Z)")),
    ("-ikm", _("IKM, highest first")),
]
ORDERINGS = {
    "name": [F("name").asc()],
    "-score": [F("score").desc(nulls_last=True), F("name").asc()],
    "score": [F("score").asc(nulls_last=True), F("name").asc()],
    "-ikm": [F("ikm").desc(nulls_last=True), F("name").asc()],
}
PERIOD_CHOICES = [("Y", _("Whole year")), *[(f"Q{q}", label) for q, label in QUARTERS]]


def _year_choices(run: ScoreRun | None) -> list[tuple[str, str]]:
    return [(str(y), str(y)) for y in (run.years if run else [])]


class _RunFilterSet(django_filters.FilterSet):
    """A FilterSet over public agencies that knows the published run, with `year`, `region`
    and `sector` filters shared by the directory and the rankings."""

    region = django_filters.ModelChoiceFilter(
        queryset=Region.objects.filter(agencies__is_public=True).distinct(),
        to_field_name="code",
        label=_("Region"),
        empty_label=_("All regions"),
    )
    sector = django_filters.ChoiceFilter(label=_("Sector"), empty_label=_("All sectors"))
    year = django_filters.ChoiceFilter(label=_("Year"), empty_label=None, method="_noop")

    field_order: tuple[str, ...] = ("year",)  # the order of the form's controls

    class Meta:
        model = Agency
        fields: list[str] = []

    def __init__(self, data: object, *, run: ScoreRun | None) -> None:
        super().__init__(data, queryset=Agency.objects.public().select_related("region"))
        self.run = run
        self.filters["year"].extra["choices"] = _year_choices(run)
        self.filters["sector"].extra["choices"] = [
            (s, s) for s in Agency.objects.public().sectors()
        ]
        order = [*self.field_order, *(f for f in self.filters if f not in self.field_order)]
        self.filters = {name: self.filters[name] for name in order}

    def _noop(self, queryset: QuerySet, name: str, value: object) -> QuerySet:
        return queryset  # applied in `annotate`, before the other filters

    def cleaned(self, name: str) -> object:
        """A filter's cleaned value (None when empty or invalid)."""
        if not self.is_bound:
            return None
        self.errors  # noqa: B018 - validates the form
        return self.form.cleaned_data.get(name) or None

    @property
    def selected_year(self) -> int | None:
        """The year shown: the one asked for when the run has it, else the newest."""
        value = self.cleaned("year")
        return run_year(self.run, int(value) if value else None)

    @property
    def run_id(self) -> int:
        return self.run.pk if self.run else 0

    def annotate(self, queryset: AgencyQuerySet) -> AgencyQuerySet:
        raise NotImplementedError

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        return super().filter_queryset(self.annotate(queryset))


class AgencyFilter(_RunFilterSet):
    """The directory: search, region, sector, predikat and year; sorted; each agency with its
    annual score, IKM and the change of its latest quarter's score over the quarter before."""

    q = django_filters.CharFilter(label=_("Search by name or acronym"), method="_search")
    field_order = ("q", "region", "sector", "predikat", "year", "sort")
    predikat = django_filters.ChoiceFilter(
        choices=Predikat.choices,
        label=_("Predikat"),
        empty_label=_("All predikat"),
    )
    sort = django_filters.ChoiceFilter(
        choices=SORTS,
        label=_("Sort by"),
        empty_label=None,
        method="_noop",
    )

    def _search(self, queryset: AgencyQuerySet, name: str, value: str) -> AgencyQuerySet:
        return queryset.search(value.strip())

    def download_query(self) -> str:
        """The query string of the open-data files for the list shown: its filters (the
        files take the same names, `portal.public.opendata.FilterForm`) and its year."""
        wanted = {
            "q": self.cleaned("q"),
            "region": getattr(self.cleaned("region"), "code", None),
            "sector": self.cleaned("sector"),
            "predikat": self.cleaned("predikat"),
            "year": self.selected_year,
        }
        return urlencode({name: value for name, value in wanted.items() if value})

    @property
    def quarter(self) -> int | None:
        """The latest quarter with scores in the year shown (the trend column's quarter)."""
        if not hasattr(self, "_quarter"):
            year = self.selected_year
            self._quarter = latest_quarter(self.run_id, year) if year else None
        return self._quarter

    def annotate(self, queryset: AgencyQuerySet) -> AgencyQuerySet:
        year = self.selected_year or 0
        queryset = queryset.with_score(self.run_id, year, "Y")
        if self.quarter:
            prev_year, prev_period = previous_period(year, f"Q{self.quarter}")
            queryset = queryset.with_score(
                self.run_id, year, f"Q{self.quarter}", prefix="q_"
            ).with_score(self.run_id, prev_year, prev_period, prefix="pq_")
        return queryset

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        return queryset.order_by(*ORDERINGS[self.cleaned("sort") or "-score"])


class RankingFilter(_RunFilterSet):
    """The rankings: agencies with a score in the chosen year and period, ranked, with their
    rank and score in the period before."""

    period = django_filters.ChoiceFilter(
        choices=PERIOD_CHOICES,
        label=_("Period"),
        empty_label=None,
        method="_noop",
    )
    field_order = ("year", "period", "region", "sector")

    @property
    def selected_period(self) -> str:
        return self.cleaned("period") or "Y"

    @property
    def published(self) -> PublishedPeriod | None:
        """What the chosen period is: final, the year to date of an open year, or
        provisional (an open quarter: never ranked)."""
        year = self.selected_year
        return published_period(self.run, year, self.selected_period) if year else None

    @property
    def previous(self) -> tuple[int, str] | None:
        """The period the movement is measured from: the period before, when both are final.
        An open year's year to date is not measured against a whole year."""
        published = self.published
        if published is None or not published.final:
            return None
        return previous_period(published.year, published.period)

    def annotate(self, queryset: AgencyQuerySet) -> AgencyQuerySet:
        year = self.selected_year or 0
        prev_year, prev_period = self.previous or (0, "Y")
        return queryset.with_score(self.run_id, year, self.selected_period).with_score(
            self.run_id, prev_year, prev_period, prefix="prev_"
        )

    def _scored(self) -> QuerySet:
        return super().filter_queryset(self.queryset.all()).filter(score__isnull=False)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        """The ranked agencies: complete scores of a comparable period (DESIGN.md: an
        incomplete score is listed apart, a provisional one is never ranked), ranked over
        the filtered agencies (region, sector) in SQL; the previous period's rank among them
        counts complete final scores only."""
        published = self.published
        if published is None or not published.comparable:
            return queryset.none()
        return (
            super()
            .filter_queryset(queryset)
            .filter(score__isnull=False, complete=True)
            .annotate(
                prev_ranked=Case(
                    When(prev_complete=True, prev_final=True, then=F("prev_score")),
                    default=None,
                ),
                rank=Window(Rank(), order_by=F("score").desc()),
            )
            .annotate(
                prev_rank=Window(Rank(), order_by=F("prev_ranked").desc(nulls_last=True)),
            )
            .order_by("-score", "name")
        )

    @property
    def unranked(self) -> list[Agency]:
        """The agencies with a score of the chosen period that are not ranked: incomplete
        scores of a comparable period, or every score of a provisional one, by name."""
        published = self.published
        if published is None:
            return []
        scored = self._scored()
        if published.comparable:
            scored = scored.filter(complete=False)
        return list(scored.order_by("name"))


class AgencyChoiceField(forms.MultipleChoiceField):
    """Agency slugs from several same-named selects, where some are left empty."""

    def to_python(self, value: object) -> list[str]:
        values = super().to_python(value)
        return list(dict.fromkeys(v for v in values if v))  # unique, in order


class CompareForm(forms.Form):
    """Two to four agencies (by slug) and a year."""

    a = AgencyChoiceField(label=_("Agencies"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)

    MIN, MAX = 2, 4

    def __init__(self, data: object, *, run: ScoreRun | None, agencies: list[Agency]) -> None:
        super().__init__(data)
        self.fields["a"].choices = [(a.slug, a.name) for a in agencies]
        self.fields["year"].choices = _year_choices(run)
        self.run = run

    def clean_a(self) -> list[str]:
        slugs = self.cleaned_data["a"]
        if slugs and not self.MIN <= len(slugs) <= self.MAX:
            raise forms.ValidationError(
                _("Choose between %(min)d and %(max)d different agencies."),
                params={"min": self.MIN, "max": self.MAX},
            )
        return slugs


class PeriodForm(forms.Form):
    """The year (and quarter, for the indicator table) a scorecard shows."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, widget=forms.Select)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        coerce=int,
        required=False,
        choices=[("", _("Latest")), *QUARTERS],
        widget=forms.Select,
    )

    def __init__(self, data: object, *, run: ScoreRun | None) -> None:
        super().__init__(data)
        self.fields["year"].choices = _year_choices(run)

    def value(self, name: str) -> int | None:
        """A field's cleaned value; None when empty or invalid (the page then shows the
        default and the form says what was wrong)."""
        self.is_valid()
        return self.cleaned_data.get(name) or None
