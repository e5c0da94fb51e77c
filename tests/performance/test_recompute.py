"""`recompute_scores` (performance/services.py) and its two engines (performance/recompute.py).

The SQL engine is PostgreSQL-only; on PostgreSQL every engine test runs with both engines and
the randomized test compares them row for row. On SQLite the Python engine is compared with an
oracle written here, straight from the rules, through the functions of scoring.py.
"""

import datetime
import random
from collections import defaultdict
from decimal import Decimal as D
from fractions import Fraction

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.utils import timezone

from agencies.models import Service, SurveyResponse
from performance import caching, recompute, scoring, services
from performance.models import (
    Achievement,
    AnnualAchievement,
    Edition,
    Employee,
    Indicator,
    PerformanceContract,
    Realisation,
    Score,
    ScoreRun,
    StaffCount,
    StaffRating,
    Support,
    Target,
)
from performance.services import recompute_scores
from tests.factories import (
    AgencyFactory,
    ContractFactory,
    EmployeeFactory,
    IndicatorFactory,
    RealisationFactory,
    SchemeFactory,
    ServiceFactory,
    SurveyResponseFactory,
    TargetFactory,
    make_nip,
)

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
# The SQL engine runs only on PostgreSQL; the Python engine everywhere.
ENGINES = {"python": recompute.write_year_python}
if ON_POSTGRESQL:
    ENGINES["sql"] = recompute.write_year_sql

# Q1 and Q2 2025 closed, Q3 2025 closed (from 16 October), Q4 open; 2024 all closed.
OCT_20 = datetime.date(2025, 10, 20)
APPROVED = PerformanceContract.Status.APPROVED


@pytest.fixture(params=sorted(ENGINES))
def engine(request):
    return ENGINES[request.param]


# --- helpers -------------------------------------------------------------------------------


def score_rows(run: ScoreRun) -> dict:
    """A run's scores by (agency, contract, year, period), without the run id."""
    return {
        (s.agency_id, s.contract_id, s.year, s.period): (
            s.k,
            s.e,
            s.s,
            s.ikm,
            s.staff_count,
            s.respondents,
            s.missing,
            s.score,
            s.predikat,
            s.final,
            s.complete,
        )
        for s in Score.objects.filter(run=run)
    }


def achievement_rows(run: ScoreRun) -> dict:
    return {
        (a.indicator_id, a.quarter): (a.value, a.missing)
        for a in Achievement.objects.filter(run=run)
    }


def annual_rows(run: ScoreRun) -> dict:
    return {
        a.indicator_id: (a.target, a.realisation, a.value, a.missing)
        for a in AnnualAchievement.objects.filter(run=run)
    }


def staff_count_rows(run: ScoreRun) -> dict:
    return {(c.agency_id, c.year, c.predikat): c.count for c in StaffCount.objects.filter(run=run)}


def staff_counts_of_scores(run: ScoreRun) -> dict:
    """What the staff counts must be: the run's final annual scores of rated staff (a
    provisional year and an unrated civil servant have no predikat), counted."""
    counts: dict = defaultdict(int)
    scores = Score.objects.filter(run=run, period="Y", final=True).exclude(predikat="")
    for s in scores.filter(contract__employee__isnull=False):
        counts[(s.agency_id, s.year, s.predikat)] += 1
    return dict(counts)


def make_contract(agency, *, employee=None, year=2025, status=APPROVED, indicators=()):
    """A contract with indicators given as (direction, weight, {quarter: (target, real)})."""
    contract = ContractFactory(agency=agency, employee=employee, year=year, status=status)
    for direction, weight, quarters in indicators:
        indicator = IndicatorFactory(contract=contract, direction=direction, weight=D(weight))
        for quarter, (target, realisation) in quarters.items():
            TargetFactory(indicator=indicator, quarter=quarter, value=D(target))
            if realisation is not None:
                RealisationFactory(indicator=indicator, quarter=quarter, value=D(realisation))
    return contract


def simple_contract(agency, employee=None, realisation="100", year=2025, status=APPROVED):
    """One higher-is-better indicator, target 100 in Q1."""
    return make_contract(
        agency,
        employee=employee,
        year=year,
        status=status,
        indicators=[("higher", "1", {1: ("100", realisation)})],
    )


def survey(service, n, answer=3, year=2025, quarter=1):
    SurveyResponseFactory.create_batch(
        n, service=service, year=year, quarter=quarter, **{f"u{i}": answer for i in range(1, 10)}
    )


def agency_score(run, agency, period="Q1", year=2025) -> Score:
    return Score.objects.get(run=run, agency=agency, contract=None, year=year, period=period)


# --- the oracle ----------------------------------------------------------------------------


