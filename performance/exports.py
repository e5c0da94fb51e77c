"""`export_scores` (DESIGN.md): the latest published run's scores as CSV rows."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Case, F, IntegerField, Value, When

from .models import Score, ScoreRun

AGENCY_HEADER = [
    "agency_code",
    "year",
    "period",
    "contract_component",
    "staff_component",
    "service_component",
    "score",
    "predikat",
    "ikm",
    "final",
]
CONTRACT_HEADER = ["agency_code", "holder", "year", "period", "score", "predikat", "final"]
PERIOD_ORDER = Case(
    *[When(period=p, then=Value(i)) for i, p in enumerate(["Q1", "Q2", "Q3", "Q4", "Y"])],
    output_field=IntegerField(),
)


def fmt(value: Decimal | None) -> str:
    """A figure as written in the files: two decimals, a dot, empty when absent."""
    return "" if value is None else f"{value:.2f}"


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def agency_rows(run: ScoreRun, year: int) -> Iterator[list[str]]:
    """One row per agency and period: K, E, S, the score, its predikat (empty while the
    period is provisional), the IKM S came from and whether the period is final."""
    scores = (
        Score.objects.filter(run=run, year=year)
        .agency_level()
        .annotate(period_order=PERIOD_ORDER)
        .order_by("agency__code", "period_order")
        .values_list("agency__code", "period", "k", "e", "s", "score", "predikat", "ikm", "final")
    )
    for code, period, k, e, s, score, predikat, ikm, final in scores.iterator():
        yield [
            code,
            str(year),
            period,
            fmt(k),
            fmt(e),
            fmt(s),
            fmt(score),
            predikat if final else "",
            fmt(ikm),
            yes_no(final),
        ]


def contract_rows(run: ScoreRun, year: int) -> Iterator[list[str]]:
    """One row per contract and period. The predikat is the agency's own contract's, on the
    organisation scale, for a final period; a civil servant's is their 6/2022 matrix predikat
    on a closed year's Y row once both ratings exist, empty otherwise and on quarter rows
    (a run written before ratings existed has no ratings on its rows: empty too)."""
    scores = (
        Score.objects.filter(run=run, year=year)
        .contract_level()
        .annotate(period_order=PERIOD_ORDER)
        # The agency's own contract (no NIP) first on every database: PostgreSQL
        # sorts NULL last and SQLite first unless told.
        .order_by(
            "agency__code", F("contract__employee__nip").asc(nulls_first=True), "period_order"
        )
        .values_list(
            "agency__code",
            "contract__employee__nip",
            "period",
            "score",
            "predikat",
            "final",
            "results_rating",
        )
    )
    for code, nip, period, score, predikat, final, rated in scores.iterator(chunk_size=5000):
        if nip is None:
            shown = predikat if final else ""
        else:
            shown = predikat if final and period == "Y" and rated else ""
        yield [code, nip or "agency", str(year), period, fmt(score), shown, yes_no(final)]
