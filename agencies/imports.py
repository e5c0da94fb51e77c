"""Imports of `agencies.csv`, `survey.csv` and `service_metrics.csv` (DESIGN.md).

Same rules as the performance import: the whole file is checked first, every bad row is
reported as `line N, column C: reason`, and only a clean file is written, in one transaction,
with bulk operations. Re-importing a file changes nothing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .csvio import ImportFailed, ImportResult, RowChecker, RowError, read_rows, width_error
from .models import ANSWER_FIELDS, Agency, Region, Service, ServiceMetric, SurveyResponse

AGENCY_COLUMNS = ["code", "name", "acronym", "region_code", "region_name", "sector"]
SURVEY_COLUMNS = ["agency_code", "service_code", "service_name", "year", "quarter", *ANSWER_FIELDS]
METRIC_COLUMNS = ["agency_code", "service_code", "year", "quarter", "kind", "value"]
# An example row of each file, for its downloadable template (DESIGN.md, CSV files).
AGENCY_EXAMPLE = [
    ["DIKES", "Dinas Kesehatan", "Dikes", "52", "Provinsi Nusa Tenggara Barat", "Kesehatan"]
]
SURVEY_EXAMPLE = [
    ["DIKES", "LABKESDA", "Pemeriksaan Laboratorium Kesehatan Daerah", "2026", "3"]
    + ["4", "3", "3", "4", "4", "3", "4", "3", "3"]
]
METRIC_EXAMPLE = [
    ["DIKES", "LABKESDA", "2026", "3", "applications", "412"],
    ["DIKES", "LABKESDA", "2026", "3", "avg_processing_days", "1,5"],
]
COUNT_KINDS = set(ServiceMetric.Kind.values) - {ServiceMetric.Kind.AVG_PROCESSING_DAYS}
BATCH = 5000


def _fail(errors: list[RowError], columns: list[str]) -> None:
    if errors:
        raise ImportFailed(
            sorted(
                errors,
                key=lambda e: (e.line, columns.index(e.column) if e.column in columns else -1),
            )
        )


def _max_length(check: RowChecker, column: str, value: str | None, n: int) -> None:
    if value is not None and len(value) > n:
        check.fail(column, _("at most %(n)d characters") % {"n": n})


def import_agencies(data: bytes | str) -> ImportResult:
    """Import agencies.csv: regions and agencies, upserted on their codes."""
    errors: list[RowError] = []
    parsed = []
    seen: dict[str, int] = {}
    region_names: dict[str, tuple[int, str]] = {}
    for raw in read_rows(data, AGENCY_COLUMNS):
        if err := width_error(raw, len(AGENCY_COLUMNS)):
            errors.append(err)
            continue
        check = RowChecker(raw, errors)
        code = check.required("code")
        _max_length(check, "code", code, 30)
        name = check.required("name")
        _max_length(check, "name", name, 200)
        acronym = raw["acronym"]
        _max_length(check, "acronym", acronym, 40)
        region_code = check.required("region_code")
        if region_code is not None and not (region_code.isdigit() and len(region_code) in (2, 4)):
            check.fail(
                "region_code",
                _("a BPS code has 2 digits (province) or 4 (regency or city), got %(v)s")
                % {"v": repr(region_code)},
            )
        region_name = check.required("region_name")
        _max_length(check, "region_name", region_name, 120)
        sector = raw["sector"]
        _max_length(check, "sector", sector, 80)
        if code in seen:
            check.fail(
                "code", _("agency %(c)s is already on line %(l)d") % {"c": code, "l": seen[code]}
            )
        if (
            check.ok
            and region_code in region_names
            and region_names[region_code][1] != (region_name)
        ):
            check.fail(
                "region_name",
                _("differs from line %(l)d for region %(r)s")
                % {"l": region_names[region_code][0], "r": region_code},
            )
        if check.ok:
            seen[code] = raw.line
            region_names.setdefault(region_code, (raw.line, region_name))
            parsed.append((code, name, acronym, region_code, region_name, sector))
    _fail(errors, AGENCY_COLUMNS)

    result = ImportResult(rows=len(parsed))
    with transaction.atomic():
        regions = {r.code: r for r in Region.objects.filter(code__in=region_names)}
        for code, (_line, name) in region_names.items():
            region = regions.get(code)
            if region is None:
                regions[code] = Region.objects.create(
                    code=code, name=name, kind=Region.kind_for_code(code)
                )
                result.add("created", "regions")
            elif region.name != name:
                region.name = name
                region.save(update_fields=["name"])
                result.add("updated", "regions")
            else:
                result.add("unchanged", "regions")
        existing = {a.code: a for a in Agency.objects.select_related("region")}
        slugs = {a.slug: a.code for a in existing.values()}
        new, changed = [], []
        for code, name, acronym, region_code, _rn, sector in parsed:
            agency = existing.get(code)
            values = {
                "name": name,
                "acronym": acronym,
                "region": regions[region_code],
                "sector": sector,
            }
            if agency is None:
                slug = _free_slug(slugify(acronym or name) or slugify(code), code, slugs)
                new.append(Agency(code=code, slug=slug, **values))
            elif any(getattr(agency, f) != v for f, v in values.items()):
                for f, v in values.items():
                    setattr(agency, f, v)
                changed.append(agency)
        Agency.objects.bulk_create(new, batch_size=BATCH)
        Agency.objects.bulk_update(changed, ["name", "acronym", "region", "sector"])
        result.add("created", "agencies", len(new))
        result.add("updated", "agencies", len(changed))
        result.add("unchanged", "agencies", len(parsed) - len(new) - len(changed))
    return result


def _free_slug(base: str, code: str, taken: dict[str, str]) -> str:
    slug = base[:70]
    if slug in taken and taken[slug] != code:
        slug = f"{slug}-{slugify(code)}"[:80]
    n = 2
    candidate = slug
    while candidate in taken and taken[candidate] != code:
        candidate = f"{slug}-{n}"
        n += 1
    taken[candidate] = code
    return candidate


def _agencies_for(codes: Iterable[str], scope: set[int] | None) -> dict[str, Agency]:
    agencies = Agency.objects.filter(code__in=set(codes))
    if scope is not None:
        agencies = agencies.filter(pk__in=scope)
    return {a.code: a for a in agencies}


def _unknown_agency(check: RowChecker, code: str, scope: set[int] | None) -> None:
    if scope is not None and Agency.objects.filter(code=code).exists():
        check.fail("agency_code", _("agency %(c)s is not one of yours") % {"c": repr(code)})
    else:
        check.fail("agency_code", _("unknown agency %(c)s") % {"c": repr(code)})


def import_survey(
    data: bytes | str,
    *,
    scope: Iterable[int] | None = None,
    channel: str = SurveyResponse.Channel.IMPORT,
) -> ImportResult:
    """Import survey.csv, one row per respondent.

    Responses have no natural key, so a file holds the complete set of `channel` responses of
    each (service, year, quarter) it mentions: that set is replaced, and left alone when the
    file's answers are the same as the stored ones. Web responses are never touched. A service
    code the agency does not have yet creates the service with the given name.
    """
    scope_ids = set(scope) if scope is not None else None
    errors: list[RowError] = []
    raw_rows = list(read_rows(data, SURVEY_COLUMNS))
    agencies = _agencies_for((r.cells.get("agency_code", "") for r in raw_rows), scope_ids)
    services = {
        (s.agency.code, s.code): s
        for s in Service.objects.filter(agency__in=agencies.values()).select_related("agency")
    }
    groups: dict[tuple, list[tuple[int, ...]]] = defaultdict(list)
    new_services: dict[tuple[str, str], Service] = {}
    for raw in raw_rows:
        if err := width_error(raw, len(SURVEY_COLUMNS)):
            errors.append(err)
            continue
        check = RowChecker(raw, errors)
        code = check.required("agency_code")
        agency = agencies.get(code) if code else None
        if code and agency is None:
            _unknown_agency(check, code, scope_ids)
        service_code = check.required("service_code")
        _max_length(check, "service_code", service_code, 30)
        year = check.integer("year", 2000, 2100)
        quarter = check.integer("quarter", 1, 4)
        answers = tuple(check.integer(f, 1, 4) for f in ANSWER_FIELDS)
        key = (code, service_code)
        if agency is not None and service_code and key not in services and key not in new_services:
            name = check.required("service_name")
            _max_length(check, "service_name", name, 200)
            if check.ok:
                new_services[key] = Service(agency=agency, code=service_code, name=name)
        if check.ok:
            groups[(key, year, quarter)].append(answers)
    _fail(errors, SURVEY_COLUMNS)

    result = ImportResult(rows=sum(len(v) for v in groups.values()))
    with transaction.atomic():
        Service.objects.bulk_create(new_services.values())
        result.add("created", "services", len(new_services))
        services.update(new_services)
        stored: dict[tuple, Counter] = defaultdict(Counter)
        for service_id, year, quarter, *answers in (
            SurveyResponse.objects.filter(
                service__in={services[k[0]].pk for k in groups},
                channel=channel,
                year__in={k[1] for k in groups},
            )
            .values_list("service_id", "year", "quarter", *ANSWER_FIELDS)
            .iterator()
        ):
            stored[(service_id, year, quarter)][tuple(answers)] += 1
        for (key, year, quarter), answers in groups.items():
            service = services[key]
            if stored[(service.pk, year, quarter)] == Counter(answers):
                result.add("unchanged", "responses", len(answers))
                continue
            removed, _ = SurveyResponse.objects.filter(
                service=service, year=year, quarter=quarter, channel=channel
            ).delete()
            SurveyResponse.objects.bulk_create(
                [
                    SurveyResponse(
                        service=service,
                        year=year,
                        quarter=quarter,
                        channel=channel,
                        **dict(zip(ANSWER_FIELDS, a, strict=True)),
                    )
                    for a in answers
                ],
                batch_size=BATCH,
            )
            result.add("created", "responses", len(answers))
            if removed:
                result.add("updated", "replaced responses", removed)
    return result


def import_service_metrics(
    data: bytes | str, *, scope: Iterable[int] | None = None
) -> ImportResult:
    """Import service_metrics.csv, upserted on (service, year, quarter, kind)."""
    scope_ids = set(scope) if scope is not None else None
    errors: list[RowError] = []
    raw_rows = list(read_rows(data, METRIC_COLUMNS))
    agencies = _agencies_for((r.cells.get("agency_code", "") for r in raw_rows), scope_ids)
    services = {
        (s.agency.code, s.code): s
        for s in Service.objects.filter(agency__in=agencies.values()).select_related("agency")
    }
    values: dict[tuple, tuple[int, object]] = {}
    for raw in raw_rows:
        if err := width_error(raw, len(METRIC_COLUMNS)):
            errors.append(err)
            continue
        check = RowChecker(raw, errors)
        code = check.required("agency_code")
        if code and code not in agencies:
            _unknown_agency(check, code, scope_ids)
        service_code = check.required("service_code")
        service = services.get((code, service_code))
        if code in agencies and service_code and service is None:
            check.fail(
                "service_code",
                _("agency %(a)s has no service %(s)s") % {"a": code, "s": repr(service_code)},
            )
        year = check.integer("year", 2000, 2100)
        quarter = check.integer("quarter", 1, 4)
        kind = check.choice("kind", ServiceMetric.Kind.values)
        value = check.decimal("value")
        if value is not None:
            if value < 0:
                check.fail("value", _("must not be negative"))
            elif kind in COUNT_KINDS and value != value.to_integral_value():
                check.fail("value", _("%(k)s is a count: a whole number") % {"k": kind})
            elif value >= 10**12 or value.as_tuple().exponent < -2:
                check.fail("value", _("at most 12 digits and 2 decimals"))
        key = (service, year, quarter, kind)
        if check.ok and key in values:
            check.fail(
                "kind",
                _("this service, year, quarter and kind are already on line %(l)d")
                % {"l": values[key][0]},
            )
        if check.ok:
            values[key] = (raw.line, value)
    _fail(errors, METRIC_COLUMNS)

    result = ImportResult(rows=len(values))
    with transaction.atomic():
        existing = {
            (m.service_id, m.year, m.quarter, m.kind): m
            for m in ServiceMetric.objects.filter(service__in={k[0] for k in values})
        }
        new, changed = [], []
        for (service, year, quarter, kind), (_line, value) in values.items():
            metric = existing.get((service.pk, year, quarter, kind))
            if metric is None:
                new.append(
                    ServiceMetric(
                        service=service, year=year, quarter=quarter, kind=kind, value=value
                    )
                )
            elif metric.value != value:
                metric.value = value
                changed.append(metric)
        ServiceMetric.objects.bulk_create(new, batch_size=BATCH)
        ServiceMetric.objects.bulk_update(changed, ["value"], batch_size=BATCH)
        result.add("created", "metrics", len(new))
        result.add("updated", "metrics", len(changed))
        result.add("unchanged", "metrics", len(values) - len(new) - len(changed))
    return result