def expected_rows(year: int, today: datetime.date) -> tuple[dict, dict, dict]:
    """The rows DESIGN.md's rules (version 2) give for `year`: scores, quarterly and annual
    achievements, computed contract by contract from the primitives of scoring.py
    (achievement, weighted mean, IKM, rounding), slow and plain on purpose: an independent
    reading of the rules, not a call of the functions the engines use."""
    scheme = services.scheme_for(year).as_scheme()
    closed = {
        q
        for q in (1, 2, 3, 4)
        if scoring.quarter_is_closed(year, q, today, scheme.entry_grace_days)
    }
    # A quarter that has not started takes no realisation.
    started = {q for q in (1, 2, 3, 4) if datetime.date(year, 3 * q - 2, 1) <= today}
    final = {f"Q{q}": q in closed for q in (1, 2, 3, 4)} | {"Y": 4 in closed}

    def band(score, period, names=scoring.ORGANISATION_SCALE):
        if not final[period]:
            return ""
        for name, threshold in zip(
            names,
            (
                scheme.threshold_istimewa,
                scheme.threshold_baik,
                scheme.threshold_butuh_perbaikan,
                scheme.threshold_kurang,
            ),
            strict=False,
        ):
            if score >= threshold:
                return name
        return names[-1]

    scores, achievements, annuals = {}, {}, {}
    k, staff = {}, defaultdict(list)
    contracts = PerformanceContract.objects.filter(year=year, status=APPROVED).prefetch_related(
        "indicators__targets", "indicators__realisations"
    )
    for contract in contracts:
        indicators = []
        for indicator in contract.indicators.all():
            targets = {
                t.quarter: t.value
                for t in indicator.targets.all()
                if not (indicator.direction == "higher" and t.value <= 0)
            }
            reals = {
                r.quarter: r.value for r in indicator.realisations.all() if r.quarter in started
            }
            if indicator.targets.all():
                indicators.append((indicator, targets, reals))
        periods = {}
        for quarter in (1, 2, 3, 4):
            taking_part = []
            for indicator, targets, reals in indicators:
                if quarter not in targets:
                    continue
                real = reals.get(quarter)
                if real is None and quarter not in closed:
                    continue
                if real is None:
                    value, missing = D(0), True
                else:
                    value = scoring.achievement(
                        indicator.direction, targets[quarter], real, scheme.cap
                    )
                    missing = False
                taking_part.append((value, indicator.weight, missing))
                if contract.employee_id is None:
                    achievements[(indicator.pk, quarter)] = (value, missing)
            score = scoring.weighted_mean((v, w) for v, w, _ in taking_part)
            if score is not None:
                periods[f"Q{quarter}"] = (score, sum(m for *_, m in taking_part))

        # The year: closed quarters only.
        closed_periods = [periods[f"Q{q}"] for q in sorted(closed) if f"Q{q}" in periods]
        by_annual_target = any(i.annual_target is not None and t for i, t, _ in indicators)
        pairs = []
        for indicator, targets, reals in indicators:
            quarters = [q for q in sorted(targets) if q in closed]
            if not quarters:
                continue
            if indicator.annual_target is None:
                values = [
                    scoring.achievement(indicator.direction, targets[q], reals[q], scheme.cap)
                    if q in reals
                    else D(0)
                    for q in quarters
                ]
                value = Fraction(sum(values)) / len(values)
                row = (None, None, scoring.round2(value), False)
            else:
                reported = [reals[q] for q in quarters if q in reals]
                if indicator.aggregation == "sum":
                    missing = len(reported) < len(quarters)
                    realisation = sum(reported) if not missing else None
                elif indicator.aggregation == "last":
                    missing = not reported
                    realisation = reported[-1] if reported else None
                else:
                    missing = not reported
                    realisation = Fraction(sum(reported)) / len(reported) if reported else None
                value = (
                    D("0.00")
                    if missing
                    else scoring.achievement(
                        indicator.direction, indicator.annual_target, realisation, scheme.cap
                    )
                )
                row = (
                    indicator.annual_target,
                    None if realisation is None else scoring.round_to(realisation, 4),
                    value,
                    missing,
                )
            pairs.append((value, indicator.weight))
            if contract.employee_id is None:
                annuals[indicator.pk] = row
        if closed_periods:
            if by_annual_target:
                annual = scoring.weighted_mean(pairs)
            else:
                annual = scoring.round2(
                    Fraction(sum(s for s, _ in closed_periods)) / len(closed_periods)
                )
            periods["Y"] = (annual, sum(m for _, m in closed_periods))

        rating = StaffRating.objects.filter(contract=contract).first()
        for period, (score, missing) in periods.items():
            if contract.employee_id is None:
                predikat = band(score, period)
            elif period == "Y" and final[period] and rating is not None:
                # The matrix cell of the two ratings (a civil servant has no band).
                predikat = {(r, b): p for r, b, p in scheme.staff_matrix}[
                    (rating.results, rating.behaviour)
                ]
            else:
                predikat = ""
            scores[(contract.agency_id, contract.pk, year, period)] = (
                None,
                None,
                None,
                None,
                None,
                None,
                missing,
                score,
                predikat,
                final[period],
                True,
            )
            if contract.employee_id is None:
                k[(contract.agency_id, period)] = score
            else:
                staff[(contract.agency_id, period)].append(score)

    answers = defaultdict(list)
    for r in SurveyResponse.objects.filter(year=year).select_related("service"):
        answers[(r.service.agency_id, f"Q{r.quarter}")].append(r.answers())
        if r.quarter in closed:  # the year pools the closed quarters' respondents
            answers[(r.service.agency_id, "Y")].append(r.answers())
    with_service = set(Service.objects.values_list("agency_id", flat=True))
    for agency_id, period in set(k) | set(staff) | set(answers):
        staff_scores = staff.get((agency_id, period), [])
        responses = answers.get((agency_id, period), [])
        e = (
            scoring.round2(Fraction(sum(staff_scores)) / len(staff_scores))
            if len(staff_scores) >= scheme.min_group_size
            else None
        )
        ikm = scoring.ikm(responses, scheme)
        s = (
            None
            if ikm is None
            else scoring.round2(
                min(max(100 * Fraction(ikm) / Fraction(scheme.ikm_target), 0), scheme.cap)
            )
        )
        kk = k.get((agency_id, period))
        present = [
            (v, w)
            for v, w in (
                (kk, scheme.weight_contract),
                (e, scheme.weight_staff),
                (s, scheme.weight_survey),
            )
            if v is not None and w > 0
        ]
        if not present:
            continue
        score = scoring.round2(
            sum(Fraction(v) * Fraction(w) for v, w in present)
            / sum(Fraction(w) for _, w in present)
        )
        scores[(agency_id, None, year, period)] = (
            kk,
            e,
            s,
            ikm,
            len(staff_scores) or None,
            len(responses) or None,
            0,
            score,
            band(score, period),
            final[period],
            kk is not None and (s is not None or agency_id not in with_service),
        )
    return scores, achievements, annuals


