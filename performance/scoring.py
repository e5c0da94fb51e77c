"""The scoring rules: numbers in, numbers out. No Django, no database.

This module is the executable methodology (DESIGN.md, "Scoring rules", version 2). The
nightly recompute's SQL implements the same formulas set-based on PostgreSQL and is tested
against these functions; everything else (the streaming engine, the worked example on the
methodology page, the officer's preview) calls them directly.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

CENT = Decimal("0.01")


Number = Decimal | Fraction


def round_to(x: Number, places: int) -> Decimal:
    """Round half up to `places` decimals. A Fraction is rounded exactly, so a mean that is a
    repeating decimal still rounds as its true value does."""
    quantum = Decimal(1).scaleb(-places)
    if isinstance(x, Fraction):
        scaled = x * 10**places
        units = math.floor(abs(scaled) + Fraction(1, 2))
        return (Decimal(units if scaled >= 0 else -units) / 10**places).quantize(quantum)
    return x.quantize(quantum, rounding=ROUND_HALF_UP)


def round2(x: Number) -> Decimal:
    """Round half up to two decimals (109.995 -> 110.00): what "rounded" means everywhere."""
    return round_to(x, 2)


# --- civil servants: ratings and the predikat matrix (PermenPAN-RB 6/2022) ----------------

# The three levels of both ratings (rating hasil kerja, rating perilaku kerja), best first.
ABOVE, AS_EXPECTED, BELOW = "above", "as_expected", "below"
RATINGS = (ABOVE, AS_EXPECTED, BELOW)

# The organisation scale of PermenPAN-RB 6/2022, best first: agencies.
ORGANISATION_SCALE = ("Istimewa", "Baik", "Butuh Perbaikan", "Kurang", "Sangat Kurang")
# A civil servant's predikat, best first: the predikat of the matrix (its "Kurang/Misconduct"
# is written Kurang). Until a civil servant is rated they have none.
STAFF_PREDIKAT = ("Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang", "Sangat Kurang")
SB, B, BP, K, SK = STAFF_PREDIKAT

# The matrix of PermenPAN-RB 6/2022: rows the results rating, columns the behaviour rating
# (DESIGN.md, "Predikat of a civil servant"; DOMAIN.md 3.1).
DEFAULT_STAFF_MATRIX: tuple[tuple[str, str, str], ...] = (
    (ABOVE, ABOVE, SB),
    (ABOVE, AS_EXPECTED, B),
    (ABOVE, BELOW, K),
    (AS_EXPECTED, ABOVE, B),
    (AS_EXPECTED, AS_EXPECTED, B),
    (AS_EXPECTED, BELOW, K),
    (BELOW, ABOVE, BP),
    (BELOW, AS_EXPECTED, BP),
    (BELOW, BELOW, SK),
)

# When the person rated leads the unit, the unit's achievement is their results rating
# (DOMAIN.md 3.1): the unit's predikat on the organisation scale read as a rating.
ORGANISATION_RATING = {
    "Istimewa": ABOVE,
    "Baik": AS_EXPECTED,
    "Butuh Perbaikan": BELOW,
    "Kurang": BELOW,
    "Sangat Kurang": BELOW,
}

# The seven core values of the behaviour rating (BerAKHLAK), by code: one optional note each.
BERAKHLAK = (
    ("berorientasi_pelayanan", "Berorientasi Pelayanan"),
    ("akuntabel", "Akuntabel"),
    ("kompeten", "Kompeten"),
    ("harmonis", "Harmonis"),
    ("loyal", "Loyal"),
    ("adaptif", "Adaptif"),
    ("kolaboratif", "Kolaboratif"),
)


@dataclass(frozen=True)
class DistributionRule:
    """One clause of the expected distribution of an agency's staff predikat, for an agency
    whose own predikat is `organisation`: the share of its rated staff whose predikat is in
    `staff` is at most (`bound` "max") or at least ("min") `percent`; "some" asks for at
    least one of them."""

    organisation: str
    staff: tuple[str, ...]
    bound: str
    percent: int = 0

    BOUNDS = ("max", "min", "some")

    def as_json(self) -> dict:
        return {
            "organisation": self.organisation,
            "staff": list(self.staff),
            "bound": self.bound,
            "percent": self.percent,
        }

    def breached(self, counts: Mapping[str, int]) -> bool:
        """Whether a distribution (predikat -> rated staff) breaks this clause. Exact integer
        comparison: of 100 staff 70 Baik is within "at most 70%", 71 is not."""
        n = sum(counts.values())
        part = sum(counts.get(p, 0) for p in self.staff)
        if n == 0:
            return False
        if self.bound == "max":
            return part * 100 > self.percent * n
        if self.bound == "min":
            return part * 100 < self.percent * n
        return part == 0

    def share(self, counts: Mapping[str, int]) -> Fraction | None:
        """The share (percent, exact) of the rated staff in `staff`."""
        n = sum(counts.values())
        return Fraction(sum(counts.get(p, 0) for p in self.staff) * 100, n) if n else None


# The staff distribution of PermenPAN-RB 6/2022 for each organisation predikat (DOMAIN.md 3.1,
# the five rules, read literally: "Baik" counts Baik only, "Kurang" Kurang only).
DEFAULT_DISTRIBUTION: tuple[DistributionRule, ...] = (
    DistributionRule("Istimewa", (SB,), "max", 70),
    DistributionRule("Baik", (B,), "max", 70),
    DistributionRule("Baik", (BP, K), "some"),
    DistributionRule("Butuh Perbaikan", (BP,), "min", 60),
    DistributionRule("Butuh Perbaikan", (SB,), "max", 10),
    DistributionRule("Kurang", (K,), "min", 60),
    DistributionRule("Kurang", (BP,), "min", 10),
    DistributionRule("Kurang", (SB,), "max", 10),
    DistributionRule("Sangat Kurang", (SK,), "min", 60),
    DistributionRule("Sangat Kurang", (K, BP), "min", 10),
    DistributionRule("Sangat Kurang", (SB,), "max", 0),
)


class InvalidSchemeData(ValueError):
    """A matrix or a distribution pattern that cannot be used (the reason is for the admin)."""


def matrix_from_json(value: object) -> tuple[tuple[str, str, str], ...]:
    """The matrix from its JSON form: a list of nine [results, behaviour, predikat], one for
    each pair of ratings, each predikat a civil servant's. Raises InvalidSchemeData."""
    if not isinstance(value, list | tuple):
        raise InvalidSchemeData("the matrix is a list of [results, behaviour, predikat]")
    cells = []
    for cell in value:
        if (
            not isinstance(cell, list | tuple)
            or len(cell) != 3
            or cell[0] not in RATINGS
            or cell[1] not in RATINGS
            or cell[2] not in STAFF_PREDIKAT
        ):
            raise InvalidSchemeData(
                f"each cell is [results, behaviour, predikat] with ratings among {RATINGS} "
                f"and a predikat among {STAFF_PREDIKAT}; got {cell!r}"
            )
        cells.append((cell[0], cell[1], cell[2]))
    pairs = {(r, b) for r, b, _ in cells}
    if len(cells) != 9 or len(pairs) != 9:
        raise InvalidSchemeData("the matrix has exactly one cell for each of the nine pairs")
    return tuple(cells)


