"""Scoring contract version 2 (DESIGN.md, "Scoring rules"), as tables: the survey component
against the IKM target, components rounded before they are combined, closed and provisional
periods, the organisation scale, complete scores and annual targets.

Pure functions (`performance/scoring.py`): nothing here touches the database. Every expected
figure is worked by hand in the comment beside it.
"""

import datetime
from decimal import Decimal as D
from fractions import Fraction

import pytest

from performance import scoring
from performance.scoring import (
    IndicatorYear,
    Scheme,
    agency_period,
    agency_score,
    annual_realisation,
    closed_quarters,
    final_predikat,
    indicator_annual,
    is_complete,
    period_is_closed,
    previous_period,
    score_contract,
    started_quarters,
    survey_component,
    year_is_closed,
)


def dec(x):
    return None if x is None else D(x)


# --- S: the IKM against the IKM target -------------------------------------------------------


@pytest.mark.parametrize(
    ("ikm", "target", "cap", "expected"),
    [
        ("88.31", "88.31", "120", "100.00"),  # at the target: 100, like any target met
        ("100.00", "88.31", "120", "113.24"),  # 10000 / 88.31 = 113.2374...
        ("80.00", "88.31", "120", "90.59"),  # 8000 / 88.31 = 90.5899...
        ("75.00", "88.31", "120", "84.93"),  # 7500 / 88.31 = 84.9281...
        ("88.30", "88.31", "120", "99.99"),  # 8830 / 88.31 = 99.9886...
        ("25.00", "88.31", "120", "28.31"),  # the lowest IKM: 2500 / 88.31 = 28.3093...
        ("50.02", "80", "120", "62.53"),  # 5002 / 80 = 62.525, half up
        ("100.00", "80", "120", "120.00"),  # 125 clamped to the cap
        ("100.00", "80", "130", "125.00"),  # under a higher cap, 125 stands
    ],
)
def test_survey_component_is_the_ikms_achievement_against_the_target(ikm, target, cap, expected):
    scheme = Scheme(ikm_target=D(target), cap=D(cap))
    assert survey_component(D(ikm), scheme) == D(expected)


def test_no_ikm_no_survey_component():
    assert survey_component(None) is None


@pytest.mark.parametrize(
    ("k", "e", "ikm", "expected"),
    [
        # The case: K = E = 92. Without a survey 92.00; with a grade-B IKM of 80,
        # S = 90.59: 46 + 27.6 + 18.118 = 91.718 -> 91.72 (version 1 averaged the IKM itself
        # in: 89.60, lower than running no survey at all).
        ("92", "92", None, "92.00"),
        ("92", "92", "80.00", "91.72"),
        # An IKM exactly at the target is worth what any met target is: 100.
        ("100", "100", None, "100.00"),
        ("100", "100", "88.31", "100.00"),
        # S above 100: 0.5 * 95.5 + 0.3 * 101.25 + 0.2 * 113.24 = 47.75 + 30.375 + 22.648
        ("95.50", "101.25", "100.00", "100.77"),  # 100.773 -> 100.77
        # S 84.93, no E: (47.75 + 16.986) / 0.7 = 64.736 / 0.7 = 92.48
        ("95.50", None, "75.00", "92.48"),
    ],
)
def test_agency_score_from_k_e_and_the_ikm(k, e, ikm, expected):
    assert agency_score(dec(k), dec(e), survey_component(dec(ikm))) == D(expected)


@pytest.mark.parametrize(
    ("k", "e", "s", "weights"),
    [
        ("95.00", "97.00", "84.93", ("0.5", "0.3", "0.2")),
        ("54.17", "87.50", "85.24", ("0.5", "0.3", "0.2")),
        ("101.96", "101.00", "94.36", ("0.4", "0.4", "0.2")),
        ("102.44", None, "93.01", ("0.5", "0.3", "0.2")),
        ("83.08", "100.05", None, ("0.6", "0.25", "0.15")),
    ],
)
def test_a_published_score_is_recomputed_from_its_published_components(k, e, s, weights):
    """Whoever has the published K, E and S (two decimals) gets the published score."""
    wk, we, ws = (D(w) for w in weights)
    scheme = Scheme(weight_contract=wk, weight_staff=we, weight_survey=ws)
    present = [(D(v), w) for v, w in ((k, wk), (e, we), (s, ws)) if v is not None]
    by_hand = sum(v * w for v, w in present) / sum(w for _, w in present)
    assert agency_score(dec(k), dec(e), dec(s), scheme) == scoring.round2(by_hand)


