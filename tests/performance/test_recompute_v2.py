"""Scoring contract version 2 in both recompute engines (performance/recompute.py): each case
of the rules on a small hand-made data set, run by the Python engine everywhere and by the
set-based SQL engine on PostgreSQL (the randomized comparison is in test_recompute.py)."""

import datetime
from decimal import Decimal as D

import pytest

from agencies.models import SurveyResponse
from performance import scoring
from performance.models import AnnualAchievement, Score, StaffCount
from performance.services import recompute_scores
from tests.factories import (
    AgencyFactory,
    EmployeeFactory,
    SchemeFactory,
    ServiceFactory,
    StaffRatingFactory,
)
from tests.performance.test_recompute import (
    ENGINES,
    OCT_20,
    agency_score,
    ikm_at_target_responses,
    make_contract,
    simple_contract,
    survey,
)

pytestmark = pytest.mark.django_db

# 20 January 2026: the whole of 2025 is closed (Q4 from 16 January).
JAN_20 = datetime.date(2026, 1, 20)


@pytest.fixture(params=sorted(ENGINES))
def engine(request):
    return ENGINES[request.param]


def pk_score(run, agency, period, year=2025) -> Score:
    return Score.objects.get(
        run=run,
        agency=agency,
        contract__employee__isnull=True,
        contract__isnull=False,
        year=year,
        period=period,
    )


def annual(run, contract) -> dict:
    """{indicator code: (target, realisation, value, missing)} of a PK's year so far."""
    return {
        a.indicator.code: (a.target, a.realisation, a.value, a.missing)
        for a in AnnualAchievement.objects.filter(
            run=run, indicator__contract=contract
        ).select_related("indicator")
    }


def with_annual_target(contract, code: str, annual_target: str, aggregation: str) -> None:
    contract.indicators.filter(code=code).update(
        annual_target=D(annual_target), aggregation=aggregation
    )


def quarters(target: str, realisations: list[str | None]) -> dict:
    """{quarter: (target, realisation)} for the four quarters, one target throughout."""
    return {q: (target, r) for q, r in enumerate(realisations, start=1)}


def codes(contract) -> None:
    for n, indicator in enumerate(contract.indicators.order_by("pk")):
        indicator.code = f"IKU{n + 1}"
        indicator.save()


# --- periods: provisional and final --------------------------------------------------------


def test_an_open_quarter_and_its_year_are_provisional_without_predikat(engine):
    agency = AgencyFactory()
    pk = make_contract(
        agency,
        indicators=[("higher", "1", dict.fromkeys((1, 2, 3, 4), ("100", "115")))],
    )
    run = recompute_scores(today=OCT_20, engine=engine)  # Q1-Q3 closed, Q4 open
    for period, final in (("Q1", True), ("Q3", True), ("Q4", False), ("Y", False)):
        for score in (agency_score(run, agency, period), pk_score(run, agency, period)):
            assert score.score == D("115.00")
            assert (score.final, score.predikat) == (final, "Istimewa" if final else "")
    later = recompute_scores(today=JAN_20, engine=engine)
    assert (agency_score(later, agency, "Y").final, agency_score(later, agency, "Y").predikat) == (
        True,
        "Istimewa",
    )
    assert pk.pk == pk_score(later, agency, "Y").contract_id


def test_the_open_quarter_never_enters_the_annual_score(engine):
    agency = AgencyFactory()
    make_contract(
        agency,
        indicators=[("higher", "1", {1: ("100", "80"), 2: ("100", "90"), 4: ("100", "120")})],
    )
    run = recompute_scores(today=OCT_20, engine=engine)
    # Q1 80, Q2 90, Q4 (open) 120: the year so far is (80 + 90) / 2 = 85.00.
    assert agency_score(run, agency, "Q4").score == D("120.00")
    assert agency_score(run, agency, "Y").score == D("85.00")


def test_a_year_without_a_closed_quarter_has_no_annual_score(engine):
    agency = AgencyFactory()
    simple_contract(agency, realisation="90")
    run = recompute_scores(today=datetime.date(2025, 4, 10), engine=engine)
    assert agency_score(run, agency, "Q1").final is False
    assert not Score.objects.filter(run=run, period="Y").exists()


