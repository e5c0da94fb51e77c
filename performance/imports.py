"""Import of `performance.csv` (DESIGN.md): contracts, indicators, quarterly targets and
realisations, one row per indicator per quarter.

All-or-nothing: the whole file is checked first and every bad row is reported; only a clean
file is written, in one transaction, with bulk operations (a handful of queries per 5,000
rows, never a query per row). Upsert on natural keys, so re-importing a file changes nothing.
The same function serves the management command and the officer's upload (with `scope`,
rows for other agencies are errors; with `dry_run`, nothing is written and the result says
what would change, for the preview).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
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
from agencies.models import Agency

from .models import Direction, Employee, Indicator, PerformanceContract, Realisation, Target
from .validators import nip_problem

COLUMNS = ["agency_code", "holder", "employee_name", "position", "year", "quarter",
           "indicator_code", "indicator", "unit", "direction", "weight", "target",
           "realisation"]
CHUNK = 5000
AGENCY_HOLDER = "agency"


def _chunks(items: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


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


def _fits(check: RowChecker, column: str, value: Decimal | None, digits: int,
          places: int) -> None:
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
    value = check.row[column]
    if required and not value:
        check.fail(column, _("this field is required"))
    elif len(value) > max_length:
        check.fail(column, _("at most %(n)d characters") % {"n": max_length})
    return value


def _parse(data: bytes | str, errors: list[RowError], agencies: dict[str, Agency],
           scope: set[int] | None) -> list[_Row]:
    rows = []
    raw_rows = list(read_rows(data, COLUMNS))
    codes = {r.cells.get("agency_code") for r in raw_rows}
    agencies.update((a.code, a) for a in Agency.objects.filter(code__in=codes))
    for raw in raw_rows:
        if err := width_error(raw, len(COLUMNS)):
            errors.append(err)
            continue
        check = RowChecker(raw, errors)
        agency_code = check.required("agency_code")
        if agency_code is not None:
            agency = agencies.get(agency_code)
            if agency is None:
                check.fail("agency_code", _("unknown agency %(c)s") % {"c": repr(agency_code)})
            elif scope is not None and agency.pk not in scope:
                check.fail("agency_code", _("agency %(c)s is not one of yours") % {
                    "c": repr(agency_code)})
        holder = check.required("holder")
        nip = None
        if holder is not None and holder.lower() != AGENCY_HOLDER:
            if problem := nip_problem(holder):
                check.fail("holder", _("not 'agency' and not a valid NIP: %(p)s") % {
                    "p": problem})
            nip = holder
        employee_name = _text(check, "employee_name", 150, required=nip is not None)
        position = _text(check, "position", 200, required=False)
        year = check.integer("year", 2000, 2100)
        quarter = check.integer("quarter", 1, 4)
        indicator_code = _text(check, "indicator_code", 30, required=True)
        indicator = _text(check, "indicator", 500, required=True)
        unit = _text(check, "unit", 50, required=False)
        direction = check.choice("direction", Direction.values)
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
        if check.ok:
            rows.append(_Row(raw.line, agency_code, nip, employee_name, position, year,
                             quarter, indicator_code, indicator, unit, direction, weight,
                             target, realisation))
    return rows


def _check_consistency(rows: list[_Row], errors: list[RowError]) -> list[_Row]:
    """Cross-row rules: one row per indicator and quarter, the same indicator and employee
    details on every row that names them."""
    seen_keys: dict[tuple, int] = {}
    indicator_attrs: dict[tuple, tuple[int, tuple]] = {}
    employee_attrs: dict[str, tuple[int, tuple]] = {}
    good = []
    for row in rows:
        holder = (row.nip or (AGENCY_HOLDER, row.agency_code))
        key = (holder, row.year, row.quarter, row.indicator_code)
        if key in seen_keys:
            errors.append(RowError(row.line, "indicator_code", _(
                "indicator %(i)s of this holder, year and quarter is already on line %(l)d")
                % {"i": row.indicator_code, "l": seen_keys[key]}))
            continue
        seen_keys[key] = row.line
        ind_key = (holder, row.year, row.indicator_code)
        attrs = (row.indicator, row.unit, row.direction, row.weight)
        first = indicator_attrs.setdefault(ind_key, (row.line, attrs))
        if first[1] != attrs:
            column = ["indicator", "unit", "direction", "weight"][
                next(i for i, (a, b) in enumerate(zip(first[1], attrs, strict=True)) if a != b)]
            errors.append(RowError(row.line, column, _(
                "differs from line %(l)d for the same indicator %(i)s") % {
                    "l": first[0], "i": row.indicator_code}))
            continue
        if row.nip:
            emp = (row.agency_code, row.employee_name, row.position)
            first_emp = employee_attrs.setdefault(row.nip, (row.line, emp))
            if first_emp[1] != emp:
                column = ["agency_code", "employee_name", "position"][
                    next(i for i, (a, b) in enumerate(zip(first_emp[1], emp, strict=True))
                         if a != b)]
                errors.append(RowError(row.line, column, _(
                    "differs from line %(l)d for the same NIP") % {"l": first_emp[0]}))
                continue
        good.append(row)
    return good


def import_performance(data: bytes | str, *, scope: Iterable[int] | None = None,
                       user=None, dry_run: bool = False) -> ImportResult:
    """Import a performance.csv. Raises ImportFailed (nothing saved) listing every bad row.

    `scope`: agency ids the importing user may change; rows of other agencies, and NIPs of
    employees of other agencies, are errors. `dry_run`: check and count, write nothing.
    """
    errors: list[RowError] = []
    agencies: dict[str, Agency] = {}
    scope_ids = set(scope) if scope is not None else None
    rows = _parse(data, errors, agencies, scope_ids)
    rows = _check_consistency(rows, errors)

    nips = sorted({r.nip for r in rows if r.nip})
    employees: dict[str, Employee] = {}
    for chunk in _chunks(nips):
        employees.update((e.nip, e) for e in Employee.objects.filter(nip__in=chunk))
    if scope_ids is not None:
        for row in rows:
            emp = employees.get(row.nip) if row.nip else None
            if emp is not None and emp.agency_id not in scope_ids:
                errors.append(RowError(row.line, "holder", _(
                    "this NIP belongs to another agency's employee")))
    if errors:
        raise ImportFailed(sorted(errors, key=lambda e: (e.line, COLUMNS.index(e.column)
                                                          if e.column in COLUMNS else -1)))

    result = ImportResult(rows=len(rows))
    with transaction.atomic():
        _write(rows, agencies, employees, result, user=user)
        if dry_run:
            transaction.set_rollback(True)
    return result


def _write(rows: list[_Row], agencies: dict[str, Agency], employees: dict[str, Employee],
           result: ImportResult, *, user) -> None:
    # Employees.
    new_emp, changed_emp = [], []
    for row in rows:
        if not row.nip:
            continue
        agency_id = agencies[row.agency_code].pk
        emp = employees.get(row.nip)
        if emp is None:
            emp = Employee(nip=row.nip, name=row.employee_name, position=row.position,
                           agency_id=agency_id)
            employees[row.nip] = emp
            new_emp.append(emp)
        elif emp.pk and (emp.name, emp.position, emp.agency_id) != (
                row.employee_name, row.position, agency_id):
            emp.name, emp.position, emp.agency_id = row.employee_name, row.position, agency_id
            if emp not in changed_emp:
                changed_emp.append(emp)
    Employee.objects.bulk_create(new_emp, batch_size=CHUNK)
    Employee.objects.bulk_update(changed_emp, ["name", "position", "agency"], batch_size=CHUNK)
    result.add("created", "employees", len(new_emp))
    result.add("updated", "employees", len(changed_emp))
    result.add("unchanged", "employees",
               len({r.nip for r in rows if r.nip}) - len(new_emp) - len(changed_emp))

    # Contracts: (agency id, year) for a PK, (employee id, year) for an SKP.
    years = sorted({r.year for r in rows})
    agency_ids = sorted({a.pk for a in agencies.values()})
    employee_ids = sorted(e.pk for e in employees.values())
    contracts: dict[tuple, PerformanceContract] = {}
    for chunk in _chunks(employee_ids) if employee_ids else [[]]:
        for c in PerformanceContract.objects.filter(year__in=years).filter(
            Q(employee__isnull=True, agency_id__in=agency_ids) | Q(employee_id__in=chunk)
        ):
            contracts[_contract_key(c.employee_id, c.agency_id, c.year)] = c
    new_c, changed_c, touched = [], [], set()
    for row in rows:
        agency_id = agencies[row.agency_code].pk
        employee_id = employees[row.nip].pk if row.nip else None
        key = _contract_key(employee_id, agency_id, row.year)
        if key in touched:
            continue
        touched.add(key)
        contract = contracts.get(key)
        if contract is None:
            contract = PerformanceContract(year=row.year, agency_id=agency_id,
                                           employee_id=employee_id,
                                           status=PerformanceContract.Status.APPROVED)
            contracts[key] = contract
            new_c.append(contract)
        elif (contract.status, contract.agency_id) != (PerformanceContract.Status.APPROVED,
                                                       agency_id):
            contract.status = PerformanceContract.Status.APPROVED
            contract.agency_id = agency_id
            changed_c.append(contract)
    PerformanceContract.objects.bulk_create(new_c, batch_size=CHUNK)
    PerformanceContract.objects.bulk_update(changed_c, ["status", "agency"], batch_size=CHUNK)
    result.add("created", "contracts", len(new_c))
    result.add("updated", "contracts", len(changed_c))
    result.add("unchanged", "contracts", len(touched) - len(new_c) - len(changed_c))

    def contract_of(row: _Row) -> PerformanceContract:
        return contracts[_contract_key(employees[row.nip].pk if row.nip else None,
                                       agencies[row.agency_code].pk, row.year)]

    # Indicators.
    contract_ids = sorted({contract_of(r).pk for r in rows})
    indicators: dict[tuple[int, str], Indicator] = {}
    for chunk in _chunks(contract_ids):
        indicators.update(((i.contract_id, i.code), i)
                          for i in Indicator.objects.filter(contract_id__in=chunk))
    new_i, changed_i, touched = [], [], set()
    fields = ["text", "unit", "direction", "weight"]
    for row in rows:
        key = (contract_of(row).pk, row.indicator_code)
        if key in touched:
            continue
        touched.add(key)
        values = (row.indicator, row.unit, row.direction, row.weight)
        ind = indicators.get(key)
        if ind is None:
            ind = Indicator(contract_id=key[0], code=row.indicator_code,
                            **dict(zip(fields, values, strict=True)))
            indicators[key] = ind
            new_i.append(ind)
        elif tuple(getattr(ind, f) for f in fields) != values:
            for f, v in zip(fields, values, strict=True):
                setattr(ind, f, v)
            changed_i.append(ind)
    Indicator.objects.bulk_create(new_i, batch_size=CHUNK)
    Indicator.objects.bulk_update(changed_i, fields, batch_size=CHUNK)
    result.add("created", "indicators", len(new_i))
    result.add("updated", "indicators", len(changed_i))
    result.add("unchanged", "indicators", len(touched) - len(new_i) - len(changed_i))

    # Targets and realisations, by (indicator id, quarter).
    def indicator_of(row: _Row) -> Indicator:
        return indicators[(contract_of(row).pk, row.indicator_code)]

    indicator_ids = sorted(i.pk for i in indicators.values())
    for model, kind, attr in ((Target, "targets", "target"),
                              (Realisation, "realisations", "realisation")):
        existing = {}
        for chunk in _chunks(indicator_ids):
            existing.update(((o.indicator_id, o.quarter), o)
                            for o in model.objects.filter(indicator_id__in=chunk))
        new, changed, unchanged = [], [], 0
        for row in rows:
            value = getattr(row, attr)
            if value is None:
                continue  # an empty realisation: not reported yet (an existing one stays)
            key = (indicator_of(row).pk, row.quarter)
            obj = existing.get(key)
            if obj is None:
                obj = model(indicator_id=key[0], quarter=row.quarter, value=value)
                if model is Realisation:
                    obj.entered_by = user
                new.append(obj)
            elif obj.value != value:
                obj.value = value
                if model is Realisation:
                    obj.entered_by = user
                changed.append(obj)
            else:
                unchanged += 1
        model.objects.bulk_create(new, batch_size=CHUNK)
        update_fields = ["value", "entered_by", "entered_at"] if model is Realisation else [
            "value"]
        if model is Realisation:
            now = timezone.now()
            for obj in changed:
                obj.entered_at = now
        model.objects.bulk_update(changed, update_fields, batch_size=CHUNK)
        result.add("created", kind, len(new))
        result.add("updated", kind, len(changed))
        result.add("unchanged", kind, unchanged)


def _contract_key(employee_id: int | None, agency_id: int, year: int) -> tuple:
    return ("employee", employee_id, year) if employee_id else ("agency", agency_id, year)
