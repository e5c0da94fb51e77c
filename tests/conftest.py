"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL when DATABASE_URL
points at it (CI); the Celery worker tests need REDIS_URL."""

import datetime
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client

from agencies.models import Agency

# A day when every quarter of 2025 is closed (Q4 2025 closes after 15 January 2026).
AFTER_2025 = datetime.date(2026, 2, 1)


def clear_cache() -> None:
    """Empty the cache without `cache.clear()`, which on Redis would flush the database the
    Celery broker shares with it: only this test run's keys go. The web worker's memory of
    the published run and of page validators goes too (the next test has another database)."""
    from performance.caching import forget_published_run
    from portal.public.pagecache import forget_validators

    forget_validators()
    forget_published_run()
    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        client = cache._cache.get_client(write=True)
        prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _clear_cache():
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def after_2025() -> datetime.date:
    return AFTER_2025


# --- The fixed cast (STYLE.md): anonymous, HR officers of agencies A and B, the approver of
# A, a province leader and an auditor. Later issues reuse it through `cast`. ---------------


@dataclass
class Cast:
    agency_a: Agency
    agency_b: Agency
    officer_a: User
    officer_b: User
    approver_a: User
    leader: User
    auditor: User

    def client(self, user: User | None) -> Client:
        """A test client logged in as `user` (None: an anonymous citizen)."""
        client = Client()
        if user is not None:
            client.force_login(user)
        return client


@pytest.fixture
def cast(db) -> Cast:
    return build_cast()


def build_cast() -> Cast:
    """The cast's agencies, users and roles (the `cast` fixture; a module-scoped data set
    calls it directly, inside its own database access)."""
    from agencies.models import Membership
    from tests.factories import AgencyFactory, RegionFactory, UserFactory

    province = RegionFactory()
    a = AgencyFactory(code="DIKES", slug="dikes", name="Dinas Kesehatan", region=province)
    b = AgencyFactory(
        code="DIKBUD", slug="dikbud", name="Dinas Pendidikan dan Kebudayaan", region=province
    )
    role = Membership.Role
    users = {}
    for name, r, agency in (
        ("officer_a", role.HR_OFFICER, a),
        ("officer_b", role.HR_OFFICER, b),
        ("approver_a", role.APPROVER, a),
        ("leader", role.LEADER, None),
        ("auditor", role.AUDITOR, None),
    ):
        user = UserFactory(username=name)
        Membership.objects.create(user=user, role=r, agency=agency)
        users[name] = user
    return Cast(agency_a=a, agency_b=b, **users)


@pytest.fixture
def anonymous(cast) -> Client:
    return cast.client(None)


@pytest.fixture
def officer_a(cast) -> Client:
    return cast.client(cast.officer_a)


@pytest.fixture
def officer_b(cast) -> Client:
    return cast.client(cast.officer_b)


@pytest.fixture
def approver_a(cast) -> Client:
    return cast.client(cast.approver_a)


@pytest.fixture
def leader(cast) -> Client:
    return cast.client(cast.leader)


@pytest.fixture
def auditor(cast) -> Client:
    return cast.client(cast.auditor)


@pytest.fixture
def world(cast):
    """Decisions over the cast's agencies and two regions (`tests.rewards.data.build_world`)."""
    from tests.rewards.data import build_world

    return build_world(cast)


@pytest.fixture
def private_media(settings, tmp_path):
    """MEDIA_ROOT in a temporary folder: evidence and staged uploads land there."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def english(settings):
    """Pages, messages and recorded reasons in English (the default language is Indonesian),
    so a test can read them whatever the catalogues say."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def call_in_indonesian(*args, **kwargs):
    """Run a command with Indonesian active (the portal's default language): its output is a
    contract (`line N, column C: reason`) and stays as written."""
    from django.core.management import call_command
    from django.utils import translation

    with translation.override("id"):
        call_command(*args, **kwargs)


def snapshot() -> dict[str, list[dict]]:
    """Every row of every agencies and performance table (history tables included), to show
    that a refused import saved nothing."""
    from django.apps import apps

    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for app in ("agencies", "performance")
        for model in apps.get_app_config(app).get_models()
    }


@pytest.fixture
def eager_tasks():
    """Celery tasks run in-process, as on a laptop, even where REDIS_URL points at a broker
    (CI): for tests of what a task does, apart from the ones that start a real worker."""
    from portal.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved
