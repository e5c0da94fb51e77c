"""Import of `performance.csv` (DESIGN.md): contracts, indicators, quarterly targets and
realisations, one row per indicator per quarter, and the optional columns `annual_target`,
`aggregation` (required with an annual target) and `previous_code`, the same on every row
of an indicator. A file without an optional column leaves that field of its indicators as
it is; with the column, an empty cell clears it.

All-or-nothing: the whole file is checked first and every bad row is reported; only a clean
file is written, in one transaction, with bulk operations (on PostgreSQL a handful of
statements per 5,000 rows, never a query per row; on SQLite, in-process, prepared statements
run per row), audit-trail records included. Upsert on natural keys, so re-importing a file
changes nothing.
The same function serves the management command and the officer's upload (with `scope`,
rows for other agencies are errors; with `dry_run`, nothing is written and the result says
what would change, for the preview).

Who approves (DESIGN.md, Integrity). The command-line import, without `scope`, is the
administrator's act: its contracts are approved, recorded under the command's system user.
An officer's upload, with `scope`, never approves: it submits. Its new contracts, and the
draft or returned contracts it names, become submitted by the uploader, for an approver who
is not the uploader; a submitted or approved contract keeps its status, and its indicators
and targets are locked: a row that would add or change one is refused, naming the contract
(an approved contract's targets change through a revision with a reason, in the workspace).
Realisations are entered in any status, by upload as on the workspace's pages.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.csvio import (
    ImportFailed,
    ImportResult,
    RowChecker,
    RowError,
    read_rows,
    width_error,
)
from agencies.models import Agency, quarter_name

from . import cascade, late, notifications, scoring
from .models import (
    Aggregation,
    Direction,
    Employee,
    EmployeePosting,
    GoalIndicator,
    Indicator,
    LateChange,
    PerformanceContract,
    Realisation,
    Target,
)
from .validators import nip_problem

COLUMNS = [
    "agency_code",
    "holder",
    "employee_name",
    "position",
    "year",
    "quarter",
    "indicator_code",
    "indicator",
    "unit",
    "direction",
    "weight",
    "target",
    "realisation",
]
OPTIONAL = ["annual_target", "aggregation", "previous_code", "parent_code"]
# Example rows for the downloadable template: an agency indicator judged on its quarters, a
# level indicator judged on its latest value against an annual target, and a civil servant's
# SKP indicator not reported yet (DESIGN.md, performance.csv).
EXAMPLE = [
    ["DIKES", "agency", "", "", "2026", "1", "IKU1",
     "Persentase persalinan di fasilitas kesehatan", "%", "higher", "40", "85", "88,2", "", "",
     "", ""],
    ["DIKES", "agency", "", "", "2026", "1", "IKU2", "Prevalensi stunting pada balita", "%",
     "lower", "60", "18", "17,5", "18", "last", "IKU2", ""],
    ["DIKES", "198507122010012003", "Baiq Nurul Aini", "Analis Kebijakan", "2026", "1", "RHK1",
     "Dokumen kajian yang diselesaikan", "dokumen", "higher", "100", "3", "", "", "", "",
     "IKU1"],
]  # fmt: skip
CHUNK = 5000
AGENCY_HOLDER = "agency"
DIRECTIONS = tuple(Direction.values)  # Direction.values builds a new list on every call
AGGREGATIONS = tuple(Aggregation.values)


def _chunks(items: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class _Row:
    line: int
    agency_code: str
    nip: str | None  # None for the agency's own PK
    employee_name: str
    position: str
    year: int
    quarter: int
    indicator_code: str
    indicator: str
    unit: str
    direction: str
    weight: Decimal
    target: Decimal
    realisation: Decimal | None
    annual_target: Decimal | None = None
    aggregation: str = ""
    previous_code: str = ""
    parent_code: str = ""


def _fits(check: RowChecker, column: str, value: Decimal | None, digits: int, places: int) -> None:
    """Refuse a number the database column would have to round or could not hold."""
    if value is None:
        return
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        check.fail(column, _("at most %(p)d decimals") % {"p": places})
    elif abs(value) >= Decimal(10) ** (digits - places):
        check.fail(column, _("too large"))
    elif value < 0:
        check.fail(column, _("must not be negative"))


def _text(check: RowChecker, column: str, max_length: int, *, required: bool) -> str:
    value = check.row.get(column)
    if required and not value:
        check.fail(column, _("this field is required"))
    elif len(value) > max_length:
        check.fail(column, _("at most %(n)d characters") % {"n": max_length})
    return value


def _annual(check: RowChecker, direction: str | None) -> tuple[Decimal | None, str]:
    """The row's annual target and its aggregation (both or neither)."""
    annual_target = (
        check.decimal("annual_target", required=False) if check.row.get("annual_target") else None
    )
    _fits(check, "annual_target", annual_target, 16, 4)
    if direction == Direction.HIGHER and annual_target is not None and annual_target == 0:
        check.fail("annual_target", _("must be greater than 0 when direction is higher"))
    aggregation = check.row.get("aggregation").lower()
    if aggregation and aggregation not in AGGREGATIONS:
        check.fail(
            "aggregation",
            _("must be one of %(c)s, got %(v)s")
            % {"c": ", ".join(AGGREGATIONS), "v": repr(check.row.get("aggregation"))},
        )
    elif annual_target is not None and not aggregation:
        check.fail("aggregation", _("required with an annual_target (sum, last or average)"))
    elif aggregation and not check.row.get("annual_target"):
        check.fail("annual_target", _("required with an aggregation"))
    return annual_target, aggregation


