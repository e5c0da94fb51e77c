"""The cascade (pohon kinerja): which province goal indicator an agency PK indicator serves,
which PK indicator a civil servant's SKP indicator serves, and what the SKP indicators add
up to.

- `parent_code` (performance.csv and the workspace's indicator form) names the parent: for
  an agency's PK indicator a goal indicator (`GoalIndicator.code`) with a target in the
  indicator's year; for an SKP indicator an indicator of the Perjanjian Kinerja of the same
  agency and year. `parent_problems` checks a set of them at once.
- `write_support` (run by the recompute after each year's scores) writes, per PK indicator
  with supporting SKP indicators, how many there are, how many civil servants hold them and
  their mean achievement over the year's closed quarters (`Support`).
- `support_rows` is what a public page shows of them: a count and a mean only when at
  least the scheme's minimum group of civil servants contribute (DESIGN.md, Privacy).
- `unlinked_counts` is the leaders' view: per agency, PK indicators no SKP indicator
  supports and SKP indicators that serve nothing.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from itertools import groupby

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from agencies.suppression import Cell, CellKind

from . import scoring
from .models import (
    AnnualAchievement,
    Goal,
    GoalIndicator,
    GoalTarget,
    Indicator,
    PerformanceContract,
    Realisation,
    ScoreRun,
    Support,
    Target,
)

BATCH = 5000


def goal_codes(codes: Iterable[str], years: Iterable[int]) -> set[tuple[str, int]]:
    """(code, year) of the goal indicators among `codes` with a target in one of `years`
    (one query)."""
    return set(
        GoalTarget.objects.filter(indicator__code__in=set(codes), year__in=set(years)).values_list(
            "indicator__code", "year"
        )
    )


def agency_codes(
    agency_ids: Iterable[int], years: Iterable[int]
) -> dict[tuple[int, int], dict[str, int]]:
    """{(agency id, year): {code: indicator id}} of the PK indicators of those agencies and
    years, whatever the contract's status (one query)."""
    out: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for pk, agency_id, year, code in Indicator.objects.filter(
        contract__employee__isnull=True,
        contract__agency_id__in=set(agency_ids),
        contract__year__in=set(years),
    ).values_list("pk", "contract__agency_id", "contract__year", "code"):
        out[(agency_id, year)][code] = pk
    return out


def parent_problem(*, agency_held: bool, code: str, agency_name: str, year: int) -> str:
    """Why a `parent_code` is refused: it names nothing in the agency and year."""
    if agency_held:
        return _(
            "no province goal indicator %(code)s with a target for %(year)d (import it with "
            "goals.csv first)"
        ) % {"code": repr(code), "year": year}
    return _(
        "no indicator %(code)s in the Perjanjian Kinerja of %(agency)s for %(year)d: an SKP "
        "indicator serves an indicator of its own agency's agreement of the same year"
    ) % {"code": repr(code), "agency": agency_name, "year": year}


def resolve(
    *, agency_held: bool, agency_id: int, year: int, code: str
) -> tuple[GoalIndicator | None, Indicator | None] | None:
    """The (goal indicator, parent indicator) `code` names for an indicator of the agency's
    PK (`agency_held`) or of one of its SKPs in `year`: (None, None) for an empty code,
    None when it names nothing there."""
    if not code:
        return None, None
    if agency_held:
        goal = GoalIndicator.objects.filter(code=code, targets__year=year).first()
        return (goal, None) if goal is not None else None
    parent = Indicator.objects.filter(
        contract__employee__isnull=True,
        contract__agency_id=agency_id,
        contract__year=year,
        code=code,
    ).first()
    return (None, parent) if parent is not None else None


def parent_code_of(indicator: Indicator) -> str:
    """The code `indicator` names as its parent ("" for none)."""
    if indicator.goal_indicator_id:
        return indicator.goal_indicator.code
    if indicator.parent_id:
        return indicator.parent.code
    return ""


# --- what staff work adds up to (written by the recompute) ----------------------------------


