"""Corrections (DESIGN.md, Integrity): a published figure of a closed period that changed
between two published runs, listed publicly with its old and new value, the runs, the date
and the reason from the audit trail.

`record_corrections` runs inside `recompute_scores`' publishing transaction, so a run is
never published without its corrections. It compares the new run with the previous
published one, set-based (one statement per kind of figure, returning only the figures that
differ):

- agency-level scores and their components K, E, S and the IKM, of periods that are final
  in both runs;
- achievements of agency PK indicators of quarters closed on both runs' dates, and their
  annual achievements of years closed on both.

A correction is a figure both runs published, with different values: a figure published
for the first time (a contract approved late, a new target) is not one. Never a civil
servant's figure: E is the published staff mean, present only over the minimum group size.

The reasons are looked up for the corrections found only, never row by row over the run:
the audit-trail reasons of the agency PK's realisations, targets and indicators changed
between the two publications (a confirmed late change's reason, a target revision's, "import
by administrator"...), and the scheme versions when the year's scheme changed. A change of
the staff mean or of the survey has no reason text of its own (its records are about
people): the page says what moved."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import scoring
from .models import Correction, Figure, Indicator, Realisation, ScoreRun, Target

SCORE_FIGURES = (Figure.SCORE, Figure.K, Figure.E, Figure.S, Figure.IKM)
MAX_REASON = 2000
# What moved, when the audit trail has no publishable reason.
FALLBACK = {
    Figure.E: gettext_lazy("the staff's SKP scores changed"),
    Figure.S: gettext_lazy("the survey responses changed"),
    Figure.IKM: gettext_lazy("the survey responses changed"),
    "": gettext_lazy("the data it is computed from changed"),
}


def _distinct(a: str, b: str) -> str:
    """SQL: `a` and `b` differ, NULLs compared as values."""
    if connection.vendor == "postgresql":
        return f"{a} IS DISTINCT FROM {b}"
    return f"{a} IS NOT {b}"  # SQLite's null-safe inequality


# Agency-level scores of periods final in both runs that differ in any published figure.
_SCORES_SQL = """
SELECT n.agency_id, n.year, n.period,
       o.score, n.score, o.k, n.k, o.e, n.e, o.s, n.s, o.ikm, n.ikm
FROM performance_score n
JOIN performance_score o
  ON o.run_id = %s AND o.contract_id IS NULL AND o.agency_id = n.agency_id
 AND o.year = n.year AND o.period = n.period AND o.final = %s
WHERE n.run_id = %s AND n.contract_id IS NULL AND n.final = %s
  AND ({differs})
"""

# Achievements of agency PK indicators in the quarters given (closed in both runs).
_ACHIEVEMENTS_SQL = """
SELECT c.agency_id, c.year, n.quarter, n.indicator_id, i.code, o.value, n.value
FROM performance_achievement n
JOIN performance_achievement o
  ON o.run_id = %s AND o.indicator_id = n.indicator_id AND o.quarter = n.quarter
JOIN performance_indicator i ON i.id = n.indicator_id
JOIN performance_performancecontract c ON c.id = i.contract_id
WHERE n.run_id = %s AND c.employee_id IS NULL AND ({periods})
  AND (n.value <> o.value OR n.missing <> o.missing)
"""

# Annual achievements of agency PK indicators of the years given (closed in both runs).
_ANNUAL_SQL = """
SELECT c.agency_id, c.year, n.indicator_id, i.code, o.value, n.value
FROM performance_annualachievement n
JOIN performance_annualachievement o ON o.run_id = %s AND o.indicator_id = n.indicator_id
JOIN performance_indicator i ON i.id = n.indicator_id
JOIN performance_performancecontract c ON c.id = i.contract_id
WHERE n.run_id = %s AND c.employee_id IS NULL AND c.year IN ({years})
  AND (n.value <> o.value OR n.missing <> o.missing)
