"""Reads of the leaders' dashboard: every figure comes from the latest published score run
(scores, predikat) or from the entered data as it stands (realisations, survey answers,
decisions), restricted to the agencies the user may see. Nothing here computes a score.

Every function takes the user's agencies as a queryset (`dashboard_agencies`) and runs a
fixed number of grouped queries, whatever the number of agencies or civil servants. No
function returns a person: staff appear only as counts per agency.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Case, Count, Exists, F, Max, OuterRef, Q, Value, When
from django.utils import timezone

from agencies.access import DASHBOARD_ROLES, agencies_for
from agencies.models import AgencyQuerySet, Membership, SurveyResponse
from performance import scoring
from performance.corrections import explain
from performance.models import (
    Correction,
    PerformanceContract,
    Realisation,
    ScoreRun,
    ScoringScheme,
    Target,
)
from performance.queries import Ikm, ikm_of, staff_predikat_counts
from performance.scoring import previous_period
from portal.common.distribution import breach_text
from rewards.models import Decision

Role = Membership.Role
DEFAULT_ALERT_FALL = Decimal(5)
QUARTER_PERIODS = ("Q1", "Q2", "Q3", "Q4")


def dashboard_agencies(user: AbstractBaseUser | AnonymousUser) -> AgencyQuerySet:
    """The agencies the user sees on the dashboard: a regional leader's region, everything
    for a province leader or an auditor, nothing for anyone else."""
    return agencies_for(user, *DASHBOARD_ROLES)


def today_wita() -> datetime.date:
    """Today in the portal's time zone (WITA)."""
    return timezone.localdate()


def due_date(year: int, quarter: int, scheme: scoring.Scheme) -> datetime.date:
    """The last day a realisation of the quarter is on time."""
    return scoring.quarter_last_day(year, quarter) + datetime.timedelta(
        days=scheme.entry_grace_days
    )


def default_selection(run: ScoreRun, today: datetime.date) -> tuple[int, str]:
    """(year, period) shown when nothing is asked for: the run's newest year and its last
    closed quarter; early in a year with no closed quarter yet, the last closed quarter of
    an earlier year of the run; the newest year's "Y" when no quarter is closed at all."""
    for year in run.years:
        closed = scoring.closed_quarters(year, today, run.scheme(year).entry_grace_days)
        if closed:
            return year, f"Q{closed[-1]}"
    return (run.years[0] if run.years else today.year), "Y"


# --- overview ------------------------------------------------------------------------


@dataclass(frozen=True)
class BelowLine:
    """What "below target" means on the dashboard: a score under `baik` (the Baik threshold
    of the run's scheme), or a fall of more than `fall` points since the period before
    (the scheme's `alert_fall_points`)."""

    baik: Decimal = scoring.DEFAULT_SCHEME.threshold_baik
    fall: Decimal = DEFAULT_ALERT_FALL


def target_of(run: ScoreRun, year: int) -> BelowLine:
    """The year's below-target line: the Baik threshold the run scored with, the fall
    alert as the year's scheme stands (not a scoring parameter: runs do not record it)."""
    fall = (
        ScoringScheme.objects.filter(year=year).values_list("alert_fall_points", flat=True).first()
    )
    return BelowLine(
        baik=run.scheme(year).threshold_baik,
        fall=DEFAULT_ALERT_FALL if fall is None else fall,
    )


def agency_scores(
    run_id: int, agencies: AgencyQuerySet, year: int, period: str, target: BelowLine | None = None
) -> list:
    """The agencies with their agency-level `score` and `predikat` of `period` and the
    previous period's `prev_score`, plus `change` (score - previous, None when either is
    missing), `below` (under the Baik threshold) and `falling` (down by more than the
    target's fall), ordered by name. One query."""
    target = target or BelowLine()
    prev_year, prev_period = previous_period(year, period)
    rows = list(
        agencies.with_score(run_id, year, period)
        .with_score(run_id, prev_year, prev_period, prefix="prev_")
        .select_related("region")
        .order_by("name", "pk")
    )
    for row in rows:
        both = row.score is not None and row.prev_score is not None
        row.change = row.score - row.prev_score if both else None
        row.falling = both and row.change < -target.fall
        row.below = row.score is not None and row.score < target.baik
    return rows


@dataclass(frozen=True)
class Headline:
    per_predikat: list[tuple[str, int]]
    scored: int
    unscored: int
    average: Decimal | None


def headline(rows: Sequence) -> Headline:
    """Agencies per predikat (in band order), how many have a score, and their mean score
    (rounded half up as everywhere)."""
    scores = [r.score for r in rows if r.score is not None]
    counts = dict.fromkeys(scoring.ORGANISATION_SCALE, 0)
    for r in rows:
        if r.predikat in counts:
            counts[r.predikat] += 1
    mean = scoring.mean(scores)
    return Headline(
        per_predikat=list(counts.items()),
        scored=len(scores),
        unscored=len(rows) - len(scores),
        average=scoring.round2(mean) if mean is not None else None,
    )