def write_support(run: ScoreRun, year: int, scheme: scoring.Scheme, today: datetime.date) -> None:
    """Write `Support` rows of `year` into `run`: for every PK indicator that approved SKP
    indicators of the year name as their parent, how many name it, how many civil servants
    hold them, and the mean of their annual achievements (`scoring.indicator_annual` over
    the closed quarters: the rule of the scorecard's year so far; rounded, empty when no
    quarter has closed). The Python engine's (SQLite); on PostgreSQL the recompute writes
    the same rows with one statement (recompute._SUPPORT_SQL). One streaming pass over the
    supporting indicators' targets and realisations (two queries)."""
    closed = set(scoring.closed_quarters(year, today, scheme.entry_grace_days))
    started = set(scoring.started_quarters(year, today))
    base = {
        "indicator__contract__year": year,
        "indicator__contract__status": PerformanceContract.Status.APPROVED,
        "indicator__contract__employee__isnull": False,
        "indicator__parent__isnull": False,
    }
    targets = (
        Target.objects.filter(**base)
        .order_by("indicator_id", "quarter")
        .values_list(
            "indicator_id",
            "indicator__parent_id",
            "indicator__contract__employee_id",
            "indicator__direction",
            "indicator__annual_target",
            "indicator__aggregation",
            "quarter",
            "value",
        )
        .iterator(chunk_size=BATCH)
    )
    # Merged with the targets by indicator, both streamed in indicator order: memory stays
    # one indicator's rows, however many civil servants the province has.
    realisations = (
        Realisation.objects.filter(**base, quarter__in=started)
        .order_by("indicator_id", "quarter")
        .values_list("indicator_id", "quarter", "value")
        .iterator(chunk_size=BATCH)
    )
    pending = next(realisations, None)
    per_parent: dict[int, list] = defaultdict(lambda: [0, set(), Fraction(0), 0])
    for indicator_id, rows in groupby(targets, key=lambda r: r[0]):
        rows = list(rows)
        realised: dict[int, Decimal] = {}
        while pending is not None and pending[0] <= indicator_id:
            if pending[0] == indicator_id:
                realised[pending[1]] = pending[2]
            pending = next(realisations, None)
        _, parent_id, employee_id, direction, annual_target, aggregation, *_ = rows[0]
        annual = scoring.indicator_annual(
            scoring.IndicatorYear(
                direction=direction,
                weight=Decimal(1),
                targets={r[6]: r[7] for r in rows},
                realisations=realised,
                annual_target=annual_target,
                aggregation=aggregation,
            ),
            closed,
            scheme.cap,
        )
        entry = per_parent[parent_id]
        entry[0] += 1
        entry[1].add(employee_id)
        if annual is not None:
            entry[2] += Fraction(annual.value)
            entry[3] += 1
    # Only parents that are PK indicators of the same year count (the import and the
    # workspace check it; an indicator moved since is left out).
    parents = set(
        Indicator.objects.filter(
            pk__in=list(per_parent), contract__employee__isnull=True, contract__year=year
        ).values_list("pk", flat=True)
    )
    Support.objects.bulk_create(
        (
            Support(
                run=run,
                indicator_id=parent_id,
                year=year,
                indicators=n,
                staff=len(staff),
                mean_achievement=scoring.round2(total / achieved) if achieved else None,
            )
            for parent_id, (n, staff, total, achieved) in per_parent.items()
            if parent_id in parents
        ),
        batch_size=BATCH,
    )


@dataclass(frozen=True)
class SupportRow:
    """A PK indicator on a public page with what supports it: `indicators` and `mean` are
    None when fewer than `min_group_size` civil servants contribute (`suppressed`; no
    support at all is 0 and not suppressed: nobody's figure is in it)."""

    indicator: Indicator
    indicators: int | None
    mean: Decimal | None
    suppressed: bool
    min_group_size: int

    @property
    def cell(self) -> Cell:
        """The count as a publishable cell (`count_cell` shows "< 10" when suppressed)."""
        if self.suppressed:
            return Cell(self.indicator.code, None, CellKind.SMALL)
        return Cell(self.indicator.code, self.indicators, CellKind.SHOWN)


def support_rows(run_id: int, agency_id: int, year: int, min_group_size: int) -> list[SupportRow]:
    """The agency's public PK indicators of `year` (with the goal indicator each serves) and
    their support in run `run_id`, suppressed below `min_group_size` civil servants. One
    query (the scorecard's budget)."""
    support = Support.objects.filter(run_id=run_id, indicator=OuterRef("pk"))
    indicators = (
        Indicator.objects.public()
        .filter(contract__agency_id=agency_id, contract__year=year)
        .select_related("goal_indicator__goal")
        .annotate(
            **{
                f"support_{name}": Subquery(support.values(name)[:1])
                for name in ("indicators", "staff", "mean_achievement")
            }
        )
        .order_by("code")
    )
    return [
        _row(
            i,
            None
            if i.support_staff is None
            else Support(
                indicators=i.support_indicators,
                staff=i.support_staff,
                mean_achievement=i.support_mean_achievement,
            ),
            min_group_size,
        )
        for i in indicators
    ]


