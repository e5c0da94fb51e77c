"""The results of one public service per quarter of a year, as its public page shows them:
the SKM element means, IKM, grade, n, the share of each channel and the sample the regulation
expects, next to the service figures with the on-time rate, the complaint resolution rate and
a flag where complaints rise while the time indicator stays on target. Three queries.

Never read here: the respondents' suggestions or profiles (private to the agency).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from agencies.models import ANSWER_FIELDS, Service, ServiceMetric, SurveyResponse
from agencies.sampling import (
    complaints_contradict_time,
    on_time_rate,
    percent,
    required_sample,
    resolution_rate,
)
from performance.queries import Ikm, ikm_of

Kind = ServiceMetric.Kind
Channel = SurveyResponse.Channel


@dataclass
class QuarterResult:
    """One quarter of a service's results; every figure None where nothing was reported."""

    quarter: int
    ikm: Ikm
    channels: list[tuple[str, str, int, Decimal | None]]  # (channel, label, n, percent)
    metrics: dict[str, Decimal] = field(default_factory=dict)
    users: Decimal | None = None
    required: int | None = None  # the Krejcie-Morgan sample for `users`
    on_time_rate: Decimal | None = None
    resolution_rate: Decimal | None = None
    contradiction: bool = False

    @property
    def sample_reached(self) -> bool | None:
        if self.required is None:
            return None
        return self.ikm.respondents >= self.required


class ServiceYearForm(forms.Form):
    """The year a service page shows (GET); the latest year with data when empty or unknown."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)

    def __init__(self, data: object, *, years: list[int]) -> None:
        super().__init__(data)
        self.fields["year"].choices = [(y, str(y)) for y in years]
        self.years = years

    def selected(self) -> int | None:
        if self.is_valid() and self.cleaned_data["year"]:
            return self.cleaned_data["year"]
        return self.years[0] if self.years else None


def service_years(service: Service) -> list[int]:
    """The years in which the service has survey responses or figures, newest first. One
    query (a UNION)."""
    years = (service.responses.order_by().values_list("year").distinct()).union(
        service.metrics.order_by().values_list("year").distinct()
    )
    return sorted({y for (y,) in years}, reverse=True)


def quarter_results(service: Service, year: int, min_responses: int) -> list[QuarterResult]:
    """The four quarters of `year` for `service` (see the module docstring). Two queries: the
    answers' sums per quarter and channel, and the figures of the year and of the quarter
    before its first."""
    rows = (
        service.responses.filter(year=year)
        .values("quarter", "channel")
        .annotate(respondents=Count("id"), **{f"sum_{f}": Sum(f) for f in ANSWER_FIELDS})
        .order_by()
    )
    pooled: dict[int, dict] = {}
    by_channel: dict[int, dict[str, int]] = {}
    summed = ("respondents", *(f"sum_{f}" for f in ANSWER_FIELDS))
    for row in rows:
        total = pooled.setdefault(row["quarter"], dict.fromkeys(summed, 0))
        for key in summed:
            total[key] += row[key]
        by_channel.setdefault(row["quarter"], {})[row["channel"]] = row["respondents"]

    metrics = service.metrics.filter(Q(year=year) | Q(year=year - 1, quarter=4))
    values: dict[tuple[int, str], Decimal] = {
        (m.quarter if m.year == year else 0, m.kind): m.value for m in metrics
    }

    results = []
    for q in (1, 2, 3, 4):
        ikm = ikm_of(pooled.get(q, {}), min_responses)
        counts = by_channel.get(q, {})
        figures = {kind: values[(q, kind)] for kind in Kind.values if (q, kind) in values}
        users = figures.get(Kind.USERS)
        results.append(
            QuarterResult(
                quarter=q,
                ikm=ikm,
                channels=[
                    (c, label, counts.get(c, 0), percent(counts.get(c, 0), ikm.respondents))
                    for c, label in Channel.choices
                ],
                metrics=figures,
                users=users,
                required=required_sample(int(users)) if users is not None else None,
                on_time_rate=on_time_rate(
                    figures.get(Kind.COMPLETED_ON_TIME), figures.get(Kind.COMPLETED_LATE)
                ),
                resolution_rate=resolution_rate(
                    figures.get(Kind.COMPLAINTS_RESOLVED), figures.get(Kind.COMPLAINTS_RECEIVED)
                ),
                contradiction=complaints_contradict_time(
                    figures.get(Kind.COMPLAINTS_RECEIVED),
                    values.get((q - 1, Kind.COMPLAINTS_RECEIVED)),
                    figures.get(Kind.AVG_PROCESSING_DAYS),
                    service.standard_days,
                ),
            )
        )
    return results


def metric_rows(results: list[QuarterResult]) -> list[tuple[str, list[Decimal | None]]]:
    """(label, value per quarter) of each kind of figure reported in any quarter."""
    return [
        (label, [r.metrics.get(kind) for r in results])
        for kind, label in Kind.choices
        if any(kind in r.metrics for r in results)
    ]


def channel_rows(
    results: list[QuarterResult],
) -> list[tuple[str, list[tuple[int, Decimal | None]]]]:
    """(channel label, (n, percent of the quarter's respondents) per quarter) per channel."""
    return [
        (label, [(r.channels[i][2], r.channels[i][3]) for r in results])
        for i, (_, label) in enumerate(Channel.choices)
    ]