def _parse(
    data: bytes | str,
    errors: list[RowError],
    agencies: dict[str, Agency],
    scope: set[int] | None,
    optional: set[str],
    today: datetime.date,
) -> list[_Row]:
    """The file's valid rows; `optional` gets the optional columns the file has. A
    realisation of a quarter that has not started on `today` is refused (a target is not:
    next year's contract is prepared before it starts)."""
    rows = []
    raw_rows = list(read_rows(data, COLUMNS, OPTIONAL))
    codes = {r.cells.get("agency_code") for r in raw_rows}
    agencies.update((a.code, a) for a in Agency.objects.filter(code__in=codes))
    nip_problems: dict[str, str | None] = {}
    for raw in raw_rows:
        if err := width_error(raw, len(COLUMNS)):
            errors.append(err)
            continue
        optional.update(c for c in OPTIONAL if c in raw.cells)
        check = RowChecker(raw, errors)
        agency_code = check.required("agency_code")
        if agency_code is not None:
            agency = agencies.get(agency_code)
            if agency is None:
                check.fail("agency_code", _("unknown agency %(c)s") % {"c": repr(agency_code)})
            elif scope is not None and agency.pk not in scope:
                check.fail(
                    "agency_code", _("agency %(c)s is not one of yours") % {"c": repr(agency_code)}
                )
        holder = check.required("holder")
        nip = None
        if holder is not None and holder.lower() != AGENCY_HOLDER:
            if holder not in nip_problems:  # an employee has a row per indicator and quarter
                nip_problems[holder] = nip_problem(holder)
            if problem := nip_problems[holder]:
                check.fail("holder", _("not 'agency' and not a valid NIP: %(p)s") % {"p": problem})
            nip = holder
        employee_name = _text(check, "employee_name", 150, required=nip is not None)
        position = _text(check, "position", 200, required=False)
        year = check.integer("year", 2000, 2100)
        quarter = check.integer("quarter", 1, 4)
        indicator_code = _text(check, "indicator_code", 30, required=True)
        indicator = _text(check, "indicator", 500, required=True)
        unit = _text(check, "unit", 50, required=False)
        direction = check.choice("direction", DIRECTIONS)
        weight = check.decimal("weight")
        if weight is not None and weight <= 0:
            check.fail("weight", _("must be greater than 0"))
        else:
            _fits(check, "weight", weight, 8, 2)
        target = check.decimal("target")
        _fits(check, "target", target, 16, 4)
        if direction == Direction.HIGHER and target is not None and target == 0:
            check.fail("target", _("must be greater than 0 when direction is higher"))
        realisation = check.decimal("realisation", required=False)
        _fits(check, "realisation", realisation, 16, 4)
        if (
            realisation is not None
            and year is not None
            and quarter is not None
            and not late.has_started(year, quarter, today)
        ):
            check.fail(
                "quarter",
                _(
                    "%(q)s %(year)d has not started yet (it starts on %(day)s): "
                    "no realisation can be entered for it"
                )
                % {
                    "q": quarter_name(quarter),
                    "year": year,
                    "day": scoring.quarter_first_day(year, quarter).isoformat(),
                },
            )
        annual_target, aggregation = _annual(check, direction)
        previous_code = _text(check, "previous_code", 30, required=False)
        parent_code = _text(check, "parent_code", 30, required=False)
        if check.ok:
            rows.append(
                _Row(
                    raw.line,
                    agency_code,
                    nip,
                    employee_name,
                    position,
                    year,
                    quarter,
                    indicator_code,
                    indicator,
                    unit,
                    direction,
                    weight,
                    target,
                    realisation,
                    annual_target,
                    aggregation,
                    previous_code,
                    parent_code,
                )
            )
    return rows


def _check_parents(rows: list[_Row], agencies: dict[str, Agency], errors: list[RowError]) -> None:
    """Each `parent_code` names something in its agency and year (`performance.cascade`): an
    agency PK indicator's, a province goal indicator with a target that year; an SKP
    indicator's, an indicator of its agency's PK of that year, stored or in this file."""
    named = [r for r in rows if r.parent_code]
    if not named:
        return
    years = {r.year for r in named}
    goals = cascade.goal_codes((r.parent_code for r in named if not r.nip), years)
    stored = cascade.agency_codes((agencies[r.agency_code].pk for r in named if r.nip), years)
    in_file = {(r.agency_code, r.year, r.indicator_code) for r in rows if not r.nip}
    for row in named:
        if row.nip is None:
            found = (row.parent_code, row.year) in goals
        else:
            found = (row.agency_code, row.year, row.parent_code) in in_file or (
                row.parent_code in stored.get((agencies[row.agency_code].pk, row.year), {})
            )
        if not found:
            errors.append(
                RowError(
                    row.line,
                    "parent_code",
                    cascade.parent_problem(
                        agency_held=row.nip is None,
                        code=row.parent_code,
                        agency_name=row.agency_code,
                        year=row.year,
                    ),
                )
            )


