"""The scoring rules of DESIGN.md as tables: each case reads as a line of the methodology.

`performance/scoring.py` is pure (no Django, no database), so nothing here touches the
database.
"""

import datetime
from decimal import Decimal as D

import pytest

from performance import scoring
from performance.scoring import (
    DEFAULT_SCHEME,
    IndicatorQuarter,
    InvalidTarget,
    Scheme,
    achievement,
    agency_score,
    annual_score,
    contract_quarter_score,
    ikm,
    ikm_from_sums,
    mutu_pelayanan,
    predikat,
    quarter_achievements,
    quarter_is_closed,
    quarter_last_day,
    round2,
    staff_component,
    weighted_mean,
)


def responses_with_sums(element_sums: list[int], n: int) -> list[list[int]]:
    """n respondents whose answers to the nine unsur add up to `element_sums` (each answer
    1-4): every respondent answers 1, then the rest of each sum is spread 1-by-1 round the
    respondents."""
    rows = [[1] * 9 for _ in range(n)]
    for i, total in enumerate(element_sums):
        assert n <= total <= 4 * n
        for k in range(total - n):
            rows[k % n][i] += 1
    return rows


# --- rounding --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        ("109.995", "110.00"),  # half up, not half even: the Istimewa boundary
        ("49.995", "50.00"),  # the Kurang boundary
        ("89.995", "90.00"),
        ("89.994999", "89.99"),
        ("0.125", "0.13"),  # half even would give 0.12
        ("2.675", "2.68"),  # a float would give 2.67
        ("100.005", "100.01"),
        ("54.165", "54.17"),
        ("120", "120.00"),
        ("0", "0.00"),
    ],
)
def test_round_is_half_up_to_two_decimals(value, rounded):
    assert str(round2(D(value))) == rounded


# --- indicator achievement ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "target", "realisation", "expected"),
    [
        # higher is better: 100 * r / t
        ("higher", "100", "88.2", "88.20"),
        ("higher", "85", "88.2", "103.76"),  # 103.7647...
        ("higher", "3", "2", "66.67"),  # 66.666...
        ("higher", "4", "0", "0.00"),
        # lower is better: 100 * (2 - r / t); the regulation's worked examples
        ("lower", "7", "6.5", "107.14"),  # 100 * (2 - 0.928571...) = 107.142857...
        ("lower", "8", "9", "87.50"),  # 100 * (2 - 1.125)
        ("lower", "12", "13.5", "87.50"),
        ("lower", "12", "12", "100.00"),
        ("lower", "12", "11", "108.33"),  # 108.333...
        # half up at every boundary
        ("higher", "200", "219.99", "110.00"),  # 109.995 -> 110.00 (Istimewa)
        ("higher", "200", "99.99", "50.00"),  # 49.995 -> 50.00 (Kurang)
        ("higher", "10", "4.9995", "50.00"),  # 49.995 -> 50.00
        ("higher", "800", "1", "0.13"),  # 0.125 -> 0.13
        ("lower", "8", "7.9996", "100.01"),  # 100 * (2 - 0.99995) = 100.005 -> 100.01
        # clamped to the cap (120 by default) ...
        ("higher", "10", "12", "120.00"),
        ("higher", "10", "13", "120.00"),  # 130 -> 120
        ("higher", "10", "11.9999", "120.00"),  # 119.999 -> 120.00 by rounding
        ("lower", "10", "0", "120.00"),  # 200 -> 120
        ("lower", "10", "7.9", "120.00"),  # 121 -> 120
        # ... and to 0 from below: a lower-is-better indicator far over its target
        ("lower", "10", "20", "0.00"),  # exactly 0
        ("lower", "5", "12", "0.00"),  # 100 * (2 - 2.4) = -40 -> 0
        ("lower", "10", "19.9999", "0.00"),  # 0.001 -> 0.00
        # lower with target 0: 100 when the realisation is 0, else 0
        ("lower", "0", "0", "100.00"),
        ("lower", "0", "0.0001", "0.00"),
        ("lower", "0", "1", "0.00"),
        ("lower", "0", "3", "0.00"),
    ],
)
def test_indicator_achievement(direction, target, realisation, expected):
    assert achievement(direction, D(target), D(realisation)) == D(expected)


