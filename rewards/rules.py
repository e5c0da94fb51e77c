"""The reward and punishment rules, evaluated on a published score run.

`apply_rules(run=...)` turns the run's scores into *recommended* decisions, rule by rule, with
a few set-based queries per rule (only the scores that meet the rule's condition are read),
then writes the differences with bulk statements and their audit trail:

- a subject (employee or agency) that meets a rule for a closed period, and for the
  `consecutive - 1` periods before it, gets one recommended decision (rule, subject, year,
  period), with the scores that made it fire as evidence;
- re-running never duplicates a decision (a unique constraint backs this up);
- a recommendation whose condition no longer holds (after a correction, or when its rule was
  deactivated) is withdrawn, with a history record saying why; a withdrawn one whose
  condition holds again is recommended again;
- a decided (approved or rejected) decision is never touched.

Only closed periods are judged: a quarter once its entry grace period is over, a year once
its fourth quarter is closed (as of the day the run was computed), and only on scores the run
published as final, so nobody is rewarded or penalised on half a year's figures. An agency
rule reads only complete agency scores (K present and, for an agency with a public service,
S): an agency is never rewarded or penalised on the components it happened to have.
Agency rules that name a predikat name the organisation scale of PermenPAN-RB 6/2022
(Istimewa ...); employee rules the predikat of a civil servant under 6/2022 (Sangat Baik
...), the cell of the scheme's matrix of their results and behaviour ratings, which the run
wrote on their closed year's row. An employee rule reads only rated civil servants: an
unrated one has no predikat and nothing fires on them, whatever their score; the evidence
carries both ratings (the matrix cell).
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from agencies.audit import record, system_actor
from performance.models import Predikat, Score, ScoreRun, ScoringScheme, StaffPredikat
from performance.scoring import closed_quarters, previous_period

from . import notifications, reasons
from .models import Decision, Outcome, Rule

log = logging.getLogger(__name__)

# Any constant will do: it names the rules' PostgreSQL advisory lock.
RULES_LOCK_ID = 52_2025_06
BATCH = 2000

Level, Period, Condition = Rule.Level, Rule.Period, Rule.Condition
Status = Decision.Status

# The default rule set of a scheme (issue 6). Labels are data, editable in the admin, one per
# language (`label` in Bahasa Indonesia, `label_en` in English).
DEFAULT_RULES: tuple[dict, ...] = (
    {
        "code": "employee-reward",
        "label": (
            "Penghargaan: ASN berpredikat Sangat Baik untuk tahun ini (matriks PermenPAN-RB "
            "6/2022); usulan kenaikan TPP"
        ),
        "label_en": (
            "Reward: civil servant Sangat Baik for the year (PermenPAN-RB 6/2022 matrix); TPP "
            "increase proposal"
        ),
        "level": Level.EMPLOYEE,
        "predikats": [StaffPredikat.SANGAT_BAIK.value],
        "outcome": Outcome.REWARD,
        "tpp_adjustment": Decimal("10"),
    },
    {
        "code": "employee-coaching",
        "label": (
            "Pembinaan: ASN berpredikat Butuh Perbaikan atau Kurang/Misconduct untuk tahun ini"
        ),
        "label_en": "Coaching: civil servant Butuh Perbaikan or Kurang/Misconduct for the year",
        "level": Level.EMPLOYEE,
        "predikats": [StaffPredikat.BUTUH_PERBAIKAN.value, StaffPredikat.KURANG.value],
        "outcome": Outcome.COACHING,
    },
    {
        "code": "employee-penalty",
        "label": "Usulan pengurangan TPP: ASN berpredikat Sangat Kurang untuk tahun ini",
        "label_en": "TPP reduction proposal: civil servant Sangat Kurang for the year",
        "level": Level.EMPLOYEE,
        "predikats": [StaffPredikat.SANGAT_KURANG.value],
        "outcome": Outcome.PENALTY,
        "tpp_adjustment": Decimal("-10"),
    },
    {
        "code": "employee-penalty-escalated",
        "label": (
            "Sanksi untuk ditinjau pimpinan: ASN berpredikat Sangat Kurang dua tahun berturut-"
            "turut (sanksi administratif)"
        ),
        "label_en": (
            "Escalated penalty for the leader's review: civil servant Sangat Kurang two years "
            "running (administrative sanction)"
        ),
        "level": Level.EMPLOYEE,
        "predikats": [StaffPredikat.SANGAT_KURANG.value],
        "consecutive": 2,
        "outcome": Outcome.PENALTY,
        "for_leader_review": True,
    },
    {
        "code": "agency-award",
        "label": "Penghargaan instansi: instansi berpredikat Istimewa untuk tahun ini",
        "label_en": "Agency award: agency Istimewa for the year",
        "level": Level.AGENCY,
        "predikats": [Predikat.ISTIMEWA.value],
        "outcome": Outcome.REWARD,
    },
    {
        "code": "agency-review",
        "label": (
            "Evaluasi kinerja bersama pimpinan: instansi berpredikat Kurang atau Sangat Kurang "
            "untuk tahun ini"
        ),
        "label_en": (
            "Performance review with the leader: agency Kurang or Sangat Kurang for the year"
        ),
        "level": Level.AGENCY,
        "predikats": [Predikat.KURANG.value, Predikat.SANGAT_KURANG.value],
        "outcome": Outcome.REVIEW,
    },
    {
        "code": "agency-early-warning",
        "label": "Peringatan dini: nilai triwulan instansi di bawah 70",
        "label_en": "Early warning: the agency's quarterly score below 70",
        "level": Level.AGENCY,
        "period": Period.QUARTER,
        "condition": Condition.SCORE_BELOW,
        "value": Decimal("70"),
        "outcome": Outcome.REVIEW,
    },
)


def ensure_default_rules(scheme: ScoringScheme) -> int:
    """Give `scheme` the default rule set when it has no rule at all (active or not);
    returns the number of rules created. A scheme whose rules were edited keeps them: to
    switch a rule off, deactivate it rather than delete it, or it comes back when the last
    rule is deleted."""
    if scheme.rules.exists():
        return 0
    rules = [
        Rule(scheme=scheme, order=n, **{"period": Period.YEAR, **spec})
        for n, spec in enumerate(DEFAULT_RULES, start=1)
    ]
    Rule.objects.bulk_create(rules)
    return len(rules)


@dataclass
class Summary:
    """What one evaluation did. `skipped` says why nothing was done, when so."""

    run_id: int
    recommended: int = 0
    recommended_again: int = 0
    refreshed: int = 0
    withdrawn: int = 0
    unchanged: int = 0
    decided_untouched: int = 0
    skipped: str = ""
    per_rule: dict[str, int] = field(default_factory=dict)
    # {agency id: decisions recommended or recommended again}: what the leaders are told.
    per_agency: dict[int, int] = field(default_factory=dict)

    def __str__(self) -> str:
        if self.skipped:
            return f"run {self.run_id}: skipped ({self.skipped})"
        return (
            f"run {self.run_id}: {self.recommended} recommended, {self.recommended_again} "
            f"recommended again, {self.refreshed} refreshed, {self.withdrawn} withdrawn, "
            f"{self.unchanged} unchanged, {self.decided_untouched} already decided"
        )


@dataclass(frozen=True)
class Match:
    """A subject meeting a rule for a period: the key of its decision, and the evidence."""

    agency_id: int
    employee_id: int | None
    year: int
    period: str
    scores: tuple[dict, ...]


def apply_rules(*, run: ScoreRun, today: datetime.date | None = None, actor=None) -> Summary:
    """Evaluate every active rule of the schemes of the run's years on the published `run`
    and bring the decisions in line (see the module's docstring). Periods are judged closed
    as of `today` (default: the day the run was computed as of).

    One transaction; concurrent evaluations queue on a database lock (PostgreSQL). Only the
    latest published run is evaluated: on an older one nothing is done (`skipped`). Every
    decision it creates or changes has a history record naming `actor` (default: the
    "system-rules" user) and an `AuditEvent` sums the evaluation up.
    """
    actor = actor or system_actor("rules")
    if run.status != ScoreRun.Status.PUBLISHED:
        raise ValueError(f"run {run.pk} is not published")
    as_of = today or run.as_of or datetime.date.today()
    summary = Summary(run_id=run.pk)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RULES_LOCK_ID])
        latest = ScoreRun.objects.latest_published()
        if latest is None or latest.pk != run.pk:
            summary.skipped = "a newer run is published"
            return summary
        for scheme in ScoringScheme.objects.filter(year__in=run.years).order_by("year"):
            ensure_default_rules(scheme)
            rules = list(scheme.rules.all())
            matches: dict[tuple, tuple[Rule, Match]] = {}
            for rule in rules:
                if not rule.active:
                    continue
                found = evaluate(rule, run, scheme.year, as_of)
                summary.per_rule[rule.code or str(rule.pk)] = len(found)
                for m in found:
                    matches[_key(rule.pk, m.agency_id, m.employee_id, m.year, m.period)] = (
                        rule,
                        m,
                    )
            _reconcile(run, scheme, {r.pk: r for r in rules}, matches, summary, actor)
        record(
            actor,
            "rules",
            f"score run {run.pk}",
            recommended=summary.recommended + summary.recommended_again,
            withdrawn=summary.withdrawn,
        )
        notifications.decisions_waiting(summary.per_agency)
    log.info("rules applied: %s", summary)
    return summary


def _key(rule_id: int, agency_id: int, employee_id: int | None, year: int, period: str) -> tuple:
    # The unique constraints' keys: an employee's decision does not depend on the agency.
    subject = ("employee", employee_id) if employee_id is not None else ("agency", agency_id)
    return (rule_id, *subject, year, period)


def judged_periods(rule: Rule, run: ScoreRun, year: int, as_of: datetime.date) -> list[str]:
    """The periods of `year` on which `rule` is judged: the year once its Q4 is closed, or
    each closed quarter."""
    closed = closed_quarters(year, as_of, run.scheme(year).entry_grace_days)
    if rule.period == Period.YEAR:
        return ["Y"] if 4 in closed else []
    return [f"Q{q}" for q in closed]


def _scores(rule: Rule, run: ScoreRun, years: range) -> QuerySet:
    """The run's final scores of the rule's level and kind of period that meet its condition
    (an agency's only when complete)."""
    periods = ["Y"] if rule.period == Period.YEAR else ["Q1", "Q2", "Q3", "Q4"]
    scores = Score.objects.filter(run=run, year__in=list(years), period__in=periods, final=True)
    if rule.level == Level.EMPLOYEE:
        # Rated civil servants only (their predikat comes from the matrix; a run written
        # before they were rated by it has band names and no ratings: never read).
        scores = scores.filter(contract__employee__isnull=False).exclude(results_rating="")
        scores = scores.exclude(behaviour_rating="")
    else:
        scores = scores.filter(contract__isnull=True, complete=True)
    if rule.condition == Condition.PREDIKAT_IN:
        scores = scores.filter(predikat__in=list(rule.predikats or []))
    elif rule.condition == Condition.SCORE_BELOW:
        scores = scores.filter(score__lt=rule.value)
    else:
        scores = scores.filter(score__gte=rule.value)
    return scores.values_list(
        "agency_id",
        "contract__employee_id",
        "year",
        "period",
        "score",
        "predikat",
        "results_rating",
        "behaviour_rating",
    )


def evaluate(rule: Rule, run: ScoreRun, year: int, as_of: datetime.date) -> list[Match]:
    """The subjects meeting `rule` in `year`'s judged periods, held for the rule's number of
    consecutive periods (the earlier ones may lie in earlier years of the same run)."""
    finals = judged_periods(rule, run, year, as_of)
    if not finals:
        return []
    back = rule.consecutive - 1
    first_year = year - (back if rule.period == Period.YEAR else (back + 3) // 4)
    met: dict[tuple, dict[tuple[int, str], tuple]] = defaultdict(dict)
    for agency_id, employee_id, y, period, score, predikat, results, behaviour in _scores(
        rule, run, range(first_year, year + 1)
    ):
        subject = employee_id if rule.level == Level.EMPLOYEE else agency_id
        met[subject][(y, period)] = (agency_id, score, predikat, results, behaviour)
    out = []
    for subject, periods in met.items():
        for final in finals:
            chain = [(year, final)]
            while len(chain) < rule.consecutive:
                chain.append(previous_period(*chain[-1]))
            if not all(p in periods for p in chain):
                continue
            agency_id = periods[(year, final)][0]
            out.append(
                Match(
                    agency_id=agency_id,
                    employee_id=subject if rule.level == Level.EMPLOYEE else None,
                    year=year,
                    period=final,
                    scores=tuple(
                        _evidence_score(y, p, *periods[(y, p)][1:]) for y, p in reversed(chain)
                    ),
                )
            )
    return out


def _evidence_score(
    year: int, period: str, score, predikat: str, results: str, behaviour: str
) -> dict:
    """One score of the evidence; a civil servant's with the two ratings whose matrix cell
    is its predikat."""
    out = {"year": year, "period": period, "score": str(score), "predikat": predikat}
    if results:
        out.update(results=results, behaviour=behaviour)
    return out


def _evidence(run: ScoreRun, scheme: ScoringScheme, match: Match) -> dict:
    return {"scores": list(match.scores), "run": run.pk, "scheme_version": scheme.version}


def _reconcile(
    run: ScoreRun,
    scheme: ScoringScheme,
    rules: dict[int, Rule],
    matches: dict[tuple, tuple[Rule, Match]],
    summary: Summary,
    actor,
) -> None:
    """Write the differences between `matches` and the scheme's decisions: bulk inserts and
    updates, each with its history record naming `actor`."""
    existing = {
        _key(d.rule_id, d.agency_id, d.employee_id, d.year, d.period): d
        # Whole rows: the history records copy every field.
        for d in Decision.objects.filter(rule__scheme=scheme)
    }
    create: list[Decision] = []
    changed: list[Decision] = []
    for key, (rule, match) in matches.items():
        evidence = _evidence(run, scheme, match)
        decision = existing.get(key)
        if decision is None:
            create.append(
                Decision(
                    rule=rule,
                    run=run,
                    agency_id=match.agency_id,
                    employee_id=match.employee_id,
                    year=match.year,
                    period=match.period,
                    status=Status.RECOMMENDED,
                    evidence=evidence,
                )
            )
        elif decision.is_decided:
            summary.decided_untouched += 1
        elif decision.status == Status.WITHDRAWN:
            decision.status = Status.RECOMMENDED
            decision.evidence, decision.run = evidence, run
            decision._change_reason = _(reasons.HOLDS_AGAIN) % {"run": run.pk}
            changed.append(decision)
            summary.recommended_again += 1
            summary.per_agency.setdefault(decision.agency_id, 0)
            summary.per_agency[decision.agency_id] += 1
        elif decision.evidence.get("scores") != evidence["scores"]:
            decision.evidence, decision.run = evidence, run
            decision._change_reason = _(reasons.EVIDENCE_UPDATED) % {"run": run.pk}
            changed.append(decision)
            summary.refreshed += 1
        else:
            summary.unchanged += 1
    for key, decision in existing.items():
        if key in matches or decision.status != Status.RECOMMENDED:
            continue
        decision.status = Status.WITHDRAWN
        decision.run = run
        if rules[decision.rule_id].active:
            reason = _(reasons.WITHDRAWN_CONDITION)
        else:
            reason = _(reasons.WITHDRAWN_RULE)
        decision._change_reason = reason % {"run": run.pk}
        changed.append(decision)
        summary.withdrawn += 1
    if create:
        bulk_create_with_history(
            create,
            Decision,
            batch_size=BATCH,
            default_change_reason=_(reasons.RECOMMENDED) % {"run": run.pk},
            default_user=actor,
        )
        summary.recommended += len(create)
        for d in create:
            summary.per_agency.setdefault(d.agency_id, 0)
            summary.per_agency[d.agency_id] += 1
    if changed:
        bulk_update_with_history(
            changed, Decision, ["status", "evidence", "run"], batch_size=BATCH, default_user=actor
        )