def _check_consistency(rows: list[_Row], errors: list[RowError]) -> list[_Row]:
    """Cross-row rules: one row per indicator and quarter, the same indicator (annual target
    and its aggregation, previous code included) and employee details on every row that
    names them."""
    seen_keys: dict[tuple, int] = {}
    indicator_attrs: dict[tuple, tuple[int, tuple]] = {}
    employee_attrs: dict[str, tuple[int, tuple]] = {}
    good = []
    for row in rows:
        holder = row.nip or (AGENCY_HOLDER, row.agency_code)
        key = (holder, row.year, row.quarter, row.indicator_code)
        if key in seen_keys:
            errors.append(
                RowError(
                    row.line,
                    "indicator_code",
                    _("indicator %(i)s of this holder, year and quarter is already on line %(l)d")
                    % {"i": row.indicator_code, "l": seen_keys[key]},
                )
            )
            continue
        seen_keys[key] = row.line
        ind_key = (holder, row.year, row.indicator_code)
        attrs = (
            row.indicator,
            row.unit,
            row.direction,
            row.weight,
            row.annual_target,
            row.aggregation,
            row.previous_code,
            row.parent_code,
        )
        first = indicator_attrs.setdefault(ind_key, (row.line, attrs))
        if first[1] != attrs:
            column = ["indicator", "unit", "direction", "weight", *OPTIONAL][
                next(i for i, (a, b) in enumerate(zip(first[1], attrs, strict=True)) if a != b)
            ]
            errors.append(
                RowError(
                    row.line,
                    column,
                    _("differs from line %(l)d for the same indicator %(i)s")
                    % {"l": first[0], "i": row.indicator_code},
                )
            )
            continue
        if row.nip:
            emp = (row.agency_code, row.employee_name, row.position)
            first_emp = employee_attrs.setdefault(row.nip, (row.line, emp))
            if first_emp[1] != emp:
                column = ["agency_code", "employee_name", "position"][
                    next(
                        i for i, (a, b) in enumerate(zip(first_emp[1], emp, strict=True)) if a != b
                    )
                ]
                errors.append(
                    RowError(
                        row.line,
                        column,
                        _("differs from line %(l)d for the same NIP") % {"l": first_emp[0]},
                    )
                )
                continue
        good.append(row)
    return good


@dataclass(frozen=True)
class _History:
    """Who, when and why, for the audit-trail records of one import."""

    user_id: int | None
    reason: str
    when: datetime.datetime

    def record(self, model: type[Model], ids: Sequence[int], history_type: str) -> None:
        """Write the django-simple-history record of the stored rows `ids` of `model` as they
        are now ("+" created, "~" changed): the record a save() would have written, which the
        bulk writes here bypass. Set-based: INSERT INTO the history table ... SELECT FROM the
        table, a statement per CHUNK ids (ADR 0005)."""
        manager = getattr(model._meta, "simple_history_manager_attribute", None)
        if manager is None or not ids:
            return
        connection = connections[DEFAULT_DB_ALIAS]
        qn = connection.ops.quote_name
        historical = getattr(model, manager).model
        given = {
            "history_date": self.when,
            "history_type": history_type,
            "history_user_id": self.user_id,
            "history_change_reason": self.reason,
        }
        columns, sources, params = [], [], []
        for f in historical._meta.concrete_fields:
            if f.primary_key:
                continue
            columns.append(qn(f.column))
            if f.attname in given:
                sources.append("%s")
                params.append(f.get_db_prep_save(given[f.attname], connection))
            else:
                sources.append(qn(model._meta.get_field(f.name).column))
        pk = qn(model._meta.pk.column)
        # Table and column names come from the models; values go as parameters.
        sql = (
            f"INSERT INTO {qn(historical._meta.db_table)} ({', '.join(columns)})"  # noqa: S608
            f" SELECT {', '.join(sources)} FROM {qn(model._meta.db_table)} WHERE "
        )
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                for chunk in _chunks(ids):
                    cursor.execute(sql + f"{pk} = ANY(%s)", [*params, list(chunk)])
            else:
                size = connection.features.max_query_params - len(params)
                for chunk in _chunks(ids, size):
                    cursor.execute(
                        sql + f"{pk} IN ({', '.join(['%s'] * len(chunk))})", [*params, *chunk]
                    )