# --- a randomized data set -----------------------------------------------------------------


def ikm_at_target_responses(service, year: int, quarter: int) -> list[SurveyResponse]:
    """100 respondents whose answers add up to 3,179: IKM 25 * 3179 / 900 = 88.3055...,
    which rounds to 88.31, the default IKM target (S = 100.00)."""
    answers = [[4] * 9 for _ in range(100)]
    for cell in range(3600 - 3179):
        answers[cell // 9][cell % 9] = 3
    return [
        SurveyResponse(
            service=service,
            year=year,
            quarter=quarter,
            **{f"u{i + 1}": a for i, a in enumerate(row)},
        )
        for row in answers
    ]


def random_data_set(seed: int = 2025) -> None:
    """Seven agencies, 200 civil servants, two years of contracts with random targets and
    realisations (boundary values, both directions, lower with target 0, missing ones, a few
    unscorable higher-with-target-0 rows and unapproved contracts), annual targets of every
    aggregation on a third of the indicators, and surveys: an agency without a PK (K absent,
    incomplete), one without a public service (complete without S), one whose IKM is at the
    IKM target, quarters with too few respondents (S absent, incomplete)."""
    rnd = random.Random(seed)
    agencies = AgencyFactory.create_batch(7)
    sizes = [80, 60, 40, 11, 9, 0, 0]  # 11 and 9 straddle min_group_size
    staff_agencies = [
        agency for agency, size in zip(agencies, sizes, strict=True) for _ in range(size)
    ]
    employees = Employee.objects.bulk_create(
        [
            Employee(nip=make_nip(1000 + i), name=f"Pegawai {i}", agency=agency)
            for i, agency in enumerate(staff_agencies)
        ]
    )
    statuses = [APPROVED] * 17 + ["draft", "submitted", "returned"]
    contracts = []
    for year in (2024, 2025):
        for agency in agencies[:4] + agencies[5:]:  # the fifth agency has no PK: K absent
            contracts.append(PerformanceContract(year=year, agency=agency, status=APPROVED))
        for employee in employees:
            if year == 2025 or rnd.random() < 0.5:
                contracts.append(
                    PerformanceContract(
                        year=year,
                        agency_id=employee.agency_id,
                        employee=employee,
                        status=rnd.choice(statuses),
                    )
                )
    contracts = PerformanceContract.objects.bulk_create(contracts)
    # Ratings of most civil servants (any status, either year: only an approved contract's
    # closed year takes its predikat from them), the others unrated. A generator of their own
    # leaves the rest of the data set as it was.
    rater, levels = random.Random(seed + 1), list(scoring.RATINGS)
    StaffRating.objects.bulk_create(
        StaffRating(
            contract=c,
            results=rater.choice(levels),
            behaviour=rater.choice(levels),
            rated_at=timezone.now(),
            changed_at=timezone.now(),
        )
        for c in contracts
        if c.employee_id is not None and rater.random() < 0.7
    )

    weights = ["1", "10", "20", "25", "33.33", "40", "0.5", "100"]
    higher_targets = ["100", "85", "12", "3", "7", "0.5", "200", "4", "1000", "33.3333"]
    lower_targets = ["0", "0", "7", "8", "12", "10", "2.5", "365", "1.5"]
    factors = [
        "0",
        "0.5",
        "0.9",
        "0.99995",
        "1",
        "1.00005",
        "1.1",
        "1.19999",
        "1.2",
        "1.2001",
        "1.5",
        "2",
        "2.5",
        "0.333",
    ]
    higher_annual = ["100", "340", "12", "0.5", "1000", "48.5"]
    lower_annual = ["0", "10", "48", "2.5", "14"]
    indicators = []
    for contract in contracts:
        for n in range(rnd.randint(1, 4)):
            direction = "lower" if rnd.random() < 0.4 else "higher"
            annual_target, aggregation = None, ""
            if rnd.random() < 0.33:
                annual_target = D(
                    rnd.choice(higher_annual if direction == "higher" else lower_annual)
                )
                aggregation = rnd.choice(["sum", "last", "average"])
            indicators.append(
                Indicator(
                    contract=contract,
                    code=f"I{n}",
                    text=f"Indikator {n}",
                    direction=direction,
                    weight=D(rnd.choice(weights)),
                    annual_target=annual_target,
                    aggregation=aggregation,
                )
            )
    indicators = Indicator.objects.bulk_create(indicators)
    targets, realisations = [], []
    for indicator in indicators:
        for quarter in (1, 2, 3, 4):
            if rnd.random() < 0.1:
                continue  # no target this quarter
            if indicator.direction == "lower":
                target = D(rnd.choice(lower_targets))
            elif rnd.random() < 0.02 and indicator.contract.employee_id is None:
                target = D(0)  # unscorable: left out by both engines
            else:
                target = D(rnd.choice(higher_targets))
            targets.append(Target(indicator=indicator, quarter=quarter, value=target))
            if rnd.random() < 0.2:
                continue  # not reported
            if target == 0:
                real = D(rnd.choice(["0", "0", "1", "0.5"]))
            elif rnd.random() < 0.2:
                real = D(rnd.randint(0, 300_000)) / 1000
            else:
                real = (target * D(rnd.choice(factors))).quantize(D("0.0001"))
            realisations.append(Realisation(indicator=indicator, quarter=quarter, value=real))
    Target.objects.bulk_create(targets)
    Realisation.objects.bulk_create(realisations)

    services_ = Service.objects.bulk_create(
        [
            Service(agency=agency, code=f"SV{i}", name=f"Layanan {i}")
            for agency in agencies[:5]  # the sixth agency has no public service
            for i in range(2)
        ]
    )
    at_target = Service.objects.create(agency=agencies[6], code="SV0", name="Layanan")
    responses = []
    for service in services_:
        for year in (2024, 2025):
            for quarter in (1, 2, 3, 4):
                for _ in range(rnd.choice([0, 3, 5, 9, 10, 14, 25])):
                    responses.append(
                        SurveyResponse(
                            service=service,
                            year=year,
                            quarter=quarter,
                            **{f"u{i}": rnd.randint(1, 4) for i in range(1, 10)},
                        )
                    )
    for year in (2024, 2025):  # at the target under 2024's scheme, above 2025's
        for quarter in (1, 2, 3):
            responses += ikm_at_target_responses(at_target, year, quarter)
    SurveyResponse.objects.bulk_create(responses)


def link_staff_to_pk_indicators() -> None:
    """Every other SKP indicator of the data set serves a PK indicator of its agency's year."""
    pk = {
        (i.contract.agency_id, i.contract.year): i
        for i in Indicator.objects.filter(contract__employee__isnull=True).select_related(
            "contract"
        )
    }
    staff = Indicator.objects.filter(contract__employee__isnull=False).select_related("contract")
    for n, indicator in enumerate(staff.order_by("pk")):
        parent = pk.get((indicator.contract.agency_id, indicator.contract.year))
        if parent is not None and n % 2 == 0:
            Indicator.objects.filter(pk=indicator.pk).update(parent=parent)


def support_rows(run: ScoreRun) -> dict:
    return {
        (s.indicator_id, s.year): (s.indicators, s.staff, s.mean_achievement)
        for s in Support.objects.filter(run=run)
    }


@pytest.mark.parametrize(
    "today",
    [
        OCT_20,  # 2025: Q1-Q3 closed, Q4 open
        datetime.date(2025, 7, 10),  # 2025: Q1 closed, Q2 in its grace days, Q3-Q4 not started
        datetime.date(2025, 3, 1),  # 2025: no quarter closed yet, Q2-Q4 not started
        datetime.date(2026, 1, 11),  # 2025: closed under its own scheme (10 grace days)
    ],
)
def test_engines_give_the_rules_figures_on_a_random_data_set(today):
    random_data_set()
    # 2025 under a scheme of its own: every parameter must reach both engines.
    SchemeFactory(
        year=2025,
        cap=D(130),
        weight_contract=D("0.4"),
        weight_staff=D("0.4"),
        weight_survey=D("0.2"),
        threshold_istimewa=D(105),
        threshold_baik=D(85),
        threshold_butuh_perbaikan=D(65),
        threshold_kurang=D(45),
        entry_grace_days=10,
        survey_min_responses=8,
        min_group_size=11,
        ikm_target=D("85.00"),
        # A matrix of its own (each cell another predikat than the default's), so that the
        # scheme's matrix, not a constant, is what both engines read.
        staff_matrix=[
            [r, b, scoring.STAFF_PREDIKAT[(i + 2) % 5]]
            for i, (r, b, _) in enumerate(scoring.DEFAULT_STAFF_MATRIX)
        ],
    )
    expected_scores, expected_achievements, expected_annual = {}, {}, {}
    for year in (2024, 2025):
        scores, achievements, annual = expected_rows(year, today)
        expected_scores.update(scores)
        expected_achievements.update(achievements)
        expected_annual.update(annual)
    assert len(expected_scores) > 500 and len(expected_achievements) > 20
    # The data exercise every case of the rules.
    agency_rows = [v for (_, contract, *_), v in expected_scores.items() if contract is None]
    assert {v[9] for v in expected_scores.values()} == {True, False} or today.year == 2026
    assert {v[10] for v in agency_rows} == {True, False}  # complete and incomplete
    assert any(v[3] == D("88.31") and v[2] == D("100.00") for v in agency_rows)  # at target
    assert any(v[3] is None and v[5] for v in agency_rows)  # too few respondents: no S
    with_annual_target = [v for v in expected_annual.values() if v[0] is not None]
    assert any(v[3] for v in with_annual_target) and any(not v[3] for v in with_annual_target)
    assert any(v[0] is None for v in expected_annual.values())

    link_staff_to_pk_indicators()
    runs = {name: recompute_scores(today=today, engine=write) for name, write in ENGINES.items()}
    for run in runs.values():
        assert score_rows(run) == expected_scores
        assert achievement_rows(run) == expected_achievements
        assert annual_rows(run) == expected_annual
        counts = staff_count_rows(run)
        assert counts == staff_counts_of_scores(run)
        assert len({predikat for _, _, predikat in counts}) >= 2 and sum(counts.values()) > 50
    if ON_POSTGRESQL:
        assert score_rows(runs["sql"]) == score_rows(runs["python"])
        assert achievement_rows(runs["sql"]) == achievement_rows(runs["python"])
        assert annual_rows(runs["sql"]) == annual_rows(runs["python"])
        assert staff_count_rows(runs["sql"]) == staff_count_rows(runs["python"])
    # The cascade's support: the SQL engine's one statement and the Python engine's pass.
    supports = {name: support_rows(run) for name, run in runs.items()}
    assert len(supports["python"]) > 5
    assert any(mean is not None for _, _, mean in supports["python"].values())
    if ON_POSTGRESQL:
        assert supports["sql"] == supports["python"]


def test_engines_agree_on_an_ikm_exactly_on_a_half_cent(engine):
    # 48 respondents whose nine element sums add up to 918: IKM = 25 * 918 / 432 = 53.125,
    # which rounds up to 53.13 (summing nine NRRs like 95 / 48 rounded first gave 53.12).
    service = ServiceFactory()
    element_sums = [95, 59, 169, 159, 99, 49, 124, 115, 49]
    rows = [[1] * 9 for _ in range(48)]
    for i, total in enumerate(element_sums):
        for k in range(total - 48):
            rows[k % 48][i] += 1
    SurveyResponse.objects.bulk_create(
        [
            SurveyResponse(
                service=service, year=2025, quarter=1, **{f"u{i + 1}": a for i, a in enumerate(r)}
            )
            for r in rows
        ]
    )
    run = recompute_scores(today=OCT_20, engine=engine)
    score = agency_score(run, service.agency)
    # S = 100 * 53.13 / 88.31 = 60.163... -> 60.16, the score (S alone) too.
    assert (score.ikm, score.s, score.score, score.respondents) == (
        D("53.13"),
        D("60.16"),
        D("60.16"),
        48,
    )


def test_engines_round_an_agency_score_exactly_on_a_half_cent(engine):
    # K = 83.07; twelve staff scores of 100.07 give E = 100.07; the agency score
    # (0.5 * 83.07 + 0.3 * 100.07) / 0.8 = 71.556 / 0.8 is 89.445 exactly and rounds up to
    # 89.45 (half even would give 89.44).
    agency = AgencyFactory()
    simple_contract(agency, realisation="83.07")
    for _ in range(12):
        simple_contract(agency, EmployeeFactory(agency=agency), realisation="100.07")
    run = recompute_scores(today=OCT_20, engine=engine)
    score = agency_score(run, agency)
    assert (score.k, score.e, score.staff_count, score.score) == (
        D("83.07"),
        D("100.07"),
        12,
        D("89.45"),
    )


def test_engines_combine_the_rounded_staff_mean(engine):
    # Version 2: E is rounded before it is combined. Twelve staff scores summing to 1200.64:
    # E = 100.0533... -> 100.05; (0.5 * 83.08 + 0.3 * 100.05) / 0.8 = 71.555 / 0.8 = 89.44375
    # -> 89.44 (version 1 combined the exact mean: 89.445 -> 89.45).
    agency = AgencyFactory()
    simple_contract(agency, realisation="83.08")
    for realisation in ["100.05"] * 11 + ["100.09"]:
        simple_contract(agency, EmployeeFactory(agency=agency), realisation=realisation)
    run = recompute_scores(today=OCT_20, engine=engine)
    score = agency_score(run, agency)
    assert (score.k, score.e, score.score) == (D("83.08"), D("100.05"), D("89.44"))


# --- the run: one transaction, published at once ---------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("engine_name", sorted(ENGINES))
def test_a_recompute_killed_halfway_leaves_the_previous_run_served_and_nothing_half_written(
    engine_name, monkeypatch
):
    agency = AgencyFactory()
    simple_contract(agency, realisation="90")
    for employee in EmployeeFactory.create_batch(10, agency=agency):
        simple_contract(agency, employee)
    previous = recompute_scores(today=OCT_20)
    before = score_rows(previous)
    assert caching.published_run_id() == previous.pk
    Realisation.objects.update(value=D(50))  # new data the failed run would have shown

    written = {}
    if engine_name == "python":
        # The agency step reads the survey sums after every contract row was written.
        def killed(*args):
            written["scores"] = Score.objects.filter(run__status="running").count()
            raise RuntimeError("killed halfway")

        monkeypatch.setattr(recompute, "_survey_sums", killed)
    else:
        # The agency statement runs after the contract statement: fail it, but only once
        # contract rows of the running run are there (1 / 0 otherwise 1 / 1).
        monkeypatch.setattr(
            recompute,
            "_AGENCY_SQL",
            """
            SELECT 1 / (CASE WHEN count(*) > 0 THEN 0 ELSE 1 END)
            FROM performance_score WHERE run_id = %(run)s""",
        )

    with pytest.raises(Exception) as excinfo:
        recompute_scores(today=OCT_20, engine=ENGINES[engine_name])
    if engine_name == "python":
        assert excinfo.value.args == ("killed halfway",)
        assert written["scores"] == 11 * 2  # the rows were there when it died
    else:
        assert "division by zero" in str(excinfo.value)

    failed = ScoreRun.objects.exclude(pk=previous.pk).get()
    assert failed.status == ScoreRun.Status.FAILED
    assert failed.finished_at is not None and failed.published_at is None
    assert failed.error
    assert not Score.objects.filter(run=failed).exists()
    assert not Achievement.objects.filter(run=failed).exists()
    assert ScoreRun.objects.latest_published() == previous
    assert caching.published_run_id() == previous.pk
    assert score_rows(previous) == before
    assert agency_score(previous, agency).k == D("90.00")


@pytest.mark.django_db(transaction=True)
def test_a_run_killed_without_a_chance_to_clean_up_is_never_served():
    agency = AgencyFactory()
    simple_contract(agency)
    previous = recompute_scores(today=OCT_20)
    # SIGKILL between creating the run and publishing it: the row says running, and the
    # transaction that held its scores died with the process.
    ScoreRun.objects.create(as_of=OCT_20)
    assert ScoreRun.objects.latest_published() == previous
    assert caching.published_run_id() == previous.pk


def test_a_second_run_over_unchanged_data_gives_identical_scores(engine):
    agency = AgencyFactory()
    make_contract(
        agency,
        indicators=[
            (
                "higher",
                "40",
                {1: ("85", "88.2"), 2: ("85", None), 3: ("85", "90"), 4: ("85", None)},
            ),
            ("lower", "60", {1: ("12", "13.5"), 2: ("12", "11"), 3: ("0", "0"), 4: ("12", "10")}),
        ],
    )
    for employee in EmployeeFactory.create_batch(12, agency=agency):
        simple_contract(agency, employee, realisation=str(90 + employee.pk % 7))
    survey(ServiceFactory(agency=agency), 11)

    first = recompute_scores(today=OCT_20, engine=engine)
    second = recompute_scores(today=OCT_20, engine=engine)
    assert second.pk != first.pk
    assert ScoreRun.objects.latest_published() == second
    assert score_rows(second) == score_rows(first)
    assert achievement_rows(second) == achievement_rows(first)
    # The PK: Q1-Q4 and Y (Q2 with a missing realisation, Q4 open with one reported); the
    # 12 SKPs: Q1 and Y; the agency: Q1-Q4 and Y. Achievements: 3 + 4 (Q4 open, left out);
    # the year so far of the two PK indicators.
    assert (
        second.counts
        == first.counts
        == {
            "contract_scores": 5 + 24,
            "agency_scores": 5,
            "achievements": 7,
            "annual_achievements": 2,
        }
    )


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the SQL engine, on PostgreSQL")
def test_the_sql_engine_plans_its_statements_for_their_values_even_once_prepared():
    """A worker that has recomputed five times has the engine's statements prepared
    (portal/settings.py); they are still planned for each run's values, never from a kept
    generic plan, and give the same scores."""
    agency = AgencyFactory()
    for employee in EmployeeFactory.create_batch(3, agency=agency):
        simple_contract(agency, employee, realisation=str(90 + employee.pk % 7))
    modes = []

    def engine(*args, **kwargs):
        recompute.write_year_sql(*args, **kwargs)
        with connection.cursor() as cursor:  # still in the engine's transaction
            cursor.execute("SHOW plan_cache_mode")
            modes.append(cursor.fetchone()[0])

    runs = [recompute_scores(today=OCT_20, engine=engine) for _ in range(12)]
    assert all(score_rows(run) == score_rows(runs[0]) for run in runs)
    assert set(modes) == {"force_custom_plan"}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE %s",
            ["%CREATE TEMP TABLE recompute_quarter%"],
        )
        [(generic, custom)] = cursor.fetchall()
    assert generic == 0 and custom > 5


