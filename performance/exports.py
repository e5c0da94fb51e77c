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
    organisation scale, for a final period; a civil servant's is empty until their predikat
    comes from the 6/2022 matrix (the band of an SKP score is not it)."""
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
            "agency__code", "contract__employee__nip", "period", "score", "predikat", "final"
        )
    )
    for code, nip, period, score, predikat, final in scores.iterator(chunk_size=5000):
        yield [
            code,
            nip or "agency",
            str(year),
            period,
            fmt(score),
            predikat if final and nip is None else "",
            yes_no(final),
        ]
