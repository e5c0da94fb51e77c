"""The independent cross-check of an agency's self-reported indicators: an agency (PK)
indicator linked to a figure the portal holds from another source (`Indicator.cross_check`:
the survey's IKM of the agency or of one of its services, a service's on-time or
complaints-resolved share from its service figures) shows that figure beside its
realisation, quarter by quarter, and is flagged when the two differ by more than the year's
scheme says (`cross_check_gap_points`, read from the published run's scheme).

The survey IKM of a quarter follows the IKM rules (14/2017): below the scheme's survey
minimum it is shown with its n and not compared. A share needs a denominator above zero.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from agencies.models import ANSWER_FIELDS, ServiceMetric, SurveyResponse

from . import scoring
from .models import CrossCheck

Kind = ServiceMetric.Kind
# A share: (numerator kinds, denominator kinds), of the same service and quarter.
SHARES = {
    CrossCheck.ON_TIME: ((Kind.COMPLETED_ON_TIME,), (Kind.COMPLETED_ON_TIME, Kind.COMPLETED_LATE)),
    CrossCheck.COMPLAINTS_RESOLVED: ((Kind.COMPLAINTS_RESOLVED,), (Kind.COMPLAINTS_RECEIVED,)),
}


@dataclass(frozen=True)
class Check:
    """The independent value of one indicator in one quarter. `value` is None when the
    source has nothing for the quarter; `basis` is what it rests on (respondents,
    applications or complaints); `sufficient` whether it may be compared (the survey
    minimum reached); `gap` the absolute difference from the realisation, rounded, when both
    exist and it is sufficient; `flagged` when the gap is above `threshold`."""

    source: str
    value: Decimal | None
    basis: int
    sufficient: bool
    gap: Decimal | None
    threshold: Decimal
    flagged: bool


def compare(
    source: str,
    value: Decimal | None,
    basis: int,
    sufficient: bool,
    realisation: Decimal | None,
    threshold: Decimal,
) -> Check:
    """The check of a realisation against an independent value (pure)."""
    gap = None
    if value is not None and sufficient and realisation is not None:
        gap = scoring.round2(abs(Decimal(realisation) - value))
    return Check(
        source, value, basis, sufficient, gap, threshold, gap is not None and gap > threshold
    )


def attach(indicators: list, scheme_of: Callable[[int], scoring.Scheme]) -> None:
    """Set `cross_check_result` (a `Check`, or None when not linked) on each of `indicators`
    (rows of `performance.queries.indicator_quarter`: `agency_id`, `year`, `quarter`,
    `realisation`, `cross_check`, `cross_check_service_id`), with the survey minimum and
    the gap threshold of `scheme_of(year)` (the published run's scheme of the year). At most
    two queries, none when no indicator is linked."""
    linked = [i for i in indicators if i.cross_check]
    for i in indicators:
        i.cross_check_result = None
    if not linked:
        return
    years = {i.year for i in linked}
    schemes = {year: scheme_of(year) for year in years}
    survey = _survey_sums({i.agency_id for i in linked if i.cross_check == CrossCheck.IKM}, years)
    metrics = _metrics({i.cross_check_service_id for i in linked if i.cross_check in SHARES}, years)
    for i in linked:
        if i.cross_check == CrossCheck.IKM:
            key = (
                ("service", i.cross_check_service_id)
                if i.cross_check_service_id
                else (
                    "agency",
                    i.agency_id,
                )
            )
            sums = survey.get((*key, i.year, i.quarter))
            n = sums[0] if sums else 0
            value = scoring.ikm_from_sums(sums[1:], n) if n else None
            sufficient = n >= schemes[i.year].survey_min_responses
            i.cross_check_result = compare(
                i.cross_check,
                value,
                n,
                sufficient,
                i.realisation,
                schemes[i.year].cross_check_gap_points,
            )
        else:
            top, bottom = SHARES[i.cross_check]
            figures = metrics.get((i.cross_check_service_id, i.year, i.quarter), {})
            denominator = sum(figures.get(k, Decimal(0)) for k in bottom)
            value = None
            if denominator > 0:
                numerator = sum(figures.get(k, Decimal(0)) for k in top)
                value = scoring.round2(100 * numerator / denominator)
            i.cross_check_result = compare(
                i.cross_check,
                value,
                int(denominator),
                value is not None,
                i.realisation,
                schemes[i.year].cross_check_gap_points,
            )


def _survey_sums(agency_ids: set[int], years: set[int]) -> dict[tuple, list[int]]:
    """{("service", id, year, quarter) and ("agency", id, year, quarter): [respondents,
    sum_u1..sum_u9]} of the agencies' services. One query (none without agencies)."""
    if not agency_ids:
        return {}
    rows = SurveyResponse.objects.filter(
        service__agency_id__in=agency_ids, year__in=years
    ).sums_by_quarter("service_id", "service__agency_id")
    out: dict[tuple, list[int]] = {}
    pooled: dict[tuple, list[int]] = defaultdict(lambda: [0] * (1 + len(ANSWER_FIELDS)))
    for row in rows:
        values = [row["respondents"], *(row[f"sum_{f}"] for f in ANSWER_FIELDS)]
        out[("service", row["service_id"], row["year"], row["quarter"])] = values
        agency = pooled[("agency", row["service__agency_id"], row["year"], row["quarter"])]
        for n, v in enumerate(values):
            agency[n] += v
    out.update(pooled)
    return out


def _metrics(service_ids: set[int], years: set[int]) -> dict[tuple, dict[str, Decimal]]:
    """{(service id, year, quarter): {kind: value}} of the shares' kinds. One query (none
    without services)."""
    service_ids.discard(None)
    if not service_ids:
        return {}
    kinds = {k for top, bottom in SHARES.values() for k in (*top, *bottom)}
    out: dict[tuple, dict[str, Decimal]] = defaultdict(dict)
    for service_id, year, quarter, kind, value in ServiceMetric.objects.filter(
        service_id__in=service_ids, year__in=years, kind__in=kinds
    ).values_list("service_id", "year", "quarter", "kind", "value"):
        out[(service_id, year, quarter)][kind] = Decimal(value)
    return out