@pytest.mark.parametrize(
    ("direction", "target", "realisation", "cap", "expected"),
    [
        ("higher", "10", "13", "150", "130.00"),  # under a higher cap, 130 stands
        ("higher", "10", "16", "150", "150.00"),
        ("higher", "10", "13", "110", "110.00"),  # a lower cap clamps sooner
        ("higher", "10", "10.5", "110", "105.00"),
        ("lower", "10", "0", "150", "150.00"),  # 200 -> 150
        ("lower", "10", "4", "200", "160.00"),
        ("lower", "0", "0", "100", "100.00"),
    ],
)
def test_achievement_is_clamped_to_the_schemes_cap(direction, target, realisation, cap, expected):
    assert achievement(direction, D(target), D(realisation), cap=D(cap)) == D(expected)


@pytest.mark.parametrize(
    ("direction", "target"), [("higher", "0"), ("higher", "-1"), ("lower", "-1")]
)
def test_a_target_no_achievement_can_come_from_is_refused(direction, target):
    with pytest.raises(InvalidTarget):
        achievement(direction, D(target), D(1))


def test_an_unknown_direction_is_refused():
    with pytest.raises(ValueError, match="direction"):
        achievement("sideways", D(10), D(1))


# --- contract score ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        # DESIGN.md's DIKES example: (88.20*40 + 87.50*60) / 100
        ([("88.20", "40"), ("87.50", "60")], "87.78"),
        ([("100", "40"), ("87.50", "60")], "92.50"),
        # weights need not sum to 100: the mean divides by their sum
        ([("80", "1"), ("110", "2")], "100.00"),  # 300 / 3
        ([("80", "10"), ("110", "20")], "100.00"),  # the same weights, scaled
        ([("90", "0.5"), ("100", "0.25")], "93.33"),  # 70 / 0.75
        ([("90", "2"), ("100", "1")], "93.33"),  # the same ratio
        ([("103.76", "40"), ("87.50", "60"), ("100", "20")], "95.00"),  # 11400.4 / 120
        ([("0", "40"), ("108.33", "60"), ("0", "20")], "54.17"),  # 6499.8 / 120 = 54.165
        ([("100.01", "1"), ("100.00", "1")], "100.01"),  # 100.005, half up
        ([("66.67", "3")], "66.67"),  # one indicator: its achievement
    ],
)
def test_contract_quarter_score_is_the_weighted_mean(pairs, expected):
    as_decimals = [(D(a), D(w)) for a, w in pairs]
    assert contract_quarter_score(as_decimals) == D(expected)
    assert weighted_mean(as_decimals) == D(expected)


def test_a_quarter_with_no_indicator_taking_part_has_no_score():
    assert contract_quarter_score([]) is None


@pytest.mark.parametrize(
    ("quarters", "expected"),
    [
        (["100", "90"], "95.00"),  # Q1 and Q2 so far
        (["100", "90", "80", "70"], "85.00"),
        (["95.00", "54.17", "101.96", "116.67"], "91.95"),  # 367.80 / 4
        (["100", None, "91"], "95.50"),  # a quarter without a score is left out
        (["120.00", "0.00", "80.00"], "66.67"),  # 200 / 3
        (["50.00", "0.00", "97.50"], "49.17"),  # 147.5 / 3 = 49.1666...
        (["100.01", "100.00"], "100.01"),  # 100.005, half up
        (["88.33", "88.33", "88.34"], "88.33"),
    ],
)
def test_annual_score_is_the_mean_of_the_quarter_scores_so_far(quarters, expected):
    values = [None if q is None else D(q) for q in quarters]
    assert annual_score(values) == D(expected)


@pytest.mark.parametrize("quarters", [[], [None], [None, None, None, None]])
def test_no_quarter_score_means_no_annual_score(quarters):
    assert annual_score(quarters) is None


