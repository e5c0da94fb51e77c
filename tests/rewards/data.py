"""Helpers for the rewards tests: published score runs with hand-set scores, so a rule's
boundary (110.00 against 109.99) is tested exactly, without going through the formulas."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from agencies.models import Agency, Membership
from performance import scoring
from performance.models import Employee, PerformanceContract, Score, ScoreRun, ScoringScheme
from rewards.models import Decision, Rule
from rewards.rules import ensure_default_rules
from tests.conftest import AFTER_2025
from tests.factories import ContractFactory, EmployeeFactory, UserFactory


def published_run(years=(2024, 2025), as_of: datetime.date = AFTER_2025) -> ScoreRun:
    """A published run of `years` computed as of `as_of` (every 2025 quarter closed by
    default), with the schemes of those years in the database."""
    for year in years:
        ScoringScheme.objects.get_or_create(year=year)
    now = timezone.now()
    return ScoreRun.objects.create(
        status=ScoreRun.Status.PUBLISHED,
        as_of=as_of,
        published_at=now,
        finished_at=now,
        schemes={str(y): {} for y in years},
    )


def _contract(agency: Agency, employee: Employee | None, year: int) -> PerformanceContract:
    found = PerformanceContract.objects.filter(agency=agency, employee=employee, year=year).first()
    return found or ContractFactory(agency=agency, employee=employee, year=year)


# For a civil servant, a matrix cell with each predikat (PermenPAN-RB 6/2022): results rating,
# behaviour rating.
CELL_OF = {
    "Sangat Baik": ("above", "above"),
    "Baik": ("as_expected", "as_expected"),
    "Butuh Perbaikan": ("below", "as_expected"),
    "Kurang": ("as_expected", "below"),
    "Sangat Kurang": ("below", "below"),
}


def _predikat(subject, value: Decimal, final: bool, period: str = "Y") -> dict:
    """What the recompute gives: an agency's organisation-scale predikat, nothing for a
    provisional period. A civil servant's closed year: the predikat of a rated civil servant
    whose ratings fall in the matrix cell of that predikat, the band the score would have
    had (a test's shorthand: `score(run, ani, 2025, "Y", "115")` is a Sangat Baik); their
    quarters have none."""
    if not isinstance(subject, Employee):
        return {"predikat": scoring.final_predikat(value, scoring.DEFAULT_SCHEME, final=final)}
    if period != "Y" or not final:
        return {"predikat": "", "results_rating": "", "behaviour_rating": ""}
    predikat = scoring.staff_band(value)
    results, behaviour = CELL_OF[predikat]
    return {"predikat": predikat, "results_rating": results, "behaviour_rating": behaviour}


def score(
    run: ScoreRun, subject, year: int, period: str, value: str, *, complete: bool = True
) -> Score:
    """A score of `subject` (an Employee: its SKP; an Agency: the agency score) in `run`,
    final when its period was closed on the run's day (as a recompute would have it)."""
    value = Decimal(value)
    if isinstance(subject, Employee):
        agency, contract = subject.agency, _contract(subject.agency, subject, year)
    else:
        agency, contract = subject, None
    final = scoring.period_is_closed(year, period, run.as_of)
    return Score.objects.create(
        run=run,
        agency=agency,
        contract=contract,
        year=year,
        period=period,
        score=value,
        final=final,
        complete=complete,
        **_predikat(subject, value, final, period),
    )


def copy_run(run: ScoreRun, **changes) -> ScoreRun:
    """A newer published run with the same scores as `run` (then change them by hand)."""
    new = published_run(years=run.years, as_of=changes.get("as_of", run.as_of))
    Score.objects.bulk_create(
        [
            Score(
                **{
                    f: getattr(s, f)
                    for f in (
                        "agency_id",
                        "contract_id",
                        "year",
                        "period",
                        "score",
                        "predikat",
                        "results_rating",
                        "behaviour_rating",
                        "final",
                        "complete",
                    )
                },
                run=new,
            )
            for s in Score.objects.filter(run=run)
        ]
    )
    return new


def set_score(run: ScoreRun, subject, year: int, period: str, value: str) -> None:
    value = Decimal(value)
    scores = Score.objects.filter(run=run, year=year, period=period)
    if isinstance(subject, Employee):
        scores = scores.filter(contract__employee=subject)
    else:
        scores = scores.filter(agency=subject, contract__isnull=True)
    [final] = scores.values_list("final", flat=True)
    assert scores.update(score=value, **_predikat(subject, value, final, period)) == 1


def rule(code: str, year: int = 2025) -> Rule:
    scheme, _ = ScoringScheme.objects.get_or_create(year=year)
    ensure_default_rules(scheme)
    return Rule.objects.get(scheme=scheme, code=code)


def decisions(code: str | None = None, **filters) -> list[Decision]:
    qs = Decision.objects.filter(**filters).order_by("pk")
    if code:
        qs = qs.filter(rule__code=code)
    return list(qs)


def leader_of(region, username: str):
    """A leader of `region` (a regency or city)."""
    user = UserFactory(username=username)
    Membership.objects.create(user=user, role=Membership.Role.LEADER, region=region)
    return user


def regency_agency(code: str = "5201", name: str = "Kabupaten Lombok Barat"):
    """An agency in a regency (not the province), for region-scoped leaders."""
    from agencies.models import Region
    from tests.factories import AgencyFactory, RegionFactory

    region = RegionFactory(code=code, name=name, kind=Region.kind_for_code(code))
    return AgencyFactory(region=region, name=f"Dinas Kesehatan {name}")


def recommend(run, staff_scores: dict, agency_scores: dict | None = None):
    """Scores for 2025 (employees and agencies) in `run`, then the rules: the decisions."""
    from rewards.rules import apply_rules

    for subject, value in staff_scores.items():
        score(run, subject, 2025, "Y", value)
    for subject, value in (agency_scores or {}).items():
        score(run, subject, 2025, "Y", value)
    apply_rules(run=run)
    return {d.employee_id or d.agency_id: d for d in Decision.objects.select_related("rule")}


def build_world(cast):
    """The cast plus an agency in Lombok Barat with its own leader and HR officer, and
    recommendations: in DIKES a reward (ani), a coaching (budi) and a penalty (citra); in
    DIKBUD a penalty (dewi); in Lombok Barat a penalty (eko)."""
    regency = regency_agency()
    people = {
        "ani": EmployeeFactory(agency=cast.agency_a, name="Ani"),
        "budi": EmployeeFactory(agency=cast.agency_a, name="Budi"),
        "citra": EmployeeFactory(agency=cast.agency_a, name="Citra"),
        "dewi": EmployeeFactory(agency=cast.agency_b, name="Dewi"),
        "eko": EmployeeFactory(agency=regency, name="Eko"),
    }
    run = published_run()
    by_subject = recommend(
        run,
        {
            people["ani"]: "115",
            people["budi"]: "60",
            people["citra"]: "40",
            people["dewi"]: "30",
            people["eko"]: "20",
        },
    )
    cast.regency = regency
    cast.regency_leader = leader_of(regency.region, "regency_leader")
    officer = UserFactory(username="officer_regency", email="hr@lobar.example")
    Membership.objects.create(user=officer, role=Membership.Role.HR_OFFICER, agency=regency)
    cast.officer_regency = officer
    cast.people = people
    cast.decisions = {name: by_subject[p.pk] for name, p in people.items()}
    cast.run = run
    return cast
