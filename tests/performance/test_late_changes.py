"""Time and late changes in the domain (DESIGN.md, Integrity; performance/late.py): no
realisation for a quarter that has not started, and a realisation entered or changed after
its quarter closed counts only once an approver of the agency (not the one who entered it)
confirms it, then marked late. Both recompute engines read `Realisation` only, so a
recompute shows what counts."""

import datetime
from decimal import Decimal as D

import pytest

from performance import contracts, late
from performance.contracts import RealisationInput
from performance.models import LateChange, PerformanceContract, Realisation
from performance.services import recompute_scores
from tests.factories import ContractFactory, IndicatorFactory, TargetFactory
from tests.performance.late_data import DEC_6, REASON, agency_pk, row, save
from tests.performance.test_recompute import ENGINES, achievement_rows, score_rows

pytestmark = pytest.mark.django_db


@pytest.fixture(params=sorted(ENGINES))
def engine(request):
    return ENGINES[request.param]


@pytest.fixture
def pk(cast):
    return agency_pk(cast.agency_a)


# --- time ----------------------------------------------------------------------------------


def test_a_quarter_that_has_not_started_takes_no_realisation(cast, english):
    contract = ContractFactory(
        agency=cast.agency_a, year=2027, status=PerformanceContract.Status.APPROVED
    )
    indicator = IndicatorFactory(contract=contract, code="IKU1")
    TargetFactory(indicator=indicator, quarter=1, value=D(100))
    with pytest.raises(contracts.WorkflowError, match="Q1 2027 has not started yet"):
        contracts.save_realisations(
            {contract.pk: (contract, contract.version)},
            1,
            [RealisationInput(indicator=indicator, value=D(50))],
            cast.officer_a,
            today=DEC_6,
        )
    assert not Realisation.objects.exists()
    assert not LateChange.objects.exists()
    # From its first day it does.
    saved = contracts.save_realisations(
        {contract.pk: (contract, contract.version)},
        1,
        [RealisationInput(indicator=indicator, value=D(50))],
        cast.officer_a,
        today=datetime.date(2027, 1, 1),
    )
    assert saved.changed == ["IKU1"] and Realisation.objects.get().value == 50


def test_an_open_quarter_is_saved_at_once(pk, cast):
    saved = save(pk, [row(pk, "IKU1", "75", quarter=4)], cast.officer_a, quarter=4, reason="")
    assert (saved.changed, saved.late) == (["IKU1"], [])
    assert Realisation.objects.get(quarter=4).late_entered_at is None
    assert not LateChange.objects.exists()


# --- late changes --------------------------------------------------------------------------


def test_a_late_change_needs_a_reason_and_then_waits(pk, cast, english):
    with pytest.raises(contracts.LateReasonRequired):
        save(pk, [row(pk, "IKU1", "120")], cast.officer_a, reason="  ")
    assert not LateChange.objects.exists()

    saved = save(pk, [row(pk, "IKU1", "120")], cast.officer_a)

    assert (saved.changed, saved.late) == ([], ["IKU1"])
    change = LateChange.objects.get()
    assert (change.old_value, change.new_value, change.reason) == (D(80), D(120), REASON)
    assert change.status == LateChange.Status.PENDING and change.entered_by == cast.officer_a
    # The realisation that counts is untouched.
    assert Realisation.objects.get(indicator__code="IKU1", quarter=3).value == 80


def test_an_explanation_beside_the_same_value_is_not_a_late_change(pk, cast):
    r = row(pk, "IKU1", "80")
    r.explanation = "Sumber: laporan puskesmas"
    saved = save(pk, [r], cast.officer_a, reason="")
    assert saved.changed == ["IKU1"]
    assert Realisation.objects.get(indicator__code="IKU1", quarter=3).explanation == r.explanation
    assert not LateChange.objects.exists()


