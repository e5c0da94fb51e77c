"""The province-scale data set of the recompute benchmark, generated in SQL.

40 agencies in NTB's 11 regions, 5 services each, 200,000 survey responses; 100,000
employees with valid NIPs, each with an approved SKP for `YEAR` of 10 indicators (30%
"lower is better", some with a zero target), targets for 4 quarters and realisations
for 98% of them (the other 2% are missing, so they count as 0 once the quarter is closed),
plus the 40 agencies' PK contracts of 10 indicators each. Every value is a function of the
row's position, so each build is the same data set.

Rows are written with INSERT ... SELECT over generate_series and explicit ids (indicator
`i` of contract `c` has id `10 * (c - 1) + i`), not through the ORM: the ORM would take
minutes for 9 million rows and measure nothing we care about here.
"""

from __future__ import annotations

import json
import re
import time

from django.db import connection, transaction

from performance.validators import nip_problem

YEAR = 2024
AGENCIES = 40
SERVICES_PER_AGENCY = 5
EMPLOYEES = 100_000
INDICATORS = 10
QUARTERS = 4
SURVEY_RESPONSES = 200_000
# Change when the generator changes, so existing bench databases are rebuilt.
VERSION = 2
SPEC = {
    "name": "recompute",
    "version": VERSION,
    "year": YEAR,
    "agencies": AGENCIES,
    "employees": EMPLOYEES,
    "indicators": INDICATORS,
    "survey": SURVEY_RESPONSES,
}

REGIONS = [
    ("52", "Provinsi Nusa Tenggara Barat", "province"),
    ("5201", "Kabupaten Lombok Barat", "regency"),
    ("5202", "Kabupaten Lombok Tengah", "regency"),
    ("5203", "Kabupaten Lombok Timur", "regency"),
    ("5204", "Kabupaten Sumbawa", "regency"),
    ("5205", "Kabupaten Dompu", "regency"),
    ("5206", "Kabupaten Bima", "regency"),
    ("5207", "Kabupaten Sumbawa Barat", "regency"),
    ("5208", "Kabupaten Lombok Utara", "regency"),
    ("5271", "Kota Mataram", "city"),
    ("5272", "Kota Bima", "city"),
]

# Tables the generator owns; CASCADE also empties any table that refers to them.
TABLES = [
    "agencies_region",
    "agencies_agency",
    "agencies_service",
    "agencies_servicemetric",
    "agencies_surveyresponse",
    "agencies_sampledata",
    "performance_employee",
    "performance_scoringscheme",
    "performance_performancecontract",
    "performance_indicator",
    "performance_target",
    "performance_realisation",
    "performance_scorerun",
    "performance_score",
    "performance_achievement",
    "performance_annualachievement",
]

_META_TABLE = """
CREATE TABLE IF NOT EXISTS bench_dataset (
    name text PRIMARY KEY, spec jsonb NOT NULL, counts jsonb NOT NULL,
    built_at timestamptz NOT NULL DEFAULT now())
"""

_COUNTS_SQL = """
SELECT (SELECT count(*) FROM agencies_agency), (SELECT count(*) FROM performance_employee),
       (SELECT count(*) FROM performance_performancecontract),
       (SELECT count(*) FROM performance_indicator), (SELECT count(*) FROM performance_target),
       (SELECT count(*) FROM performance_realisation),
       (SELECT count(*) FROM agencies_surveyresponse)
"""
_COUNT_NAMES = [
    "agencies",
    "employees",
    "contracts",
    "indicators",
    "targets",
    "realisations",
    "survey_responses",
]

