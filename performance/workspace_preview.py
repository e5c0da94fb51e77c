"""The officer's recompute preview: what an agency's scores would be with the data entered
so far, computed in memory with the functions of `scoring.py`, exactly as the Python engine
(`recompute.write_year_python`) computes a run, and never written anywhere.

`score_contract` and `agency_period` are pure (rows in, numbers out): the engine's per-contract
and per-agency steps, so the preview cannot drift from the published figures.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum

from agencies.models import ANSWER_FIELDS, Agency, SurveyResponse

from . import scoring
from .models import PerformanceContract, Realisation, Target
from .recompute import closed_quarters

PERIODS = ("Q1", "Q2", "Q3", "Q4", "Y")


@dataclass(frozen=True)
class Row:
    """One indicator's target (and realisation, None when not reported) in one quarter."""

    indicator_id: int
    direction: str
    weight: Decimal
    quarter: int
    target: Decimal
    realisation: Decimal | None


@dataclass
class ContractScores:
    """`periods`: {"Q1".."Q4", "Y": (score, missing realisations)};
    `achievements`: {(indicator id, quarter): (achievement, missing)}."""

    periods: dict[str, tuple[Decimal, int]] = field(default_factory=dict)
    achievements: dict[tuple[int, int], tuple[Decimal, bool]] = field(default_factory=dict)


def score_contract(rows: Iterable[Row], closed: set[int], scheme: scoring.Scheme) -> ContractScores:
    """One contract's achievements and quarter and annual scores (the engine's rules: a
    higher-is-better row with a target <= 0 is left out; a missing realisation counts 0 in a
    closed quarter and leaves the indicator out of an open one)."""
    out = ContractScores()
    by_quarter: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        by_quarter[row.quarter].append(row)
    quarter_scores = []
    missing_total = 0
    for quarter in sorted(by_quarter):
        taking_part = []
        for row in by_quarter[quarter]:
            if row.direction == "higher" and row.target <= 0:
                continue
            if row.realisation is None and quarter not in closed:
                continue
            if row.realisation is None:
                value, missing = Decimal("0.00"), True
            else:
                value = scoring.achievement(row.direction, row.target, row.realisation, scheme.cap)
                missing = False
            taking_part.append((value, row.weight, missing))
            out.achievements[(row.indicator_id, quarter)] = (value, missing)
        score = scoring.contract_quarter_score((a, w) for a, w, _ in taking_part)
        if score is None:
            continue
        missing = sum(1 for *_, m in taking_part if m)
        missing_total += missing
        quarter_scores.append(score)
        out.periods[f"Q{quarter}"] = (score, missing)
    annual = scoring.annual_score(quarter_scores)
    if annual is not None:
        out.periods["Y"] = (annual, missing_total)
    return out


@dataclass(frozen=True)
class AgencyPeriod:
    period: str
    k: Decimal | None
    e: Decimal | None
    staff_count: int
    s: Decimal | None
    respondents: int
    score: Decimal | None
    predikat: str | None


def agency_period(
    period: str,
    k: Decimal | None,
    staff_scores: list[Decimal],
    survey: tuple[int, list[int]] | None,
    scheme: scoring.Scheme,
) -> AgencyPeriod:
    """The agency's K, E (only from `min_group_size` staff scores), S (only from
    `survey_min_responses` respondents) and combined score of one period."""
    e = scoring.staff_component(staff_scores, scheme)
    n, sums = survey or (0, None)
    s = scoring.ikm_from_sums(sums, n) if n and n >= scheme.survey_min_responses else None
    score = scoring.agency_score(k, e, s, scheme)
    return AgencyPeriod(
        period=period,
        k=k,
        e=scoring.round2(e) if e is not None else None,
        staff_count=len(staff_scores),
        s=s,
        respondents=n,
        score=score,
        predikat=scoring.predikat(score, scheme) if score is not None else None,
    )


