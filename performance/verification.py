"""Verification of realisations by the Inspektorat (auditors, APIP): an agency's PK figure
is self-reported until an auditor marks it verified or disputed (a note required then, with
optional evidence). Any later change to the figure (the workspace, a confirmed late change,
a CSV import) makes it unverified again: what was verified is no longer what is published.

Auditors stay read-only for everything else (portal/common/read_only.py); this is the one
thing they write.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import PerformanceContract, Realisation, Verification
from .scoring import round2

# The fields a verification sets, and a change to the realisation clears.
FIELDS = [
    "verification",
    "verification_note",
    "verification_evidence_url",
    "verification_evidence_file",
    "verification_evidence_name",
    "verified_by",
    "verified_at",
]


class VerificationError(Exception):
    """The verification cannot be saved (the figure changed since the form was read)."""


def reset(realisation: Realisation) -> bool:
    """Make `realisation` unverified (in memory; the caller saves it with its change).
    Whether it was verified or disputed before. The auditor's record stays in the history."""
    was = realisation.verification != Verification.UNVERIFIED
    realisation.verification = Verification.UNVERIFIED
    realisation.verification_note = ""
    realisation.verification_evidence_url = ""
    realisation.verification_evidence_file = ""
    realisation.verification_evidence_name = ""
    realisation.verified_by = None
    realisation.verified_at = None
    return was


def verifiable() -> QuerySet:
    """The realisations an auditor may verify: those of agency PK contracts (the figures
    published on the scorecard), with their indicator, contract and agency."""
    return Realisation.objects.filter(indicator__contract__employee__isnull=True).select_related(
        "indicator__contract__agency", "verified_by"
    )


def seen_token(realisation: Realisation) -> str:
    """What the verification form carries of the figure it shows: a save refuses a figure
    changed since."""
    return f"{realisation.value.normalize()}|{realisation.entered_at.isoformat()}"


def mark(
    realisation: Realisation,
    *,
    status: str,
    note: str,
    user,
    seen: str,
    evidence_url: str = "",
    evidence_file: UploadedFile | None = None,
    now: datetime.datetime | None = None,
) -> None:
    """Mark `realisation` verified or disputed by `user` (an auditor: the view checks), with
    `note` (required to dispute) and optional evidence, only if it still is the figure the
    form showed (`seen`, `seen_token`). Recorded in the audit trail with the note."""
    if status not in (Verification.VERIFIED, Verification.DISPUTED):
        raise ValueError(status)
    if status == Verification.DISPUTED and not note.strip():
        raise VerificationError(_("Say why the figure is disputed."))
    with transaction.atomic():
        current = Realisation.objects.select_for_update().get(pk=realisation.pk)
        if seen_token(current) != seen:
            raise VerificationError(
                _("The figure was changed since this page was read; check it again.")
            )
        current.verification = status
        current.verification_note = note.strip()
        current.verification_evidence_url = evidence_url
        current.verified_by = user
        current.verified_at = now or timezone.now()
        if evidence_file is not None:
            current.verification_evidence_name = evidence_file.name[:200]
            current.verification_evidence_file.save(evidence_file.name, evidence_file, save=False)
        current._change_reason = (
            _("verified by the Inspektorat")
            if status == Verification.VERIFIED
            else _("disputed by the Inspektorat: %(note)s") % {"note": current.verification_note}
        )
        # Not `entered_at` (auto_now): the figure's last update stays the agency's.
        current.save(update_fields=FIELDS)
    realisation.refresh_from_db()


def disputed(agencies: QuerySet) -> QuerySet:
    """The disputed realisations of agency PK contracts of `agencies`, newest dispute first,
    with their indicator, contract, agency and auditor."""
    return (
        verifiable()
        .filter(verification=Verification.DISPUTED, indicator__contract__agency__in=agencies)
        .order_by("-verified_at", "-pk")
    )


def verified_share(agency_ids: Iterable[int], year: int) -> dict[int, dict[str, int]]:
    """{agency id: {"figures", "verified", "disputed", "share"}}: the number of realisations
    of the agencies' approved PK contracts of `year`, how many are verified and disputed, and
    the verified percent (rounded). One query."""
    rows = (
        Realisation.objects.filter(
            indicator__contract__employee__isnull=True,
            indicator__contract__status=PerformanceContract.Status.APPROVED,
            indicator__contract__year=year,
            indicator__contract__agency_id__in=list(agency_ids),
        )
        .values("indicator__contract__agency_id")
        .annotate(
            figures=Count("id"),
            verified=Count("id", filter=Q(verification=Verification.VERIFIED)),
            disputed=Count("id", filter=Q(verification=Verification.DISPUTED)),
        )
        .order_by()
    )
    return {
        row["indicator__contract__agency_id"]: {
            "figures": row["figures"],
            "verified": row["verified"],
            "disputed": row["disputed"],
            "share": round2(Decimal(100 * row["verified"]) / row["figures"]),
        }
        for row in rows
    }
