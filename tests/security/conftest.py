"""One data set per module for the security sweeps: the fixed cast, the rewards world (a
regency with its own leader, recommendations in both agencies), and agency A's objects in
the states the workspace's URLs need. Built once per module inside a transaction that is
rolled back at the end; each test runs in a savepoint on top of it (pytest-django's `db`)."""

from __future__ import annotations

import datetime
import hashlib
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

SESSION_APPS = ("agencies", "performance", "rewards", "portal", "auth", "otp_totp")


@dataclass
class World:
    """Everything the sweeps name: users by role, agency A's objects, sessions by user."""

    cast: object
    users: dict[str, object]  # role or actor name -> user (None: anonymous)
    objects: dict[str, object]
    sessions: dict[str, str] = field(default_factory=dict)  # name -> session key
    baseline: dict[str, str] = field(default_factory=dict)  # fingerprint() of the data set

    def client(self, name: str) -> Client:
        """A fresh test client carrying `name`'s session (anonymous: no session)."""
        client = Client()
        key = self.sessions.get(name)
        if key:
            client.cookies[settings.SESSION_COOKIE_NAME] = key
        return client


def fingerprint() -> dict[str, str]:
    """A digest of every row of the portal's tables (its apps, users, TOTP devices), history
    tables and the personal-data access log included; sessions and login attempts are not
    data the portal's users change. Equal fingerprints: nothing was written."""
    out = {}
    for label in SESSION_APPS:
        for model in apps.get_app_config(label).get_models():
            rows = model._default_manager.order_by("pk").values_list()
            out[model._meta.label] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return out


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(k for k in before if before[k] != after.get(k))


def _build() -> World:
    from agencies.models import FollowUpPlan, Membership
    from performance.models import Employee, LateChange, PerformanceContract, StaffRating
    from rewards.models import Decision, Objection
    from tests.conftest import build_cast
    from tests.factories import (
        EmployeeFactory,
        ServiceFactory,
        SurveyResponseFactory,
        UserFactory,
    )
    from tests.portal.workspace.data import (
        contract_of,
        keep_quarters_open,
        skp_of,
        with_evidence,
    )
    from tests.rewards.data import build_world

    Status = PerformanceContract.Status
    cast = build_world(build_cast())
    a = cast.agency_a
    citizen = UserFactory(username="citizen")
    approver_b = UserFactory(username="approver_b")
    Membership.objects.create(user=approver_b, role=Membership.Role.APPROVER, agency=cast.agency_b)

    # The sweeps are about who may do what, not about time: the workspace's contracts are of
    # 2026, whose realisations are entered in time here (the late changes' own pages are swept
    # with `late_change`); 2025 stays closed, so its civil servants can be rated.
    keep_quarters_open(2026)
    draft = contract_of(a, status=Status.DRAFT)  # agency A's PK, 2025
    submitted = skp_of(a, status=Status.SUBMITTED, year=2026)
    approved = skp_of(a, status=Status.APPROVED, year=2026)
    evidence = with_evidence(approved)
    late_change = LateChange.objects.create(
        indicator=approved.indicators.order_by("code").first(),
        quarter=1,
        old_value=Decimal(90),
        new_value=Decimal(95),
        reason="Data susulan",
        entered_by=cast.officer_a,
    )
    service = ServiceFactory(agency=a, code="KIA", name="Layanan KIA")
    SurveyResponseFactory(service=service, suggestion="Antrean terlalu panjang")
    service_b = ServiceFactory(agency=cast.agency_b, code="PPDB", name="PPDB")
    plan = FollowUpPlan.objects.create(
        service=service,
        year=2025,
        quarter=1,
        action="Memperpendek antrean",
        unit="Bidang Pelayanan",
        due_date=timezone.localdate() + datetime.timedelta(days=30),
        created_by=cast.officer_a,
    )

    now = timezone.now()
    recommended = cast.decisions["ani"]  # a reward, recommended
    decided = cast.decisions["budi"]  # coaching, approved below
    Decision.objects.filter(pk=decided.pk).update(
        status=Decision.Status.APPROVED, decided_by=cast.leader, decided_at=now
    )
    penalty = cast.decisions["citra"]  # a penalty, approved, no objection yet
    Decision.objects.filter(pk=penalty.pk).update(
        status=Decision.Status.APPROVED, decided_by=cast.leader, decided_at=now
    )
    fajar = EmployeeFactory(agency=a, name="Fajar")
    objected = Decision.objects.create(
        rule=penalty.rule,
        run=cast.run,
        agency=a,
        employee=fajar,
        year=penalty.year,
        period=penalty.period,
        status=Decision.Status.APPROVED,
        decided_by=cast.leader,
        decided_at=now,
    )
    objection = Objection.objects.create(
        decision=objected, lodged_by=cast.officer_a, text="Nilai keliru", lodged_at=now
    )
    # Civil servants' ratings (2025 is closed): citra's given, so that her predikat can be
    # objected to and her ratings changed; ani still to rate (the upload and the bulk form).
    rated = PerformanceContract.objects.get(employee=cast.people["citra"], year=2025)
    StaffRating.objects.create(
        contract=rated,
        results="below",
        behaviour="below",
        suggested="below",
        rated_by=cast.approver_a,
        rated_at=now,
        changed_at=now,
    )
    to_rate = PerformanceContract.objects.get(employee=cast.people["ani"], year=2025)
    # Civil servants' own accounts (self-service): citra's (agency A: her rated 2025 and her
    # approved penalty) and dewi's (agency B), who must not reach citra's records.
    civil_servant = UserFactory(username=cast.people["citra"].nip)
    Employee.objects.filter(pk=cast.people["citra"].pk).update(user=civil_servant)
    civil_servant_b = UserFactory(username=cast.people["dewi"].nip)
    Employee.objects.filter(pk=cast.people["dewi"].pk).update(user=civil_servant_b)
    # ani's account, made by an HR officer and not used yet (a new link can be made for it)
    unused = UserFactory(username=cast.people["ani"].nip)
    unused.set_unusable_password()
    unused.save()
    Employee.objects.filter(pk=cast.people["ani"].pk).update(user=unused)
    users = {
        "anonymous": None,
        "citizen": citizen,
        "officer": cast.officer_a,
        "approver": cast.approver_a,
        "leader": cast.leader,
        "regional": cast.regency_leader,
        "auditor": cast.auditor,
        "civil_servant": civil_servant,
        # other scopes than agency A's
        "officer_b": cast.officer_b,
        "approver_b": approver_b,
        "civil_servant_b": civil_servant_b,
    }
    objects = {
        "agency": a,
        "draft": draft,
        "submitted": submitted,
        "approved": approved,
        "evidence": evidence,
        "late_change": late_change,
        "service": service,
        "service_b": service_b,
        "plan": plan,
        "recommended": Decision.objects.get(pk=recommended.pk),
        "decided": Decision.objects.get(pk=decided.pk),
        "penalty": Decision.objects.get(pk=penalty.pk),
        "objection": objection,
        "decision_b": cast.decisions["dewi"],
        "decision_regency": cast.decisions["eko"],
        "rated": rated,
        "to_rate": to_rate,
        "without_account": cast.people["budi"],
        "unused_account": cast.people["ani"],
        "employee": fajar,  # a civil servant of agency A (issue 23's pages)
    }
    world = World(cast=cast, users=users, objects=objects)
    for name, user in users.items():
        if user is not None:
            client = Client()
            client.force_login(user)
            world.sessions[name] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The module's data set (see the module docstring), evidence files in a temporary
    MEDIA_ROOT, English pages."""
    with (
        tempfile.TemporaryDirectory() as media,
        override_settings(MEDIA_ROOT=media, LANGUAGE_CODE="en"),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        built = _build()
        built.baseline = fingerprint()
        yield built
        transaction.set_rollback(True)


@pytest.fixture
def in_world(world, db):
    """`world`, inside this test's savepoint."""
    return world