def import_performance(
    data: bytes | str,
    *,
    scope: Iterable[int] | None = None,
    user=None,
    dry_run: bool = False,
    reason: str | None = None,
    today: datetime.date | None = None,
    late_reason: str = "",
    mark_late: bool = True,
) -> ImportResult:
    """Import a performance.csv. Raises ImportFailed (nothing saved) listing every bad row.

    Time (DESIGN.md, Integrity; `performance.late`), on `today` (WITA; default: now): a
    realisation of a quarter that has not started is refused. A realisation of a closed
    quarter that is new or changed is late: an upload (with `scope`) turns it into a late
    change waiting for an approver, with `late_reason` (the upload's one reason for the
    file's late rows), and refuses it without one; the command (without `scope`, the
    administrator's act) writes it at once, marked late and recorded with the reason
    "import by administrator" (`mark_late=False`: not marked, for sample data drawn up as
    if entered in time).

    `scope`: agency ids the importing user may change; rows of other agencies, and NIPs of
    employees of other agencies, are errors; an import with a scope is an officer's upload,
    which submits and never approves (see the module's docstring). `dry_run`: check and
    count, write nothing.
    Every contract, indicator, target and realisation created or changed gets its audit-trail
    record (ADR 0005), by `user`, with `reason` (default "CSV import") as the change reason.
    """
    errors: list[RowError] = []
    agencies: dict[str, Agency] = {}
    scope_ids = set(scope) if scope is not None else None
    optional: set[str] = set()
    today = today or timezone.localdate()
    rows = _parse(data, errors, agencies, scope_ids, optional, today)
    rows = _check_consistency(rows, errors)
    if "parent_code" in optional:
        _check_parents(rows, agencies, errors)

    nips = sorted({r.nip for r in rows if r.nip})
    employees: dict[str, Employee] = {}
    for chunk in _chunks(nips):
        employees.update((e.nip, e) for e in Employee.objects.filter(nip__in=chunk))
    if scope_ids is not None:
        for row in rows:
            emp = employees.get(row.nip) if row.nip else None
            if emp is not None and emp.agency_id not in scope_ids:
                errors.append(
                    RowError(row.line, "holder", _("this NIP belongs to another agency's employee"))
                )
    if errors:
        raise ImportFailed(
            sorted(
                errors,
                key=lambda e: (
                    e.line,
                    (COLUMNS + OPTIONAL).index(e.column) if e.column in COLUMNS + OPTIONAL else -1,
                ),
            )
        )

    result = ImportResult(rows=len(rows))
    with transaction.atomic():
        history = _History(
            user_id=user.pk if user is not None else None,
            reason=_("CSV import") if reason is None else reason,
            when=timezone.now(),
        )
        # An error found while writing (a locked contract's indicator or target) rolls the
        # whole import back: ImportFailed leaves this block.
        _write(
            rows,
            agencies,
            employees,
            result,
            user=user,
            history=history,
            upload=scope_ids,
            optional=optional,
            late_rule=_LateRule(
                today=today,
                grace=late.grace_days({row.year for row in rows}),
                reason=late_reason.strip(),
                mark=mark_late,
            ),
        )
        if dry_run:
            transaction.set_rollback(True)
    return result


@dataclass(frozen=True)
class _LateRule:
    """When a realisation is late and what is done with it (see `import_performance`)."""

    today: datetime.date
    grace: dict[int, int]  # {year: its scheme's entry grace days}
    reason: str  # an upload's reason for its late rows ("" : none given)
    mark: bool  # the command marks its late values late

    def closes_on(self, year: int, quarter: int) -> datetime.date:
        return late.closes_on(year, quarter, self.grace[year])

    def is_late(self, year: int, quarter: int) -> bool:
        return late.is_late(year, quarter, self.today, self.grace[year])


def _request_late_changes(
    late_rows: list[tuple[_Row, int, tuple | None]],
    rule: _LateRule,
    user_id: int | None,
    result: ImportResult,
    agencies: dict[str, Agency],
) -> list[RowError]:
    """An upload's late realisations (row, indicator id, the stored (pk, value, ...) or
    None): late changes waiting for an approver, with the upload's reason, keeping the
    stored explanation and evidence; without a reason each row is refused. A pending change
    of the same value is left as it is (a file imported twice changes nothing); one of
    another value is superseded."""
    if not rule.reason:
        return [
            RowError(
                row.line,
                "realisation",
                _(
                    "%(q)s %(year)d closed on %(day)s: a new or changed realisation "
                    "is a late change, which waits for an approver's confirmation and needs a "
                    "reason (give one in the upload form)"
                )
                % {
                    "q": quarter_name(row.quarter),
                    "year": row.year,
                    "day": rule.closes_on(row.year, row.quarter).isoformat(),
                },
            )
            for row, _indicator_id, _old in late_rows
        ]
    pending: dict[tuple[int, int], tuple[int, Decimal | None]] = {}
    stored: dict[int, tuple] = {}
    for chunk in _chunks(sorted({indicator_id for _row, indicator_id, _old in late_rows})):
        for pk, indicator_id, quarter, value in (
            LateChange.objects.pending()
            .filter(indicator_id__in=chunk)
            .values_list("pk", "indicator_id", "quarter", "new_value")
        ):
            pending[(indicator_id, quarter)] = (pk, value)
    for chunk in _chunks(sorted(old[0] for _row, _i, old in late_rows if old is not None)):
        for pk, *kept in Realisation.objects.filter(pk__in=chunk).values_list(
            "pk", "explanation", "evidence_url", "evidence_file", "evidence_name"
        ):
            stored[pk] = tuple(kept)
    requests, superseded, same = [], [], 0
    waiting: Counter = Counter()  # what the agencies' approvers are told
    for row, indicator_id, old in late_rows:
        found = pending.get((indicator_id, row.quarter))
        if found is not None and found[1] == row.realisation:
            same += 1
            continue
        if found is not None:
            superseded.append(found[0])
        explanation, evidence_url, evidence_file, evidence_name = (
            stored[old[0]] if old is not None else ("", "", "", "")
        )
        requests.append(
            LateChange(
                indicator_id=indicator_id,
                quarter=row.quarter,
                old_value=old[1] if old is not None else None,
                new_value=row.realisation,
                explanation=explanation,
                evidence_url=evidence_url,
                evidence_file=evidence_file,
                evidence_name=evidence_name,
                reason=rule.reason,
                entered_by_id=user_id,
            )
        )
        agency = agencies[row.agency_code]
        waiting[(agency.pk, agency.name, row.year, row.quarter)] += 1
    for chunk in _chunks(superseded):
        LateChange.objects.filter(pk__in=chunk).update(
            status=LateChange.Status.SUPERSEDED, decided_at=timezone.now()
        )
    LateChange.objects.bulk_create(requests, batch_size=CHUNK)
    notifications.late_changes_waiting(waiting, user_id)
    result.add("created", "late changes", len(requests))
    result.add("unchanged", "late changes", same)
    return []