"""


def _closed_in_both(
    run: ScoreRun, previous: ScoreRun, schemes: Mapping[str, dict]
) -> dict[int, list[int]]:
    """{year: its quarters closed on both runs' dates (each with its own scheme's grace
    days)} of the years both runs computed."""
    out = {}
    for key in set(schemes) & set(previous.schemes):
        year = int(key)
        new_grace = scoring.Scheme.from_snapshot(schemes[key]).entry_grace_days
        old_grace = previous.scheme(year).entry_grace_days
        quarters = [
            q
            for q in scoring.QUARTERS
            if scoring.quarter_is_closed(year, q, run.as_of, new_grace)
            and scoring.quarter_is_closed(year, q, previous.as_of, old_grace)
        ]
        if quarters:
            out[year] = quarters
    return out


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _decimal(value: object) -> Decimal | None:
    """A value read by a raw cursor (SQLite: a float) as the 2-decimal Decimal it is."""
    if value is None:
        return None
    return scoring.round2(Decimal(str(value)))


def find_corrections(
    run: ScoreRun, previous: ScoreRun, schemes: Mapping[str, dict], at: datetime.datetime
) -> list[Correction]:
    """The corrections of `run` against `previous` (unsaved), with their reasons. `schemes`:
    the snapshots `run` is published with."""
    if run.as_of is None or previous.as_of is None:
        return []
    closed = _closed_in_both(run, previous, schemes)
    if not closed:
        return []
    found: list[Correction] = []

    def correction(agency_id, year, period, figure, old, new, indicator_id=None, code=""):
        found.append(
            Correction(
                run_id=run.pk,
                previous_run_id=previous.pk,
                published_at=at,
                agency_id=agency_id,
                year=year,
                period=period,
                indicator_id=indicator_id,
                indicator_code=code,
                figure=figure,
                old_value=_decimal(old),
                new_value=_decimal(new),
            )
        )

    differs = " OR ".join(_distinct(f"n.{f}", f"o.{f}") for f in SCORE_FIGURES)
    for agency_id, year, period, *values in _rows(
        _SCORES_SQL.format(differs=differs), [previous.pk, True, run.pk, True]
    ):
        pairs = dict(zip(SCORE_FIGURES, zip(values[::2], values[1::2], strict=True), strict=True))
        for figure, (old, new) in pairs.items():
            if _decimal(old) != _decimal(new):
                correction(agency_id, year, period, figure, old, new)

    periods = " OR ".join(
        f"(c.year = %s AND n.quarter IN ({', '.join(['%s'] * len(quarters))}))"
        for quarters in closed.values()
    )
    params = [previous.pk, run.pk]
    for year, quarters in closed.items():
        params += [year, *quarters]
    for agency_id, year, quarter, indicator_id, code, old, new in _rows(
        _ACHIEVEMENTS_SQL.format(periods=periods), params
    ):
        correction(agency_id, year, f"Q{quarter}", Figure.ACHIEVEMENT, old, new, indicator_id, code)

    years = [year for year, quarters in closed.items() if 4 in quarters]
    if years:
        for agency_id, year, indicator_id, code, old, new in _rows(
            _ANNUAL_SQL.format(years=", ".join(["%s"] * len(years))), [previous.pk, run.pk, *years]
        ):
            correction(
                agency_id, year, "Y", Figure.ANNUAL_ACHIEVEMENT, old, new, indicator_id, code
            )

    _add_reasons(found, run, previous, schemes, at)
    return found


def _audit_reasons(
    agency_years: Iterable[tuple[int, int]], since: datetime.datetime, until: datetime.datetime
) -> dict[tuple[int, int], list[tuple[int, int | None, str]]]:
    """{(agency id, year): [(indicator id, quarter or None, reason)]}: the reasons recorded
    on the agency PK's realisations, targets and indicators of those years changed from
    `since` up to `until`, oldest first. Three queries, whatever the number of pairs."""
    pairs = sorted(set(agency_years))
    out: dict[tuple[int, int], list[tuple[int, int | None, str]]] = defaultdict(list)
    if not pairs:
        return out
    agencies = sorted({a for a, _y in pairs})
    years = sorted({y for _a, y in pairs})
    # From the previous publication on (a change recorded in its very instant was not in it).
    window = {"history_date__gte": since, "history_date__lte": until}
    reads = [
        (
            model.history.filter(
                **window,
                history_change_reason__gt="",
                indicator__contract__employee__isnull=True,
                indicator__contract__agency_id__in=agencies,
                indicator__contract__year__in=years,
            ).values_list(
                "indicator_id",
                "quarter",
                "indicator__contract__agency_id",
                "indicator__contract__year",
                "history_change_reason",
                "history_date",
            )
        )
        for model in (Realisation, Target)
    ]
    indicators = Indicator.history.filter(
        **window,
        history_change_reason__gt="",
        contract__employee__isnull=True,
        contract__agency_id__in=agencies,
        contract__year__in=years,
    ).values_list(
        "id", "contract__agency_id", "contract__year", "history_change_reason", "history_date"
    )
    rows = [(i, q, a, y, reason, when) for read in reads for i, q, a, y, reason, when in read]
    rows += [(i, None, a, y, reason, when) for i, a, y, reason, when in indicators]
    wanted = set(pairs)
    for indicator_id, quarter, agency_id, year, reason, _when in sorted(rows, key=lambda r: r[5]):
        if (agency_id, year) in wanted:
            out[(agency_id, year)].append((indicator_id, quarter, reason))
    return out


def _add_reasons(
    found: list[Correction],
    run: ScoreRun,
    previous: ScoreRun,
    schemes: Mapping[str, dict],
    at: datetime.datetime,
) -> None:
    """Set each correction's reason (the audit trail's, see the module's docstring) and the
    scheme versions of its year when they differ."""
    if not found:
        return
    recorded = _audit_reasons(
        {(c.agency_id, c.year) for c in found if c.figure not in (Figure.E, Figure.S, Figure.IKM)},
        previous.published_at,
        at,
    )
    for c in found:
        old_version = (previous.schemes.get(str(c.year)) or {}).get("version")
        new_version = (schemes.get(str(c.year)) or {}).get("version")
        if old_version is not None and new_version is not None and old_version != new_version:
            c.scheme_from, c.scheme_to = int(old_version), int(new_version)
        if c.figure in (Figure.E, Figure.S, Figure.IKM):
            continue  # not from the PK: no PK record explains it
        quarter = None if c.period == "Y" else int(c.period[1])
        reasons = [
            reason
            for indicator_id, q, reason in recorded.get((c.agency_id, c.year), [])
            if (c.indicator_id is None or indicator_id == c.indicator_id)
            and (quarter is None or q is None or q == quarter)
        ]
        c.reason = "; ".join(dict.fromkeys(reasons))[:MAX_REASON]


def explain(correction: Correction) -> str:
    """Why the figure changed, in the active language: the scheme versions when the scheme
    changed, the reasons of the audit trail, else what moved (a component has no record of
    its own that may be published)."""
    parts = []
    if correction.scheme_from is not None and correction.scheme_to is not None:
        parts.append(
            _("scoring scheme version %(old)d to %(new)d")
            % {"old": correction.scheme_from, "new": correction.scheme_to}
        )
    if correction.reason:
        parts.append(correction.reason)
    if not parts:
        parts.append(str(FALLBACK.get(correction.figure, FALLBACK[""])))
    return "; ".join(parts)


def record_corrections(
    run: ScoreRun, previous: ScoreRun | None, schemes: Mapping[str, dict], at: datetime.datetime
) -> int:
    """Find and store the corrections of `run` (about to be published at `at` with the scheme
    snapshots `schemes`) against `previous`, the run published before it (none: nothing to
    correct). Call inside the publishing transaction. Returns how many."""
    if previous is None:
        return 0
    found = find_corrections(run, previous, schemes, at)
    Correction.objects.bulk_create(found, batch_size=1000)
    return len(found)