def distribution_from_json(value: object) -> tuple[DistributionRule, ...]:
    """The distribution pattern from its JSON form: a list of {"organisation", "staff",
    "bound", "percent"}. Raises InvalidSchemeData."""
    if not isinstance(value, list | tuple):
        raise InvalidSchemeData("the distribution pattern is a list of rules")
    rules = []
    for item in value:
        try:
            rule = DistributionRule(
                organisation=item["organisation"],
                staff=tuple(item["staff"]),
                bound=item["bound"],
                percent=int(item.get("percent", 0)),
            )
        except (TypeError, KeyError, ValueError, AttributeError):
            raise InvalidSchemeData(
                "each rule is {organisation, staff: [predikat...], bound: max|min|some, "
                f"percent}}; got {item!r}"
            ) from None
        if (
            rule.organisation not in ORGANISATION_SCALE
            or not rule.staff
            or any(p not in STAFF_PREDIKAT for p in rule.staff)
            or rule.bound not in DistributionRule.BOUNDS
            or not 0 <= rule.percent <= 100
        ):
            raise InvalidSchemeData(
                f"a rule names an organisation predikat among {ORGANISATION_SCALE}, staff "
                f"predikat among {STAFF_PREDIKAT}, a bound max, min or some and a percent "
                f"0-100; got {item!r}"
            )
        rules.append(rule)
    return tuple(rules)