# --- periods -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "today", "grace", "closed"),
    [
        (2025, datetime.date(2025, 4, 15), 15, []),
        (2025, datetime.date(2025, 4, 16), 15, [1]),
        (2025, datetime.date(2025, 10, 15), 15, [1, 2]),  # Q3 open through 15 October
        (2025, datetime.date(2025, 10, 16), 15, [1, 2, 3]),
        (2025, datetime.date(2026, 1, 15), 15, [1, 2, 3]),  # Q4 open through 15 January
        (2025, datetime.date(2026, 1, 16), 15, [1, 2, 3, 4]),
        (2025, datetime.date(2025, 10, 1), 0, [1, 2, 3]),
        (2026, datetime.date(2025, 12, 31), 15, []),  # a year that has not started
    ],
)
def test_closed_quarters(year, today, grace, closed):
    assert closed_quarters(year, today, grace) == closed


@pytest.mark.parametrize(
    ("today", "started"),
    [
        (datetime.date(2024, 12, 31), []),
        (datetime.date(2025, 1, 1), [1]),
        (datetime.date(2025, 3, 31), [1]),
        (datetime.date(2025, 4, 1), [1, 2]),
        (datetime.date(2025, 10, 1), [1, 2, 3, 4]),
        (datetime.date(2026, 6, 1), [1, 2, 3, 4]),
    ],
)
def test_a_quarter_takes_realisations_once_it_has_started(today, started):
    assert started_quarters(2025, today) == started


@pytest.mark.parametrize(
    ("period", "today", "closed"),
    [
        ("Q3", datetime.date(2025, 10, 15), False),
        ("Q3", datetime.date(2025, 10, 16), True),
        ("Q4", datetime.date(2026, 1, 16), True),
        ("Y", datetime.date(2025, 12, 31), False),  # the year is provisional ...
        ("Y", datetime.date(2026, 1, 15), False),
        ("Y", datetime.date(2026, 1, 16), True),  # ... until its Q4 is closed
    ],
)
def test_a_year_is_closed_when_its_fourth_quarter_is(period, today, closed):
    assert period_is_closed(2025, period, today) is closed
    if period == "Y":
        assert year_is_closed(2025, today) is closed


@pytest.mark.parametrize(
    ("year", "period", "before"),
    [(2025, "Y", (2024, "Y")), (2025, "Q1", (2024, "Q4")), (2025, "Q3", (2025, "Q2"))],
)
def test_previous_period(year, period, before):
    assert previous_period(year, period) == before


# --- predikat: the organisation scale, only for a closed period ------------------------------


@pytest.mark.parametrize(
    ("score", "final", "staff", "expected"),
    [
        ("110.00", True, False, "Istimewa"),
        ("110.00", False, False, ""),  # provisional: no predikat
        ("109.99", True, False, "Baik"),
        ("89.995", True, False, "Baik"),  # decided on the rounded score
        ("69.99", True, False, "Kurang"),
        ("49.99", True, False, "Sangat Kurang"),
        ("49.99", False, False, ""),
        ("110.00", True, True, "Sangat Baik"),  # a civil servant's SKP score band
        ("110.00", False, True, ""),
        (None, True, False, ""),
    ],
)
def test_only_a_final_score_has_a_predikat(score, final, staff, expected):
    value = dec(score)
    assert final_predikat(value, scoring.DEFAULT_SCHEME, final=final, staff=staff) == expected


def test_the_organisation_scale_of_6_2022():
    assert scoring.ORGANISATION_SCALE == (
        "Istimewa",
        "Baik",
        "Butuh Perbaikan",
        "Kurang",
        "Sangat Kurang",
    )


# --- complete scores -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("k", "s", "has_service", "complete"),
    [
        ("90", "95", True, True),
        ("90", None, True, False),  # a public service but no survey component
        ("90", None, False, True),  # no public service: S is not expected
        (None, "95", True, False),  # no K
        (None, None, False, False),
    ],
)
def test_a_score_is_complete_with_k_and_s_where_there_is_a_service(k, s, has_service, complete):
    assert is_complete(dec(k), dec(s), has_service=has_service) is complete


@pytest.mark.parametrize(
    ("survey", "final", "has_service", "expected"),
    [
        # ten respondents answering 3 everywhere: IKM 75.00, S 84.93;
        # (0.5 * 90 + 0.3 * 80 + 0.2 * 84.93) = 85.986 -> 85.99, Butuh Perbaikan
        ((10, [30] * 9), True, True, ("75.00", "84.93", "85.99", "Butuh Perbaikan", True)),
        ((10, [30] * 9), False, True, ("75.00", "84.93", "85.99", "", True)),
        # nine respondents: no IKM, no S; (45 + 24) / 0.8 = 86.25; incomplete (a service)
        ((9, [27] * 9), True, True, (None, None, "86.25", "Butuh Perbaikan", False)),
        (None, True, False, (None, None, "86.25", "Butuh Perbaikan", True)),
    ],
)
def test_agency_period(survey, final, has_service, expected):
    staff = [D(80)] * 10
    result = agency_period(D(90), staff, survey, final=final, has_service=has_service)
    ikm, s, score, predikat, complete = expected
    assert (result.e, result.ikm, result.s, result.score) == (D(80), dec(ikm), dec(s), D(score))
    assert (result.predikat, result.final, result.complete) == (predikat, final, complete)