def test_missing_realisation_counts_as_zero_in_a_closed_quarter_and_is_left_out_while_open():
    rows = [
        IndicatorQuarter("higher", D(40), D(85), D("88.2")),
        IndicatorQuarter("lower", D(60), D(12), None),
    ]
    closed = quarter_achievements(rows, closed=True, cap=D(120))
    assert closed == [(D("103.76"), D(40), False), (D("0.00"), D(60), True)]
    # (103.76*40 + 0*60) / 100
    assert contract_quarter_score((a, w) for a, w, _ in closed) == D("41.50")

    still_open = quarter_achievements(rows, closed=False, cap=D(120))
    assert still_open == [(D("103.76"), D(40), False)]
    assert contract_quarter_score((a, w) for a, w, _ in still_open) == D("103.76")


def test_quarter_achievements_apply_the_given_cap():
    rows = [IndicatorQuarter("higher", D(1), D(10), D(14))]
    assert quarter_achievements(rows, closed=True, cap=D(130)) == [(D("130.00"), D(1), False)]


# --- IKM (PermenPAN-RB 14/2017) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("element_sums", "n", "expected"),
    [
        ([40] * 9, 10, "100.00"),  # everybody answers 4
        ([10] * 9, 10, "25.00"),  # everybody answers 1
        ([30] * 9, 10, "75.00"),
        # one respondent of ten answers 4 on u1, everything else 3: 25 * 271 / 90
        ([31, 30, 30, 30, 30, 30, 30, 30, 30], 10, "75.28"),
        ([32, 31, 30, 35, 28, 33, 34, 29, 30], 10, "78.33"),  # 25 * 282 / 90 = 78.333...
        ([40, 40, 40, 40, 40, 40, 40, 40, 40], 12, "83.33"),  # 25 * 360 / 108
        # exactly on a half cent, with NRRs that are not finite decimals (n = 48, 24)
        ([95, 59, 169, 159, 99, 49, 124, 115, 49], 48, "53.13"),  # 25 * 918 / 432 = 53.125
        ([39, 39, 43, 40, 39, 39, 39, 38, 35], 24, "40.63"),  # 25 * 351 / 216 = 40.625
    ],
)
def test_ikm_is_25_times_the_mean_of_the_nine_nrr(element_sums, n, expected):
    assert ikm_from_sums(element_sums, n) == D(expected)
    assert ikm(responses_with_sums(element_sums, n)) == D(expected)


def test_ikm_weights_the_nine_unsur_by_exactly_one_ninth_not_0_111():
    # Ten respondents, all answering 4: the NRR of each unsur is 4.
    responses = [[4] * 9] * 10
    assert ikm(responses) == D("100.00")
    # The 0.111 weight of older circulars would lose a tenth of a point here.
    assert round2(25 * sum(D("0.111") * 4 for _ in range(9))) == D("99.90")

    # NRRs 3.1, 3.0 x 8 (sum 27.1): 1/9 gives 75.28, 0.111 would give 75.20 (75.2025).
    responses = responses_with_sums([31, 30, 30, 30, 30, 30, 30, 30, 30], 10)
    assert ikm(responses) == D("75.28")
    nrr = [D(sum(r[i] for r in responses)) / 10 for i in range(9)]
    assert round2(25 * sum(D("0.111") * x for x in nrr)) == D("75.20")


def test_ikm_pools_respondents_not_service_ikms():
    # Eight respondents of one service answer 4, four of another answer 2: pooled, each NRR
    # is 40 / 12, IKM 83.33; the mean of the two services' IKMs (100 and 50) would be 75.
    responses = [[4] * 9] * 8 + [[2] * 9] * 4
    assert ikm(responses) == D("83.33")


@pytest.mark.parametrize(
    ("n", "minimum", "present"),
    [
        (9, 10, False),  # default minimum: 10 respondents
        (10, 10, True),
        (11, 10, True),
        (0, 10, False),
        (4, 5, False),  # a scheme with a minimum of 5
        (5, 5, True),
        (1, 1, True),
    ],
)
def test_ikm_from_fewer_respondents_than_the_schemes_minimum_is_absent(n, minimum, present):
    scheme = Scheme(survey_min_responses=minimum)
    value = ikm([[3] * 9] * n, scheme)
    assert (value == D("75.00")) if present else value is None