BELOW_SORTS = {
    # key, then name so equal values keep a stable order; missing values last
    "score": lambda r: (r.score is None, r.score or 0, r.name),
    "-score": lambda r: (r.score is None, -(r.score or 0), r.name),
    "name": lambda r: (r.name.lower(), r.pk),
    "change": lambda r: (r.change is None, r.change or 0, r.name),
}


def below_target(rows: Iterable, sort: str = "score") -> list:
    """The agencies below target (under the Baik threshold, or fallen by more than the
    scheme's amount since the period before: `agency_scores`), sorted by `sort` (score,
    -score, name, or change: largest fall first)."""
    chosen = [r for r in rows if r.below or r.falling]
    return sorted(chosen, key=BELOW_SORTS.get(sort, BELOW_SORTS["score"]))


@dataclass
class RegionLine:
    region: object
    agencies: int = 0
    scored: list = field(default_factory=list)
    below: int = 0

    @property
    def average(self) -> Decimal | None:
        mean = scoring.mean(self.scored)
        return scoring.round2(mean) if mean is not None else None


def by_region(rows: Sequence) -> list[RegionLine]:
    """The overview's rows per region (province first, then by BPS code): agencies, the
    mean score of those with one, and how many are below target. No query: the rows carry
    their region."""
    lines: dict[int, RegionLine] = {}
    for row in rows:
        line = lines.setdefault(row.region_id, RegionLine(row.region))
        line.agencies += 1
        if row.score is not None:
            line.scored.append(row.score)
        line.below += bool(row.below or row.falling)
    return sorted(lines.values(), key=lambda line: line.region.code)


def pooled_ikm(agencies: AgencyQuerySet, year: int, period: str, min_responses: int) -> Ikm:
    """The IKM of every survey answer about these agencies' services in the period, all
    services pooled (DESIGN.md). One query."""
    responses = SurveyResponse.objects.filter(service__agency__in=agencies, year=year)
    if period != "Y":
        responses = responses.filter(quarter=int(period[1]))
    return ikm_of(responses.sums(), min_responses)


def _approved_targets(agencies: AgencyQuerySet, year: int, quarters: Sequence[int]):
    return Target.objects.filter(
        indicator__contract__agency__in=agencies,
        indicator__contract__year=year,
        indicator__contract__status=PerformanceContract.Status.APPROVED,
        quarter__in=list(quarters),
    )


def _realisation_of_target():
    return Realisation.objects.filter(indicator=OuterRef("indicator"), quarter=OuterRef("quarter"))


def agencies_missing_realisations(
    agencies: AgencyQuerySet, year: int, quarters: Sequence[int]
) -> int:
    """How many agencies have at least one target of an approved contract (PK or SKP) with
    no realisation in one of `quarters`. One query."""
    if not quarters:
        return 0
    return (
        _approved_targets(agencies, year, quarters)
        .filter(~Exists(_realisation_of_target()))
        .values("indicator__contract__agency_id")
        .distinct()
        .count()
    )


def latest_corrections(agencies: AgencyQuerySet, limit: int = 5) -> list[Correction]:
    """The newest corrections of published figures of these agencies, each with `why` (its
    reason in words). One query."""
    found = list(
        Correction.objects.filter(agency__in=agencies)
        .select_related("agency")
        .order_by("-published_at", "agency__name", "period", "figure", "pk")[:limit]
    )
    for correction in found:
        correction.why = explain(correction)
    return found


def recommended_decisions(agencies: AgencyQuerySet) -> int:
    """Recommended decisions about these agencies (or their staff) awaiting a leader."""
    return Decision.objects.filter(agency__in=agencies, status=Decision.Status.RECOMMENDED).count()


# --- coherence -----------------------------------------------------------------------
# The staff distribution against the pattern for the agency's own predikat (the scheme's
# `distribution`, the five rules of PermenPAN-RB 6/2022, checked by scoring.py): shown to
# leaders, blocking nothing. Counts of rated staff only (`StaffCount`), never a person.


def coherence_scheme(year: int) -> scoring.Scheme:
    """The year's scheme as it stands (its distribution pattern), or the defaults."""
    stored = ScoringScheme.objects.filter(year=year).first()
    return stored.as_scheme() if stored else scoring.DEFAULT_SCHEME


def coherence_flags(
    organisation: str | None, counts: dict[str, int], scheme: scoring.Scheme
) -> list[str]:
    """The clauses an agency's staff distribution breaks, each with the share found; empty
    when it fits its own predikat (or there is nothing to compare)."""
    return [
        breach_text(rule, counts)
        for rule in scoring.distribution_breaches(organisation, counts, scheme)
    ]


def percent(part: int, whole: int) -> Decimal | None:
    return scoring.round2(Fraction(part * 100, whole)) if whole else None


@dataclass
class CoherenceRow:
    agency: object
    predikat: str | None
    n: int
    shares: list[tuple[str, Decimal | None]]
    flags: list[str]


