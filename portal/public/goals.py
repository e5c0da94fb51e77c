"""`/goals/`: the province's goals (RPJMD / RKPD) of a year, each indicator with its
target and the agencies' Perjanjian Kinerja indicators that serve it, with their
achievement in the published run (the cascade, `performance.cascade`). Agency-level figures
only, public by law: never a civil servant's. Cached per published run like every public
page."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from performance.cascade import goals_of_year
from performance.models import ScoreRun
from performance.queries import published_period, run_year
from portal.common.runs import published_run

from .pagecache import public_page


class GoalYearForm(forms.Form):
    """The year the goals page shows: one the published run computed."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)

    def __init__(self, data: object, *, run: ScoreRun | None) -> None:
        super().__init__(data)
        self.fields["year"].choices = [(str(y), str(y)) for y in (run.years if run else [])]

    def selected(self) -> int | None:
        """The year asked for, None when none (or not one of the run's)."""
        self.is_valid()
        return self.cleaned_data.get("year") or None


@public_page(params=("year",))
def goals(request: HttpRequest) -> HttpResponse:
    run = published_run(request)
    form = GoalYearForm(request.GET, run=run)
    year = run_year(run, form.selected())
    return render(
        request,
        "public/goals.html",
        {
            "run": run,
            "form": form,
            "year": year,
            "year_period": published_period(run, year, "Y") if year else None,
            "goals": goals_of_year(run.pk if run else 0, year) if year else [],
        },
    )