@pytest.mark.parametrize(
    ("value", "grade"),
    [
        ("100.00", "A"),
        ("88.31", "A"),
        ("88.30", "B"),
        ("76.61", "B"),
        ("76.60", "C"),
        ("65.00", "C"),
        ("64.99", "D"),
        ("25.00", "D"),
    ],
)
def test_mutu_pelayanan_bands(value, grade):
    assert mutu_pelayanan(D(value)) == grade


# --- agency score ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("k", "e", "s", "expected"),
    [
        # (0.5 K + 0.3 E + 0.2 S) / (sum of the weights present)
        ("100", "90", "80", "93.00"),  # 50 + 27 + 16
        ("100", "90", None, "96.25"),  # (50 + 27) / 0.8
        ("100", None, "80", "94.29"),  # (50 + 16) / 0.7 = 94.2857...
        (None, "90", "80", "86.00"),  # (27 + 16) / 0.5
        ("100", None, None, "100.00"),
        (None, "90", None, "90.00"),
        (None, None, "80", "80.00"),
        ("95.00", "97.00", "75.00", "91.60"),  # 47.5 + 29.1 + 15
        ("54.17", "87.50", "75.28", "68.39"),  # 27.085 + 26.25 + 15.056 = 68.391
        ("102.44", None, "82.14", "96.64"),  # 67.648 / 0.7
        ("100", "90.01", "100", "97.00"),  # 50 + 27.003 + 20 = 97.003
        ("99.99", "99.99", "99.99", "99.99"),
    ],
)
def test_agency_score_redistributes_the_weight_of_absent_components(k, e, s, expected):
    def dec(x):
        return None if x is None else D(x)

    assert agency_score(dec(k), dec(e), dec(s)) == D(expected)


def test_an_agency_with_no_component_has_no_score():
    assert agency_score(None, None, None) is None


def test_agency_score_combines_the_staff_mean_rounded():
    # Version 2: E = 271 / 3 = 90.333... is rounded first (90.33), as it is published:
    # (50 + 27.099) / 0.8 = 96.37375 -> 96.37. Version 1 combined it unrounded (96.38), and a
    # reader could not recompute the published score from the published E.
    e = staff_component([D(90), D(90), D(91)], Scheme(min_group_size=3))
    assert e == D("90.33")
    assert agency_score(D(100), e, None) == D("96.37")


def test_agency_score_combines_the_published_staff_mean_when_it_repeats():
    # E = 1200.64 / 12 = 100.0533... is published as 100.05, and combined as such:
    # (0.5 * 83.08 + 0.3 * 100.05) / 0.8 = 71.555 / 0.8 = 89.44375 -> 89.44 (version 1 combined
    # the exact mean and gave 89.45).
    staff = [D("100.05")] * 11 + [D("100.09")]
    e = staff_component(staff, Scheme(min_group_size=10))
    assert e == D("100.05")
    assert agency_score(D("83.08"), e, None) == D("89.44")


def test_agency_score_with_the_schemes_weights():
    scheme = Scheme(weight_contract=D("0.6"), weight_staff=D("0"), weight_survey=D("0.4"))
    # A zero weight takes its component out: (60 + 32) / 1.0
    assert agency_score(D(100), D(50), D(80), scheme) == D("92.00")
    # E alone with weight 0: no component left.
    assert agency_score(None, D(50), None, scheme) is None


@pytest.mark.parametrize(
    ("count", "minimum", "expected"),
    [
        (9, 10, None),  # privacy: a mean over fewer than 10 people is not used
        (10, 10, "100"),
        (25, 10, "100"),
        (4, 5, None),
        (5, 5, "100"),
        (0, 5, None),
    ],
)
def test_staff_component_needs_min_group_size_staff(count, minimum, expected):
    e = staff_component([D(100)] * count, Scheme(min_group_size=minimum))
    assert e == (None if expected is None else D(expected))


def test_staff_component_is_the_plain_mean_rounded():
    scores = [D(100)] * 8 + [D("101.88"), D("49.17")]
    assert staff_component(scores) == D("95.11")  # 951.05 / 10 = 95.105, half up


