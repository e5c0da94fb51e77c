"""Crafted data for the dashboard tests: a published run written row by row (no recompute),
so every figure on the page is known in advance."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from agencies.models import Agency, Membership, Region
from performance import scoring
from performance.models import Employee, PerformanceContract, Score, ScoreRun, StaffCount
from tests.factories import AgencyFactory, UserFactory, make_nip

YEAR = 2025


def published_run(*years: int) -> ScoreRun:
    return ScoreRun.objects.create(
        status=ScoreRun.Status.PUBLISHED,
        published_at=timezone.now(),
        finished_at=timezone.now(),
        as_of=datetime.date(2026, 2, 1),
        schemes={str(y): {"version": 1} for y in (years or (YEAR,))},
    )


def agency_score(
    run: ScoreRun, agency: Agency, period: str, score: str, *, year: int = YEAR, s=None, n=None
) -> Score:
    value = Decimal(score)
    return Score.objects.create(
        run=run,
        agency=agency,
        year=year,
        period=period,
        k=value,
        s=s,
        respondents=n,
        score=value,
        predikat=scoring.predikat(value),
    )


_serial = iter(range(500_000, 10_000_000))


def staff_scores(
    run: ScoreRun, agency: Agency, counts: dict[str, int], *, year: int = YEAR
) -> list[Employee]:
    """Employees of `agency` with approved SKP contracts and annual scores of run `run`, as
    many per predikat as `counts` says, and the staff counts the recompute would write."""
    predikats = [p for p, n in counts.items() for _ in range(n)]
    employees = Employee.objects.bulk_create(
        [
            Employee(nip=make_nip(next(_serial)), name=f"Rahasia Staf {i}", agency=agency)
            for i in range(len(predikats))
        ]
    )
    contracts = PerformanceContract.objects.bulk_create(
        [
            PerformanceContract(
                year=year, agency=agency, employee=e, status=PerformanceContract.Status.APPROVED
            )
            for e in employees
        ]
    )
    band_score = {
        "Sangat Baik": "115",
        "Baik": "100",
        "Butuh Perbaikan": "80",
        "Kurang": "60",
        "Sangat Kurang": "40",
    }
    Score.objects.bulk_create(
        [
            Score(
                run=run,
                agency=agency,
                contract=c,
                year=year,
                period="Y",
                score=Decimal(band_score[p]),
                predikat=p,
            )
            for c, p in zip(contracts, predikats, strict=True)
        ]
    )
    StaffCount.objects.bulk_create(
        StaffCount(run=run, agency=agency, year=year, predikat=p, count=n)
        for p, n in counts.items()
        if n
    )
    return employees


def region(code: str, name: str) -> Region:
    return Region.objects.get_or_create(
        code=code, defaults={"name": name, "kind": Region.kind_for_code(code)}
    )[0]


def regional_leader(username: str, reg: Region):
    user = UserFactory(username=username)
    Membership.objects.create(user=user, role=Membership.Role.LEADER, region=reg)
    return user


def agency_in(reg: Region, name: str, **kwargs) -> Agency:
    return AgencyFactory(region=reg, name=name, **kwargs)