def coherence(
    run_id: int, year: int, agencies: AgencyQuerySet, scheme: scoring.Scheme
) -> list[CoherenceRow]:
    """Per agency (by name): its own annual predikat, how many staff were rated, the share
    of them per predikat, and the clauses of the distribution pattern it breaks. Two
    queries."""
    counts = staff_predikat_counts(run_id, year, agencies)
    rows = []
    for agency in (
        agencies.with_score(run_id, year, "Y").select_related("region").order_by("name", "pk")
    ):
        staff = counts.get(agency.pk, {})
        n = sum(staff.values())
        rows.append(
            CoherenceRow(
                agency=agency,
                predikat=agency.predikat,
                n=n,
                shares=[(p, percent(staff.get(p, 0), n)) for p in scoring.PREDIKAT_ORDER],
                flags=coherence_flags(agency.predikat, staff, scheme),
            )
        )
    return rows


# --- compliance ----------------------------------------------------------------------


@dataclass
class ComplianceRow:
    """One agency in one closed quarter: indicators of approved PK and SKP contracts with a
    target, how many have a realisation, how many of those came after the due date, and
    how late the latest one came (in days, 0 when on time)."""

    agency: object
    quarter: int
    due: datetime.date
    targets: dict[str, int] = field(default_factory=lambda: {"pk": 0, "skp": 0})
    entered: dict[str, int] = field(default_factory=lambda: {"pk": 0, "skp": 0})
    late: int = 0
    days_late: int | None = None

    @property
    def total_targets(self) -> int:
        return sum(self.targets.values())

    @property
    def total_entered(self) -> int:
        return sum(self.entered.values())

    @property
    def missing(self) -> int:
        return self.total_targets - self.total_entered

    def share(self, kind: str) -> Decimal | None:
        return percent(self.entered[kind], self.targets[kind])

    @property
    def pk_share(self) -> Decimal | None:
        return self.share("pk")

    @property
    def skp_share(self) -> Decimal | None:
        return self.share("skp")

    @property
    def entered_share(self) -> Decimal | None:
        return percent(self.total_entered, self.total_targets)

    @property
    def late_share(self) -> Decimal | None:
        return percent(self.late, self.total_entered)


def _holder_kind(prefix: str) -> Case:
    return Case(
        When(**{f"{prefix}contract__employee__isnull": True}, then=Value("pk")),
        default=Value("skp"),
    )


def _deadline(due: datetime.date) -> datetime.datetime:
    """The first moment (WITA) after the due date."""
    start = datetime.datetime.combine(due + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(start)


def compliance(
    year: int, quarters: Sequence[int], agencies: AgencyQuerySet, scheme: scoring.Scheme
) -> list[ComplianceRow]:
    """Per agency (by name) and closed quarter (`quarters`), its `ComplianceRow`. Lateness is
    read from when each realisation was last saved (`Realisation.entered_at`) against the
    quarter's end plus the grace days. Three queries: the agencies, the targets per agency,
    quarter and kind, and the realisations likewise."""
    if not quarters:
        return []
    dues = {q: due_date(year, q, scheme) for q in quarters}
    late = Q(pk__in=[])
    for q, due in dues.items():
        late |= Q(quarter=q, entered_at__gte=_deadline(due))
    targets = (
        _approved_targets(agencies, year, quarters)
        .values(
            "quarter",
            agency_id=F("indicator__contract__agency_id"),
            kind=_holder_kind("indicator__"),
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    realisations = (
        Realisation.objects.filter(
            indicator__contract__agency__in=agencies,
            indicator__contract__year=year,
            indicator__contract__status=PerformanceContract.Status.APPROVED,
            quarter__in=list(quarters),
        )
        .filter(
            Exists(
                Target.objects.filter(indicator=OuterRef("indicator"), quarter=OuterRef("quarter"))
            )
        )
        .values(
            "quarter",
            agency_id=F("indicator__contract__agency_id"),
            kind=_holder_kind("indicator__"),
        )
        .annotate(n=Count("id"), late=Count("id", filter=late), last=Max("entered_at"))
        .order_by()
    )
    rows: dict[tuple[int, int], ComplianceRow] = {}
    ordered = []
    for agency in agencies.select_related("region").order_by("name", "pk"):
        for q in quarters:
            row = ComplianceRow(agency=agency, quarter=q, due=dues[q])
            rows[agency.pk, q] = row
            ordered.append(row)
    for t in targets:
        if (row := rows.get((t["agency_id"], t["quarter"]))) is not None:
            row.targets[t["kind"]] += t["n"]
    for r in realisations:
        if (row := rows.get((r["agency_id"], r["quarter"]))) is None:
            continue
        row.entered[r["kind"]] += r["n"]
        row.late += r["late"]
        days = max(0, (timezone.localdate(r["last"]) - row.due).days)
        row.days_late = days if row.days_late is None else max(row.days_late, days)
    return ordered
