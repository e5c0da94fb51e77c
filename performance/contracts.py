"""The HR officer's workspace: the rules behind its pages (views stay thin).

- Optimistic locking: every save moves `PerformanceContract.version` on by one, only when the
  contract still has the version the form was read at; a stale save raises `StaleContract`
  naming what changed since, and nothing is saved (the whole save is one transaction).
- Workflow: draft -> submitted -> approved, or returned (with a reason) -> submitted again.
  Indicators and targets change only in draft or returned; an approved contract's targets
  change only through a revision with a reason. Realisations are entered in any status (they
  are the quarterly measurement of an agreed contract).
- Every change is written through the model's `save()`/`delete()`, so django-simple-history
  records who, when, before and after; the contract's own history row says what the save did.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import agencies_for
from agencies.models import Agency, Membership, quarter_name

from . import late, notifications, scoring
from .models import Direction, Indicator, PerformanceContract, Realisation, ScoringScheme, Target
from .services import approval_problem

Status = PerformanceContract.Status
Role = Membership.Role
QUARTER_NUMBERS = (1, 2, 3, 4)
EDITABLE = (Status.DRAFT, Status.RETURNED)


class StaleContract(Exception):
    """The contract changed since the form was read; `changes` says how, one line each."""

    def __init__(self, changes: list[str]):
        self.changes = changes
        super().__init__("; ".join(changes))


class WorkflowError(Exception):
    """A step the contract's status does not allow (the message says why)."""


# --- optimistic locking -----------------------------------------------------------------