def survey_answers(service) -> dict:
    """A valid SKM submission for `service` (its time stamp a minute old)."""
    from portal.public.survey import issue_token

    return {
        **{f"u{n}": "3" for n in range(1, 10)},
        "started": issue_token(service, time.time() - 60),
    }


def formset_rows(contract, *, text_suffix: str = "") -> dict:
    """The contract-edit formset posted back as the page shows it (`text_suffix` appended to
    each indicator's text, so the save changes something)."""
    from performance.contracts import target_values

    indicators = list(contract.indicators.order_by("code").prefetch_related("targets"))
    data = {
        "version": contract.version,
        "ind-TOTAL_FORMS": len(indicators),
        "ind-INITIAL_FORMS": len(indicators),
        "ind-MIN_NUM_FORMS": 1,
        "ind-MAX_NUM_FORMS": 100,
    }
    for i, ind in enumerate(indicators):
        targets = target_values(ind)
        data.update(
            {
                f"ind-{i}-id": ind.pk,
                f"ind-{i}-contract": contract.pk,
                f"ind-{i}-code": ind.code,
                f"ind-{i}-text": ind.text + text_suffix,
                f"ind-{i}-unit": ind.unit,
                f"ind-{i}-direction": ind.direction,
                f"ind-{i}-weight": str(ind.weight),
                **{f"ind-{i}-target_q{q}": str(targets.get(q, "")) for q in (1, 2, 3, 4)},
            }
        )
    return data


def realisation_rows(contract, quarter: int, value: Decimal) -> dict:
    """The realisation screen's rows, every indicator at `value`."""
    return {f"i{ind.pk}-value": str(value) for ind in contract.indicators.all()}