def test_a_year_recompute_carries_the_other_years_over_from_the_previous_run(engine):
    agency = AgencyFactory()
    old = simple_contract(agency, realisation="80", year=2024)
    new = simple_contract(agency, realisation="90", year=2025)
    first = recompute_scores(today=OCT_20, engine=engine)
    assert set(first.schemes) == {"2024", "2025"}

    Realisation.objects.filter(indicator__contract=old).update(value=D(70))
    Realisation.objects.filter(indicator__contract=new).update(value=D(95))
    second = recompute_scores(year=2025, today=OCT_20, engine=engine)

    # 2025 recomputed ...
    assert agency_score(second, agency, year=2025).score == D("95.00")
    # ... 2024 copied from the previous run, although its data changed since.
    assert agency_score(second, agency, year=2024).score == D("80.00")
    assert {k: v for k, v in score_rows(second).items() if k[2] == 2024} == {
        k: v for k, v in score_rows(first).items() if k[2] == 2024
    }
    ach_2024 = set(Indicator.objects.filter(contract=old).values_list("pk", flat=True))
    assert {k: v for k, v in achievement_rows(second).items() if k[0] in ach_2024} == {
        k: v for k, v in achievement_rows(first).items() if k[0] in ach_2024
    }
    assert len(achievement_rows(second)) == 2
    carried = {k: v for k, v in annual_rows(second).items() if k in ach_2024}
    assert carried == {k: v for k, v in annual_rows(first).items() if k in ach_2024} != {}
    assert len(annual_rows(second)) == 2
    assert set(second.schemes) == {"2024", "2025"}
    assert second.counts["agency_scores"] == 4

    third = recompute_scores(today=OCT_20, engine=engine)
    assert agency_score(third, agency, year=2024).score == D("70.00")