# --- annual targets ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("aggregation", "reported", "expected"),
    [
        ("sum", ["10", "20", "30"], Fraction(60)),
        ("sum", ["0.5", "0.25"], Fraction(3, 4)),
        ("sum", ["10", None, "30"], None),  # a closed quarter lacks its realisation
        ("last", ["10", "20", None], D(20)),  # the last one reported
        ("last", ["5"], D(5)),
        ("last", [None, None], None),
        ("average", ["10", None, "20"], Fraction(15)),  # of those reported
        ("average", ["1", "1", "2"], Fraction(4, 3)),  # exact, not 1.3333
        ("average", [None], None),
    ],
)
def test_annual_realisation(aggregation, reported, expected):
    assert annual_realisation(aggregation, [dec(r) for r in reported]) == expected


def indicator(direction, targets, reals, annual_target=None, aggregation="", weight="1"):
    return IndicatorYear(
        direction=direction,
        weight=D(weight),
        targets={q: D(t) for q, t in targets.items()},
        realisations={q: D(r) for q, r in reals.items() if r is not None},
        annual_target=dec(annual_target),
        aggregation=aggregation,
    )


Q1_Q3 = {1, 2, 3}
EVERY = dict.fromkeys((1, 2, 3, 4), "100")


@pytest.mark.parametrize(
    ("ind", "value", "realisation", "missing"),
    [
        # sum: 20 + 30 + 25 of the closed quarters (Q4, open, reported 40: never enters)
        (
            indicator("higher", EVERY, {1: "20", 2: "30", 3: "25", 4: "40"}, "100", "sum"),
            D("75.00"),
            Fraction(75),
            False,
        ),
        # sum lacking Q2's realisation: 0, missing
        (
            indicator("higher", EVERY, {1: "20", 3: "25"}, "100", "sum"),
            D("0.00"),
            None,
            True,
        ),
        # last, lower is better (a prevalence): the latest reported, 15, against 14:
        # 100 * (2 - 15 / 14) = 92.857 -> 92.86
        (
            indicator("lower", EVERY, {1: "16", 2: "15"}, "14", "last"),
            D("92.86"),
            D(15),
            False,
        ),
        # last with nothing reported in a closed quarter (only in the open one): 0, missing
        (
            indicator("lower", EVERY, {4: "12"}, "14", "last"),
            D("0.00"),
            None,
            True,
        ),
        # average of the reported ones: (85 + 95) / 2 = 90 against 90
        (
            indicator("higher", EVERY, {1: "85", 3: "95"}, "90", "average"),
            D("100.00"),
            Fraction(90),
            False,
        ),
        # average 4 / 3 against 3, exact: 100 * 4 / 9 = 44.444 -> 44.44
        (
            indicator("higher", EVERY, {1: "1", 2: "1", 3: "2"}, "3", "average"),
            D("44.44"),
            Fraction(4, 3),
            False,
        ),
        # lower with an annual target of 0: met only by 0
        (indicator("lower", EVERY, {1: "0", 2: "0", 3: "0"}, "0", "sum"), D("100.00"), 0, False),
        (indicator("lower", EVERY, {1: "0", 2: "1", 3: "0"}, "0", "sum"), D("0.00"), 1, False),
        # clamped to the cap: 130 -> 120
        (
            indicator("higher", EVERY, {1: "5", 2: "4", 3: "4"}, "10", "sum"),
            D("120.00"),
            Fraction(13),
            False,
        ),
        # no annual target: the exact mean of the closed quarters' achievements,
        # (110 + 0 (missing) + 95) / 3 = 68.333...
        (
            indicator("higher", EVERY, {1: "110", 3: "95", 4: "120"}),
            Fraction(205, 3),
            None,
            False,
        ),
    ],
)
def test_indicator_annual_achievement(ind, value, realisation, missing):
    result = indicator_annual(ind, Q1_Q3)
    assert (result.value, result.realisation, result.missing) == (value, realisation, missing)


def test_a_last_indicators_annual_achievement_is_its_latest_realisation_against_the_target():
    ind = indicator("lower", EVERY, {1: "18.2", 2: "17.9", 3: "16.4"}, "15.5", "last")
    result = indicator_annual(ind, Q1_Q3)
    # 100 * (2 - 16.4 / 15.5) = 94.193... -> 94.19
    assert result.value == scoring.achievement("lower", D("15.5"), D("16.4")) == D("94.19")


