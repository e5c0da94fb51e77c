"""The independent cross-check (issue 22): the comparison as a table, and which links an
indicator may have (an agency's own indicator, a service of that agency, a service named for
a service figure)."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from performance.crosscheck import compare
from performance.models import CrossCheck
from tests.factories import ContractFactory, IndicatorFactory, ServiceFactory
from tests.portal.workspace.data import skp_of


@pytest.mark.parametrize(
    ("value", "sufficient", "realisation", "gap", "flagged"),
    [
        (D("74.31"), True, D("97.52"), D("23.21"), True),
        (D(90), True, D(80), D(10), False),  # exactly the threshold: not above it
        (D("90.01"), True, D(80), D("10.01"), True),
        (D(75), False, D(97), None, False),  # below the survey minimum: not compared
        (None, True, D(97), None, False),  # no independent figure
        (D(75), True, None, None, False),  # nothing reported
    ],
)
def test_compare(value, sufficient, realisation, gap, flagged):
    check = compare("ikm", value, 12, sufficient, realisation, D(10))
    assert (check.gap, check.flagged) == (gap, flagged)


@pytest.mark.django_db
def test_only_an_agencys_own_indicator_links_to_its_own_service(cast, english):
    service_a = ServiceFactory(agency=cast.agency_a)
    service_b = ServiceFactory(agency=cast.agency_b)
    pk = IndicatorFactory(contract=ContractFactory(agency=cast.agency_a, year=2026))
    pk.cross_check = CrossCheck.IKM
    pk.full_clean()  # the agency's IKM: no service needed
    pk.cross_check_service = service_a
    pk.full_clean()
    pk.cross_check_service = service_b
    with pytest.raises(ValidationError, match="agency's own"):
        pk.full_clean()
    pk.cross_check, pk.cross_check_service = CrossCheck.ON_TIME, None
    with pytest.raises(ValidationError, match="needs its service"):
        pk.full_clean()
    pk.cross_check, pk.cross_check_service = "", service_a
    with pytest.raises(ValidationError, match="independent source first"):
        pk.full_clean()
    staff = skp_of(cast.agency_a, year=2026).indicators.first()
    staff.cross_check = CrossCheck.IKM
    with pytest.raises(ValidationError, match="agency's own indicators"):
        staff.full_clean()