def test_a_year_recompute_without_a_previous_run_has_only_that_year():
    agency = AgencyFactory()
    simple_contract(agency, year=2024)
    simple_contract(agency, year=2025)
    run = recompute_scores(year=2025, today=OCT_20)
    assert set(Score.objects.filter(run=run).values_list("year", flat=True)) == {2025}
    assert set(run.schemes) == {"2025"}


def test_only_approved_contracts_are_scored(engine):
    agency = AgencyFactory()
    approved = simple_contract(agency)
    employees = EmployeeFactory.create_batch(13, agency=agency)
    for employee in employees[:9]:
        simple_contract(agency, employee)
    others = [
        simple_contract(agency, employee, status=status)
        for employee, status in zip(
            employees[9:], ["draft", "submitted", "returned", "draft"], strict=True
        )
    ]
    run = recompute_scores(today=OCT_20, engine=engine)
    scored = set(
        Score.objects.filter(run=run).contract_level().values_list("contract_id", flat=True)
    )
    assert approved.pk in scored and len(scored) == 10
    assert not scored & {c.pk for c in others}
    # Nine approved SKPs: the four unapproved ones do not lift E over min_group_size.
    score = agency_score(run, agency)
    assert (score.e, score.staff_count) == (None, 9)


def test_a_year_with_only_unapproved_contracts_is_not_scored():
    agency = AgencyFactory()
    simple_contract(agency, status="draft")
    run = recompute_scores(today=OCT_20)
    assert run.schemes == {} and not Score.objects.filter(run=run).exists()