@dataclass(frozen=True)
class Scheme:
    """The parameters of a year's scoring scheme (defaults are DESIGN.md's)."""

    cap: Decimal = Decimal(120)
    weight_contract: Decimal = Decimal("0.5")
    weight_staff: Decimal = Decimal("0.3")
    weight_survey: Decimal = Decimal("0.2")
    # The organisation scale of PermenPAN-RB 6/2022: where Istimewa, Baik, Butuh Perbaikan
    # and Kurang start (below Kurang: Sangat Kurang).
    threshold_istimewa: Decimal = Decimal(110)
    threshold_baik: Decimal = Decimal(90)
    threshold_butuh_perbaikan: Decimal = Decimal(70)
    threshold_kurang: Decimal = Decimal(50)
    entry_grace_days: int = 15
    survey_min_responses: int = 10
    min_group_size: int = 10
    # The IKM that counts as a 100% achievement of the survey component S: the lower bound
    # of mutu pelayanan A (PermenPAN-RB 14/2017) by default; the province's choice.
    ikm_target: Decimal = Decimal("88.31")
    # A service calls for a follow-up plan when its quarter's grade is C or D, or when the
    # mean answer (NRR) of one of the nine elements is below this: the province's choice;
    # 2.75 is well inside grade C of an element (2.60-3.064, PermenPAN-RB 14/2017).
    follow_up_nrr_below: Decimal = Decimal("2.75")
    # An agency indicator linked to an independent source (the survey's IKM, a service's
    # figures) is flagged when the two differ by more than this many points (issue 22): the
    # province's choice, no score depends on it.
    cross_check_gap_points: Decimal = Decimal(10)
    # The suggested results rating of a civil servant from their annual contract score:
    # above expectation from `rating_above_from`, below it under `rating_below_under`
    # (the province's thresholds; the pejabat penilai confirms or overrides the suggestion).
    rating_above_from: Decimal = Decimal(110)
    rating_below_under: Decimal = Decimal(90)
    # The predikat matrix of PermenPAN-RB 6/2022: (results rating, behaviour rating,
    # predikat) for each of the nine cells.
    staff_matrix: tuple[tuple[str, str, str], ...] = ()
    # The expected distribution of the staff's predikat for each organisation predikat
    # (DOMAIN.md 3.1): `DistributionRule`s.
    distribution: tuple[DistributionRule, ...] = ()

    def __post_init__(self) -> None:
        # The regulation's tables are the defaults (a dataclass default cannot name a
        # constant defined below it).
        if not self.staff_matrix:
            object.__setattr__(self, "staff_matrix", DEFAULT_STAFF_MATRIX)
        if not self.distribution:
            object.__setattr__(self, "distribution", DEFAULT_DISTRIBUTION)

    def snapshot(self) -> dict[str, object]:
        """Every parameter as a score run records it (`from_snapshot` reads it): the
        numbers as text, the matrix and the distribution pattern as JSON lists."""
        out: dict[str, object] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "staff_matrix":
                out[f.name] = [list(cell) for cell in value]
            elif f.name == "distribution":
                out[f.name] = [rule.as_json() for rule in value]
            else:
                out[f.name] = str(value)
        return out

    @classmethod
    def from_snapshot(cls, snapshot: Mapping[str, object]) -> Scheme:
        """The scheme a run recorded. Parameters the snapshot lacks (it was written before
        they existed) take the defaults; `threshold_sangat_baik` of version 1 runs is
        `threshold_istimewa` (the same number, the band renamed)."""
        values = dict(snapshot)
        if "threshold_sangat_baik" in values and "threshold_istimewa" not in values:
            values["threshold_istimewa"] = values["threshold_sangat_baik"]
        kwargs: dict[str, object] = {}
        for f in fields(cls):
            if f.name not in values:
                continue
            value = values[f.name]
            if f.name == "staff_matrix":
                kwargs[f.name] = matrix_from_json(value)
            elif f.name == "distribution":
                kwargs[f.name] = distribution_from_json(value)
            else:
                kwargs[f.name] = type(getattr(DEFAULT_SCHEME, f.name))(value)
        return cls(**kwargs)

    # --- for the methodology page (templates call methods without arguments) ---

    def matrix_rows(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The matrix as rows: [(results rating, [(behaviour rating, predikat), ...])],
        in the order above, as expected, below."""
        cells = {(r, b): p for r, b, p in self.staff_matrix}
        return [(r, [(b, cells.get((r, b), "")) for b in RATINGS]) for r in RATINGS]

    def distribution_rows(self) -> list[tuple[str, list[DistributionRule]]]:
        """The distribution pattern per organisation predikat, best first."""
        return [
            (org, [rule for rule in self.distribution if rule.organisation == org])
            for org in ORGANISATION_SCALE
        ]


DEFAULT_SCHEME = Scheme()


# --- periods -------------------------------------------------------------------------------

QUARTERS = (1, 2, 3, 4)


def quarter_first_day(year: int, quarter: int) -> datetime.date:
    return datetime.date(year, 3 * quarter - 2, 1)


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


def closed_quarters(
    year: int, today: datetime.date, grace_days: int = DEFAULT_SCHEME.entry_grace_days
) -> list[int]:
    """The quarters of `year` that are closed on `today` (WITA), in order."""
    return [q for q in QUARTERS if quarter_is_closed(year, q, today, grace_days)]


def started_quarters(year: int, today: datetime.date) -> list[int]:
    """The quarters of `year` that have started on `today`: only they take a realisation."""
    return [q for q in QUARTERS if quarter_first_day(year, q) <= today]


def year_is_closed(
    year: int, today: datetime.date, grace_days: int = DEFAULT_SCHEME.entry_grace_days
) -> bool:
    """A year is closed when its Q4 is."""
    return quarter_is_closed(year, 4, today, grace_days)


def period_is_closed(
    year: int, period: str, today: datetime.date, grace_days: int = DEFAULT_SCHEME.entry_grace_days
) -> bool:
    """Whether a period ("Q1".."Q4" or "Y") is closed, so its scores are final."""
    quarter = 4 if period == "Y" else int(period[1])
    return quarter_is_closed(year, quarter, today, grace_days)


def previous_period(year: int, period: str) -> tuple[int, str]:
    """The period before: the year before for "Y", Q4 of the year before for Q1."""
    if period == "Y":
        return year - 1, "Y"
    quarter = int(period[1])
    return (year - 1, "Q4") if quarter == 1 else (year, f"Q{quarter - 1}")


# --- indicator achievement -----------------------------------------------------------------


class InvalidTarget(ValueError):
    """A target that no achievement can be computed from (t <= 0 for `higher`)."""


def achievement(
    direction: str, target: Number, realisation: Number, cap: Decimal = DEFAULT_SCHEME.cap
) -> Decimal:
    """Achievement in percent of one indicator, clamped to [0, cap], rounded.

    higher: 100 * r / t (t > 0). lower: 100 * (2 - r / t) for t > 0; for t == 0, 100 when
    r == 0 else 0. The same formula serves a quarter and a year (annual target and annual
    realisation).
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


def target_is_valid(direction: str, target: Number) -> bool:
    """Whether an achievement can come from `target` (a higher-is-better one must be > 0)."""
    return target > 0 if direction == "higher" else target >= 0


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
    """The annual score of a contract none of whose indicators has an annual target: the
    mean of the quarter scores of the closed quarters (pass only those; None ones are left
    out), rounded."""
    present = [s for s in quarter_scores if s is not None]
    if not present:
        return None
    return round2(sum((Fraction(p) for p in present), Fraction(0)) / len(present))


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


# --- annual targets ------------------------------------------------------------------------

AGGREGATIONS = ("sum", "last", "average")


def annual_realisation(aggregation: str, reported: Sequence[Decimal | None]) -> Number | None:
    """An indicator's annual realisation from its realisations of the closed quarters (in
    quarter order, None where none was reported): the `sum` of them (None, missing, when one
    is missing), the `last` one reported, or the `average` of those reported (None when none
    is). The average is exact, not rounded."""
    present = [r for r in reported if r is not None]
    if aggregation == "sum":
        if not reported or len(present) < len(reported):
            return None
        return sum((Fraction(r) for r in present), Fraction(0))
    if not present:
        return None
    if aggregation == "last":
        return present[-1]
    if aggregation == "average":
        return sum((Fraction(r) for r in present), Fraction(0)) / len(present)
    raise ValueError(f"aggregation must be one of {AGGREGATIONS}, not {aggregation!r}")


@dataclass(frozen=True)
class IndicatorYear:
    """One indicator of a contract over a year: its targets and its realisations by quarter
    (only realisations that count), and its annual target with its aggregation, if any.
    `key` is the caller's (an indicator id); the functions only hand it back."""

    direction: str
    weight: Decimal
    targets: Mapping[int, Decimal]
    realisations: Mapping[int, Decimal] = field(default_factory=dict)
    annual_target: Decimal | None = None
    aggregation: str = ""
    key: object = None

    def quarters(self) -> list[int]:
        """The quarters in which the indicator has a target an achievement can come from."""
        return sorted(q for q, t in self.targets.items() if target_is_valid(self.direction, t))


@dataclass(frozen=True)
class AnnualAchievement:
    """An indicator's achievement over the closed quarters of a year. `value` enters the
    annual contract score as it is: for an indicator with an annual target, the achievement
    formula on the annual target and realisation (rounded, 0 when `missing`); without one,
    the exact mean of its quarter achievements (round it for display). `realisation` is the
    annual realisation (indicators with an annual target, when not missing)."""

    value: Number
    realisation: Number | None
    missing: bool


def indicator_annual(
    indicator: IndicatorYear, closed: Collection[int], cap: Decimal = DEFAULT_SCHEME.cap
) -> AnnualAchievement | None:
    """The indicator's annual achievement from its closed quarters; None when it has no
    target in a closed quarter (it takes no part in the year so far)."""
    quarters = [q for q in indicator.quarters() if q in closed]
    if not quarters:
        return None
    reported = [indicator.realisations.get(q) for q in quarters]
    if indicator.annual_target is None:
        values = [
            Fraction(achievement(indicator.direction, indicator.targets[q], r, cap))
            if r is not None
            else Fraction(0)
            for q, r in zip(quarters, reported, strict=True)
        ]
        return AnnualAchievement(sum(values, Fraction(0)) / len(values), None, False)
    realisation = annual_realisation(indicator.aggregation, reported)
    if realisation is None:
        return AnnualAchievement(Decimal(0).quantize(CENT), None, True)
    return AnnualAchievement(
        achievement(indicator.direction, indicator.annual_target, realisation, cap),
        realisation,
        False,
    )


@dataclass
class ContractYear:
    """A contract's results for a year.

    `quarters`: {quarter: (score, missing realisations)} of the quarters with a score;
    `annual`: (score, missing realisations of the closed quarters) or None;
    `achievements`: [(key, quarter, achievement, missing)] of the indicator-quarters taking
    part; `annual_achievements`: [(key, AnnualAchievement)] of the indicators taking part in
    the year so far."""

    quarters: dict[int, tuple[Decimal, int]] = field(default_factory=dict)
    annual: tuple[Decimal, int] | None = None
    achievements: list[tuple[object, int, Decimal, bool]] = field(default_factory=list)
    annual_achievements: list[tuple[object, AnnualAchievement]] = field(default_factory=list)


def score_contract(
    indicators: Sequence[IndicatorYear],
    *,
    closed: Collection[int],
    started: Collection[int] = QUARTERS,
    cap: Decimal = DEFAULT_SCHEME.cap,
) -> ContractYear:
    """Score one contract for a year (DESIGN.md, "Contract score" and "Annual contract
    score").

    A quarter's indicators are those with a valid target then; a realisation counts only in
    a quarter that has started; a missing one counts 0 (flagged) in a closed quarter and
    leaves the indicator out of an open one. The annual score covers the closed quarters
    only (none closed: no annual score): the mean of their quarter scores, or, when an
    indicator has an annual target, the weighted mean of the indicators' annual
    achievements.
    """
    indicators = [
        IndicatorYear(
            direction=i.direction,
            weight=i.weight,
            targets=i.targets,
            realisations={q: r for q, r in i.realisations.items() if q in started},
            annual_target=i.annual_target,
            aggregation=i.aggregation,
            key=i.key,
        )
        for i in indicators
    ]
    out = ContractYear()
    valid = [set(i.quarters()) for i in indicators]
    for quarter in QUARTERS:
        taking_part = []
        for indicator, quarters in zip(indicators, valid, strict=True):
            if quarter not in quarters:
                continue
            realisation = indicator.realisations.get(quarter)
            if realisation is None and quarter not in closed:
                continue
            if realisation is None:
                value, missing = Decimal(0).quantize(CENT), True
            else:
                target = indicator.targets[quarter]
                value = achievement(indicator.direction, target, realisation, cap)
                missing = False
            taking_part.append((value, indicator.weight, missing))
            out.achievements.append((indicator.key, quarter, value, missing))
        score = contract_quarter_score((a, w) for a, w, _ in taking_part)
        if score is not None:
            out.quarters[quarter] = (score, sum(1 for *_, m in taking_part if m))

    annuals = [(i, indicator_annual(i, closed, cap)) for i in indicators]
    out.annual_achievements = [(i.key, a) for i, a in annuals if a is not None]
    closed_scores = [out.quarters[q] for q in sorted(out.quarters) if q in closed]
    if not closed_scores:
        return out
    if any(i.annual_target is not None for i in indicators):
        score = weighted_mean((a.value, i.weight) for i, a in annuals if a is not None)
    else:
        score = annual_score(s for s, _ in closed_scores)
    if score is not None:
        out.annual = (score, sum(m for _, m in closed_scores))
    return out


# --- survey (IKM) --------------------------------------------------------------------------


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


# Grades of a quarter's IKM that call for a follow-up plan (rencana tindak lanjut).
FOLLOW_UP_GRADES = ("C", "D")


@dataclass(frozen=True)
class FollowUpCall:
    """Why a quarter's survey results call for a follow-up plan: the quarter's grade, and
    the elements (1-9) whose mean answer is below the scheme's `follow_up_nrr_below`."""

    grade: str
    weak: tuple[int, ...]


def follow_up_call(
    element_sums: Sequence[int], n: int, scheme: Scheme = DEFAULT_SCHEME
) -> FollowUpCall | None:
    """Whether the survey results of a quarter (the nine per-element sums of answers over n
    respondents) call for a follow-up plan: when the quarter's grade is C or D, or when an
    element's mean answer (NRR, sum / n) is below `scheme.follow_up_nrr_below`, compared
    exactly (sum < threshold x n). None when they do not, and with fewer respondents than
    the scheme's minimum (no grade: too few answers to act on)."""
    if n <= 0 or n < scheme.survey_min_responses:
        return None
    grade = mutu_pelayanan(ikm_from_sums(element_sums, n))
    threshold = Fraction(scheme.follow_up_nrr_below) * n
    weak = tuple(i + 1 for i, total in enumerate(element_sums) if total < threshold)
    if grade in FOLLOW_UP_GRADES or weak:
        return FollowUpCall(grade, weak)
    return None


def survey_component(ikm_value: Decimal | None, scheme: Scheme = DEFAULT_SCHEME) -> Decimal | None:
    """S: the achievement of the (rounded) IKM against the scheme's IKM target,
    100 * IKM / ikm_target, clamped to [0, cap], rounded. None when there is no IKM."""
    if ikm_value is None:
        return None
    raw = 100 * Fraction(ikm_value) / Fraction(scheme.ikm_target)
    return round2(min(max(raw, Fraction(0)), Fraction(scheme.cap)))


# --- agency score --------------------------------------------------------------------------


def mean(values: Sequence[Decimal]) -> Fraction | None:
    """Exact mean, not rounded."""
    if not values:
        return None
    return sum((Fraction(v) for v in values), Fraction(0)) / len(values)


def staff_component(
    contract_scores: Sequence[Decimal], scheme: Scheme = DEFAULT_SCHEME
) -> Decimal | None:
    """E: the mean of the staff's SKP scores, rounded, only when at least `min_group_size`
    have one."""
    if len(contract_scores) < scheme.min_group_size:
        return None
    return round2(mean(contract_scores))


def agency_score(
    k: Decimal | None, e: Decimal | None, s: Decimal | None, scheme: Scheme = DEFAULT_SCHEME
) -> Decimal | None:
    """(wK*K + wE*E + wS*S) / (sum of the weights of the components present), rounded, from
    the rounded components (so anyone can recompute it from the published ones). An absent
    component is left out with its weight; no component at all gives None."""
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


def is_complete(k: Decimal | None, s: Decimal | None, *, has_service: bool) -> bool:
    """A score is complete when K is present and, for an agency with a public service, S is
    present too (E may be absent in a small agency)."""
    return k is not None and (s is not None or not has_service)


# --- predikat ------------------------------------------------------------------------------

# Civil servants' bands of their SKP score on the organisation thresholds, with the top band
# called Sangat Baik: what version 1 published as their predikat. Kept for reading old runs;
# a civil servant's predikat now comes from the matrix (`matrix_predikat`).
STAFF_BANDS = STAFF_PREDIKAT
# The civil servants' predikat, under the name the staff tables read.
PREDIKAT_ORDER = STAFF_PREDIKAT


def _band(score: Decimal, scheme: Scheme, names: Sequence[str]) -> str:
    x = round2(score)
    thresholds = (
        scheme.threshold_istimewa,
        scheme.threshold_baik,
        scheme.threshold_butuh_perbaikan,
        scheme.threshold_kurang,
    )
    for name, threshold in zip(names, thresholds, strict=False):
        if x >= threshold:
            return name
    return names[-1]


def predikat(score: Decimal, scheme: Scheme = DEFAULT_SCHEME) -> str:
    """An agency's predikat on the organisation scale of PermenPAN-RB 6/2022, decided on the
    rounded score. Only a closed period has one (`final_predikat`)."""
    return _band(score, scheme, ORGANISATION_SCALE)


def staff_band(score: Decimal, scheme: Scheme = DEFAULT_SCHEME) -> str:
    """A civil servant's band of an SKP score (Sangat Baik ... Sangat Kurang) on the same
    thresholds, decided on the rounded score."""
    return _band(score, scheme, STAFF_BANDS)


def final_predikat(
    score: Decimal | None, scheme: Scheme, *, final: bool, staff: bool = False
) -> str:
    """The predikat of a score as published: empty for a provisional period (or no score)."""
    if score is None or not final:
        return ""
    return staff_band(score, scheme) if staff else predikat(score, scheme)


@dataclass(frozen=True)
class AgencyPeriod:
    """An agency's components and score in one period, as published."""

    k: Decimal | None
    e: Decimal | None
    s: Decimal | None
    ikm: Decimal | None
    score: Decimal | None
    predikat: str
    final: bool
    complete: bool


def agency_period(
    k: Decimal | None,
    staff_scores: Sequence[Decimal],
    survey: tuple[int, Sequence[int]] | None,
    scheme: Scheme = DEFAULT_SCHEME,
    *,
    final: bool,
    has_service: bool,
) -> AgencyPeriod:
    """An agency's period: K as given, E from the staff scores (only from `min_group_size`
    of them), the IKM from the survey's (respondents, nine element sums) (only from
    `survey_min_responses`) and S from it, each rounded, the combined score, whether it is
    complete, and its predikat when the period is `final` (closed)."""
    e = staff_component(staff_scores, scheme)
    n, sums = survey or (0, None)
    ikm_value = ikm_from_sums(sums, n) if n and n >= scheme.survey_min_responses else None
    s = survey_component(ikm_value, scheme)
    score = agency_score(k, e, s, scheme)
    return AgencyPeriod(
        k=k,
        e=e,
        s=s,
        ikm=ikm_value,
        score=score,
        predikat=final_predikat(score, scheme, final=final),
        final=final,
        complete=is_complete(k, s, has_service=has_service),
    )


def last_closed_quarter(today: datetime.date, grace_days: int) -> tuple[int, int]:
    """(year, quarter) of the newest quarter that is closed on `today`."""
    year, quarter = today.year, (today.month - 1) // 3 + 1
    while True:
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
        if quarter_is_closed(year, quarter, today, grace_days):
            return year, quarter


# --- civil servants' ratings and predikat ------------------------------------------------


def suggested_results_rating(score: Decimal | None, scheme: Scheme = DEFAULT_SCHEME) -> str | None:
    """The results rating suggested by an annual contract score (rounded): above expectation
    from the scheme's `rating_above_from` (110), below it under `rating_below_under` (90),
    else as expected. None without a score."""
    if score is None:
        return None
    x = round2(score)
    if x >= scheme.rating_above_from:
        return ABOVE
    if x < scheme.rating_below_under:
        return BELOW
    return AS_EXPECTED


def unit_results_rating(organisation_predikat: str | None) -> str | None:
    """The results rating of the person who leads a unit: the unit's own predikat (its
    achievement) read as a rating. None while the unit has no predikat."""
    return ORGANISATION_RATING.get(organisation_predikat or "")


def matrix_predikat(
    results: str | None, behaviour: str | None, scheme: Scheme = DEFAULT_SCHEME
) -> str:
    """A civil servant's predikat: the matrix cell of their two ratings; empty until both
    exist."""
    if not results or not behaviour:
        return ""
    for r, b, predikat in scheme.staff_matrix:
        if (r, b) == (results, behaviour):
            return predikat
    return ""


def distribution_breaches(
    organisation: str | None, counts: Mapping[str, int], scheme: Scheme = DEFAULT_SCHEME
) -> list[DistributionRule]:
    """The clauses of the scheme's distribution pattern for an agency of predikat
    `organisation` that its staff's predikat counts break; empty when it fits (or when
    there is no organisation predikat or nobody rated)."""
    if not organisation or not sum(counts.values()):
        return []
    return [
        rule
        for rule in scheme.distribution
        if rule.organisation == organisation and rule.breached(counts)
    ]
