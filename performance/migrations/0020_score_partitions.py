"""Score rows partitioned by run on PostgreSQL (issue 24): one LIST partition per run, so that
pruning a run drops its partition (a moment) instead of deleting its half a million rows, and
a DEFAULT partition for rows of a run without one (none in normal operation: the recompute
adds the run's partition first, performance.history.add_partition). Elsewhere (SQLite)
nothing changes: pruning deletes.

PostgreSQL requires the partition key in the primary key, so it becomes (id, run_id); ids
still come from one sequence, so `id` stays unique, as Django expects. Before version 17 a
partitioned table cannot have an identity column: the id takes its default from a sequence
owned by the column. The indexes keep their names (defined on the parent, each partition
gets its own)."""

from django.db import migrations

TABLE = "performance_score"
OLD = "performance_score_unpartitioned"
SEQUENCE = "performance_score_id_seq"


def _indexes(cursor, table: str) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
        " AND tablename = %s AND indexname <> %s ORDER BY indexname",
        [table, f"{table}_pkey"],
    )
    return cursor.fetchall()


def _columns(cursor, table: str) -> str:
    cursor.execute(
        "SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position)"
        " FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND table_name = %s",
        [table],
    )
    return cursor.fetchone()[0]


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        indexes = _indexes(cursor, TABLE)
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
        cursor.execute(f"ALTER TABLE {OLD} RENAME CONSTRAINT {TABLE}_pkey TO {OLD}_pkey")
        for name, _definition in indexes:
            cursor.execute(f"ALTER INDEX {name} RENAME TO {name}_old")
        cursor.execute(
            f"CREATE TABLE {TABLE} (LIKE {OLD} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
            " PARTITION BY LIST (run_id)"
        )
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, run_id)")
        for _name, definition in indexes:
            cursor.execute(definition)  # ON performance_score: now the partitioned table
        cursor.execute(f"CREATE TABLE performance_score_default PARTITION OF {TABLE} DEFAULT")
        cursor.execute(f"SELECT DISTINCT run_id FROM {OLD} ORDER BY run_id")
        for (run_id,) in cursor.fetchall():
            run = int(run_id)
            cursor.execute(
                f"CREATE TABLE performance_score_run_{run} PARTITION OF {TABLE}"
                f" FOR VALUES IN ({run})"
            )
        columns = _columns(cursor, OLD)
        cursor.execute(f"INSERT INTO {TABLE} ({columns}) SELECT {columns} FROM {OLD}")
        cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {OLD}")
        (start,) = cursor.fetchone()
        cursor.execute(f"DROP TABLE {OLD}")  # and its identity sequence
        cursor.execute(f"CREATE SEQUENCE {SEQUENCE} START WITH {int(start)}")
        cursor.execute(f"ALTER SEQUENCE {SEQUENCE} OWNED BY {TABLE}.id")
        cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id SET DEFAULT nextval('{SEQUENCE}')")


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        indexes = _indexes(cursor, TABLE)
        cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id DROP DEFAULT")
        cursor.execute(f"ALTER SEQUENCE {SEQUENCE} OWNED BY NONE")
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
        cursor.execute(f"ALTER TABLE {OLD} RENAME CONSTRAINT {TABLE}_pkey TO {OLD}_pkey")
        for name, _definition in indexes:
            cursor.execute(f"ALTER INDEX {name} RENAME TO {name}_old")
        cursor.execute(
            f"CREATE TABLE {TABLE} (LIKE {OLD} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        )
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id)")
        columns = _columns(cursor, OLD)
        cursor.execute(f"INSERT INTO {TABLE} ({columns}) SELECT {columns} FROM {OLD}")
        cursor.execute(f"DROP TABLE {OLD}")  # with its partitions
        cursor.execute(f"ALTER SEQUENCE {SEQUENCE} OWNED BY {TABLE}.id")
        cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id SET DEFAULT nextval('{SEQUENCE}')")
        for _name, definition in indexes:
            cursor.execute(definition.replace(" ONLY ", " "))


class Migration(migrations.Migration):
    dependencies = [
        ("performance", "0019_editions_and_input_fingerprint"),
    ]

    operations = [
        migrations.RunPython(partition, unpartition, elidable=False),
    ]