def _contract_name(row: _Row) -> str:
    if row.nip:
        return _("the SKP of %(nip)s for %(year)d") % {"nip": row.nip, "year": row.year}
    return _("the Perjanjian Kinerja of %(agency)s for %(year)d") % {
        "agency": row.agency_code,
        "year": row.year,
    }


def _locked(row: _Row, contract: PerformanceContract, column: str) -> RowError:
    """The refusal of an upload's row that would change a submitted or approved contract's
    indicator or target."""
    if contract.status == PerformanceContract.Status.APPROVED:
        reason = _(
            "%(contract)s is approved: its indicators and targets change only through a "
            "target revision with a reason in the workspace, not by upload"
        )
    else:
        reason = _(
            "%(contract)s is submitted for approval: its indicators and targets are locked "
            "until an approver returns it"
        )
    return RowError(row.line, column, reason % {"contract": _contract_name(row)})


def _write(
    rows: list[_Row],
    agencies: dict[str, Agency],
    employees: dict[str, Employee],
    result: ImportResult,
    *,
    user,
    history: _History,
    upload: set[int] | None,
    optional: set[str],
    late_rule: _LateRule,
) -> None:
    """Write the checked rows. `upload` (the officer's scope, or None for the command):
    submit rather than approve, refuse changes to locked contracts, and turn late
    realisations into late changes (raises ImportFailed, inside the caller's transaction)."""
    Status = PerformanceContract.Status
    errors: list[RowError] = []
    # Employees. One whose postings the workspace keeps (a transfer, an end of employment:
    # `performance.employees`) stays at their agency: a file of their former agency's
    # quarters writes to that agency's SKP without moving them back.
    posted = set()
    for chunk in _chunks(sorted(e.pk for e in employees.values() if e.pk)):
        posted.update(
            EmployeePosting.objects.filter(employee_id__in=chunk).values_list(
                "employee_id", flat=True
            )
        )
    new_emp, changed_emp = [], {}
    for row in rows:
        if not row.nip:
            continue
        emp = employees.get(row.nip)
        agency_id = emp.agency_id if emp and emp.pk in posted else agencies[row.agency_code].pk
        if emp is None:
            emp = Employee(
                nip=row.nip, name=row.employee_name, position=row.position, agency_id=agency_id
            )
            employees[row.nip] = emp
            new_emp.append(emp)
        elif emp.pk and (emp.name, emp.position, emp.agency_id) != (
            row.employee_name,
            row.position,
            agency_id,
        ):
            emp.name, emp.position, emp.agency_id = row.employee_name, row.position, agency_id
            changed_emp[emp.nip] = emp
    Employee.objects.bulk_create(new_emp, batch_size=CHUNK)
    _bulk_update(Employee, list(changed_emp.values()), ["name", "position", "agency"])
    result.add("created", "employees", len(new_emp))
    result.add("updated", "employees", len(changed_emp))
    result.add(
        "unchanged",
        "employees",
        len({r.nip for r in rows if r.nip}) - len(new_emp) - len(changed_emp),
    )

    # Contracts: (agency id, year) for a PK, (employee id, year) for an SKP.
    years = sorted({r.year for r in rows})
    agency_ids = sorted({a.pk for a in agencies.values()})
    employee_ids = sorted(e.pk for e in employees.values())
    contracts: dict[tuple, PerformanceContract] = {}
    # An SKP of another agency the row's civil servant holds for the year: the row moves it
    # to the row's agency, unless they hold SKPs at several (a year divided by a transfer,
    # `performance.employees`), where the row's agency's is the one, or a new one.
    by_employee_year: dict[tuple, list[PerformanceContract]] = {}
    for chunk in _chunks(employee_ids) if employee_ids else [[]]:
        for c in (
            PerformanceContract.objects.filter(year__in=years)
            .filter(Q(employee__isnull=True, agency_id__in=agency_ids) | Q(employee_id__in=chunk))
            .only("pk", "year", "agency_id", "employee_id", "status", "submitted_by_id")
        ):
            contracts[_contract_key(c.employee_id, c.agency_id, c.year)] = c
            if c.employee_id:
                by_employee_year.setdefault((c.employee_id, c.year), []).append(c)
    # The command approves; an upload submits, by the uploader (module docstring).
    status = Status.APPROVED if upload is None else Status.SUBMITTED
    submitter = user.pk if upload is not None and user is not None else None
    new_c, changed_c, touched = [], [], set()
    locked: dict[tuple, PerformanceContract] = {}  # an upload's submitted or approved ones
    submitted_lines: dict[int, int] = {}  # contract id -> first line, of those an upload submits
    row_contract_keys = []
    for row in rows:
        agency_id = agencies[row.agency_code].pk
        employee_id = employees[row.nip].pk if row.nip else None
        key = _contract_key(employee_id, agency_id, row.year)
        row_contract_keys.append(key)
        if key in touched:
            continue
        touched.add(key)
        contract = contracts.get(key)
        if contract is None and employee_id:
            held = by_employee_year.get((employee_id, row.year), [])
            if len(held) == 1:
                contract = contracts[key] = held[0]
        if contract is None:
            contract = PerformanceContract(
                year=row.year,
                agency_id=agency_id,
                employee_id=employee_id,
                status=status,
                submitted_by_id=submitter,
            )
            contracts[key] = contract
            new_c.append(contract)
        elif upload is not None and contract.status not in (Status.DRAFT, Status.RETURNED):
            locked[key] = contract
            if contract.agency_id != agency_id:
                errors.append(_locked(row, contract, "agency_code"))
        elif (contract.status, contract.agency_id) != (status, agency_id):
            contract.status = status
            contract.agency_id = agency_id
            if upload is not None:
                contract.submitted_by_id = submitter
                contract.return_reason = ""
            changed_c.append(contract)
    PerformanceContract.objects.bulk_create(new_c, batch_size=CHUNK)
    _bulk_update(
        PerformanceContract,
        changed_c,
        ["status", "agency"]
        if upload is None
        else ["status", "agency", "submitted_by", "return_reason"],
    )
    if upload is not None and user is not None and (new_c or changed_c):
        notifications.contracts_uploaded(
            new_c + changed_c, {a.pk: a.name for a in agencies.values()}, user
        )
    if upload is not None:
        for row, key in zip(rows, row_contract_keys, strict=True):
            if key not in locked:
                submitted_lines.setdefault(contracts[key].pk, row.line)
    history.record(PerformanceContract, [c.pk for c in new_c], "+")
    history.record(PerformanceContract, [c.pk for c in changed_c], "~")
    result.add("created", "contracts", len(new_c))
    result.add("updated", "contracts", len(changed_c))
    result.add("unchanged", "contracts", len(touched) - len(new_c) - len(changed_c))
    row_contract_ids = [contracts[key].pk for key in row_contract_keys]

    # Indicators, by (contract id, code). Existing rows are read as tuples, not model
    # instances: at 100,000 rows building instances is most of an import's time. The
    # optional columns' fields only when the file has the column (an annual target comes
    # with its aggregation).
    fields = ["text", "unit", "direction", "weight"]
    if "annual_target" in optional or "aggregation" in optional:
        fields += ["annual_target", "aggregation"]
    if "previous_code" in optional:
        fields.append("previous_code")
    stored: dict[tuple[int, str], tuple] = {}
    for chunk in _chunks(sorted(set(row_contract_ids))):
        for pk, contract_id, code, *values in Indicator.objects.filter(
            contract_id__in=chunk
        ).values_list("pk", "contract_id", "code", *fields):
            stored[(contract_id, code)] = (pk, tuple(values))
    indicator_ids: dict[tuple[int, str], int] = {}
    new_i: dict[tuple[int, str], Indicator] = {}
    changed_i = []
    locked_ids = {c.pk for c in locked.values()}
    refused: set[tuple[int, str]] = set()  # an upload's new indicators of locked contracts
    for row, contract_id in zip(rows, row_contract_ids, strict=True):
        key = (contract_id, row.indicator_code)
        if key in indicator_ids or key in new_i or key in refused:
            continue
        values = (row.indicator, row.unit, row.direction, row.weight)
        values += tuple(getattr(row, f) for f in fields[4:])
        if contract_id in locked_ids and key not in stored:
            refused.add(key)
            errors.append(_locked(row, _by_id(locked, contract_id), "indicator_code"))
            continue
        if contract_id in locked_ids and stored[key][1] != values:
            indicator_ids[key] = stored[key][0]
            columns = ["indicator", "unit", "direction", "weight", *fields[4:]]
            column = columns[
                next(
                    i for i, (a, b) in enumerate(zip(stored[key][1], values, strict=True)) if a != b
                )
            ]
            errors.append(_locked(row, _by_id(locked, contract_id), column))
            continue
        if key not in stored:
            new_i[key] = Indicator(
                contract_id=contract_id,
                code=row.indicator_code,
                **dict(zip(fields, values, strict=True)),
            )
            continue
        pk, old = stored[key]
        indicator_ids[key] = pk
        if old != values:
            changed_i.append(Indicator(pk=pk, **dict(zip(fields, values, strict=True))))
    Indicator.objects.bulk_create(new_i.values(), batch_size=CHUNK)
    _bulk_update(Indicator, changed_i, fields)
    indicator_ids.update((key, ind.pk) for key, ind in new_i.items())
    # The cascade's links after every indicator has its id (an SKP indicator may serve a PK
    # indicator of the same file); the audit-trail records after the links, so each holds
    # the indicator as it is now.
    new_ids = {i.pk for i in new_i.values()}
    changed_ids = {i.pk for i in changed_i}
    if "parent_code" in optional:
        changed_ids |= (
            _link_parents(rows, row_contract_ids, indicator_ids, agencies, locked, errors) - new_ids
        )
    history.record(Indicator, sorted(new_ids), "+")
    history.record(Indicator, sorted(changed_ids), "~")
    result.add("created", "indicators", len(new_i))
    result.add("updated", "indicators", len(changed_ids))
    result.add("unchanged", "indicators", len(indicator_ids) - len(new_i) - len(changed_ids))

    # Targets and realisations, by (indicator id, quarter); not for a refused indicator.
    if refused:
        kept = [
            (row, contract_id)
            for row, contract_id in zip(rows, row_contract_ids, strict=True)
            if (contract_id, row.indicator_code) not in refused
        ]
        rows = [row for row, _ in kept]
        row_contract_ids = [contract_id for _, contract_id in kept]
    row_indicator_ids = [
        indicator_ids[(contract_id, row.indicator_code)]
        for row, contract_id in zip(rows, row_contract_ids, strict=True)
    ]
    old_indicator_ids = sorted(pk for key, pk in indicator_ids.items() if key not in new_i)
    user_id = user.pk if user is not None else None
    now = timezone.now()
    for model, kind, attr in (
        (Target, "targets", "target"),
        (Realisation, "realisations", "realisation"),
    ):
        fields = ["value", "late_entered_at"] if model is Realisation else ["value"]
        existing: dict[tuple[int, int], tuple] = {}  # (pk, value[, late_entered_at])
        for chunk in _chunks(old_indicator_ids):  # a new indicator has none yet
            for pk, indicator_id, quarter, *values in model.objects.filter(
                indicator_id__in=chunk
            ).values_list("pk", "indicator_id", "quarter", *fields):
                existing[(indicator_id, quarter)] = (pk, *values)
        new, changed, unchanged = [], [], 0
        late_changed: set[int] = set()  # changed realisations the command marks late
        late_rows: list[tuple[_Row, int, tuple | None]] = []  # an upload's late realisations
        for row, indicator_id, contract_id in zip(
            rows, row_indicator_ids, row_contract_ids, strict=True
        ):
            value = getattr(row, attr)
            if value is None:
                continue  # an empty realisation: not reported yet (an existing one stays)
            old = existing.get((indicator_id, row.quarter))
            if model is Target and contract_id in locked_ids and (old is None or old[1] != value):
                errors.append(_locked(row, _by_id(locked, contract_id), "target"))
                continue
            late_at = None
            if (
                model is Realisation
                and (old is None or old[1] != value)
                and late_rule.is_late(row.year, row.quarter)
            ):
                if upload is not None:
                    late_rows.append((row, indicator_id, old))
                    continue
                late_at = now if late_rule.mark else None
                if late_at is not None and old is not None:
                    late_changed.add(old[0])
            if old is None:
                new.append((indicator_id, row.quarter, value, user_id, late_at))
            elif old[1] != value:
                obj = model(pk=old[0], value=value)
                if model is Realisation:
                    obj.entered_by_id, obj.entered_at = user_id, now
                    obj.late_entered_at = late_at or old[2]
                changed.append(obj)
            else:
                unchanged += 1
        if model is Target:
            _bulk_insert(Target, ["indicator_id", "quarter", "value"], [r[:3] for r in new])
        else:
            _bulk_insert(
                Realisation,
                ["indicator_id", "quarter", "value", "entered_by_id", "late_entered_at"],
                new,
            )
        _bulk_update(
            model,
            changed,
            ["value", "entered_by", "entered_at", "late_entered_at"]
            if model is Realisation
            else ["value"],
        )
        # The new rows' ids, for their audit-trail records, read back by natural key. Late
        # values the command wrote carry their own reason there.
        new_keys = {(r[0], r[1]): r[4] is not None for r in new}
        new_ids, late_new = [], []
        for chunk in _chunks(sorted({key[0] for key in new_keys})):
            for pk, *key in model.objects.filter(indicator_id__in=chunk).values_list(
                "pk", "indicator_id", "quarter"
            ):
                if (key := tuple(key)) in new_keys:
                    (late_new if new_keys[key] else new_ids).append(pk)
        history.record(model, new_ids, "+")
        history.record(model, [o.pk for o in changed if o.pk not in late_changed], "~")
        administrator = dataclasses.replace(history, reason=_("import by administrator"))
        administrator.record(model, late_new, "+")
        administrator.record(model, sorted(late_changed), "~")
        result.add("created", kind, len(new))
        result.add("updated", kind, len(changed))
        result.add("unchanged", kind, unchanged)
        if late_rows:
            errors += _request_late_changes(late_rows, late_rule, user_id, result, agencies)

    if upload is not None:
        errors += _unsubmittable(submitted_lines)
    if errors:
        raise ImportFailed(
            sorted(
                errors,
                key=lambda e: (e.line, COLUMNS.index(e.column) if e.column in COLUMNS else -1),
            )
        )


