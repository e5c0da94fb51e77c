"""Civil servants kept by their agency's HR officers: a new hire, a correction, a transfer to
another agency, the end of employment (issue 23). The views of the workspace call these; each
is one transaction and leaves an audit event (`agencies.audit`) besides the row histories.

Where a civil servant worked is kept as postings (`EmployeePosting`: agency, first day, last
day); `Employee.agency` is the agency of the open posting (the last one, once employment
ended). Nothing is deleted.

A transfer or an end of employment within a year divides that year by whole quarters (the
unit every target, realisation and score is counted in): **a quarter belongs to the agency
the civil servant works at on its first day.** So a transfer on `on` (the first day at the
new agency) leaves with the old agency every quarter that started before `on` (the quarter
of the transfer too, unless `on` is its first day) and moves the later quarters to the new
agency:

- the SKP at the old agency keeps its indicators, and its targets and realisations of the
  quarters it keeps; the targets, realisations and pending late changes of the moved
  quarters go to a new *draft* SKP at the new agency, with the same indicators (code, text,
  unit, direction, weight), for that agency's officer to complete and its approver to
  approve. Annual targets are not carried over: the new agency sets its own;
- when every quarter moves (a transfer on or before 1 January), the SKP itself moves and
  becomes a draft of the new agency; SKPs of later years move the same way;
- a realisation of a quarter that is already closed never moves (it is published, and a
  closed quarter changes only through an approver's late change): such a transfer is refused
  and the officer chooses a first day in a quarter that is still open.

The nightly recompute counts a contract's quarter scores in the contract's agency, so each
quarter's score counts in the agency of that quarter: the staff mean E of the old agency
holds the quarters before the transfer, the new agency's those after it. For the year each
agency counts the annual score of its own part of the year.

An end of employment on `on` (the last day) removes the targets of the quarters that start
after it from the civil servant's SKPs (a missing realisation of a closed quarter would
count as 0 against the agency); it is refused while a realisation exists in such a quarter.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from agencies import audit
from agencies.models import Agency, AuditEvent, quarter_name

from . import late, scoring
from .models import (
    Employee,
    EmployeePosting,
    Indicator,
    LateChange,
    PerformanceContract,
    Realisation,
    Target,
)

Status = PerformanceContract.Status
QUARTERS = (1, 2, 3, 4)
EDITABLE_FIELDS = ("nip", "name", "position", "leads_unit")
_DAY = datetime.timedelta(days=1)


class EmployeeError(Exception):
    """A change the civil servant's records do not allow (the message says why, and which
    field, in `field`)."""

    def __init__(self, message: str, *, field: str | None = None):
        self.field = field
        super().__init__(message)


def quarters_from(on: datetime.date) -> list[int]:
    """The quarters of `on`'s year that start on or after `on` (those a transfer on `on`
    moves to the new agency)."""
    return [q for q in QUARTERS if scoring.quarter_first_day(on.year, q) >= on]


def open_posting(employee: Employee) -> EmployeePosting | None:
    return employee.postings.filter(end__isnull=True).first()


def postings(employee: Employee) -> list[EmployeePosting]:
    """The civil servant's postings, oldest first (a posting of unknown start first)."""
    return list(
        employee.postings.select_related("agency", "recorded_by").order_by(
            F("start").asc(nulls_first=True), "pk"
        )
    )


def events(employee: Employee, agencies) -> list:
    """The audit events about the civil servant recorded in `agencies`' trails, newest
    first; a transfer (one event in each agency's trail) once."""
    rows = (
        AuditEvent.objects.filter(
            action__startswith="employee.", details__employee=employee.pk, agency__in=agencies
        )
        .select_related("actor")
        .order_by("-at", "-pk")
    )
    seen, out = set(), []
    for event in rows:
        key = (event.action, event.at, repr(sorted(event.details.items())))
        if key not in seen:
            seen.add(key)
            out.append(event)
    return out


# --- add and edit ---------------------------------------------------------------------


def add_employee(
    *,
    actor,
    agency: Agency,
    nip: str,
    name: str,
    position: str = "",
    leads_unit: bool = False,
    start: datetime.date | None = None,
) -> Employee:
    """A new civil servant of `agency` from `start` (their first day there; empty when not
    known), with their first posting. The NIP is validated by the model (`validate_nip`)."""
    employee = Employee(nip=nip, name=name, position=position, leads_unit=leads_unit, agency=agency)
    employee.full_clean()
    with transaction.atomic():
        employee.save()
        EmployeePosting.objects.create(
            employee=employee, agency=agency, start=start, recorded_by=actor
        )
        audit.record(
            actor,
            "employee.add",
            _("civil servant %(nip)s added") % {"nip": nip},
            agency_id=agency.pk,
            employee=employee.pk,
            start=start.isoformat() if start else None,
        )
    return employee