# Each statement takes %(year)s, %(agencies)s, %(employees)s, %(indicators)s, %(survey)s,
# %(services)s; `{more_columns}` and `{more_values}` get the model's other NOT NULL columns
# (see `_fill`), so a new field with a default does not break the generator.
_GENERATE = [
    # 40 agencies: half provincial, the rest spread over the regencies and cities.
    """
    INSERT INTO agencies_agency (id, code, slug, name, acronym, region_id, sector, parent_id,
                                 is_public{more_columns})
    SELECT a, 'BENCH' || lpad(a::text, 2, '0'), 'bench-' || lpad(a::text, 2, '0'),
           'Perangkat Daerah Bench ' || lpad(a::text, 2, '0'), 'PDB' || a,
           (SELECT id FROM agencies_region ORDER BY code
            OFFSET CASE WHEN a <= %(agencies)s / 2 THEN 0 ELSE 1 + a %% 10 END LIMIT 1),
           (ARRAY['Kesehatan', 'Pendidikan', 'Pekerjaan Umum', 'Perizinan', 'Sosial',
                  'Perhubungan', 'Pertanian', 'Kependudukan'])[1 + a %% 8],
           NULL, true{more_values}
    FROM generate_series(1, %(agencies)s) a
    """,
    """
    INSERT INTO agencies_service (id, agency_id, code, name, standard_days, fee{more_columns})
    SELECT (a - 1) * %(services)s + s, a, 'L' || s, 'Layanan ' || s, 2 + s, NULL{more_values}
    FROM generate_series(1, %(agencies)s) a, generate_series(1, %(services)s) s
    """,
    # Answers 1-4, mostly 3 and 4 (an IKM of 71-83, depending on the agency).
    """
    INSERT INTO agencies_surveyresponse (service_id, year, quarter, u1, u2, u3, u4, u5, u6, u7,
                                         u8, u9, submitted_at, channel{more_columns})
    SELECT 1 + n %% (%(agencies)s * %(services)s), %(year)s, q,
           a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9],
           make_timestamptz(%(year)s, 3 * q - 1, 1 + n %% 28, 10, 0, 0, 'Asia/Makassar'),
           'web'{more_values}
    FROM generate_series(0, %(survey)s - 1) n
    CROSS JOIN LATERAL (SELECT 1 + (n / (%(agencies)s * %(services)s)) %% 4 AS q,
                               (n %% (%(agencies)s * %(services)s)) / %(services)s AS ag) k
    CROSS JOIN LATERAL (
        SELECT array_agg(CASE WHEN h < 1 + ag %% 3 THEN 1 WHEN h < 4 + ag %% 5 THEN 2
                              WHEN h < 12 THEN 3 ELSE 4 END ORDER BY u) AS a
        FROM generate_series(1, 9) u, LATERAL (SELECT (n * (2 * u + 1) + u * 7) %% 20 AS h) x
    ) answers
    """,
    # NIP: birth date (YYYYMMDD), appointment month 20-25 years later (YYYYMM), sex, serial.
    # (birth offset, serial) is unique per n, so the NIP is too.
    """
    INSERT INTO performance_employee (id, nip, name, position, agency_id,
                                      supervisor_id{more_columns})
    SELECT n,
           to_char(born, 'YYYYMMDD') || (extract(year FROM born)::int + 20 + n %% 6)::text
           || lpad((1 + n %% 12)::text, 2, '0') || (1 + n %% 2)::text
           || lpad((1 + (n - 1) / 12000)::text, 3, '0'),
           'Pegawai Bench ' || n,
           (ARRAY['Analis Kebijakan', 'Pranata Komputer', 'Perawat', 'Guru', 'Penyuluh',
                  'Pengelola Keuangan'])[1 + n %% 6],
           1 + (n - 1) %% %(agencies)s, NULL{more_values}
    FROM generate_series(1, %(employees)s) n
    CROSS JOIN LATERAL (SELECT date '1965-01-01' + (n - 1) %% 12000 AS born) b
    """,
    # Contracts 1..employees are the SKPs; employees + a is agency a's PK.
    """
    INSERT INTO performance_performancecontract (id, year, agency_id, employee_id, status,
                                                 created_at, updated_at{more_columns})
    SELECT n, %(year)s, 1 + (n - 1) %% %(agencies)s, n, 'approved', now(), now(){more_values}
    FROM generate_series(1, %(employees)s) n
    UNION ALL
    SELECT %(employees)s + a, %(year)s, a, NULL, 'approved', now(), now(){more_values}
    FROM generate_series(1, %(agencies)s) a
    """,
    """
    INSERT INTO performance_indicator (id, contract_id, code, text, unit, direction,
                                       weight{more_columns})
    SELECT (c - 1) * %(indicators)s + j, c,
           CASE WHEN c > %(employees)s THEN 'IKU' ELSE 'RHK' END || j,
           'Indikator kinerja ' || j, (ARRAY['%%', 'dokumen', 'hari', 'orang'])[1 + j %% 4],
           CASE WHEN (c * 7 + j * 3) %% 10 < 3 THEN 'lower' ELSE 'higher' END,
           5 + (c * 13 + j * 29) %% 26 + ((c + j) %% 2) * 0.5{more_values}
    FROM generate_series(1, %(employees)s + %(agencies)s) c,
         generate_series(1, %(indicators)s) j
    """,
    # One lower-is-better indicator in 20 has a zero target (the t == 0 rule).
    """
    INSERT INTO performance_target (indicator_id, quarter, value{more_columns})
    SELECT i.id, q,
           CASE WHEN i.direction = 'lower' AND i.id %% 20 = 0 THEN 0
                ELSE 10 + (i.id * 31 + q * 17) %% 190 + ((i.id + q) %% 4) * 0.25
           END{more_values}
    FROM performance_indicator i, generate_series(1, 4) q
    ORDER BY i.id, q
    """,
    # Each employee has a level (55-104% of target on average), each indicator-quarter a
    # spread of 0-50 points on it, so scores cover several predikat bands and some
    # achievements hit the cap; 2% are missing. Written quarter by quarter, as they are
    # entered, so the table's physical order is not the index order.
    """
    INSERT INTO performance_realisation (indicator_id, quarter, value, explanation,
                                         evidence_url, entered_by_id,
                                         entered_at{more_columns})
    SELECT t.indicator_id, t.quarter,
           CASE WHEN t.value = 0 THEN CASE WHEN h %% 3 = 0 THEN 1 ELSE 0 END
                ELSE round(t.value * (55 + level + h %% 51) / 100, 4) END,
           '', '', NULL, now(){more_values}
    FROM performance_target t
    CROSS JOIN LATERAL (
        SELECT (t.indicator_id * 13 + t.quarter * 101) %% 1009 AS h,
               ((t.indicator_id - 1) / %(indicators)s * 37) %% 50 AS level
    ) x
    WHERE (t.indicator_id * 7 + t.quarter * 3) %% 50 <> 0
    ORDER BY t.quarter, t.indicator_id
    """,
]