def changes_since(contract_id: int, version: int) -> list[str]:
    """What happened to the contract after `version`, oldest first, from its history."""
    rows = (
        PerformanceContract.history.filter(id=contract_id, version__gt=version)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    out = []
    for row in rows:
        who = row.history_user.get_username() if row.history_user else _("an import or script")
        when = timezone.localtime(row.history_date).strftime("%Y-%m-%d %H:%M")
        out.append(
            _("%(when)s WITA, %(who)s: %(what)s")
            % {"when": when, "who": who, "what": row.history_change_reason or row.status}
        )
    return out or [_("changed by an import or another process")]


def bump_version(contract: PerformanceContract, expected: int, *, reason: str) -> None:
    """Move the contract from version `expected` to the next one, or raise StaleContract.

    Call inside `transaction.atomic()` before writing anything else: the conditional UPDATE
    (`... WHERE version = expected`) is atomic, so of two saves read at the same version
    exactly one goes through. Writes the contract (with `reason` in its history row).
    """
    updated = PerformanceContract.objects.filter(pk=contract.pk, version=expected).update(
        version=F("version") + 1
    )
    if not updated:
        raise StaleContract(changes_since(contract.pk, expected))
    contract.version = expected + 1
    contract._change_reason = reason
    contract.save()


def bump_versions_of(agency_ids: Iterable[int]) -> int:
    """Move every contract of these agencies on by one version, so forms opened before a CSV
    import cannot overwrite what it wrote. Returns the number of contracts."""
    return PerformanceContract.objects.filter(agency_id__in=list(agency_ids)).update(
        version=F("version") + 1
    )


# --- contracts, indicators and targets -------------------------------------------------


def plain(value: Decimal | None) -> Decimal | None:
    """A stored decimal without trailing zeros (88.2000 -> 88.2, 100.0000 -> 100)."""
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def is_editable(contract: PerformanceContract) -> bool:
    return contract.status in EDITABLE


def target_values(indicator: Indicator) -> dict[int, Decimal]:
    """{quarter: target} from the indicator's (prefetched) targets."""
    return {t.quarter: t.value for t in indicator.targets.all()}


def set_targets(
    indicator: Indicator, values: dict[int, Decimal | None], *, reason: str | None = None
) -> list[str]:
    """Make the indicator's targets `values` (None: no target that quarter), saving only what
    differs, each change with `reason` in its history. Returns what changed ("IKU1 Q2")."""
    existing = {t.quarter: t for t in indicator.targets.all()} if indicator.pk else {}
    changed = []
    for quarter in QUARTER_NUMBERS:
        new = values.get(quarter)
        old = existing.get(quarter)
        if new is None and old is None:
            continue
        if old is not None and new is not None and old.value == new:
            continue
        if new is None:
            old._change_reason = reason
            old.delete()
        elif old is None:
            target = Target(indicator=indicator, quarter=quarter, value=new)
            target._change_reason = reason
            target.save()
        else:
            old.value = new
            old._change_reason = reason
            old.save()
        changed.append(f"{indicator.code} Q{quarter}")
    return changed


def create_contract(
    *, agency: Agency, employee, year: int, indicators: Sequence[dict]
) -> PerformanceContract:
    """A new draft contract with its indicators and targets, in one transaction.
    `indicators`: dicts of code, text, unit, direction, weight and targets {quarter: value}."""
    with transaction.atomic():
        contract = PerformanceContract(
            agency=agency, employee=employee, year=year, status=Status.DRAFT
        )
        contract._change_reason = _("created")
        contract.save()
        for data in indicators:
            indicator = Indicator(
                contract=contract, **{k: v for k, v in data.items() if k != "targets"}
            )
            indicator.save()
            set_targets(indicator, data["targets"])
    return contract


def save_indicators(contract: PerformanceContract, version: int, formset) -> list[str]:
    """Save an edited indicator formset and its targets, if the contract is still editable and
    at `version`. Returns what changed (empty: nothing did, and the version stays)."""
    if not is_editable(contract):
        raise WorkflowError(
            _("This contract is %(status)s: its indicators and targets are locked.")
            % {"status": contract.get_status_display()}
        )
    changed_forms = [f for f in formset.forms if f.has_changed() or f in formset.deleted_forms]
    if not changed_forms:
        return []
    with transaction.atomic():
        bump_version(contract, version, reason=_("indicators and targets edited"))
        what = []
        for form in formset.deleted_forms:
            if form.instance.pk:
                what.append(_("%(code)s deleted") % {"code": form.instance.code})
        formset.save()  # deletes, creates and updates the indicators (each recorded)
        for form in formset.forms:
            if form in formset.deleted_forms or not form.instance.pk:
                continue
            if form.has_changed():
                what.append(form.instance.code)
                set_targets(form.instance, form.targets())
        contract._change_reason = _("indicators and targets edited: %(what)s") % {
            "what": ", ".join(sorted(set(what)))
        }
        contract.save()
    return what


ANNUAL_FIELDS = ("annual_target", "aggregation", "previous_code")


def revise_targets(
    contract: PerformanceContract,
    version: int,
    targets: dict[int, dict[int, Decimal | None]],
    reason: str,
    indicators: Sequence[Indicator],
    annual: dict[int, dict[str, object]] | None = None,
) -> list[str]:
    """Change an approved contract's targets (`targets`: {indicator id: {quarter: value}})
    and its indicators' annual target, aggregation and last year's code (`annual`:
    {indicator id: {field: value}}), recording `reason` on every target and indicator
    changed and on the contract. The old values stay in the history. Returns what changed;
    nothing changed is not a revision."""
    if contract.status != Status.APPROVED:
        raise WorkflowError(_("Only an approved contract is revised; edit this one instead."))
    annual = annual or {}
    planned = [
        (ind, targets.get(ind.pk), annual.get(ind.pk))
        for ind in indicators
        if (ind.pk in targets and targets[ind.pk] != target_values(ind))
        or (
            ind.pk in annual
            and any(getattr(ind, name) != value for name, value in annual[ind.pk].items())
        )
    ]
    if not planned:
        return []
    with transaction.atomic():
        bump_version(
            contract, version, reason=_("target revision: %(reason)s") % {"reason": reason}
        )
        what = []
        for indicator, values, fields in planned:
            if fields and any(getattr(indicator, n) != v for n, v in fields.items()):
                for name, value in fields.items():
                    setattr(indicator, name, value)
                indicator._change_reason = reason
                indicator.save()
                what.append(indicator.code)
            if values is not None:
                what += set_targets(indicator, values, reason=reason)
        contract._change_reason = _("target revision (%(what)s): %(reason)s") % {
            "what": ", ".join(what),
            "reason": reason,
        }
        contract.save()
    return what


def previous_year_codes(*, agency_id: int, employee_id: int | None, year: int) -> set[str] | None:
    """The codes of the indicators of the same holder's contract of the year before `year`
    (the agency's PK, or the civil servant's SKP), in any status; None when there is no such
    contract. What an indicator's `previous_code` may name. One query."""
    contract = PerformanceContract.objects.filter(year=year - 1)
    if employee_id is None:
        contract = contract.filter(agency_id=agency_id, employee__isnull=True)
    else:
        contract = contract.filter(employee_id=employee_id)
    rows = list(contract.values_list("pk", "indicators__code").order_by())
    if not rows:
        return None
    return {code for _pk, code in rows if code}


def indicator_problems(
    *,
    direction: str | None,
    annual_target: Decimal | None,
    aggregation: str,
    previous_code: str,
    previous_codes: set[str] | None,
    year: int | None,
) -> dict[str, str]:
    """What is wrong with an indicator's annual target, aggregation and last year's code, by
    field name: the rules of the import (DESIGN.md, performance.csv), and, typed by hand, a
    `previous_code` must name an indicator of the same holder's contract of the year before
    (`previous_codes`, see `previous_year_codes`; pass `year` None to skip that check)."""
    problems = {}
    if annual_target is not None and not aggregation:
        problems["aggregation"] = _(
            "Choose how the quarters make the year: required with an annual target."
        )
    elif aggregation and annual_target is None:
        problems["annual_target"] = _("Enter the annual target this aggregation is for.")
    if direction == Direction.HIGHER and annual_target is not None and annual_target == 0:
        problems["annual_target"] = _("Must be greater than 0 when higher is better.")
    if previous_code and year is not None:
        if previous_codes is None:
            problems["previous_code"] = _(
                "This holder has no contract for %(year)d: leave last year's code empty."
            ) % {"year": year - 1}
        elif previous_code not in previous_codes:
            problems["previous_code"] = _(
                "The %(year)d contract of this holder has no indicator %(code)s."
            ) % {"year": year - 1, "code": previous_code}
    return problems


# --- workflow ------------------------------------------------------------------------------


def submit(contract: PerformanceContract, version: int, user) -> None:
    if contract.status not in EDITABLE:
        raise WorkflowError(_("Only a draft or returned contract can be submitted."))
    indicators = list(contract.indicators.annotate(n=Count("targets")))
    if not indicators:
        raise WorkflowError(_("Add at least one indicator before submitting."))
    if without := [i.code for i in indicators if not i.n]:
        raise WorkflowError(
            _("These indicators have no target yet: %(codes)s.") % {"codes": ", ".join(without)}
        )
    with transaction.atomic():
        contract.status = Status.SUBMITTED
        contract.submitted_by = user
        contract.return_reason = ""
        bump_version(contract, version, reason=_("submitted for approval"))
        notifications.contract_submitted(contract, user)


def approve(contract: PerformanceContract, version: int, user) -> None:
    if problem := approval_problem(contract, user):
        raise WorkflowError(problem)
    with transaction.atomic():
        contract.status = Status.APPROVED
        bump_version(contract, version, reason=_("approved"))
        notifications.contract_decided(contract, approved=True)


def return_for_revision(contract: PerformanceContract, version: int, user, reason: str) -> None:
    if contract.status != Status.SUBMITTED:
        raise WorkflowError(_("Only a submitted contract can be returned."))
    with transaction.atomic():
        contract.status = Status.RETURNED
        contract.return_reason = reason
        bump_version(contract, version, reason=_("returned: %(reason)s") % {"reason": reason})
        notifications.contract_decided(contract, approved=False)


# --- realisations ----------------------------------------------------------------------


@dataclass
class RealisationInput:
    """What a form row says about one indicator's realisation in a quarter."""

    indicator: Indicator
    value: Decimal | None
    explanation: str = ""
    evidence_url: str = ""
    evidence_file: UploadedFile | None = None
    clear_evidence: bool = False
    existing: Realisation | None = field(default=None)

    def value_changes(self) -> bool:
        """Whether the value that counts would change (a new, changed or removed value)."""
        if self.existing is None:
            return self.value is not None
        return self.value is None or self.existing.value != self.value

    def differs(self) -> bool:
        old = self.existing
        if old is None:
            return self.value is not None
        if self.value is None:
            return True
        return (
            old.value != self.value
            or old.explanation != self.explanation
            or old.evidence_url != self.evidence_url
            or self.evidence_file is not None
            or (self.clear_evidence and bool(old.evidence_file))
        )


def _write_realisation(row: RealisationInput, quarter: int, user) -> None:
    if row.value is None:
        row.existing.delete()  # recorded; the evidence file is kept for the history
        return
    obj = row.existing or Realisation(indicator=row.indicator, quarter=quarter)
    obj.value = row.value
    obj.explanation = row.explanation
    obj.evidence_url = row.evidence_url
    obj.entered_by = user
    if row.clear_evidence:
        obj.evidence_file = ""
        obj.evidence_name = ""
    if row.evidence_file is not None:
        obj.evidence_name = row.evidence_file.name[:200]
        obj.evidence_file.save(row.evidence_file.name, row.evidence_file, save=False)
    obj.save()


class LateReasonRequired(WorkflowError):
    """Late rows (value changes of a closed quarter) were saved without a reason."""


@dataclass
class SavedRealisations:
    """What a save did: the indicator codes saved at once and those whose late change waits
    for an approver's confirmation."""

    changed: list[str] = field(default_factory=list)
    late: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.changed or self.late)


