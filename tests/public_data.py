"""A province-sized data set for the public page tests: 44 agencies (one small, one not
public), 2,000 civil servants with SKP contracts, PK contracts for two years, services with
surveys and metrics, scored by `recompute_scores`. Built with bulk_create in a few seconds.

Declare it in a test module as `public_data = module_fixture()`: it is committed outside
the tests' transactions and wiped when the module ends.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from agencies.models import (
    ANSWER_FIELDS,
    Agency,
    AuditEvent,
    FollowUpPlan,
    FollowUpUpdate,
    Region,
    SampleData,
    Service,
    ServiceMetric,
    SurveyResponse,
)
from performance import scoring
from performance.models import (
    Achievement,
    AnnualAchievement,
    Correction,
    Edition,
    Employee,
    Goal,
    GoalIndicator,
    GoalTarget,
    Indicator,
    LateChange,
    PerformanceContract,
    PersonalDataAccess,
    Realisation,
    Score,
    ScoreRun,
    ScoringScheme,
    StaffCount,
    StaffRating,
    Support,
    Target,
)
from performance.services import recompute_scores
from portal.demo.tables import REGIONS
from tests.conftest import AFTER_2025, clear_cache
from tests.factories import make_nip

SECTORS = ["Kesehatan", "Pendidikan", "Pekerjaan Umum", "Perizinan", "Sosial"]
AGENCIES = 44
EMPLOYEES = 2000
SMALL_AGENCY_STAFF = 6
STAFF_ANSWERS = 12  # survey respondents per quarter of each agency's first service
FEW_ANSWERS = 3  # ... and of its second service ("data belum cukup")
EXPLANATION = "Anggaran baru cair pada akhir triwulan"


@dataclass
class PublicData:
    agencies: list[Agency] = field(default_factory=list)
    small: Agency | None = None
    hidden: Agency | None = None
    services: list[Service] = field(default_factory=list)
    run: ScoreRun | None = None

    @property
    def public_agencies(self) -> list[Agency]:
        return [a for a in self.agencies if a.is_public]


def build() -> PublicData:
    data = PublicData()
    regions = Region.objects.bulk_create(
        [Region(code=c, name=n, kind=Region.kind_for_code(c)) for c, n in REGIONS]
    )
    for year in (2024, 2025):
        ScoringScheme.objects.get_or_create(year=year)
    agencies = [
        Agency(
            code=f"OPD{i:02d}",
            slug=f"opd-{i:02d}",
            name=f"Dinas Uji {i:02d}",
            acronym=f"DU{i:02d}",
            region=regions[i % len(regions)],
            sector=SECTORS[i % len(SECTORS)],
            is_public=i != AGENCIES - 1,
        )
        for i in range(AGENCIES)
    ]
    data.agencies = Agency.objects.bulk_create(agencies)
    data.small = data.agencies[AGENCIES - 2]
    data.hidden = data.agencies[AGENCIES - 1]
    data.small.name = "Biro Kecil"
    data.small.save(update_fields=["name"])

    # Employees: the small agency gets a handful, the others share the rest.
    big = data.agencies[: AGENCIES - 2] + [data.hidden]
    owners = [data.small] * SMALL_AGENCY_STAFF + [
        big[n % len(big)] for n in range(EMPLOYEES - SMALL_AGENCY_STAFF)
    ]
    employees = Employee.objects.bulk_create(
        [
            Employee(
                nip=make_nip(n), name=f"Rahasia Pegawai{n:04d}", position="Analis", agency=agency
            )
            for n, agency in enumerate(owners)
        ]
    )

    approved = PerformanceContract.Status.APPROVED
    pk_contracts = PerformanceContract.objects.bulk_create(
        [
            PerformanceContract(year=year, agency=a, status=approved)
            for a in data.agencies
            for year in (2024, 2025)
        ]
    )
    skp_contracts = PerformanceContract.objects.bulk_create(
        [
            PerformanceContract(year=2025, agency=e.agency, employee=e, status=approved)
            for e in employees
        ]
    )
    # The civil servants' ratings of 2025: every cell of the matrix in turn, every tenth
    # person unrated (no predikat).
    now = timezone.now()
    StaffRating.objects.bulk_create(
        [
            StaffRating(
                contract=c,
                results=scoring.RATINGS[k % 3],
                behaviour=scoring.RATINGS[(k // 3) % 3],
                rated_at=now,
                changed_at=now,
            )
            for k, c in enumerate(skp_contracts)
            if k % 10 != 9
        ],
        batch_size=5000,
    )
    indicators = Indicator.objects.bulk_create(
        [
            Indicator(
                contract=c,
                code=f"IKU{k}",
                text=f"Indikator kinerja utama {k}",
                unit="%" if k != 4 else "hari",
                direction="lower" if k == 4 else "higher",
                weight=Decimal(25),
            )
            for c in pk_contracts
            for k in (1, 2, 3, 4)
        ]
        + [
            Indicator(
                contract=c,
                code="RHK1",
                text="Dokumen yang diselesaikan",
                unit="dokumen",
                weight=Decimal(100),
            )
            for c in skp_contracts
        ]
    )
    targets, realisations = [], []
    for n, indicator in enumerate(indicators):
        contract = indicator.contract
        agency_index = data.agencies.index(contract.agency) if contract.employee_id is None else 0
        # SKP contracts get one quarter (enough for an annual score): it keeps the build fast.
        for q in (1, 2, 3, 4) if contract.employee_id is None else (1,):
            targets.append(Target(indicator=indicator, quarter=q, value=Decimal(100)))
            if contract.employee_id is None:
                if contract.year == 2025 and q == 3 and agency_index % 7 == 0:
                    continue  # overdue: Q3 closed without a realisation
                value = Decimal(70 + (agency_index * 3 + q * 5 + n) % 45)
                explanation = EXPLANATION if value < 90 else ""
            else:
                value = Decimal(40 + (n * 7 + q) % 80)
                explanation = ""
            realisations.append(
                Realisation(indicator=indicator, quarter=q, value=value, explanation=explanation)
            )
    Target.objects.bulk_create(targets, batch_size=5000)
    Realisation.objects.bulk_create(realisations, batch_size=5000)
    # The cascade: a province goal indicator every agency's IKU1 of 2025 serves, and the
    # staff's RHK1 serving their agency's IKU1 (the small agency's below the group minimum).
    goal = Goal.objects.create(code="S1", text="Meningkatnya kualitas layanan", plan="rpjmd")
    served = GoalIndicator.objects.create(goal=goal, code="S1.1", text="Indeks layanan")
    for year in (2024, 2025):
        GoalTarget.objects.create(indicator=served, year=year, value=Decimal(80))
    iku1 = {
        i.contract.agency_id: i
        for i in indicators
        if i.code == "IKU1" and i.contract.year == 2025 and i.contract.employee_id is None
    }
    Indicator.objects.filter(pk__in=[i.pk for i in iku1.values()]).update(goal_indicator=served)
    for agency_id, parent in iku1.items():
        Indicator.objects.filter(
            contract__agency_id=agency_id, contract__employee__isnull=False
        ).update(parent=parent)

    services = Service.objects.bulk_create(
        [
            Service(
                agency=a,
                code=f"L{k}",
                name=f"Layanan {k} {a.acronym}",
                standard_days=3 + k,
                fee=Decimal(0) if k == 1 else Decimal(50000),
            )
            for a in data.agencies
            for k in (1, 2)
        ]
    )
    data.services = services
    responses, metrics = [], []
    for i, service in enumerate(services):
        many = service.code == "L1"
        for q in (1, 2, 3):
            for r in range(STAFF_ANSWERS if many else FEW_ANSWERS):
                answers = {
                    f: min(4, 1 + i % 4 + (r + j + q) % 2) for j, f in enumerate(ANSWER_FIELDS)
                }
                responses.append(
                    SurveyResponse(
                        service=service,
                        year=2025,
                        quarter=q,
                        channel=SurveyResponse.Channel.IMPORT,
                        **answers,
                    )
                )
            for kind, value in (
                ("applications", 100 + i),
                ("completed_on_time", 90),
                ("avg_processing_days", Decimal("4.5")),
            ):
                metrics.append(
                    ServiceMetric(service=service, year=2025, quarter=q, kind=kind, value=value)
                )
    SurveyResponse.objects.bulk_create(responses, batch_size=5000)
    ServiceMetric.objects.bulk_create(metrics, batch_size=5000)
    # Follow-up plans of two public agencies' services (one with an update) and of the
    # agency that is not public.
    plans = FollowUpPlan.objects.bulk_create(
        [
            FollowUpPlan(
                service=s,
                year=2025,
                quarter=3,
                action=f"Menambah loket {s.code}",
                unit="Bidang Pelayanan",
                due_date=datetime.date(2026, 3, 31),
            )
            for s in services
            if s.code == "L1" and s.agency in (data.agencies[0], data.agencies[1], data.hidden)
        ]
    )
    FollowUpUpdate.objects.create(
        plan=plans[0],
        on=datetime.date(2026, 1, 15),
        text="Loket tambahan dibuka",
        status=FollowUpPlan.Status.IN_PROGRESS,
    )
    SampleData.objects.create()
    data.run = recompute_scores(today=AFTER_2025)
    # A correction of the run, as `recompute_scores` records one when a published figure of
    # a closed period changes (tests/performance/test_corrections.py): of a public agency's
    # Q2 and of the hidden agency's (never shown).
    for agency in (data.agencies[1], data.hidden):
        Correction.objects.create(
            run=data.run,
            previous_run_id=data.run.pk,
            published_at=data.run.published_at,
            agency=agency,
            year=2025,
            period="Q2",
            figure="achievement",
            indicator_code="IKU1",
            old_value=Decimal("82.00"),
            new_value=Decimal("96.00"),
            reason="Data susulan dari dinas kabupaten",
        )
    clear_cache()
    return data


def wipe() -> None:
    """Delete the data set: plain DELETEs in dependency order (the ORM's cascade collector
    would fetch every row first)."""
    models = (
        AuditEvent,
        PersonalDataAccess,
        Correction,
        LateChange,
        Score,
        StaffCount,
        Support,
        Achievement,
        AnnualAchievement,
        Edition,
        ScoreRun,
        Realisation,
        Target,
        Indicator,
        GoalTarget.history.model,
        GoalTarget,
        GoalIndicator.history.model,
        GoalIndicator,
        Goal.history.model,
        Goal,
        StaffRating.history.model,
        StaffRating,
        PerformanceContract,
        Employee,
        SurveyResponse,
        ServiceMetric,
        FollowUpUpdate,
        FollowUpPlan,
        Service,
        Agency,
        Region,
        ScoringScheme,
        SampleData,
    )
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608 - model names
    clear_cache()


def _public_data(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        data = build()
    yield data
    with django_db_blocker.unblock():
        wipe()


def module_fixture():
    """The data set as a module-scoped fixture named `public_data`, built once per test
    module that declares it: `public_data = module_fixture()`."""
    return pytest.fixture(scope="module", name="public_data")(_public_data)