@dataclass
class Preview:
    agency: Agency
    year: int
    as_of: datetime.date
    periods: list[AgencyPeriod]
    contracts: int  # contracts taken into account
    unapproved: int  # of which not (yet) approved
    indicators: list[dict]  # the agency's own PK indicators with their achievements


def compute_preview(
    agency: Agency,
    year: int,
    today: datetime.date,
    scheme: scoring.Scheme,
    *,
    include_unapproved: bool = False,
) -> Preview:
    """The agency's scores of `year` as of `today` from the data now in the database (four
    queries, whatever the number of staff). Only approved contracts count, as in a real run,
    unless `include_unapproved`."""
    contracts = PerformanceContract.objects.filter(agency=agency, year=year)
    if not include_unapproved:
        contracts = contracts.approved()
    statuses = dict(contracts.values_list("pk", "status"))
    targets = (
        Target.objects.filter(indicator__contract__in=contracts.values("pk"))
        .order_by("indicator__contract_id", "indicator__code", "quarter")
        .values_list(
            "indicator__contract_id",
            "indicator__contract__employee_id",
            "indicator_id",
            "indicator__code",
            "indicator__text",
            "indicator__direction",
            "indicator__weight",
            "quarter",
            "value",
        )
    )
    realised = {
        (i, q): v
        for i, q, v in Realisation.objects.filter(
            indicator__contract__in=contracts.values("pk")
        ).values_list("indicator_id", "quarter", "value")
    }
    closed = set(closed_quarters(year, today, scheme))
    rows: dict[int, list[Row]] = defaultdict(list)
    holders: dict[int, int | None] = {}
    pk_indicators: dict[int, dict] = {}
    for contract_id, employee_id, ind_id, code, text, direction, weight, q, value in targets:
        holders[contract_id] = employee_id
        rows[contract_id].append(
            Row(ind_id, direction, weight, q, value, realised.get((ind_id, q)))
        )
        if employee_id is None:
            entry = pk_indicators.setdefault(ind_id, {"code": code, "text": text, "quarters": {}})
            entry["quarters"][q] = {"target": value, "realisation": realised.get((ind_id, q))}

    k: dict[str, Decimal] = {}
    staff: dict[str, list[Decimal]] = defaultdict(list)
    for contract_id, contract_rows in rows.items():
        scores = score_contract(contract_rows, closed, scheme)
        for period, (score, _missing) in scores.periods.items():
            if holders[contract_id] is None:
                k[period] = score
            else:
                staff[period].append(score)
        if holders[contract_id] is None:
            for (ind_id, q), (value, missing) in scores.achievements.items():
                pk_indicators[ind_id]["quarters"][q].update(achievement=value, missing=missing)

    survey = _survey_sums(agency, year)
    periods = [agency_period(p, k.get(p), staff.get(p, []), survey.get(p), scheme) for p in PERIODS]
    return Preview(
        agency=agency,
        year=year,
        as_of=today,
        periods=periods,
        contracts=len(statuses),
        unapproved=sum(1 for s in statuses.values() if s != PerformanceContract.Status.APPROVED),
        indicators=[
            {**entry, "quarter_list": [entry["quarters"].get(q) for q in (1, 2, 3, 4)]}
            for entry in pk_indicators.values()
        ],
    )


def _survey_sums(agency: Agency, year: int) -> dict[str, tuple[int, list[int]]]:
    """{period: (respondents, the nine element sums)} of the agency's services in `year`."""
    rows = (
        SurveyResponse.objects.filter(service__agency=agency, year=year)
        .values("quarter")
        .annotate(n=Count("id"), **{f: Sum(f) for f in ANSWER_FIELDS})
        .order_by()
    )
    out: dict[str, tuple[int, list[int]]] = {}
    year_n, year_sums = 0, [0] * 9
    for row in rows:
        sums = [row[f] for f in ANSWER_FIELDS]
        out[f"Q{row['quarter']}"] = (row["n"], sums)
        year_n += row["n"]
        year_sums = [a + b for a, b in zip(year_sums, sums, strict=True)]
    if year_n:
        out["Y"] = (year_n, year_sums)
    return out
