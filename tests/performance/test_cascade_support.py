"""What staff work adds up to (the cascade): the recompute writes, per agency PK indicator,
how many approved SKP indicators of the year serve it, how many civil servants hold them and
their mean achievement over the closed quarters; the public reads it only from the
published run and only from the group minimum; the leaders get the gaps per agency."""

import datetime
from decimal import Decimal as D

import pytest

from performance.cascade import support_rows, unlinked_counts
from performance.models import PerformanceContract, Support
from performance.services import recompute_scores
from tests.factories import (
    AgencyFactory,
    ContractFactory,
    EmployeeFactory,
    IndicatorFactory,
    RealisationFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db

AUG_2025 = datetime.date(2025, 8, 1)  # Q1 and Q2 of 2025 closed (grace 15 days)


def staff_indicator(agency, parent, q1, q2, *, employee=None, status="approved", code="RHK1"):
    employee = employee or EmployeeFactory(agency=agency)
    contract = PerformanceContract.objects.filter(employee=employee, year=2025).first()
    contract = contract or ContractFactory(agency=agency, employee=employee, status=status)
    found = IndicatorFactory(contract=contract, code=code, parent=parent)
    for quarter, value in ((1, q1), (2, q2)):
        TargetFactory(indicator=found, quarter=quarter, value=D(10))
        if value is not None:
            RealisationFactory(indicator=found, quarter=quarter, value=D(value))
    return found


@pytest.fixture
def cascade():
    """DIKES 2025: IKU1 served by 12 civil servants (one of them with two indicators) and a
    draft SKP that does not count; IKU2 by 9; IKU3 by nobody; one SKP indicator serving
    nothing."""
    agency = AgencyFactory(code="DIKES")
    pk = ContractFactory(agency=agency)
    iku1, iku2, iku3 = (IndicatorFactory(contract=pk, code=f"IKU{n}") for n in (1, 2, 3))
    for iku in (iku1, iku2, iku3):
        TargetFactory(indicator=iku, quarter=1, value=D(100))
        RealisationFactory(indicator=iku, quarter=1, value=D(90))
    first = None
    for k in range(12):
        # Q1 100 %, Q2 50 + 5k %: the year so far 75 + 2.5k
        made = staff_indicator(agency, iku1, 10, D(5) + D("0.5") * k)
        first = first or made
    # A second indicator of the first civil servant: Q1 120 % (capped), Q2 missing (0).
    staff_indicator(agency, iku1, 12, None, employee=first.contract.employee, code="RHK2")
    staff_indicator(agency, iku1, 1, 1, status=PerformanceContract.Status.DRAFT)
    for _ in range(9):
        staff_indicator(agency, iku2, 10, 10)
    staff_indicator(agency, None, 10, 10)
    return agency, iku1, iku2, iku3


def test_the_recompute_counts_the_supporting_indicators_and_their_mean_achievement(cascade):
    agency, iku1, iku2, iku3 = cascade

    run = recompute_scores(today=AUG_2025)

    supports = {s.indicator_id: s for s in Support.objects.filter(run=run)}
    assert set(supports) == {iku1.pk, iku2.pk}
    one = supports[iku1.pk]
    # 12 x (75 + 2.5k) over k = 0..11 is 1,065; the second indicator's year is 60.
    assert (one.year, one.indicators, one.staff) == (2025, 13, 12)
    assert one.mean_achievement == D("86.54")  # 1,125 / 13 = 86.538...
    assert (supports[iku2.pk].indicators, supports[iku2.pk].staff) == (9, 9)
    assert supports[iku2.pk].mean_achievement == D("100.00")


def test_before_a_quarter_closes_the_support_is_counted_without_a_mean(cascade):
    agency, iku1, *_ = cascade

    run = recompute_scores(today=datetime.date(2025, 4, 10))  # Q1 still open

    one = Support.objects.get(run=run, indicator=iku1)
    assert (one.indicators, one.staff, one.mean_achievement) == (13, 12, None)


def test_a_recompute_of_another_year_carries_the_support_over(cascade):
    agency, iku1, *_ = cascade
    recompute_scores(today=AUG_2025)
    ContractFactory(agency=agency, year=2024)

    run = recompute_scores(year=2024, today=AUG_2025)

    assert Support.objects.get(run=run, indicator=iku1).mean_achievement == D("86.54")


def test_the_public_sees_the_support_only_from_the_group_minimum(cascade):
    agency, iku1, iku2, iku3 = cascade
    run = recompute_scores(today=AUG_2025)

    rows = {r.indicator.code: r for r in support_rows(run.pk, agency.pk, 2025, 10)}

    assert (rows["IKU1"].indicators, rows["IKU1"].mean, rows["IKU1"].suppressed) == (
        13,
        D("86.54"),
        False,
    )
    assert (rows["IKU2"].indicators, rows["IKU2"].mean, rows["IKU2"].suppressed) == (
        None,
        None,
        True,
    )
    assert (rows["IKU3"].indicators, rows["IKU3"].suppressed) == (0, False)
    # With a minimum of 9 the nine civil servants of IKU2 are enough.
    assert support_rows(run.pk, agency.pk, 2025, 9)[1].indicators == 9


def test_the_leaders_get_unsupported_pk_indicators_and_staff_indicators_serving_nothing(
    cascade, django_assert_max_num_queries
):
    agency, *_ = cascade
    other = AgencyFactory()
    with django_assert_max_num_queries(2):
        counts = unlinked_counts([agency.pk, other.pk], 2025)

    gaps = counts[agency.pk]
    assert (gaps.pk_indicators, gaps.unsupported) == (3, 1)  # IKU3
    assert (gaps.staff_indicators, gaps.serving_nothing) == (24, 1)
    assert other.pk not in counts