# --- predikat ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        ("120.00", "Istimewa"),
        ("110.00", "Istimewa"),
        ("109.995", "Istimewa"),  # decided on the rounded score, 110.00
        ("109.99", "Baik"),
        ("90.00", "Baik"),
        ("89.995", "Baik"),
        ("89.99", "Butuh Perbaikan"),
        ("70.00", "Butuh Perbaikan"),
        ("69.99", "Kurang"),
        ("50.00", "Kurang"),
        ("49.995", "Kurang"),  # rounds to 50.00
        ("49.994", "Sangat Kurang"),
        ("49.99", "Sangat Kurang"),
        ("0.00", "Sangat Kurang"),
    ],
)
def test_predikat_bands(score, expected):
    """The organisation scale of PermenPAN-RB 6/2022 (an agency); a civil servant's SKP
    score band has the same thresholds with Sangat Baik at the top."""
    assert predikat(D(score)) == expected
    band = "Sangat Baik" if expected == "Istimewa" else expected
    assert scoring.staff_band(D(score)) == band


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        ("100.00", "Istimewa"),
        ("99.99", "Baik"),
        ("85.00", "Baik"),
        ("84.99", "Butuh Perbaikan"),
        ("65.00", "Butuh Perbaikan"),
        ("64.99", "Kurang"),
        ("45.00", "Kurang"),
        ("44.99", "Sangat Kurang"),
    ],
)
def test_predikat_bands_follow_the_schemes_thresholds(score, expected):
    scheme = Scheme(
        threshold_istimewa=D(100),
        threshold_baik=D(85),
        threshold_butuh_perbaikan=D(65),
        threshold_kurang=D(45),
    )
    assert predikat(D(score), scheme) == expected


def test_default_scheme_is_designs():
    assert (
        Scheme(
            cap=D(120),
            weight_contract=D("0.5"),
            weight_staff=D("0.3"),
            weight_survey=D("0.2"),
            threshold_istimewa=D(110),
            threshold_baik=D(90),
            threshold_butuh_perbaikan=D(70),
            threshold_kurang=D(50),
            entry_grace_days=15,
            survey_min_responses=10,
            min_group_size=10,
            ikm_target=D("88.31"),
        )
        == DEFAULT_SCHEME
    )


# --- closed and open quarters --------------------------------------------------------------


@pytest.mark.parametrize(
    ("quarter", "last_day"),
    [
        (1, datetime.date(2025, 3, 31)),
        (2, datetime.date(2025, 6, 30)),
        (3, datetime.date(2025, 9, 30)),
        (4, datetime.date(2025, 12, 31)),
    ],
)
def test_quarter_last_day(quarter, last_day):
    assert quarter_last_day(2025, quarter) == last_day


@pytest.mark.parametrize(
    ("year", "quarter", "today", "closed"),
    [
        (2025, 3, datetime.date(2025, 9, 30), False),
        (2025, 3, datetime.date(2025, 10, 15), False),  # open up to and including 15 Oct
        (2025, 3, datetime.date(2025, 10, 16), True),  # closed from 16 Oct
        (2025, 1, datetime.date(2025, 4, 15), False),
        (2025, 1, datetime.date(2025, 4, 16), True),
        (2025, 2, datetime.date(2025, 7, 15), False),
        (2025, 2, datetime.date(2025, 7, 16), True),
        (2025, 4, datetime.date(2025, 12, 31), False),
        (2025, 4, datetime.date(2026, 1, 15), False),  # Q4 is open through 15 January
        (2025, 4, datetime.date(2026, 1, 16), True),  # and closed after it
        (2024, 4, datetime.date(2025, 6, 1), True),  # a past year is closed
        (2026, 1, datetime.date(2025, 6, 1), False),  # a future one is open
        (2024, 1, datetime.date(2024, 4, 16), True),  # leap year, same rule
    ],
)
def test_quarter_closes_after_its_last_day_plus_grace_days(year, quarter, today, closed):
    assert quarter_is_closed(year, quarter, today) is closed


@pytest.mark.parametrize(
    ("grace", "today", "closed"),
    [
        (0, datetime.date(2025, 9, 30), False),
        (0, datetime.date(2025, 10, 1), True),
        (30, datetime.date(2025, 10, 30), False),
        (30, datetime.date(2025, 10, 31), True),
    ],
)
def test_quarter_closing_follows_the_schemes_grace_days(grace, today, closed):
    assert quarter_is_closed(2025, 3, today, grace_days=grace) is closed
