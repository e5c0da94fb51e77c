"""Import of `goals.csv` (README, "Data files"): the province's goals (RPJMD / RKPD), their
indicators and a target per year, one row per goal indicator per year.

All-or-nothing like every import: the whole file is checked first and every bad cell is
reported as `line N, column C: reason`; only a clean file is written, in one transaction.
Upsert on natural keys (a goal by its code, an indicator by its code, a target by indicator
and year), so re-importing a file changes nothing. Goals are a few dozen rows: they are
saved one by one, each with its audit-trail record.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from agencies.csvio import ImportFailed, ImportResult, RowChecker, RowError, read_rows, width_error

from .models import Direction, Goal, GoalIndicator, GoalTarget

COLUMNS = [
    "goal_code",
    "goal",
    "plan",
    "indicator_code",
    "indicator",
    "unit",
    "direction",
    "year",
    "target",
]
PLANS = tuple(Goal.Plan.values)
DIRECTIONS = tuple(Direction.values)


@dataclass(frozen=True)
class _Row:
    line: int
    goal_code: str
    goal: str
    plan: str
    indicator_code: str
    indicator: str
    unit: str
    direction: str
    year: int
    target: Decimal


def _text(check: RowChecker, column: str, limit: int, *, required: bool = True) -> str | None:
    value = check.required(column) if required else check.row[column]
    if value is not None and len(value) > limit:
        check.fail(column, _("at most %(n)d characters") % {"n": limit})
    return value


def _parse(data: bytes | str, errors: list[RowError]) -> list[_Row]:
    rows = []
    for raw in read_rows(data, COLUMNS):
        if err := width_error(raw, len(COLUMNS)):
            errors.append(err)
            continue
        check = RowChecker(raw, errors)
        goal_code = _text(check, "goal_code", 30)
        goal = _text(check, "goal", 500)
        plan = check.choice("plan", PLANS)
        indicator_code = _text(check, "indicator_code", 30)
        indicator = _text(check, "indicator", 500)
        unit = _text(check, "unit", 50, required=False)
        direction = check.choice("direction", DIRECTIONS)
        year = check.integer("year", 2000, 2100)
        target = check.decimal("target")
        if target is not None:
            exponent = target.normalize().as_tuple().exponent
            if target < 0:
                check.fail("target", _("must not be negative"))
            elif isinstance(exponent, int) and exponent < -4:
                check.fail("target", _("at most %(p)d decimals") % {"p": 4})
            elif target >= Decimal(10) ** 12:
                check.fail("target", _("too large"))
        if check.ok:
            rows.append(
                _Row(
                    raw.line,
                    goal_code,
                    goal,
                    plan,
                    indicator_code,
                    indicator,
                    unit,
                    direction,
                    year,
                    target,
                )
            )
    return rows


def _check_consistency(rows: list[_Row], errors: list[RowError]) -> None:
    """A goal has the same text and plan on every row, an indicator the same goal, text, unit
    and direction, and an indicator has one row per year."""
    goals: dict[str, tuple[int, tuple]] = {}
    indicators: dict[str, tuple[int, tuple]] = {}
    years: dict[tuple[str, int], int] = {}
    for row in rows:
        for seen, key, values, columns, what in (
            (goals, row.goal_code, (row.goal, row.plan), ("goal", "plan"), _("goal")),
            (
                indicators,
                row.indicator_code,
                (row.goal_code, row.indicator, row.unit, row.direction),
                ("goal_code", "indicator", "unit", "direction"),
                _("indicator"),
            ),
        ):
            first_line, first = seen.setdefault(key, (row.line, values))
            if first != values:
                column = columns[
                    next(i for i, (a, b) in enumerate(zip(first, values, strict=True)) if a != b)
                ]
                errors.append(
                    RowError(
                        row.line,
                        column,
                        _("differs from line %(l)d for the same %(what)s %(code)s")
                        % {"l": first_line, "what": what, "code": key},
                    )
                )
        key = (row.indicator_code, row.year)
        if key in years:
            errors.append(
                RowError(
                    row.line,
                    "year",
                    _("indicator %(i)s already has a target for %(y)d on line %(l)d")
                    % {"i": row.indicator_code, "y": row.year, "l": years[key]},
                )
            )
        else:
            years[key] = row.line


def import_goals(data: bytes | str, *, user=None) -> ImportResult:
    """Import a goals.csv. Raises ImportFailed (nothing saved) listing every bad row."""
    errors: list[RowError] = []
    rows = _parse(data, errors)
    _check_consistency(rows, errors)
    if errors:
        raise ImportFailed(
            sorted(
                errors,
                key=lambda e: (e.line, COLUMNS.index(e.column) if e.column in COLUMNS else -1),
            )
        )
    result = ImportResult(rows=len(rows))
    reason = _("goals.csv import")

    def save(obj, kind: str, created: bool) -> None:
        obj._history_user = user
        obj._change_reason = reason
        obj.full_clean(validate_unique=False, validate_constraints=False)
        obj.save()
        result.add("created" if created else "updated", kind)

    with transaction.atomic():
        goals = {g.code: g for g in Goal.objects.filter(code__in={r.goal_code for r in rows})}
        indicators = {
            i.code: i
            for i in GoalIndicator.objects.filter(code__in={r.indicator_code for r in rows})
        }
        targets = {
            (t.indicator_id, t.year): t
            for t in GoalTarget.objects.filter(indicator__in=indicators.values())
        }
        done: set[tuple[str, str]] = set()
        for row in rows:
            if ("goal", row.goal_code) not in done:
                done.add(("goal", row.goal_code))
                goal = goals.get(row.goal_code)
                if goal is None:
                    goal = goals[row.goal_code] = Goal(code=row.goal_code)
                if goal.pk is None or (goal.text, goal.plan) != (row.goal, row.plan):
                    created = goal.pk is None
                    goal.text, goal.plan = row.goal, row.plan
                    save(goal, "goals", created)
                else:
                    result.add("unchanged", "goals")
            goal = goals[row.goal_code]
            if ("indicator", row.indicator_code) not in done:
                done.add(("indicator", row.indicator_code))
                indicator = indicators.get(row.indicator_code)
                if indicator is None:
                    indicator = indicators[row.indicator_code] = GoalIndicator(
                        code=row.indicator_code
                    )
                values = (goal.pk, row.indicator, row.unit, row.direction)
                if (
                    indicator.pk is None
                    or (
                        indicator.goal_id,
                        indicator.text,
                        indicator.unit,
                        indicator.direction,
                    )
                    != values
                ):
                    created = indicator.pk is None
                    indicator.goal = goal
                    indicator.text, indicator.unit = row.indicator, row.unit
                    indicator.direction = row.direction
                    save(indicator, "goal indicators", created)
                else:
                    result.add("unchanged", "goal indicators")
            indicator = indicators[row.indicator_code]
            target = targets.get((indicator.pk, row.year))
            if target is None:
                save(
                    GoalTarget(indicator=indicator, year=row.year, value=row.target),
                    "targets",
                    True,
                )
            elif target.value != row.target:
                target.value = row.target
                save(target, "targets", False)
            else:
                result.add("unchanged", "targets")
    return result