def edit_employee(*, actor, employee: Employee, **changes) -> list[str]:
    """Change the civil servant's NIP, name, position or whether they lead their unit.
    Returns the names of the fields that changed (none: nothing is written)."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    before = {f: getattr(employee, f) for f in changes}
    changed = [f for f, v in changes.items() if before[f] != v]
    if not changed:
        return []
    for f in changed:
        setattr(employee, f, changes[f])
    employee.full_clean()
    with transaction.atomic():
        employee.save(update_fields=changed)
        audit.record(
            actor,
            "employee.edit",
            _("civil servant %(nip)s changed") % {"nip": employee.nip},
            agency_id=employee.agency_id,
            employee=employee.pk,
            before={f: before[f] for f in changed},
            after={f: changes[f] for f in changed},
        )
    return changed


# --- transfer -------------------------------------------------------------------------


def _check_date(employee: Employee, on: datetime.date, *, field: str = "on") -> EmployeePosting:
    """The open posting, when `on` may start the next step of the employee's record."""
    if employee.ended_on is not None:
        raise EmployeeError(
            _("This civil servant's employment ended on %(d)s.")
            % {"d": date_format(employee.ended_on, "DATE_FORMAT")},
            field=None,
        )
    posting = open_posting(employee)
    if posting is not None and posting.start is not None and on <= posting.start:
        raise EmployeeError(
            _("The date must be after %(d)s, when the current posting began.")
            % {"d": date_format(posting.start, "DATE_FORMAT")},
            field=field,
        )
    return posting


def transfer_employee(
    *,
    actor,
    employee: Employee,
    to: Agency,
    on: datetime.date,
    today: datetime.date | None = None,
) -> PerformanceContract | None:
    """Transfer the civil servant to agency `to` from `on` (their first day there): close
    the posting at their agency the day before, open one at `to`, and divide `on`'s year's
    SKP by quarter as the module says. Returns the new agency's SKP of `on`'s year when
    quarters moved, else None. Raises EmployeeError (nothing written), also when a realisation
    of a quarter closed on `today` (WITA; default: now) would move: it is published, and a
    closed quarter changes only through an approver's late change (DESIGN.md, Integrity)."""
    with transaction.atomic():
        employee = Employee.objects.select_for_update().select_related("agency").get(pk=employee.pk)
        source = employee.agency
        if to.pk == source.pk:
            raise EmployeeError(
                _("The civil servant already works at this agency."), field="agency"
            )
        posting = _check_date(employee, on)
        ours = PerformanceContract.objects.filter(employee=employee, agency=source)
        this_year = ours.filter(year=on.year).first()
        later = list(ours.filter(year__gt=on.year))
        moved = quarters_from(on)
        moving_whole = later + ([this_year] if this_year and moved == list(QUARTERS) else [])
        splitting = this_year if this_year and moved and moved != list(QUARTERS) else None
        if splitting or this_year in moving_whole:
            _refuse_closed_realisations(this_year, moved, today or timezone.localdate())
        clash = PerformanceContract.objects.filter(
            employee=employee,
            agency=to,
            year__in=[c.year for c in moving_whole] + ([on.year] if splitting else []),
        ).values_list("year", flat=True)
        if clash:
            raise EmployeeError(
                _(
                    "The civil servant already has an SKP at %(agency)s for %(years)s: "
                    "a second one cannot be made there."
                )
                % {"agency": to, "years": ", ".join(str(y) for y in sorted(clash))},
                field="agency",
            )
        reason = _("transfer from %(a)s to %(b)s on %(d)s") % {
            "a": source.code,
            "b": to.code,
            "d": on.isoformat(),
        }
        if posting is None:  # an employee from CSV or the admin: no posting recorded yet
            posting = EmployeePosting(employee=employee, agency=source, recorded_by=actor)
        posting.end = on - _DAY
        posting.save()
        EmployeePosting.objects.create(employee=employee, agency=to, start=on, recorded_by=actor)
        employee.agency = to
        employee.save(update_fields=["agency"])
        for contract in moving_whole:
            _move_contract(contract, to, reason)
        new_contract = _split(splitting, to, moved, reason) if splitting else None
        if this_year is not None and this_year in moving_whole:
            new_contract = this_year
        details = {
            "employee": employee.pk,
            "from": source.code,
            "to": to.code,
            "on": on.isoformat(),
            "quarters_moved": moved if this_year else [],
            "new_contract": new_contract.pk if new_contract else None,
        }
        subject = _("civil servant %(nip)s transferred from %(a)s to %(b)s") % {
            "nip": employee.nip,
            "a": source.code,
            "b": to.code,
        }
        # In both agencies' audit trails.
        audit.record(actor, "employee.transfer", subject, agency_id=source.pk, **details)
        audit.record(actor, "employee.transfer", subject, agency_id=to.pk, **details)
    return new_contract


def _refuse_closed_realisations(
    contract: PerformanceContract, moved: list[int], today: datetime.date
) -> None:
    grace = late.grace_days([contract.year])[contract.year]
    closed = set(scoring.closed_quarters(contract.year, today, grace)) & set(moved)
    reported = sorted(
        set(
            Realisation.objects.filter(
                indicator__contract=contract, quarter__in=closed
            ).values_list("quarter", flat=True)
        )
    )
    if reported:
        raise EmployeeError(
            _(
                "The realisations of %(quarters)s are reported at this agency and the quarter "
                "is closed: a transfer cannot move published figures. Choose a first day in a "
                "quarter that is still open."
            )
            % {"quarters": ", ".join(_quarter_names((contract.year, q) for q in reported))},
            field="on",
        )


