"""Verification of PK realisations by the Inspektorat (issue 22): an auditor marks a figure
verified or disputed (a note required to dispute, only the figure the form showed), and
every path that changes a realisation makes a verified or disputed one unverified again: the
workspace's save, a confirmed late change and the CSV import. An unchanged figure keeps its
verification."""

import datetime
from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction

from performance import late, verification
from performance.imports import import_performance
from performance.models import LateChange, Realisation, Verification
from tests.performance.late_data import DEC_6, agency_pk, row, save
from tests.performance.test_import_performance import csv_of
from tests.performance.test_import_performance import row as csv_row

pytestmark = pytest.mark.django_db

SEPT_1 = datetime.date(2026, 9, 1)  # Q3 2026 open: a change is written at once


def iku(contract, code: str) -> Realisation:
    return Realisation.objects.get(indicator__contract=contract, indicator__code=code, quarter=3)


def verify(realisation: Realisation, user, status=Verification.VERIFIED, note="") -> None:
    verification.mark(
        realisation,
        status=status,
        note=note,
        user=user,
        seen=verification.seen_token(realisation),
    )


@pytest.fixture
def pk(cast):
    contract = agency_pk(cast.agency_a)
    verify(iku(contract, "IKU1"), cast.auditor)
    verify(iku(contract, "IKU2"), cast.auditor, Verification.DISPUTED, "Bukti tidak lengkap")
    return contract


def test_an_auditor_verifies_and_disputes_with_a_note(cast, pk):
    one, two = iku(pk, "IKU1"), iku(pk, "IKU2")
    assert (one.verification, one.verified_by, one.verification_note) == (
        "verified",
        cast.auditor,
        "",
    )
    assert (two.verification, two.verification_note) == ("disputed", "Bukti tidak lengkap")
    assert two.verified_at is not None
    # The audit trail has it, with the note as the reason.
    latest = two.history.order_by("-history_date").first()
    assert latest.verification == "disputed"
    assert "Bukti tidak lengkap" in latest.history_change_reason


def test_a_dispute_needs_a_note(cast, pk):
    one = iku(pk, "IKU1")
    with pytest.raises(verification.VerificationError):
        verify(one, cast.auditor, Verification.DISPUTED, "   ")
    assert iku(pk, "IKU1").verification == "verified"
    # The database says so too.
    with transaction.atomic(), pytest.raises(IntegrityError):
        Realisation.objects.filter(pk=one.pk).update(verification="disputed", verification_note="")


def test_verifying_does_not_move_the_figures_last_update(cast, pk):
    before = iku(pk, "IKU1").entered_at
    one = iku(pk, "IKU1")
    verify(one, cast.auditor, Verification.DISPUTED, "Angka tidak sesuai laporan")
    assert iku(pk, "IKU1").entered_at == before


def test_a_figure_changed_since_the_form_was_read_is_not_verified(cast, pk):
    one = iku(pk, "IKU2")
    seen = verification.seen_token(one)
    save(pk, [row(pk, "IKU2", "95")], cast.officer_a, today=SEPT_1)
    with pytest.raises(verification.VerificationError):
        verification.mark(one, status=Verification.VERIFIED, note="", user=cast.auditor, seen=seen)
    assert iku(pk, "IKU2").verification == "unverified"


def test_a_workspace_edit_resets_only_the_changed_figure(cast, pk):
    save(pk, [row(pk, "IKU1", "85"), row(pk, "IKU2", "90")], cast.officer_a, today=SEPT_1)

    one, two = iku(pk, "IKU1"), iku(pk, "IKU2")
    assert (one.value, one.verification, one.verified_by, one.verified_at) == (
        D(85),
        "unverified",
        None,
        None,
    )
    # IKU2 was posted back unchanged: nothing was saved, it stays disputed.
    assert (two.verification, two.verification_note) == ("disputed", "Bukti tidak lengkap")


def test_a_new_explanation_is_a_change_too(cast, pk):
    changed = row(pk, "IKU2", "90")
    changed.explanation = "Data susulan dari puskesmas"
    save(pk, [changed], cast.officer_a, today=SEPT_1)
    assert (iku(pk, "IKU2").verification, iku(pk, "IKU2").verification_note) == ("unverified", "")


def test_a_confirmed_late_change_resets_it(cast, pk):
    save(pk, [row(pk, "IKU1", "120")], cast.officer_a, today=DEC_6)
    # Waiting for the approver, the verified figure still counts, verified.
    assert iku(pk, "IKU1").verification == "verified"
    late.confirm(list(LateChange.objects.values_list("pk", flat=True)), cast.approver_a)
    one = iku(pk, "IKU1")
    assert (one.value, one.verification) == (D(120), "unverified")


def test_the_csv_import_resets_a_changed_figure_and_keeps_an_unchanged_one(cast):
    agency = cast.agency_a  # DIKES
    rows = [
        csv_row(year="2026", quarter="1", realisation="88.2"),
        csv_row(year="2026", quarter="2", realisation="89"),
    ]
    import_performance(csv_of(rows), today=DEC_6)
    q1, q2 = Realisation.objects.filter(indicator__contract__agency=agency).order_by("quarter")
    verify(q1, cast.auditor)
    verify(q2, cast.auditor)

    rows[1]["realisation"] = "91"
    import_performance(csv_of(rows), today=DEC_6)

    q1, q2 = Realisation.objects.filter(indicator__contract__agency=agency).order_by("quarter")
    assert (q1.value, q1.verification, q1.verified_by) == (D("88.2"), "verified", cast.auditor)
    assert (q2.value, q2.verification, q2.verified_by) == (D(91), "unverified", None)


def test_disputed_lists_and_the_verified_share(cast, pk):
    agencies = type(cast.agency_a).objects
    disputed = list(verification.disputed(agencies.all()))
    assert [r.indicator.code for r in disputed] == ["IKU2"]
    assert not verification.disputed(agencies.filter(pk=cast.agency_b.pk)).exists()
    share = verification.verified_share([cast.agency_a.pk, cast.agency_b.pk], 2026)
    assert share == {cast.agency_a.pk: {"figures": 2, "verified": 1, "disputed": 1, "share": D(50)}}