def _link_parents(
    rows: list[_Row],
    row_contract_ids: list[int],
    indicator_ids: dict[tuple[int, str], int],
    agencies: dict[str, Agency],
    locked: dict[tuple, PerformanceContract],
    errors: list[RowError],
) -> set[int]:
    """Set each indicator's goal indicator (a PK's) or parent (an SKP's) to what its
    `parent_code` names (checked before: `_check_parents`); an empty code clears it. A
    locked contract's link is refused like its other indicator fields. Returns the ids of
    the indicators whose link changed."""
    years = {r.year for r in rows}
    goal_ids = dict(
        GoalIndicator.objects.filter(
            code__in={r.parent_code for r in rows if r.parent_code and not r.nip}
        ).values_list("code", "pk")
    )
    pk_ids = cascade.agency_codes(
        {agencies[r.agency_code].pk for r in rows if r.parent_code and r.nip}, years
    )
    wanted: dict[int, tuple[_Row, int, int | None, int | None]] = {}
    for row, contract_id in zip(rows, row_contract_ids, strict=True):
        pk = indicator_ids.get((contract_id, row.indicator_code))
        if pk is None or pk in wanted:
            continue
        goal = parent = None
        if row.parent_code and row.nip:
            parent = pk_ids.get((agencies[row.agency_code].pk, row.year), {}).get(row.parent_code)
        elif row.parent_code:
            goal = goal_ids.get(row.parent_code)
        if row.parent_code and goal is None and parent is None:
            # Checked before writing: only a PK indicator this upload was refused to add
            # (its contract is locked) is missing, and that refusal fails the import.
            continue
        wanted[pk] = (row, contract_id, goal, parent)
    stored: dict[int, tuple] = {}
    for chunk in _chunks(sorted(wanted)):
        for pk, *links in Indicator.objects.filter(pk__in=chunk).values_list(
            "pk", "goal_indicator_id", "parent_id"
        ):
            stored[pk] = tuple(links)
    locked_ids = {c.pk for c in locked.values()}
    changed = []
    for pk, (row, contract_id, goal, parent) in wanted.items():
        if stored[pk] == (goal, parent):
            continue
        if contract_id in locked_ids:
            errors.append(_locked(row, _by_id(locked, contract_id), "parent_code"))
            continue
        changed.append(Indicator(pk=pk, goal_indicator_id=goal, parent_id=parent))
    _bulk_update(Indicator, changed, ["goal_indicator", "parent"])
    return {i.pk for i in changed}