def test_a_realisation_of_a_quarter_that_has_not_started_is_not_counted(engine):
    agency = AgencyFactory()
    make_contract(agency, indicators=[("higher", "1", {1: ("100", "90"), 3: ("100", "100")})])
    run = recompute_scores(today=datetime.date(2025, 5, 2), engine=engine)  # Q3 from July
    assert set(Score.objects.filter(run=run, contract=None).values_list("period", flat=True)) == {
        "Q1",
        "Y",
    }


def test_rated_staff_are_counted_by_matrix_predikat_only_once_their_year_is_closed(engine):
    agency = AgencyFactory()
    contracts = [
        simple_contract(agency, employee, realisation="115")
        for employee in EmployeeFactory.create_batch(3, agency=agency)
    ]
    # Two rated (the matrix, not the score: 115 is no Sangat Kurang), the third unrated.
    for contract, (results, behaviour) in zip(
        contracts, [("above", "above"), ("below", "below")], strict=False
    ):
        StaffRatingFactory(contract=contract, results=results, behaviour=behaviour)
    provisional = recompute_scores(today=OCT_20, engine=engine)
    assert not StaffCount.objects.filter(run=provisional).exists()
    final = recompute_scores(today=JAN_20, engine=engine)
    assert sorted(StaffCount.objects.filter(run=final).values_list("predikat", "count")) == [
        ("Sangat Baik", 1),
        ("Sangat Kurang", 1),
    ]


# --- S against the IKM target; complete scores ---------------------------------------------------


def test_two_agencies_that_differ_only_by_an_ikm_at_the_target_score_the_same(engine):
    without, at_target = AgencyFactory(), AgencyFactory()
    for agency in (without, at_target):
        simple_contract(agency, realisation="100")
    SurveyResponse.objects.bulk_create(
        ikm_at_target_responses(ServiceFactory(agency=at_target), 2025, 1)
    )
    run = recompute_scores(today=OCT_20, engine=engine)
    a, b = agency_score(run, without), agency_score(run, at_target)
    assert (b.ikm, b.s, b.respondents) == (D("88.31"), D("100.00"), 100)
    assert a.score == b.score == D("100.00")


def test_s_follows_the_schemes_ikm_target(engine):
    SchemeFactory(year=2025, ikm_target=D("75.00"))
    agency = AgencyFactory()
    survey(ServiceFactory(agency=agency), 10, answer=3)  # IKM 75.00
    run = recompute_scores(today=OCT_20, engine=engine)
    score = agency_score(run, agency)
    assert (score.ikm, score.s, score.score) == (D("75.00"), D("100.00"), D("100.00"))
    assert run.schemes["2025"]["ikm_target"] == "75.00"


def test_the_year_pools_the_respondents_of_its_closed_quarters_only(engine):
    agency = AgencyFactory()
    service = ServiceFactory(agency=agency)
    survey(service, 10, answer=4, quarter=1)  # IKM 100
    survey(service, 10, answer=2, quarter=4)  # IKM 50, in the open Q4
    run = recompute_scores(today=OCT_20, engine=engine)
    year = agency_score(run, agency, "Y")
    assert (year.ikm, year.respondents) == (D("100.00"), 10)
    q4 = agency_score(run, agency, "Q4")
    assert (q4.ikm, q4.s, q4.final, q4.predikat) == (D("50.00"), D("56.62"), False, "")


def test_complete_scores_need_k_and_s_where_there_is_a_public_service(engine):
    no_service, few_answers, answered, no_pk = AgencyFactory.create_batch(4)
    for agency in (no_service, few_answers, answered):
        simple_contract(agency, realisation="100")
    survey(ServiceFactory(agency=few_answers), 9)  # under the minimum: no S
    survey(ServiceFactory(agency=answered), 10)
    survey(ServiceFactory(agency=no_pk), 10)  # S without K
    run = recompute_scores(today=OCT_20, engine=engine)
    assert agency_score(run, no_service).complete is True
    assert agency_score(run, few_answers).complete is False
    assert agency_score(run, answered).complete is True
    assert agency_score(run, no_pk).complete is False


