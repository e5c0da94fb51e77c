"""Sample data: a believable Nusa Tenggara Barat for trying the portal out and for benchmarks.

Real names (the province, its ten regencies and cities with their BPS codes, agencies of the
provincial government and of Kota Mataram and Kota Bima, their public services); generated
figures (employees, contracts, realisations, survey answers, service metrics).

`seed_demo()` writes it through the real CSV imports, from CSV text built in memory, so the
data takes the path an HR officer's upload takes and re-running changes nothing (the imports
upsert on natural keys). What a CSV file cannot carry (variance explanations, supervisors,
service details, dates of entry) is added afterwards with bulk statements, never a query per
row. Everything comes from `random.Random` instances seeded from `SEED` and names, never from
the clock or the global generator: the same arguments give the same database.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Case, DateTimeField, Model, QuerySet, Value, When

from agencies.csvio import ImportResult
from agencies.imports import (
    AGENCY_COLUMNS,
    METRIC_COLUMNS,
    SURVEY_COLUMNS,
    import_agencies,
    import_service_metrics,
    import_survey,
)
from agencies.models import (
    Agency,
    Region,
    SampleData,
    Service,
    ServiceMetric,
    SurveyResponse,
)
from performance.imports import COLUMNS as PERFORMANCE_COLUMNS
from performance.imports import import_performance
from performance.models import (
    Employee,
    Indicator,
    PerformanceContract,
    Realisation,
    Target,
)
from performance.scoring import quarter_last_day
from portal.context_processors import SAMPLE_DATA_KEY

from . import services_standard as standard
from .cascade import seed_cascade
from .generate import (
    PK_EXTRA_COLUMNS,
    Key,
    Person,
    Rows,
    _quarter_start,
    _rng,
    agency_contract_rows,
    agency_rows,
    employee_contract_rows,
    generate_people,
    metric_rows,
    reported_quarters,
    survey_rows,
    to_csv,
)
from .ratings import seed_ratings
from .tables import (
    AGENCIES,
    DEFAULT_EMPLOYEES,
    EMPLOYEE_CHUNK,
    REFERENCE_DAY,
    REGION_NAMES,
    REGIONS,
    SEED,
    WITA,
    YEARS,
)

# --- Writing (through the imports, then bulk statements) -------------------------------------


def seed_demo(
    *,
    scale: int = 1,
    employees: int = DEFAULT_EMPLOYEES,
    seed: int = SEED,
    log: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Write the sample data set with `employees * scale` employees (about: small agencies
    keep their size) and return the database's counts afterwards.

    One transaction: the database holds all of it or none. Idempotent: running it again
    with the same arguments changes nothing. A smaller size than a previous run leaves the
    extra employees in place (the imports upsert, they never delete). Marks the database as
    holding sample data (one SampleData row with `scale`).
    """
    if scale < 1 or employees < 1:
        raise ValueError("scale and employees must be at least 1")
    say = log or (lambda _message: None)
    people = generate_people(employees * scale, seed=seed)
    with transaction.atomic():
        _upsert_regions()
        _report(say, "agencies", import_agencies(to_csv(AGENCY_COLUMNS, agency_rows())))
        _report(say, "survey", import_survey(to_csv(SURVEY_COLUMNS, survey_rows(seed=seed))))
        _update_services()
        _report(
            say,
            "service metrics",
            import_service_metrics(to_csv(METRIC_COLUMNS, metric_rows(seed=seed))),
        )
        pk = Rows.combine(agency_contract_rows(spec, seed=seed) for spec in AGENCIES)
        # Sample data is drawn up as if entered in time (`_set_dates`): not marked late.
        _report(
            say,
            "agency contracts",
            import_performance(
                to_csv([*PERFORMANCE_COLUMNS, *PK_EXTRA_COLUMNS], pk.rows), mark_late=False
            ),
        )
        _set_explanations(
            Realisation.objects.filter(
                indicator__contract__employee__isnull=True,
                indicator__contract__agency__code__in=_codes(),
            ),
            "indicator__contract__agency__code",
            pk.explanations,
        )
        for start in range(0, len(people), EMPLOYEE_CHUNK):
            chunk = people[start : start + EMPLOYEE_CHUNK]
            skp = Rows.combine(employee_contract_rows(person, seed=seed) for person in chunk)
            _report(
                say,
                f"employee contracts {start + 1}-{start + len(chunk)}",
                import_performance(to_csv(PERFORMANCE_COLUMNS, skp.rows), mark_late=False),
            )
            _set_explanations(
                Realisation.objects.filter(
                    indicator__contract__employee__nip__in=[p.nip for p in chunk]
                ),
                "indicator__contract__employee__nip",
                skp.explanations,
            )
        _set_supervisors(people)
        _report(say, "ratings", seed_ratings(people, seed=seed))
        goals, pk_linked, staff_linked = seed_cascade()
        _report(say, "goals", goals)
        say(f"cascade: {pk_linked} PK indicators serve a goal, {staff_linked} SKP indicators a PK")
        _set_dates(seed)
        say("service standards and follow-up plans: {standards}, {plans}".format(**standard.seed()))
        _mark(scale)
    cache.delete(SAMPLE_DATA_KEY)
    return database_counts()