def test_the_run_records_the_scheme_and_version_it_used(engine):
    scheme = SchemeFactory(year=2025, version=3, cap=D(130))
    agency = AgencyFactory()
    simple_contract(agency, realisation="140")
    first = recompute_scores(today=OCT_20, engine=engine)
    snapshot = first.schemes["2025"]
    assert snapshot["version"] == 3
    assert D(snapshot["cap"]) == 130
    assert D(snapshot["weight_contract"]) == D("0.5")
    assert snapshot["min_group_size"] == "10"
    assert set(snapshot) == {"version", *scoring.Scheme.__dataclass_fields__}
    assert agency_score(first, agency).score == D("130.00")

    scheme.version, scheme.cap = 4, D(150)
    scheme.save()
    second = recompute_scores(today=OCT_20, engine=engine)
    assert second.schemes["2025"]["version"] == 4
    assert agency_score(second, agency).score == D("140.00")
    first.refresh_from_db()
    assert first.schemes["2025"]["version"] == 3  # old figures stay explainable


def test_a_missing_scheme_is_created_with_the_defaults():
    simple_contract(AgencyFactory())
    run = recompute_scores(today=OCT_20)
    assert run.schemes["2025"]["version"] == 1
    assert D(run.schemes["2025"]["cap"]) == 120


