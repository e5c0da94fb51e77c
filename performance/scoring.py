"""The scoring rules: numbers in, numbers out. No Django, no database.

This module is the executable methodology (DESIGN.md, "Scoring rules"). The nightly
recompute's SQL implements the same formulas set-based on PostgreSQL and is tested against
these functions; everything else (the SQLite engine, the worked example on the methodology
page, the officer's preview) calls them directly.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

CENT = Decimal("0.01")


Number = Decimal | Fraction


def round2(x: Number) -> Decimal:
    """Round half up to two decimals (109.995 -> 110.00). A Fraction is rounded exactly, so a
    mean that is a repeating decimal still rounds as its true value does."""
    if isinstance(x, Fraction):
        scaled = x * 100
        cents = math.floor(abs(scaled) + Fraction(1, 2))
        return (Decimal(cents if scaled >= 0 else -cents) / 100).quantize(CENT)
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Scheme:
    """The parameters of a year's scoring scheme (defaults are DESIGN.md's)."""

    cap: Decimal = Decimal(120)
    weight_contract: Decimal = Decimal("0.5")
    weight_staff: Decimal = Decimal("0.3")
    weight_survey: Decimal = Decimal("0.2")
    threshold_sangat_baik: Decimal = Decimal(110)
    threshold_baik: Decimal = Decimal(90)
    threshold_butuh_perbaikan: Decimal = Decimal(70)
    threshold_kurang: Decimal = Decimal(50)
    entry_grace_days: int = 15
    survey_min_responses: int = 10
    min_group_size: int = 10


DEFAULT_SCHEME = Scheme()


class InvalidTarget(ValueError):
    """A target that no achievement can be computed from (t <= 0 for `higher`)."""


def achievement(
    direction: str, target: Decimal, realisation: Decimal, cap: Decimal = DEFAULT_SCHEME.cap
) -> Decimal:
    """Achievement in percent of one indicator in one quarter, clamped to [0, cap], rounded.

    higher: 100 * r / t (t > 0). lower: 100 * (2 - r / t) for t > 0; for t == 0, 100 when
    r == 0 else 0.
    """
    t, r = Fraction(target), Fraction(realisation)
    if direction == "higher":
        if t <= 0:
            raise InvalidTarget("a higher-is-better target must be greater than 0")
        raw = 100 * r / t
    elif direction == "lower":
        if t < 0:
            raise InvalidTarget("a target cannot be negative")
        # A zero target for "less is better": met only by zero.
        raw = 100 * (2 - r / t) if t else Fraction(100 if r == 0 else 0)
    else:
        raise ValueError(f"direction must be 'higher' or 'lower', not {direction!r}")
    return round2(min(max(raw, Fraction(0)), Fraction(cap)))


def weighted_mean(pairs: Iterable[tuple[Number, Number]]) -> Decimal | None:
    """Rounded weighted mean of (value, weight) pairs; weights need not sum to 100.
    Computed exactly (as fractions) and rounded once. None when there is nothing to average."""
    total = Fraction(0)
    weights = Fraction(0)
    for value, weight in pairs:
        total += Fraction(value) * Fraction(weight)
        weights += Fraction(weight)
    if weights == 0:
        return None
    return round2(total / weights)


def contract_quarter_score(achievements: Iterable[tuple[Decimal, Decimal]]) -> Decimal | None:
    """A contract's score in a quarter: the weighted mean of (achievement, weight) of the
    indicators taking part in that quarter, rounded."""
    return weighted_mean(achievements)


def annual_score(quarter_scores: Iterable[Decimal | None]) -> Decimal | None:
    """The mean of the quarter scores so far (None ones are left out), rounded."""
    present = [s for s in quarter_scores if s is not None]
    if not present:
        return None
    return round2(sum((Fraction(p) for p in present), Fraction(0)) / len(present))


def mean(values: Sequence[Decimal]) -> Fraction | None:
    """Exact mean, not rounded (the staff component E is combined unrounded)."""
    if not values:
        return None
    return sum((Fraction(v) for v in values), Fraction(0)) / len(values)


def staff_component(
    contract_scores: Sequence[Decimal], scheme: Scheme = DEFAULT_SCHEME
) -> Fraction | None:
    """E: the exact mean of the staff's SKP scores, only when at least `min_group_size` have
    one (round2 it for display)."""
    if len(contract_scores) < scheme.min_group_size:
        return None
    return mean(contract_scores)


def ikm(responses: Sequence[Sequence[int]], scheme: Scheme = DEFAULT_SCHEME) -> Decimal | None:
    """IKM (PermenPAN-RB 14/2017) from respondents' nine answers each: 25 x the mean of the
    nine per-element means (NRR), equal weights of exactly 1/9, rounded. None below the
    scheme's minimum number of respondents."""
    n = len(responses)
    if n == 0 or n < scheme.survey_min_responses:
        return None
    return ikm_from_sums([sum(r[i] for r in responses) for i in range(9)], n)


