"""The sample data's history of editions (issue 24): the runs the portal would have published
on the day each of the sample's quarters closed, so that the editions list and `?edition=`
have something to show from the first `make run`.

The sample data is drawn up as if entered in time (`seed._set_dates`), so a run computed as of
a closing day from it is what that day's first run would have published. Drawn up only in a
database that has published no run yet: past runs slipped in among real ones would make
editions of figures nobody saw.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils import timezone

from performance import scoring
from performance.late import closes_on, grace_days
from performance.models import ScoreRun
from performance.services import recompute_scores

from .tables import REFERENCE_DAY, YEARS


def closing_days(until: datetime.date) -> list[datetime.date]:
    """The first day each quarter of the sample's years is closed, up to `until`."""
    graces = grace_days(YEARS)
    days = [
        closes_on(year, quarter, graces[year]) + datetime.timedelta(days=1)
        for year in YEARS
        for quarter in scoring.QUARTERS
    ]
    return [day for day in days if day <= until]


def publish_past_editions(*, log: Callable[[str], None] | None = None) -> list[ScoreRun]:
    """Publish a run as of each closing day of the sample's quarters (up to the sample's
    reference day and today), oldest first; each becomes an edition. Nothing when the
    database has a published run already. A day's run covers the years begun by then."""
    if ScoreRun.objects.published().exists():
        return []
    say = log or (lambda _message: None)
    until = min(REFERENCE_DAY, timezone.localdate())
    runs = []
    for day in closing_days(until):
        # A year not begun yet has no figure to publish: only the day's year, while a later
        # year of the sample has not begun.
        year = day.year if day.year < max(YEARS) else None
        runs.append(recompute_scores(year=year, today=day))
        say(f"edition of {day.isoformat()}: run {runs[-1].pk}")
    return runs
