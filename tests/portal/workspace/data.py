"""Data the workspace tests share: a contract of agency A in every state they need, and the
URLs of its objects."""

from __future__ import annotations

from decimal import Decimal

from django.core.files.base import ContentFile
from django.urls import reverse

from performance.models import PerformanceContract, Realisation, ScoringScheme
from tests.factories import (
    ContractFactory,
    EmployeeFactory,
    IndicatorFactory,
    RealisationFactory,
    TargetFactory,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def contract_of(
    agency,
    *,
    status=PerformanceContract.Status.DRAFT,
    employee=None,
    year=2025,
    indicators=3,
    realised: bool = True,
) -> PerformanceContract:
    """A contract with `indicators` indicators (IKU1.., higher is better, weight 1), targets
    of 100 in every quarter and, when `realised`, a Q1 realisation of 90 each."""
    contract = ContractFactory(agency=agency, employee=employee, year=year, status=status)
    for n in range(1, indicators + 1):
        ind = IndicatorFactory(contract=contract, code=f"IKU{n}", text=f"Indikator {n}")
        for q in (1, 2, 3, 4):
            TargetFactory(indicator=ind, quarter=q, value=Decimal(100))
        if realised:
            RealisationFactory(indicator=ind, quarter=1, value=Decimal(90))
    return contract


def keep_quarters_open(*years: int) -> None:
    """Give `years` a scheme whose quarters stay open for decades (the most grace days the
    field holds), so tests of entering realisations in time do not turn into late changes
    as the calendar moves on (late changes: test_late_changes.py)."""
    for year in years:
        ScoringScheme.objects.update_or_create(year=year, defaults={"entry_grace_days": 32767})


def with_evidence(contract: PerformanceContract) -> Realisation:
    realisation = Realisation.objects.filter(indicator__contract=contract).first()
    realisation.evidence_name = "bukti.pdf"
    realisation.evidence_file.save("bukti.pdf", ContentFile(PDF), save=True)
    return realisation


def skp_of(agency, **kwargs) -> PerformanceContract:
    return contract_of(agency, employee=EmployeeFactory(agency=agency), **kwargs)


def object_urls(contract: PerformanceContract, realisation: Realisation) -> list[str]:
    """Every workspace URL that names one of `contract`'s objects (or its agency)."""
    pk = contract.pk
    return [
        reverse("workspace:contract", args=[pk]),
        reverse("workspace:contract_edit", args=[pk]),
        reverse("workspace:contract_submit", args=[pk]),
        reverse("workspace:contract_approve", args=[pk]),
        reverse("workspace:contract_return", args=[pk]),
        reverse("workspace:contract_revise", args=[pk]),
        reverse("workspace:realisations", args=[pk, 1]),
        reverse("workspace:bulk_choose", args=[contract.agency_id]),
        reverse("workspace:bulk_realisations", args=[contract.agency_id, contract.year, 1]),
        reverse("workspace:evidence", args=[realisation.pk]),
    ]


def page_urls() -> list[str]:
    """The workspace URLs that name no object."""
    return [
        reverse(f"workspace:{name}")
        for name in (
            "dashboard",
            "contracts",
            "contract_create",
            "upload",
            "upload_confirm",
            "preview",
            "audit",
        )
    ]