_ID_TABLES = [
    "agencies_region",
    "agencies_agency",
    "agencies_service",
    "performance_employee",
    "performance_performancecontract",
    "performance_indicator",
]


def history_tables() -> list[str]:
    """The audit-trail (django-simple-history) tables of the agencies and performance apps.
    The generator writes no history; the import part's records are all there is."""
    from django.apps import apps

    tables = []
    for app in ("agencies", "performance"):
        for model in apps.get_app_config(app).get_models():
            manager = getattr(model._meta, "simple_history_manager_attribute", None)
            if manager:
                tables.append(getattr(model, manager).model._meta.db_table)
    return tables


def _fill(sql: str) -> tuple[str, dict]:
    """`sql` with the other NOT NULL columns of its table (those a later migration added)
    and their model defaults as parameters."""
    from django.apps import apps
    from django.db.models import NOT_PROVIDED
    from django.utils import timezone

    match = re.search(r"INSERT INTO (\w+) \(([^)]*)\{more_columns\}\)", sql)
    table, named = match[1], {c.strip() for c in match[2].split(",")}
    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    columns, params = [], {}
    for field in model._meta.concrete_fields:
        if (
            field.column in named
            or field.primary_key
            or field.null
            or field.db_default is not NOT_PROVIDED
        ):
            continue
        if field.has_default():
            value = field.get_default()
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = timezone.now()
        elif field.empty_strings_allowed and field.blank:
            value = ""
        else:
            raise RuntimeError(f"the bench data set has no value for {table}.{field.column}")
        columns.append(field.column)
        params[f"fill_{field.column}"] = field.get_db_prep_save(value, connection)
    return sql.format(
        more_columns="".join(f", {c}" for c in columns),
        more_values="".join(f", %({key})s" for key in params),
    ), params