def public_support(
    run: ScoreRun, *, agency_ids: Iterable[int] | None = None, year: int | None = None
) -> Iterator[SupportRow]:
    """`support_rows` of every public agency's PK indicators of the years `run` computed
    (or `year`), each year's suppressed with that year's minimum group size, by agency code,
    year and indicator code (the open data). Two queries."""
    years = [year] if year else run.years
    indicators = (
        Indicator.objects.public()
        .filter(contract__year__in=years)
        .select_related("goal_indicator", "contract__agency")
        .order_by("contract__agency__code", "contract__year", "code")
    )
    if agency_ids is not None:
        indicators = indicators.filter(contract__agency_id__in=agency_ids)
    supports = {
        s.indicator_id: s
        for s in Support.objects.filter(run=run, year__in=years).only(
            "indicator_id", "indicators", "staff", "mean_achievement"
        )
    }
    minimum = {y: run.scheme(y).min_group_size for y in years}
    for indicator in indicators:
        year_of = indicator.contract.year
        yield _row(indicator, supports.get(indicator.pk), minimum[year_of])


def _row(indicator: Indicator, support: Support | None, min_group_size: int) -> SupportRow:
    if support is None:
        return SupportRow(indicator, 0, None, False, min_group_size)
    if support.staff < min_group_size:
        return SupportRow(indicator, None, None, True, min_group_size)
    return SupportRow(
        indicator, support.indicators, support.mean_achievement, False, min_group_size
    )


# --- the leaders' view ---------------------------------------------------------------------


@dataclass(frozen=True)
class Unlinked:
    """An agency's cascade gaps in a year: PK indicators no SKP indicator supports, and SKP
    indicators that serve no PK indicator (counts, out of the totals)."""

    agency_id: int
    pk_indicators: int
    unsupported: int
    staff_indicators: int
    serving_nothing: int


def unlinked_counts(agencies: Iterable[int], year: int) -> dict[int, Unlinked]:
    """{agency id: Unlinked} of `agencies` (ids, or an agency queryset, read as a subquery)
    that have indicators in `year`, whatever their contract's status. Two grouped
    queries."""
    ids = agencies if hasattr(agencies, "query") else list(agencies)
    of_year = Indicator.objects.filter(contract__agency_id__in=ids, contract__year=year)
    pk = (
        of_year.filter(contract__employee__isnull=True)
        .annotate(
            supported=Exists(
                Indicator.objects.filter(
                    parent=OuterRef("pk"), contract__employee__isnull=False, contract__year=year
                )
            )
        )
        .values("contract__agency_id")
        .annotate(total=Count("pk"), unsupported=Count("pk", filter=Q(supported=False)))
        .order_by()
    )
    staff = (
        of_year.filter(contract__employee__isnull=False)
        .values("contract__agency_id")
        .annotate(total=Count("pk"), orphans=Count("pk", filter=Q(parent__isnull=True)))
        .order_by()
    )
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for row in pk:
        counts[row["contract__agency_id"]][0:2] = [row["total"], row["unsupported"]]
    for row in staff:
        counts[row["contract__agency_id"]][2:4] = [row["total"], row["orphans"]]
    return {agency_id: Unlinked(agency_id, *c) for agency_id, c in counts.items()}


# --- the public goals page -----------------------------------------------------------------


@dataclass
class GoalLine:
    """A goal indicator of a year: its target and the public agency PK indicators serving it
    (each with `agency` and `achievement`, its year so far in the run, None before a quarter
    closes)."""

    indicator: GoalIndicator
    target: Decimal
    serving: list[Indicator]


@dataclass
class GoalOfYear:
    goal: Goal
    lines: list[GoalLine]


def goals_of_year(run_id: int, year: int) -> list[GoalOfYear]:
    """The province's goals with an indicator targeted in `year`, each indicator with its
    target and the approved PK indicators of public agencies serving it with their annual
    achievement in run `run_id` (AnnualAchievement). Public data only: never an SKP. Two
    queries whatever the number of goals and agencies."""
    targets = list(
        GoalTarget.objects.filter(year=year)
        .select_related("indicator__goal")
        .order_by("indicator__goal__code", "indicator__code")
    )
    achievement = AnnualAchievement.objects.filter(run_id=run_id, indicator=OuterRef("pk"))
    serving: dict[int, list[Indicator]] = defaultdict(list)
    for indicator in (
        Indicator.objects.public()
        .filter(contract__year=year, goal_indicator__in=[t.indicator_id for t in targets])
        .select_related("contract__agency")
        .annotate(achievement=Subquery(achievement.values("value")[:1]))
        .order_by("contract__agency__name", "code")
    ):
        indicator.agency = indicator.contract.agency
        serving[indicator.goal_indicator_id].append(indicator)
    out: list[GoalOfYear] = []
    for target in targets:
        goal = target.indicator.goal
        if not out or out[-1].goal.pk != goal.pk:
            out.append(GoalOfYear(goal, []))
        out[-1].lines.append(
            GoalLine(target.indicator, target.value, serving.get(target.indicator_id, []))
        )
    return out