def _by_id(contracts: dict[tuple, PerformanceContract], pk: int) -> PerformanceContract:
    return next(c for c in contracts.values() if c.pk == pk)


def _unsubmittable(first_lines: dict[int, int]) -> list[RowError]:
    """An upload submits the contracts it names, as the workspace's submit does, so each
    must have an indicator and every indicator a target (one query per CHUNK contracts)."""
    errors = []
    for chunk in _chunks(sorted(first_lines)):
        for contract_id, code in (
            Indicator.objects.filter(contract_id__in=chunk, targets__isnull=True)
            .order_by("contract_id", "code")
            .values_list("contract_id", "code")
        ):
            errors.append(
                RowError(
                    first_lines[contract_id],
                    "indicator_code",
                    _(
                        "indicator %(code)s of this contract has no target: an upload submits "
                        "the contract for approval, so give it targets first"
                    )
                    % {"code": code},
                )
            )
    return errors


def _bulk_insert(model: type[Model], names: Sequence[str], rows: Sequence[Sequence]) -> None:
    """Insert `rows`, each the values of the fields `names` (attnames such as `indicator_id`);
    the other columns get their defaults (`auto_now`: now), computed once for all rows.
    Primary keys are not read back.

    bulk_create spends most of a 100,000-row import building model instances and SQL with a
    parameter per cell. Instead: on PostgreSQL one COPY ... FROM STDIN (psycopg's fast path);
    elsewhere (SQLite: in-process, no round trips) one prepared INSERT run per row.
    """
    if not rows:
        return
    connection = connections[DEFAULT_DB_ALIAS]  # not the proxy: it is read once per cell
    qn = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    template = model()
    defaults = [f.get_db_prep_save(f.pre_save(template, True), connection) for f in fields]
    given = [(names.index(f.attname), f) if f.attname in names else None for f in fields]
    table = qn(model._meta.db_table)
    columns = ", ".join(qn(f.column) for f in fields)
    # Table and column names come from the model; values go as parameters or through COPY.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(
                        [
                            d if g is None else row[g[0]]
                            for d, g in zip(defaults, given, strict=True)
                        ]
                    )
        else:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})",  # noqa: S608
                [
                    [
                        d if g is None else g[1].get_db_prep_save(row[g[0]], connection)
                        for d, g in zip(defaults, given, strict=True)
                    ]
                    for row in rows
                ],
            )


