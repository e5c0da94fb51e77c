"""A PK on the issue's day for the late-change and correction tests."""

import datetime
from decimal import Decimal as D

from performance import contracts
from performance.contracts import RealisationInput
from performance.models import PerformanceContract, Realisation
from tests.factories import ContractFactory, IndicatorFactory, RealisationFactory, TargetFactory

# 6 December 2026 (the day): Q3 2026 closed on 15 October, Q4 is open, 2027 has not
# started.
DEC_6 = datetime.date(2026, 12, 6)
REASON = "Data BPS triwulan III baru terbit 1 Desember"


def agency_pk(agency) -> PerformanceContract:
    """The agency's approved PK of 2026: IKU1 and IKU2 (weight 1 each), target 100 in every
    quarter, Q3 realised at 80 and 90."""
    contract = ContractFactory(agency=agency, year=2026, status=PerformanceContract.Status.APPROVED)
    for code, q3 in (("IKU1", "80"), ("IKU2", "90")):
        indicator = IndicatorFactory(contract=contract, code=code, text=f"Indikator {code}")
        for q in (1, 2, 3, 4):
            TargetFactory(indicator=indicator, quarter=q, value=D(100))
        RealisationFactory(indicator=indicator, quarter=3, value=D(q3))
    return contract


def row(contract, code: str, value: str | None, quarter: int = 3) -> RealisationInput:
    indicator = contract.indicators.get(code=code)
    return RealisationInput(
        indicator=indicator,
        value=None if value is None else D(value),
        existing=Realisation.objects.filter(indicator=indicator, quarter=quarter).first(),
    )


def save(contract, rows, user, *, quarter=3, today=DEC_6, reason=REASON):
    contract.refresh_from_db()
    return contracts.save_realisations(
        {contract.pk: (contract, contract.version)},
        quarter,
        rows,
        user,
        today=today,
        late_reason=reason,
    )