def _codes() -> list[str]:
    return [a.code for a in AGENCIES]


def _report(say: Callable[[str], None], what: str, result: ImportResult) -> None:
    say(f"{what}: {result.summary()}")


def _upsert_regions() -> None:
    """The province and all ten regencies and cities, also those without an agency here
    (agencies.csv only creates the regions its agencies name)."""
    existing = {r.code: r for r in Region.objects.filter(code__in=REGION_NAMES)}
    new, changed = [], []
    for code, name in REGIONS:
        kind = Region.kind_for_code(code)
        region = existing.get(code)
        if region is None:
            new.append(Region(code=code, name=name, kind=kind))
        elif (region.name, region.kind) != (name, kind):
            region.name, region.kind = name, kind
            changed.append(region)
    Region.objects.bulk_create(new)
    Region.objects.bulk_update(changed, ["name", "kind"])


def _update_services() -> None:
    """Names, standard days and fees of the services (survey.csv creates a service with its
    name only); any service without a response yet is created."""
    agencies = dict(Agency.objects.filter(code__in=_codes()).values_list("code", "pk"))
    existing = {
        (s.agency_id, s.code): s for s in Service.objects.filter(agency_id__in=agencies.values())
    }
    new, changed = [], []
    for spec in AGENCIES:
        for svc in spec.services:
            fee = None if svc.fee is None else Decimal(svc.fee)
            values = {"name": svc.name, "standard_days": svc.standard_days, "fee": fee}
            service = existing.get((agencies[spec.code], svc.code))
            if service is None:
                new.append(Service(agency_id=agencies[spec.code], code=svc.code, **values))
            elif any(getattr(service, f) != v for f, v in values.items()):
                for f, v in values.items():
                    setattr(service, f, v)
                changed.append(service)
    Service.objects.bulk_create(new)
    Service.objects.bulk_update(changed, ["name", "standard_days", "fee"])


def _set_explanations(
    realisations: QuerySet[Realisation], holder_field: str, wanted: dict[Key, str]
) -> None:
    """Give each of `realisations` the explanation `wanted` says (none when absent), in bulk;
    rows already right are not written."""
    changed: list[tuple[int, object]] = []
    for pk, holder, year, code, quarter, explanation in realisations.values_list(
        "pk", holder_field, "indicator__contract__year", "indicator__code", "quarter", "explanation"
    ).iterator(chunk_size=5000):
        text = wanted.get((holder, year, code, quarter), "")
        if explanation != text:
            changed.append((pk, text))
    _update_column(Realisation, "explanation", changed)


def _set_supervisors(people: Sequence[Person]) -> None:
    """Each person's supervisor: one UPDATE per supervisor (a few hundred at any scale)."""
    by_supervisor: dict[str | None, list[str]] = defaultdict(list)
    for person in people:
        by_supervisor[person.supervisor_nip].append(person.nip)
    ids = dict(
        Employee.objects.filter(nip__in=[n for n in by_supervisor if n]).values_list("nip", "pk")
    )
    for supervisor_nip, nips in by_supervisor.items():
        supervisor_id = ids[supervisor_nip] if supervisor_nip else None
        for chunk in iter_chunks(nips, 5000):
            Employee.objects.filter(nip__in=chunk).exclude(supervisor_id=supervisor_id).update(
                supervisor_id=supervisor_id
            )


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=WITA)


