"""The bench database: created when missing, migrated, and Django pointed at it.

It is a database of its own (`BENCH_DATABASE_URL`, default
`postgres://postgres@127.0.0.1:5432/kinerja_bench`), so the data set survives between runs
and nobody's development data is touched.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kinerja_bench"


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL


def _maintenance_url(url: str) -> tuple[str, str]:
    """(URL of the server's `postgres` database, name of the bench database)."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name:
        raise SystemExit(f"BENCH_DATABASE_URL names no database: {url}")
    return urlunsplit(parts._replace(path="/postgres")), name


def ensure_database(url: str) -> bool:
    """Create the bench database when it does not exist. True when it was created."""
    maintenance, name = _maintenance_url(url)
    with psycopg.connect(maintenance, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def configure_environment(url: str) -> None:
    """Production-like settings on the bench database; call before `django.setup()`.

    Child processes inherit the environment, so they see the same settings.
    """
    os.environ["DATABASE_URL"] = url
    # The pages part's child processes use `bench.settings` (the baseline view).
    os.environ["DJANGO_SETTINGS_MODULE"] = os.environ.get("BENCH_SETTINGS", "portal.settings")
    os.environ["DEBUG"] = "0"
    os.environ["SECRET_KEY"] = "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105
    os.environ["HTTPS_ONLY"] = "0"
    os.environ["STAFF_2FA"] = "0"
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # The local-memory cache: the bench must not touch a Redis someone else uses. The pages
    # part gives its child processes its own Redis database (BENCH_CHILD_REDIS_URL).
    if os.environ.get("BENCH_CHILD_REDIS_URL"):
        os.environ["REDIS_URL"] = os.environ["BENCH_CHILD_REDIS_URL"]
    else:
        os.environ.pop("REDIS_URL", None)


def setup_django(url: str) -> None:
    import django

    configure_environment(url)
    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