def test_the_published_run_read_through_the_cache_follows_a_new_publication():
    assert caching.published_run() is None
    simple_contract(AgencyFactory())
    first = recompute_scores(today=OCT_20)
    assert caching.published_run() == first
    second = recompute_scores(today=OCT_20)
    assert caching.published_run() == second
    assert caching.published_run(first.pk) == first


@pytest.mark.parametrize(
    ("staff", "respondents", "e_present", "s_present"),
    [(5, 5, True, True), (4, 4, False, False), (6, 4, True, False), (4, 7, False, True)],
)
def test_min_group_size_and_survey_min_responses_follow_the_scheme(
    engine, staff, respondents, e_present, s_present
):
    SchemeFactory(year=2025, min_group_size=5, survey_min_responses=5)
    agency = AgencyFactory()
    simple_contract(agency, realisation="100")
    for employee in EmployeeFactory.create_batch(staff, agency=agency):
        simple_contract(agency, employee, realisation="80")
    survey(ServiceFactory(agency=agency), respondents, answer=2)  # IKM 50.00
    run = recompute_scores(today=OCT_20, engine=engine)
    score = agency_score(run, agency)
    assert (score.staff_count, score.respondents) == (staff, respondents)
    assert score.e == (D("80.00") if e_present else None)
    # S = 100 * 50 / 88.31 = 56.618... -> 56.62
    assert (score.ikm, score.s) == ((D("50.00"), D("56.62")) if s_present else (None, None))
    assert score.complete is s_present  # the agency has a service: S is expected
    weights = [(D(100), D("0.5"))]
    weights += [(D(80), D("0.3"))] if e_present else []
    weights += [(D("56.62"), D("0.2"))] if s_present else []
    assert score.score == scoring.weighted_mean(weights)


