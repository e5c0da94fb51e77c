"""The officer's recompute preview: what an agency's scores would be with the data entered
so far, computed in memory and never written anywhere.

It calls the Python engine's own per-contract and per-agency steps
(`recompute.score_contract`, `recompute.agency_period`, pure functions over `scoring.py`),
so the preview cannot drift from the published figures; only the reading differs (one
agency, and optionally contracts not approved yet).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum

from agencies.models import ANSWER_FIELDS, Agency, Service, SurveyResponse

from . import scoring
from .models import PerformanceContract, Realisation, Target
from .recompute import agency_period, score_contract

PERIODS = ("Q1", "Q2", "Q3", "Q4", "Y")


@dataclass(frozen=True)
class PreviewPeriod:
    period: str
    k: Decimal | None
    e: Decimal | None
    staff_count: int
    s: Decimal | None
    ikm: Decimal | None
    respondents: int
    score: Decimal | None
    predikat: str | None
    final: bool = True
    complete: bool = True


@dataclass
class Preview:
    agency: Agency
    year: int
    as_of: datetime.date
    periods: list[PreviewPeriod]
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
    """The agency's scores of `year` as of `today` from the data now in the database (five
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
            "indicator__annual_target",
            "indicator__aggregation",
        )
    )
    realised = {
        (i, q): v
        for i, q, v in Realisation.objects.filter(
            indicator__contract__in=contracts.values("pk")
        ).values_list("indicator_id", "quarter", "value")
    }
    closed = set(scoring.closed_quarters(year, today, scheme.entry_grace_days))
    rows: dict[int, list[tuple]] = defaultdict(list)
    holders: dict[int, int | None] = {}
    pk_indicators: dict[int, dict] = {}
    annual: dict[int, tuple[Decimal | None, str]] = {}
    for contract_id, employee_id, ind_id, code, text, direction, weight, q, value, *a in targets:
        annual[ind_id] = tuple(a)
        holders[contract_id] = employee_id
        rows[contract_id].append((ind_id, direction, weight, q, value, realised.get((ind_id, q))))
        if employee_id is None:
            entry = pk_indicators.setdefault(ind_id, {"code": code, "text": text, "quarters": {}})
            entry["quarters"][q] = {"target": value, "realisation": realised.get((ind_id, q))}

    k: dict[str, Decimal] = {}
    staff: dict[str, list[Decimal]] = defaultdict(list)
    for contract_id, contract_rows in rows.items():
        scores = score_contract(
            contract_rows,
            closed,
            scheme,
            started=scoring.started_quarters(year, today),
            annual=annual,
        )
        for period, (score, _missing) in scores.periods.items():
            if holders[contract_id] is None:
                k[period] = score
            else:
                staff[period].append(score)
        if holders[contract_id] is None:
            for ind_id, q, value, missing in scores.achievements:
                pk_indicators[ind_id]["quarters"][q].update(achievement=value, missing=missing)

    survey = _survey_sums(agency, year, closed)
    has_service = Service.objects.filter(agency=agency).exists()
    periods = []
    for p in PERIODS:
        final = (4 if p == "Y" else int(p[1])) in closed
        result = agency_period(
            k.get(p), staff.get(p, []), survey.get(p), scheme, final=final, has_service=has_service
        )
        periods.append(
            PreviewPeriod(
                period=p,
                k=result.k,
                e=result.e,
                staff_count=len(staff.get(p, [])),
                s=result.s,
                ikm=result.ikm,
                respondents=survey.get(p, (0, None))[0],
                score=result.score,
                predikat=result.predikat,
                final=result.final,
                complete=result.complete,
            )
        )
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


def _survey_sums(agency: Agency, year: int, closed: set[int]) -> dict[str, tuple[int, list[int]]]:
    """{period: (respondents, the nine element sums)} of the agency's services in `year`
    (the year's from its closed quarters)."""
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
        if row["quarter"] not in closed:
            continue
        year_n += row["n"]
        year_sums = [a + b for a, b in zip(year_sums, sums, strict=True)]
    if year_n:
        out["Y"] = (year_n, year_sums)
    return out