def test_an_indicator_without_a_target_in_a_closed_quarter_is_not_in_the_year_yet():
    ind = indicator("higher", {4: "100"}, {4: "90"}, "100", "sum")
    assert indicator_annual(ind, Q1_Q3) is None


def test_the_open_quarter_never_enters_the_annual_score():
    # X higher: 90, 110, and 120 reported in the open Q3; Y lower: 100, missing (0), and
    # nothing yet in Q3. Q1 (90 + 100) / 2 = 95.00; Q2 (110 + 0) / 2 = 55.00 with one
    # missing; Q3 (open) X alone: 120.00, provisional. The year so far: (95 + 55) / 2 = 75.00
    # (version 1 took Q3 in: 90.00).
    result = score_contract(
        [
            indicator("higher", {1: "100", 2: "100", 3: "100"}, {1: "90", 2: "110", 3: "120"}),
            indicator("lower", {1: "10", 2: "10", 3: "10"}, {1: "10"}),
        ],
        closed={1, 2},
    )
    assert result.quarters == {1: (D("95.00"), 0), 2: (D("55.00"), 1), 3: (D("120.00"), 0)}
    assert result.annual == (D("75.00"), 1)


def test_a_year_without_a_closed_quarter_has_no_annual_score():
    result = score_contract([indicator("higher", EVERY, {1: "90"})], closed=set())
    assert result.quarters == {1: (D("90.00"), 0)}
    assert result.annual is None and result.annual_achievements == []


def test_a_realisation_of_a_quarter_that_has_not_started_does_not_count():
    result = score_contract(
        [indicator("higher", EVERY, {1: "90", 3: "100"})], closed={1}, started={1, 2}
    )
    assert result.quarters == {1: (D("90.00"), 0)}  # Q3's early realisation is ignored


def test_a_contract_with_an_annual_target_is_the_weighted_mean_of_its_indicators_years():
    # X (weight 40): annual target 400, sum of the closed quarters 90 + 110 + 100 = 300:
    # 75.00. Y (weight 60), no annual target: 100, 90, 120: mean 310 / 3 = 103.333...
    # (40 * 75 + 60 * 310 / 3) / 100 = (3000 + 6200) / 100 = 92.00. The mean of the quarter
    # scores would be (96 + 98 + 112) / 3 = 102.00.
    x = indicator(
        "higher", EVERY, {1: "90", 2: "110", 3: "100", 4: "120"}, "400", "sum", weight="40"
    )
    y = indicator(
        "higher", dict.fromkeys((1, 2, 3, 4), "50"), {1: "50", 2: "45", 3: "60"}, weight="60"
    )
    result = score_contract([x, y], closed=Q1_Q3)
    assert [result.quarters[q][0] for q in (1, 2, 3, 4)] == [
        D("96.00"),
        D("98.00"),
        D("112.00"),
        D("120.00"),  # Q4, open: X alone
    ]
    assert result.annual == (D("92.00"), 0)


def test_the_unrounded_mean_of_an_indicator_without_an_annual_target_enters_the_year():
    # X (weight 1): annual target 100, last realisation 100.01: 100.01. Y (weight 3), no
    # annual target: 100, 100, 100.01, mean 300.01 / 3 = 100.00333... unrounded.
    # (100.01 + 3 * 300.01 / 3) / 4 = 400.02 / 4 = 100.005 -> 100.01; with Y's mean rounded
    # first (100.00) it would be 400.01 / 4 = 100.0025 -> 100.00.
    x = indicator("higher", {1: "100"}, {1: "100.01"}, "100", "last", weight="1")
    y = indicator(
        "higher", {1: "100", 2: "100", 3: "100"}, {1: "100", 2: "100", 3: "100.01"}, weight="3"
    )
    result = score_contract([x, y], closed=Q1_Q3)
    assert result.annual == (D("100.01"), 0)
    assert [a.value for _, a in result.annual_achievements] == [D("100.01"), Fraction(30001, 300)]


# --- the scheme a run records ----------------------------------------------------------------


def test_a_scheme_survives_its_snapshot():
    scheme = Scheme(cap=D(130), threshold_istimewa=D(105), ikm_target=D("85.00"))
    snapshot = scheme.snapshot()
    assert snapshot["ikm_target"] == "85.00" and snapshot["threshold_istimewa"] == "105"
    assert Scheme.from_snapshot(snapshot) == scheme


def test_a_version_1_snapshot_reads_its_sangat_baik_threshold_as_istimewa():
    scheme = Scheme.from_snapshot({"version": 3, "cap": "130", "threshold_sangat_baik": "105"})
    assert scheme.cap == 130 and scheme.threshold_istimewa == 105
    assert scheme.ikm_target == D("88.31")  # not recorded then: the default