def _set_dates(seed: int) -> None:
    """Dates a real portal would show instead of the moment of seeding: contracts signed at
    the end of January; realisations entered a few days after their quarter, the same day
    for all of an agency's contracts (some agencies late); survey responses spread over their
    quarter. One UPDATE per agency and year; rows already right are not written."""
    agencies = dict(Agency.objects.filter(code__in=_codes()).values_list("code", "pk"))
    for year in YEARS:
        signed = _at(datetime.date(year, 1, 31), 9)
        PerformanceContract.objects.filter(agency_id__in=agencies.values(), year=year).exclude(
            created_at=signed
        ).update(created_at=signed)
    for spec in AGENCIES:
        rng = _rng(seed, "entry", spec.code)
        late = rng.random() < 0.2
        for year in YEARS:
            entered = {}
            for quarter in reported_quarters(year):
                delay = rng.randint(16, 30) if late else rng.randint(3, 14)
                day = min(
                    quarter_last_day(year, quarter) + datetime.timedelta(days=delay),
                    REFERENCE_DAY - datetime.timedelta(days=1),
                )
                entered[quarter] = _at(day, rng.randint(8, 15), rng.randint(0, 59))
            when = Case(
                *[When(quarter=q, then=Value(at)) for q, at in entered.items()],
                output_field=DateTimeField(),
            )
            # indicator_id IN (...) rather than a join: an UPDATE over a join becomes
            # "id IN (join)", a scan of the whole table per statement.
            indicators = Indicator.objects.filter(
                contract__agency_id=agencies[spec.code], contract__year=year
            ).values("pk")
            Realisation.objects.filter(indicator_id__in=indicators, quarter__in=entered).exclude(
                entered_at=when
            ).update(entered_at=when)
    _set_survey_dates(list(agencies.values()))


def _set_survey_dates(agency_ids: list[int]) -> None:
    """Spread the imported responses of each service and quarter evenly over the quarter's
    days (up to REFERENCE_DAY for the current one), during office hours. Rows already right
    are not written."""
    groups: dict[tuple[int, int, int], list[tuple[int, datetime.datetime]]] = defaultdict(list)
    for pk, service_id, year, quarter, submitted in (
        SurveyResponse.objects.filter(
            service__agency_id__in=agency_ids, channel=SurveyResponse.Channel.IMPORT, year__in=YEARS
        )
        .order_by("pk")
        .values_list("pk", "service_id", "year", "quarter", "submitted_at")
        .iterator(chunk_size=5000)
    ):
        groups[(service_id, year, quarter)].append((pk, submitted))
    changed: list[tuple[int, datetime.datetime]] = []
    for (_service, year, quarter), members in groups.items():
        start = _quarter_start(year, quarter)
        end = min(quarter_last_day(year, quarter), REFERENCE_DAY - datetime.timedelta(days=1))
        days = (end - start).days + 1
        for i, (pk, submitted) in enumerate(members):
            minute = (i * 97) % 450
            when = _at(
                start + datetime.timedelta(days=i * days // len(members)),
                8 + minute // 60,
                minute % 60,
            )
            if submitted != when:
                changed.append((pk, when))
    _update_column(SurveyResponse, "submitted_at", changed)


def _update_column(model: type[Model], name: str, values: Sequence[tuple[int, object]]) -> None:
    """Set column `name` of the rows with the given primary keys, in bulk: on PostgreSQL one
    UPDATE ... FROM unnest(arrays) per 10,000 rows, elsewhere one prepared UPDATE run for all
    rows (SQLite runs it in-process). The ORM's bulk_update builds a CASE WHEN per row and
    takes seconds per 10,000."""
    if not values:
        return
    qn = connection.ops.quote_name
    field_ = model._meta.get_field(name)
    table, pk, column = qn(model._meta.db_table), qn(model._meta.pk.column), qn(field_.column)
    key_type, value_type = model._meta.pk.db_type(connection), field_.db_type(connection)
    rows = [(key, field_.get_db_prep_save(value, connection)) for key, value in values]
    # Names come from the model, values go as parameters.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = (
                f"UPDATE {table} SET {column} = v.value "  # noqa: S608
                f"FROM unnest(%s::{key_type}[], %s::{value_type}[]) AS v(key, value) "
                f"WHERE {table}.{pk} = v.key"
            )
            for chunk in iter_chunks(rows, 10_000):
                cursor.execute(sql, [[k for k, _v in chunk], [v for _k, v in chunk]])
        else:
            cursor.executemany(
                f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                [(value, key) for key, value in rows],
            )


def _mark(scale: int) -> None:
    """Exactly one SampleData row, carrying `scale`."""
    marker = SampleData.objects.order_by("pk").first()
    if marker is None:
        SampleData.objects.create(scale=scale)
        return
    SampleData.objects.exclude(pk=marker.pk).delete()
    if marker.scale != scale:
        SampleData.objects.filter(pk=marker.pk).update(scale=scale)


def database_counts() -> dict[str, int]:
    """Rows per kind of object in the whole database."""
    return {
        "regions": Region.objects.count(),
        "agencies": Agency.objects.count(),
        "services": Service.objects.count(),
        "employees": Employee.objects.count(),
        "contracts": PerformanceContract.objects.count(),
        "indicators": Indicator.objects.count(),
        "targets": Target.objects.count(),
        "realisations": Realisation.objects.count(),
        "explanations": Realisation.objects.exclude(explanation="").count(),
        "survey responses": SurveyResponse.objects.count(),
        "service metrics": ServiceMetric.objects.count(),
    }


def iter_chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