# --- annual targets ------------------------------------------------------------------------


def test_a_last_indicators_annual_achievement_is_its_latest_realisation_against_the_target(
    engine,
):
    agency = AgencyFactory()
    pk = make_contract(
        agency,
        indicators=[
            # stunting prevalence, %: lower is better; Q3 not reported, Q4 open
            (
                "lower",
                "1",
                {1: ("16", "18.2"), 2: ("15", "17.9"), 3: ("15", None), 4: ("14", "16")},
            ),
        ],
    )
    codes(pk)
    with_annual_target(pk, "IKU1", "15.5", "last")
    run = recompute_scores(today=OCT_20, engine=engine)
    # The latest realisation reported in a closed quarter is Q2's 17.9 (Q4's 16 is in the
    # open quarter): 100 * (2 - 17.9 / 15.5) = 84.516... -> 84.52.
    expected = scoring.achievement("lower", D("15.5"), D("17.9"))
    assert expected == D("84.52")
    assert annual(run, pk) == {"IKU1": (D("15.5"), D("17.9"), expected, False)}
    assert pk_score(run, agency, "Y").score == expected == agency_score(run, agency, "Y").k


def test_annual_targets_sum_and_average_and_their_missing_cases(engine):
    agency = AgencyFactory()
    pk = make_contract(
        agency,
        indicators=[
            # weight 40: sum of the closed quarters 90 + 110 + 100 = 300 against 400: 75.00
            ("higher", "40", quarters("100", ["90", "110", "100", "120"])),
            # weight 60, no annual target: 100, 90, 120: mean 103.333... (unrounded)
            ("higher", "60", quarters("50", ["50", "45", "60", None])),
            # weight 20: average of 1, 1, 2 = 4 / 3 against 3: 44.44
            ("higher", "20", quarters("1", ["1", "1", "2", None])),
            # weight 10: a sum lacking Q2: 0, missing
            ("higher", "10", quarters("5", ["5", None, "5", "5"])),
            # weight 10: last, nothing reported in a closed quarter: 0, missing
            ("lower", "10", quarters("10", [None, None, None, "9"])),
        ],
    )
    codes(pk)
    with_annual_target(pk, "IKU1", "400", "sum")
    with_annual_target(pk, "IKU3", "3", "average")
    with_annual_target(pk, "IKU4", "20", "sum")
    with_annual_target(pk, "IKU5", "10", "last")
    run = recompute_scores(today=OCT_20, engine=engine)
    assert annual(run, pk) == {
        "IKU1": (D("400"), D("300"), D("75.00"), False),
        "IKU2": (None, None, D("103.33"), False),
        "IKU3": (D("3"), D("1.3333"), D("44.44"), False),
        "IKU4": (D("20"), None, D("0.00"), True),
        "IKU5": (D("10"), None, D("0.00"), True),
    }
    # (40 * 75 + 60 * 310 / 3 + 20 * 44.44 + 10 * 0 + 10 * 0) / 140
    # = (3000 + 6200 + 888.8) / 140 = 10088.8 / 140 = 72.062... -> 72.06
    year = pk_score(run, agency, "Y")
    assert year.score == D("72.06")
    # Missing realisations of the closed quarters: IKU4 Q2, IKU5 Q1-Q3.
    assert year.missing == 4


def test_an_indicator_without_a_target_in_a_closed_quarter_is_left_out_of_the_year(engine):
    agency = AgencyFactory()
    pk = make_contract(
        agency,
        indicators=[
            ("higher", "1", {1: ("100", "80"), 2: ("100", "90"), 3: ("100", "100")}),
            ("higher", "1", {4: ("100", "50")}),  # only Q4 (open)
        ],
    )
    codes(pk)
    with_annual_target(pk, "IKU2", "100", "sum")
    run = recompute_scores(today=OCT_20, engine=engine)
    assert set(annual(run, pk)) == {"IKU1"}
    # The contract is judged on annual targets: IKU1's mean (80 + 90 + 100) / 3 = 90.00.
    assert pk_score(run, agency, "Y").score == D("90.00")