def save_realisations(
    contracts: dict[int, tuple[PerformanceContract, int]],
    quarter: int,
    rows: Iterable[RealisationInput],
    user,
    *,
    today: datetime.date | None = None,
    late_reason: str = "",
) -> SavedRealisations:
    """Save the rows that differ from what is stored, for one quarter, across one or more
    contracts ({contract id: (contract, version the form was read at)}), all or nothing:
    one stale contract refuses the whole save.

    Time (DESIGN.md, Integrity; `performance.late`), on `today` (WITA; default: now): a
    quarter that has not started takes nothing (WorkflowError). In a closed quarter a row
    that changes the value is a late change: it waits for an approver, with `late_reason`,
    required then (LateReasonRequired); the realisation keeps the value that counts."""
    today = today or timezone.localdate()
    years = {contract.year for contract, _version in contracts.values()}
    for year in sorted(years):
        if problem := late.not_started_problem(year, quarter, today):
            raise WorkflowError(problem)
    grace = late.grace_days(years)
    closed = {year: late.is_late(year, quarter, today, grace[year]) for year in years}
    todo = [row for row in rows if row.differs()]
    if not todo:
        return SavedRealisations()
    year_of = {pk: contract.year for pk, (contract, _version) in contracts.items()}
    late_rows = {
        id(row)
        for row in todo
        if row.value_changes() and closed[year_of[row.indicator.contract_id]]
    }
    if late_rows and not late_reason.strip():
        raise LateReasonRequired(
            _(
                "This quarter has closed: a changed realisation is a late change, which an "
                "approver must confirm. Give the reason for the change."
            )
        )
    saved = SavedRealisations()
    changed: dict[int, list[str]] = defaultdict(list)
    with transaction.atomic():
        for row in todo:
            changed[row.indicator.contract_id].append(row.indicator.code)
            (saved.late if id(row) in late_rows else saved.changed).append(row.indicator.code)
        stale = []
        for contract_id, codes in changed.items():
            contract, version = contracts[contract_id]
            reason = _("%(q)s realisations: %(codes)s") % {
                "q": quarter_name(quarter),
                "codes": ", ".join(codes),
            }
            try:
                bump_version(contract, version, reason=reason)
            except StaleContract as exc:
                stale += [f"{contract}: {line}" for line in exc.changes]
        if stale:
            raise StaleContract(stale)
        for row in todo:
            if id(row) in late_rows:
                late.request_change(
                    indicator=row.indicator,
                    quarter=quarter,
                    existing=row.existing,
                    value=row.value,
                    explanation=row.explanation,
                    evidence_url=row.evidence_url,
                    evidence_file=row.evidence_file,
                    clear_evidence=row.clear_evidence,
                    reason=late_reason.strip(),
                    user=user,
                )
            else:
                _write_realisation(row, quarter, user)
        if late_rows:
            waiting = [contracts[r.indicator.contract_id][0] for r in todo if id(r) in late_rows]
            notifications.late_changes_waiting(
                Counter((c.agency_id, c.agency.name, c.year, quarter) for c in waiting), user.pk
            )
    return saved