def test_default_minimums_are_ten(engine):
    with_ten, with_nine = AgencyFactory(), AgencyFactory()
    for agency, n in ((with_ten, 10), (with_nine, 9)):
        simple_contract(agency)
        for employee in EmployeeFactory.create_batch(n, agency=agency):
            simple_contract(agency, employee, realisation="80")
        survey(ServiceFactory(agency=agency), n, answer=4)
    run = recompute_scores(today=OCT_20, engine=engine)
    ten, nine = agency_score(run, with_ten), agency_score(run, with_nine)
    # IKM 100, S = 10000 / 88.31 = 113.24: 50 + 24 + 22.648 = 96.648 -> 96.65
    assert (ten.e, ten.ikm, ten.s, ten.score) == (
        D("80.00"),
        D("100.00"),
        D("113.24"),
        D("96.65"),
    )
    assert (nine.e, nine.ikm, nine.s, nine.score) == (None, None, None, D("100.00"))
    assert (nine.staff_count, nine.respondents) == (9, 9)


def test_an_agency_with_only_too_few_staff_and_respondents_has_no_score(engine):
    agency = AgencyFactory()
    for employee in EmployeeFactory.create_batch(3, agency=agency):
        simple_contract(agency, employee)
    survey(ServiceFactory(agency=agency), 3)
    run = recompute_scores(today=OCT_20, engine=engine)
    assert not Score.objects.filter(run=run, contract=None).exists()
    assert Score.objects.filter(run=run).contract_level().count() == 6


# --- history -------------------------------------------------------------------------------


def test_runs_older_than_the_history_are_pruned_but_the_latest_published_is_kept():
    simple_contract(AgencyFactory())
    older = recompute_scores(today=OCT_20)
    latest = recompute_scores(today=OCT_20)
    failed = ScoreRun.objects.create(status=ScoreRun.Status.FAILED)
    killed = ScoreRun.objects.create()  # still "running": killed long ago
    recent = ScoreRun.objects.create(status=ScoreRun.Status.FAILED)
    now = timezone.now()
    long_ago = now - datetime.timedelta(days=settings.SCORE_HISTORY_DAYS, minutes=1)
    ScoreRun.objects.exclude(pk=recent.pk).update(started_at=long_ago)
    Edition.objects.all().delete()  # editions are kept for good (test_editions.py)

    assert services.prune_runs(now=now) == 3
    assert set(ScoreRun.objects.values_list("pk", flat=True)) == {latest.pk, recent.pk}
    assert not Score.objects.filter(run__in=[older.pk, failed.pk, killed.pk]).exists()
    assert Score.objects.filter(run=latest).count() == 4
    assert ScoreRun.objects.latest_published() == latest


def test_a_run_that_may_still_be_running_is_not_pruned(settings):
    settings.SCORE_HISTORY_DAYS = 0
    running = ScoreRun.objects.create()
    now = timezone.now() + datetime.timedelta(minutes=5)
    assert services.prune_runs(now=now) == 0
    later = now + datetime.timedelta(seconds=settings.RECOMPUTE_TIME_LIMIT)
    assert services.prune_runs(now=later) == 1
    assert not ScoreRun.objects.filter(pk=running.pk).exists()


def test_each_recompute_prunes_the_runs_past_the_history():
    simple_contract(AgencyFactory())
    start = datetime.datetime(2025, 10, 20, 1, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        first = recompute_scores()
    assert first.as_of == OCT_20  # today in WITA
    Edition.objects.all().delete()  # editions are kept for good (test_editions.py)
    with time_machine.travel(
        start + datetime.timedelta(days=settings.SCORE_HISTORY_DAYS), tick=False
    ):
        second = recompute_scores()
        assert ScoreRun.objects.filter(pk=first.pk).exists()  # exactly 90 days: kept
    with time_machine.travel(
        start + datetime.timedelta(days=settings.SCORE_HISTORY_DAYS, seconds=1), tick=False
    ):
        third = recompute_scores()
    assert set(ScoreRun.objects.values_list("pk", flat=True)) == {second.pk, third.pk}
    assert not Score.objects.filter(run_id=first.pk).exists()


# --- cost ----------------------------------------------------------------------------------


def scored_agency_with(contracts: int) -> None:
    agency = AgencyFactory()
    make_contract(
        agency,
        indicators=[
            ("higher", "40", dict.fromkeys((1, 2, 3, 4), ("85", "88.2"))),
            ("lower", "60", dict.fromkeys((1, 2, 3, 4), ("12", None))),
        ],
    )
    for employee in EmployeeFactory.create_batch(contracts - 1, agency=agency):
        make_contract(
            agency,
            employee=employee,
            indicators=[
                ("higher", "1", dict.fromkeys((1, 2, 3), ("4", "3"))),
                ("lower", "2", dict.fromkeys((1, 2, 3), ("0", "0"))),
            ],
        )
    survey(ServiceFactory(agency=agency), 12)


def test_recompute_does_not_query_per_contract(engine, django_assert_max_num_queries):
    # The same bound for 5 contracts and for 55: a query per contract would break it (bulk
    # inserts may still split into batches, SQLite's after about 70 score rows). Four of them
    # read the inputs' fingerprint and the editions, three (PostgreSQL) add the run's
    # partition, two (PostgreSQL) switch nested loops off and on around the cascade's support.
    bound = 40
    scored_agency_with(5)
    recompute_scores(today=OCT_20, engine=engine)  # creates the scheme
    with django_assert_max_num_queries(bound):
        recompute_scores(today=OCT_20, engine=engine)
    scored_agency_with(50)
    with django_assert_max_num_queries(bound):
        run = recompute_scores(today=OCT_20, engine=engine)
    # Each agency: its PK Q1-Q4 and Y, every SKP Q1-Q3 and Y.
    assert run.counts["contract_scores"] == (5 + 4 * 4) + (5 + 4 * 49)