def _move_contract(contract: PerformanceContract, to: Agency, reason: str) -> None:
    """The whole SKP goes to agency `to`, as its draft."""
    contract.agency = to
    contract.status = Status.DRAFT
    contract.submitted_by = None
    contract.return_reason = ""
    contract.version += 1
    contract._change_reason = reason
    contract.save()


def _split(
    contract: PerformanceContract, to: Agency, moved: list[int], reason: str
) -> PerformanceContract:
    """A new draft SKP at `to` holding the quarters `moved` of `contract`'s indicators (their
    targets, realisations and pending late changes); `contract` keeps the others."""
    new = PerformanceContract(
        agency=to, employee=contract.employee, year=contract.year, status=Status.DRAFT
    )
    new._change_reason = reason
    new.save()
    indicators = list(
        contract.indicators.filter(
            Q(targets__quarter__in=moved) | Q(realisations__quarter__in=moved)
        ).distinct()
    )
    copies: dict[int, Indicator] = {}
    for ind in indicators:
        copy = Indicator(
            contract=new,
            code=ind.code,
            text=ind.text,
            unit=ind.unit,
            direction=ind.direction,
            weight=ind.weight,
            previous_code=ind.previous_code,
        )
        copy._change_reason = reason
        copy.save()
        copies[ind.pk] = copy
    for model in (Target, Realisation):
        rows = list(model.objects.filter(indicator_id__in=list(copies), quarter__in=moved))
        for row in rows:
            row.indicator = copies[row.indicator_id]
        # bulk: an update of the indicator only, recorded in the rows' histories; a
        # realisation keeps when it was entered (no auto_now on a bulk update).
        bulk_update_with_history(rows, model, ["indicator"], default_change_reason=reason)
    for old_id, copy in copies.items():
        LateChange.objects.filter(
            indicator_id=old_id, quarter__in=moved, status=LateChange.Status.PENDING
        ).update(indicator=copy)
    # Forms opened on the old SKP before the split are stale now.
    PerformanceContract.objects.filter(pk=contract.pk).update(version=F("version") + 1)
    contract.refresh_from_db(fields=["version"])
    contract._change_reason = reason
    contract.save()
    return new


# --- end of employment ------------------------------------------------------------------


def end_employment(*, actor, employee: Employee, on: datetime.date, reason: str) -> list[str]:
    """Record that the civil servant's employment ended on `on` (their last day), for
    `reason`: the employee and every record are kept; the open posting ends on `on`; the
    targets of the quarters that start after `on` are removed from their SKPs. Returns the
    removed quarters, named in the active language ("2025 TW III"). Raises EmployeeError
    (nothing written) when a realisation exists in such a quarter."""
    with transaction.atomic():
        employee = Employee.objects.select_for_update().get(pk=employee.pk)
        posting = _check_date(employee, on + _DAY)
        later = [q for q in QUARTERS if scoring.quarter_first_day(on.year, q) > on]
        after = Q(indicator__contract__year__gt=on.year) | Q(
            indicator__contract__year=on.year, quarter__in=later
        )
        mine = Q(indicator__contract__employee=employee)
        realised = (
            Realisation.objects.filter(mine & after)
            .values_list("indicator__contract__year", "quarter")
            .distinct()
        )
        if realised:
            raise EmployeeError(
                _(
                    "Realisations are entered for %(quarters)s, after this date: correct "
                    "them (or the date) first."
                )
                % {"quarters": ", ".join(_quarter_names(realised))},
                field="on",
            )
        targets = list(Target.objects.filter(mine & after).select_related("indicator__contract"))
        removed = sorted({(t.indicator.contract.year, t.quarter) for t in targets})
        why = _("employment ended on %(d)s: %(r)s") % {"d": on.isoformat(), "r": reason}
        for target in targets:
            target._change_reason = why
            target.delete()
        for contract in {t.indicator.contract for t in targets}:
            PerformanceContract.objects.filter(pk=contract.pk).update(version=F("version") + 1)
            contract.refresh_from_db(fields=["version"])
            contract._change_reason = why
            contract.save()
        if posting is None:
            posting = EmployeePosting(employee=employee, agency=employee.agency, recorded_by=actor)
        posting.end = on
        posting.save()
        employee.ended_on = on
        employee.end_reason = reason
        employee.save(update_fields=["ended_on", "end_reason"])
        audit.record(
            actor,
            "employee.end",
            _("employment of civil servant %(nip)s ended") % {"nip": employee.nip},
            agency_id=employee.agency_id,
            employee=employee.pk,
            on=on.isoformat(),
            reason=reason,
            targets_removed=removed,
        )
    return _quarter_names(removed)


def _quarter_names(pairs: Iterable[tuple[int, int]]) -> list[str]:
    """ "2025 TW III" in Indonesian, "2025 Q3" in English."""
    return [f"{year} {quarter_name(quarter)}" for year, quarter in sorted(set(pairs))]