def test_a_newer_late_change_supersedes_the_pending_one(pk, cast):
    save(pk, [row(pk, "IKU1", "120")], cast.officer_a)
    save(pk, [row(pk, "IKU1", "110")], cast.officer_a)
    assert list(LateChange.objects.values_list("new_value", "status")) == [
        (D(120), LateChange.Status.SUPERSEDED),
        (D(110), LateChange.Status.PENDING),
    ]


def test_a_late_realisation_changes_no_score_until_an_approver_confirms_it(pk, cast, engine):
    before = recompute_scores(today=DEC_6, engine=engine)
    save(pk, [row(pk, "IKU1", "120"), row(pk, "IKU2", None)], cast.officer_a)

    pending = recompute_scores(today=DEC_6, engine=engine)

    assert score_rows(pending) == score_rows(before)
    assert achievement_rows(pending) == achievement_rows(before)

    changes = list(LateChange.objects.order_by("indicator__code"))
    late.confirm([c.pk for c in changes], cast.approver_a, note="Sesuai data BPS")

    iku1 = Realisation.objects.get(indicator__code="IKU1", quarter=3)
    assert iku1.value == 120 and iku1.late_entered_at == changes[0].entered_at
    assert iku1.entered_by == cast.officer_a
    assert iku1.history.latest().history_change_reason == REASON
    assert not Realisation.objects.filter(indicator__code="IKU2", quarter=3).exists()
    assert set(LateChange.objects.values_list("status", flat=True)) == {"confirmed"}

    after = recompute_scores(today=DEC_6, engine=engine)
    old = {k[2:]: v[7] for k, v in score_rows(before).items() if k[1] is None}
    new = {k[2:]: v[7] for k, v in score_rows(after).items() if k[1] is None}
    # Q3: (80 + 90) / 2 = 85 before; (120 + 0 missing) / 2 = 60 once confirmed.
    assert (old[(2026, "Q3")], new[(2026, "Q3")]) == (D("85.00"), D("60.00"))


def test_the_one_who_entered_a_late_change_cannot_confirm_it(pk, cast, english):
    from agencies.models import Membership

    Membership.objects.create(
        user=cast.officer_a, role=Membership.Role.APPROVER, agency=cast.agency_a
    )
    save(pk, [row(pk, "IKU1", "120")], cast.officer_a)
    change = LateChange.objects.get()

    with pytest.raises(late.LateDecisionError, match="another approver must decide it"):
        late.confirm([change.pk], cast.officer_a)
    with pytest.raises(late.LateDecisionError, match="Only an approver of the agency"):
        late.confirm([change.pk], cast.officer_b)
    change.refresh_from_db()
    assert change.status == LateChange.Status.PENDING
    assert Realisation.objects.get(indicator__code="IKU1", quarter=3).value == 80


def test_confirming_several_is_all_or_nothing(pk, cast, english):
    save(pk, [row(pk, "IKU1", "120"), row(pk, "IKU2", "95")], cast.officer_a)
    first, second = LateChange.objects.order_by("indicator__code")
    # IKU2's realisation changed after its late change was entered (an import, say).
    Realisation.objects.filter(indicator__code="IKU2", quarter=3).update(value=D(93))

    with pytest.raises(late.LateDecisionError, match="the realisation changed after"):
        late.confirm([first.pk, second.pk], cast.approver_a)

    assert Realisation.objects.get(indicator__code="IKU1", quarter=3).value == 80
    assert set(LateChange.objects.values_list("status", flat=True)) == {"pending"}


def test_a_rejected_late_change_leaves_the_value_that_counts(pk, cast):
    save(pk, [row(pk, "IKU1", "120")], cast.officer_a)
    change = LateChange.objects.get()
    late.reject([change.pk], cast.approver_a, "Tidak ada bukti")
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.decision_note) == (
        LateChange.Status.REJECTED,
        cast.approver_a,
        "Tidak ada bukti",
    )
    assert Realisation.objects.get(indicator__code="IKU1", quarter=3).value == 80
    assert Realisation.objects.get(indicator__code="IKU1", quarter=3).late_entered_at is None