def _params() -> dict:
    return {
        "year": YEAR,
        "agencies": AGENCIES,
        "employees": EMPLOYEES,
        "indicators": INDICATORS,
        "survey": SURVEY_RESPONSES,
        "services": SERVICES_PER_AGENCY,
    }


def counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(_COUNTS_SQL)
        return dict(zip(_COUNT_NAMES, cursor.fetchone(), strict=True))


def is_current() -> bool:
    """True when the database holds this very data set (same spec, same row counts)."""
    with connection.cursor() as cursor:
        cursor.execute(_META_TABLE)
        cursor.execute("SELECT spec, counts FROM bench_dataset WHERE name = %s", [SPEC["name"]])
        row = cursor.fetchone()
    if row is None:
        return False
    spec, built_counts = (json.loads(x) if isinstance(x, str) else x for x in row)
    return spec == SPEC and built_counts == counts()


# The tables the generator fills, whose foreign keys and secondary indexes it drops for the
# load and puts back after (PostgreSQL's advice for bulk loads: checking 9 million deferred
# foreign keys one row at a time at commit took longer than writing the rows).
_LOADED = [
    "agencies_agency",
    "agencies_service",
    "agencies_surveyresponse",
    "performance_employee",
    "performance_performancecontract",
    "performance_indicator",
    "performance_target",
    "performance_realisation",
]

_FOREIGN_KEYS = """
SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])
"""
# Indexes that no constraint owns (the primary keys and unique constraints stay).
_INDEXES = """
SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
WHERE indrelid = ANY(%s::regclass[])
  AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = indexrelid)
"""


def build(log=print) -> dict[str, int]:
    """Empty the tables and generate the data set; returns its row counts."""
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_META_TABLE)
        cursor.execute("DELETE FROM bench_dataset WHERE name = %s", [SPEC["name"]])
        cursor.execute(f"TRUNCATE {', '.join(TABLES + history_tables())} RESTART IDENTITY CASCADE")
        # Enough memory for the sorts and the index builds of a bulk load.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute(_FOREIGN_KEYS, [_LOADED])
        foreign_keys = cursor.fetchall()
        cursor.execute(_INDEXES, [_LOADED])
        indexes = cursor.fetchall()
        for table, name, _ in foreign_keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        sql, fill = _fill(
            "INSERT INTO agencies_region (id, code, name, kind{more_columns}) "
            "VALUES (%(id)s, %(code)s, %(name)s, %(kind)s{more_values})"
        )
        cursor.executemany(
            sql,
            [
                {"id": i, "code": code, "name": name, "kind": kind, **fill}
                for i, (code, name, kind) in enumerate(REGIONS, start=1)
            ],
        )
        for statement in _GENERATE:
            step = time.perf_counter()
            sql, fill = _fill(statement)
            cursor.execute(sql, {**_params(), **fill})
            log(
                f"  {statement.split()[2]}: {cursor.rowcount:,} rows "
                f"({time.perf_counter() - step:.1f} s)"
            )
        step = time.perf_counter()
        for _, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in foreign_keys:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        log(
            f"  {len(indexes)} indexes and {len(foreign_keys)} foreign keys back "
            f"({time.perf_counter() - step:.1f} s)"
        )
        for table in _ID_TABLES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        cursor.execute("SELECT nip FROM performance_employee")
        bad = [(nip, p) for (nip,) in cursor.fetchall() if (p := nip_problem(nip))]
        if bad:
            raise RuntimeError(f"{len(bad)} generated NIPs are invalid, e.g. {bad[0]}")
        built = counts()
        cursor.execute(
            "INSERT INTO bench_dataset (name, spec, counts) VALUES (%s, %s, %s)",
            [SPEC["name"], json.dumps(SPEC), json.dumps(built)],
        )
    step = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    log(
        f"  VACUUM ANALYZE ({time.perf_counter() - step:.1f} s); "
        f"built in {time.perf_counter() - started:.1f} s"
    )
    return built