def _bulk_update(model: type[Model], objs: Sequence[Model], fields: Sequence[str]) -> None:
    """Set `fields` of the stored rows of `objs` (by pk) to the objects' values.

    What QuerySet.bulk_update does without its CASE WHEN per row, which costs about a second
    per thousand rows: on PostgreSQL one UPDATE ... FROM unnest(arrays) per CHUNK rows (one
    parameter per column, not per cell); elsewhere (SQLite: in-process, no round trips) one
    prepared UPDATE run per row.
    """
    if not objs:
        return
    connection = connections[DEFAULT_DB_ALIAS]  # not the proxy: it is read once per cell
    qn = connection.ops.quote_name
    columns = [model._meta.get_field(f) for f in fields]
    table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
    rows = [
        [obj.pk, *(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns)]
        for obj in objs
    ]
    # Table, column and type names come from the model; values go as parameters.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in [model._meta.pk, *columns])
            names = ", ".join(qn(f.column) for f in columns)
            sets = ", ".join(f"{qn(f.column)} = v.{qn(f.column)}" for f in columns)
            sql = (
                f"UPDATE {table} SET {sets} FROM unnest({arrays}) AS v(_pk, {names})"  # noqa: S608
                f" WHERE {table}.{pk} = v._pk"
            )
            for chunk in _chunks(rows):
                cursor.execute(sql, [list(column) for column in zip(*chunk, strict=True)])
        else:
            sets = ", ".join(f"{qn(f.column)} = %s" for f in columns)
            cursor.executemany(
                f"UPDATE {table} SET {sets} WHERE {pk} = %s",  # noqa: S608
                [[*row[1:], row[0]] for row in rows],
            )


def _contract_key(employee_id: int | None, agency_id: int, year: int) -> tuple:
    if employee_id:
        return ("employee", employee_id, agency_id, year)
    return ("agency", agency_id, year)