def ikm_from_sums(element_sums: Sequence[int], n: int) -> Decimal:
    """IKM from the nine per-element sums of answers over n respondents (no minimum check).

    25 x (the mean of the nine NRRs sum_i / n) is 25 x total / (9 n): computed as that one
    division, so an IKM exactly on a half cent (25 x 918 / 432 = 53.125) rounds up as the
    rule says. Nine NRRs rounded to 28 digits first (918 / 48 does not end) can sum to a
    hair below it and round down (53.12), and the SQL engine would disagree."""
    return round2(Fraction(25 * sum(element_sums), 9 * n))


# (grade, lowest IKM, highest IKM) of the service-quality grades (mutu pelayanan) of
# PermenPAN-RB 14/2017, best first.
IKM_GRADES = (
    ("A", Decimal("88.31"), Decimal("100.00")),
    ("B", Decimal("76.61"), Decimal("88.30")),
    ("C", Decimal("65.00"), Decimal("76.60")),
    ("D", Decimal("25.00"), Decimal("64.99")),
)


def mutu_pelayanan(ikm_value: Decimal) -> str:
    """The service-quality grade of an IKM: A, B, C or D (`IKM_GRADES`)."""
    for grade, lowest, _ in IKM_GRADES:
        if ikm_value >= lowest:
            return grade
    return IKM_GRADES[-1][0]


def agency_score(
    k: Number | None, e: Number | None, s: Number | None, scheme: Scheme = DEFAULT_SCHEME
) -> Decimal | None:
    """(wK*K + wE*E + wS*S) / (sum of the weights of the components present), rounded.
    An absent component is left out with its weight; no component at all gives None."""
    parts = [
        (value, weight)
        for value, weight in (
            (k, scheme.weight_contract),
            (e, scheme.weight_staff),
            (s, scheme.weight_survey),
        )
        if value is not None and weight > 0
    ]
    return weighted_mean(parts)


PREDIKAT_ORDER = ("Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang", "Sangat Kurang")


def predikat(score: Decimal, scheme: Scheme = DEFAULT_SCHEME) -> str:
    """The rating band of a score, decided on the rounded score."""
    x = round2(score)
    if x >= scheme.threshold_sangat_baik:
        return "Sangat Baik"
    if x >= scheme.threshold_baik:
        return "Baik"
    if x >= scheme.threshold_butuh_perbaikan:
        return "Butuh Perbaikan"
    if x >= scheme.threshold_kurang:
        return "Kurang"
    return "Sangat Kurang"


def quarter_last_day(year: int, quarter: int) -> datetime.date:
    if quarter == 4:
        return datetime.date(year, 12, 31)
    return datetime.date(year, 3 * quarter + 1, 1) - datetime.timedelta(days=1)


def quarter_is_closed(
    year: int, quarter: int, today: datetime.date, grace_days: int = DEFAULT_SCHEME.entry_grace_days
) -> bool:
    """Closed when today (WITA) is later than the quarter's last day plus the grace days:
    Q3 with 15 grace days is open up to and including 15 October."""
    return today > quarter_last_day(year, quarter) + datetime.timedelta(days=grace_days)


@dataclass(frozen=True)
class IndicatorQuarter:
    """One indicator's inputs in one quarter."""

    direction: str
    weight: Decimal
    target: Decimal
    realisation: Decimal | None


def quarter_achievements(
    rows: Iterable[IndicatorQuarter], closed: bool, cap: Decimal
) -> list[tuple[Decimal, Decimal, bool]]:
    """(achievement, weight, missing) of the indicators taking part in a quarter: a missing
    realisation counts as 0 (flagged missing) once the quarter is closed, and leaves the
    indicator out while the quarter is open."""
    out = []
    for row in rows:
        if row.realisation is None:
            if closed:
                out.append((Decimal(0).quantize(CENT), row.weight, True))
            continue
        out.append(
            (achievement(row.direction, row.target, row.realisation, cap), row.weight, False)
        )
    return out


def last_closed_quarter(today: datetime.date, grace_days: int) -> tuple[int, int]:
    """(year, quarter) of the newest quarter that is closed on `today`."""
    year, quarter = today.year, (today.month - 1) // 3 + 1
    while True:
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
        if quarter_is_closed(year, quarter, today, grace_days):
            return year, quarter