# --- dashboard -------------------------------------------------------------------------


def status_counts(agencies: QuerySet, year: int) -> dict[str, int]:
    """{status: number of contracts} of these agencies in `year` (one query)."""
    rows = (
        PerformanceContract.objects.filter(agency__in=agencies, year=year)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = dict.fromkeys(Status.values, 0)
    counts.update({r["status"]: r["n"] for r in rows})
    return counts


def waiting_for(user) -> dict[str, int]:
    """What needs `user` now, in every year (a contract of next year waits as much as one of
    this year), as counts (two queries):

    - `to_approve`: submitted contracts of the agencies they approve for, submitted by
      somebody else; `late_changes`: late changes there waiting, entered by somebody else;
    - `returned` and `drafts`: contracts of the agencies they are HR officer of, returned
      for revision or still in draft."""
    approves = agencies_for(user, Role.APPROVER)
    keeps = agencies_for(user, Role.HR_OFFICER)
    counts = PerformanceContract.objects.aggregate(
        to_approve=Count(
            "pk",
            filter=Q(status=Status.SUBMITTED, agency__in=approves) & ~Q(submitted_by_id=user.pk),
        ),
        returned=Count("pk", filter=Q(status=Status.RETURNED, agency__in=keeps)),
        drafts=Count("pk", filter=Q(status=Status.DRAFT, agency__in=keeps)),
    )
    counts["late_changes"] = late.queue_for(user).exclude(entered_by_id=user.pk).order_by().count()
    return counts


def scheme_of(year: int) -> scoring.Scheme:
    scheme = ScoringScheme.objects.filter(year=year).first()
    return scheme.as_scheme() if scheme else scoring.DEFAULT_SCHEME


@dataclass(frozen=True)
class QuarterGap:
    quarter: int
    closed: bool
    due: datetime.date  # the last day realisations are on time (quarter end + grace days)
    missing: int  # targets of approved contracts with no realisation
    targets: int


def missing_realisations(
    agencies: QuerySet, year: int, today: datetime.date, scheme: scoring.Scheme
) -> dict[int, list[QuarterGap]]:
    """{agency id: [QuarterGap per quarter with targets]} for approved contracts of these
    agencies in `year` (one query). In a closed quarter a missing realisation is overdue and
    scores 0; in an open one it is still due."""
    reported = Realisation.objects.filter(
        indicator=OuterRef("indicator"), quarter=OuterRef("quarter")
    )
    rows = (
        Target.objects.filter(
            indicator__contract__agency__in=agencies,
            indicator__contract__year=year,
            indicator__contract__status=Status.APPROVED,
        )
        .values("quarter", agency_id=F("indicator__contract__agency_id"))
        .annotate(targets=Count("id"), missing=Count("id", filter=~Exists(reported)))
        .order_by("agency_id", "quarter")
    )
    out: dict[int, list[QuarterGap]] = defaultdict(list)
    grace = datetime.timedelta(days=scheme.entry_grace_days)
    for r in rows:
        q = r["quarter"]
        out[r["agency_id"]].append(
            QuarterGap(
                quarter=q,
                closed=scoring.quarter_is_closed(year, q, today, scheme.entry_grace_days),
                due=scoring.quarter_last_day(year, q) + grace,
                missing=r["missing"],
                targets=r["targets"],
            )
        )
    return out


# Written by the half-hourly watchdog task (portal.tasks), which only a running Celery beat
# (and a worker) starts: while it is fresh, a scheduler is running.
SCHEDULER_SEEN_KEY = "nightly-scheduler-seen"
SCHEDULER_SEEN_SECONDS = 2 * 60 * 60


def scheduler_running() -> bool:
    """Whether beat and a worker ran the watchdog within the last two hours: only then do
    pages name the next scheduled recompute (under `make run` nothing is scheduled)."""
    return cache.get(SCHEDULER_SEEN_KEY) is not None


def next_scheduled_run(now: datetime.datetime | None = None) -> datetime.datetime:
    """When Celery beat next starts the nightly recompute (its crontab, in WITA)."""
    schedule = settings.CELERY_BEAT_SCHEDULE["nightly-recompute"]["schedule"]
    hour, minute = min(schedule.hour), min(schedule.minute)
    now = timezone.localtime(now or timezone.now())
    run = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return run if run > now else run + datetime.timedelta(days=1)


def current_year() -> int:
    return timezone.localdate().year


def contract_label(contract: PerformanceContract) -> str:
    if contract.employee_id:
        return _("SKP of %(name)s (%(nip)s), %(year)d") % {
            "name": contract.employee.name,
            "nip": contract.employee.nip,
            "year": contract.year,
        }
    return _("Perjanjian Kinerja of %(agency)s, %(year)d") % {
        "agency": contract.agency.name,
        "year": contract.year,
    }


def has_agency_role(user, agency: Agency, *roles: str) -> bool:
    return agencies_for(user, *roles).filter(pk=agency.pk).exists()


def contracts_with_counts(qs: QuerySet) -> QuerySet:
    """Contracts with `indicator_count` (a subquery: no GROUP BY over the page)."""
    counts = (
        Indicator.objects.filter(contract=OuterRef("pk"))
        .order_by()
        .values("contract")
        .annotate(n=Count("id"))
        .values("n")
    )
    return qs.annotate(indicator_count=Coalesce(Subquery(counts, output_field=IntegerField()), 0))


def search(qs: QuerySet, text: str) -> QuerySet:
    """Contracts whose holder's name or NIP, or whose agency's name, contains `text`."""
    return qs.filter(
        Q(employee__name__icontains=text)
        | Q(employee__nip__startswith=text)
        | Q(employee__isnull=True, agency__name__icontains=text)
    )
