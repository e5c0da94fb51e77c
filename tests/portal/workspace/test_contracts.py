"""Contracts in the workspace: create and edit with indicators and targets, validation, the
approval workflow, locking, target revisions with history, and concurrent edits."""

from decimal import Decimal

import pytest
from django.urls import reverse

from performance.models import Indicator, PerformanceContract, Target
from tests.factories import EmployeeFactory

from .data import contract_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media", "english")]
Status = PerformanceContract.Status


def indicator_rows(rows: list[dict], *, initial: int = 0) -> dict:
    """POST data of the indicator formset from a list of row dicts."""
    data = {
        "ind-TOTAL_FORMS": len(rows),
        "ind-INITIAL_FORMS": initial,
        "ind-MIN_NUM_FORMS": 1,
        "ind-MAX_NUM_FORMS": 100,
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"ind-{i}-{key}"] = value
    return data


def row(code: str, **extra) -> dict:
    return {
        "code": code,
        "text": f"Indikator {code}",
        "unit": "%",
        "direction": "higher",
        "weight": "1",
        "target_q1": "80",
        "target_q2": "85",
        "target_q3": "90",
        "target_q4": "95",
        **extra,
    }


def edit_data(contract: PerformanceContract, rows: list[dict], version=None) -> dict:
    ids = list(contract.indicators.order_by("code").values_list("pk", flat=True))
    rows = [
        {"id": ids[i], "contract": contract.pk, **r} if i < len(ids) else r
        for i, r in enumerate(rows)
    ]
    return {
        "version": contract.version if version is None else version,
        **indicator_rows(rows, initial=len(ids)),
    }


def test_officer_creates_agency_contract_with_three_indicators(officer_a, cast):
    officer_a.cookies["lang"] = "id"  # numbers typed the Indonesian way: 2,5
    response = officer_a.post(
        reverse("workspace:contract_create"),
        {
            "agency": cast.agency_a.pk,
            "holder": "agency",
            "year": 2025,
            **indicator_rows(
                [
                    row("IKU1"),
                    row("IKU2", direction="lower", target_q1="0"),
                    row("IKU3", weight="2,5"),
                ]
            ),
        },
    )
    contract = PerformanceContract.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:contract", args=[contract.pk])
    assert (contract.agency, contract.employee, contract.status, contract.version) == (
        cast.agency_a,
        None,
        Status.DRAFT,
        1,
    )
    assert list(contract.indicators.values_list("code", flat=True)) == ["IKU1", "IKU2", "IKU3"]
    assert Target.objects.filter(indicator__contract=contract).count() == 12
    assert Indicator.objects.get(code="IKU3").weight == Decimal("2.5")
    assert contract.history.count() == 1  # created, recorded


def test_officer_creates_skp_by_nip(officer_a, cast):
    employee = EmployeeFactory(agency=cast.agency_a)
    officer_a.post(
        reverse("workspace:contract_create"),
        {
            "agency": cast.agency_a.pk,
            "holder": "employee",
            "nip": employee.nip,
            "year": 2025,
            **indicator_rows([row("RHK1")]),
        },
    )
    contract = PerformanceContract.objects.get()
    assert (contract.agency, contract.employee) == (cast.agency_a, employee)


@pytest.mark.parametrize(
    "rows, field, message",
    [
        ([row("IKU1"), row("IKU1")], "code", "is used by another indicator"),
        ([row("IKU1", weight="0")], "weight", "greater than 0"),
        ([row("IKU1", weight="-1")], "weight", "greater than 0"),
        ([row("IKU1", target_q2="0")], "target_q2", "greater than 0 when higher is better"),
        (
            [row("IKU1", target_q1="", target_q2="", target_q3="", target_q4="")],
            "__all__",
            "at least one quarter",
        ),
        ([row("IKU1", target_q1="abc")], "target_q1", ""),
    ],
)
def test_contract_validation_messages(officer_a, cast, rows, field, message):
    response = officer_a.post(
        reverse("workspace:contract_create"),
        {"agency": cast.agency_a.pk, "holder": "agency", "year": 2025, **indicator_rows(rows)},
    )
    assert response.status_code == 200
    errors = [form.errors.get(field, []) for form in response.context["formset"].forms]
    assert any(message in " ".join(e) for e in errors if e), errors
    assert not PerformanceContract.objects.exists()


def test_contract_needs_at_least_one_indicator(officer_a, cast):
    response = officer_a.post(
        reverse("workspace:contract_create"),
        {
            "agency": cast.agency_a.pk,
            "holder": "agency",
            "year": 2025,
            **indicator_rows([{"code": "", "text": "", "direction": "higher", "weight": ""}]),
        },
    )
    assert response.status_code == 200
    assert not PerformanceContract.objects.exists()


def test_second_contract_for_the_same_holder_and_year_is_refused(officer_a, cast):
    contract_of(cast.agency_a)
    response = officer_a.post(
        reverse("workspace:contract_create"),
        {
            "agency": cast.agency_a.pk,
            "holder": "agency",
            "year": 2025,
            **indicator_rows([row("IKU1")]),
        },
    )
    assert "already has a contract" in " ".join(response.context["form"].non_field_errors())
    assert PerformanceContract.objects.count() == 1


def test_more_rows_button_adds_blank_rows_without_saving(officer_a, cast):
    response = officer_a.post(
        reverse("workspace:contract_create"),
        {
            "agency": cast.agency_a.pk,
            "holder": "agency",
            "year": 2025,
            "more": "1",
            **indicator_rows([row("IKU1")]),
        },
    )
    assert len(response.context["formset"].forms) == 4
    assert not PerformanceContract.objects.exists()


def test_officer_edits_a_draft(officer_a, cast):
    contract = contract_of(cast.agency_a, indicators=2)
    response = officer_a.post(
        reverse("workspace:contract_edit", args=[contract.pk]),
        edit_data(
            contract, [row("IKU1", target_q4="120"), row("IKU2", **{"DELETE": "on"}), row("IKU9")]
        ),
    )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.version == 2
    assert list(contract.indicators.values_list("code", flat=True)) == ["IKU1", "IKU9"]
    assert Target.objects.get(indicator__code="IKU1", quarter=4).value == 120
    # the deleted indicator and its targets are in the history
    assert Indicator.history.filter(code="IKU2", history_type="-").exists()
    assert Target.history.filter(history_type="-").count() == 4


def test_unchanged_edit_keeps_the_version(officer_a, cast):
    contract = contract_of(cast.agency_a, indicators=1)
    officer_a.post(
        reverse("workspace:contract_edit", args=[contract.pk]),
        edit_data(
            contract,
            [
                row(
                    "IKU1",
                    text="Indikator 1",
                    target_q1="100",
                    target_q2="100",
                    target_q3="100",
                    target_q4="100",
                )
            ],
        ),
    )
    contract.refresh_from_db()
    assert contract.version == 1


def test_full_workflow_submit_return_resubmit_approve(cast):
    contract = contract_of(cast.agency_a)
    officer, approver = cast.client(cast.officer_a), cast.client(cast.approver_a)

    def post(client, name, **data):
        contract.refresh_from_db()
        return client.post(
            reverse(f"workspace:{name}", args=[contract.pk]), {"version": contract.version, **data}
        )

    post(officer, "contract_submit")
    contract.refresh_from_db()
    assert (contract.status, contract.submitted_by) == (Status.SUBMITTED, cast.officer_a)
    assert post(approver, "contract_return", reason="").status_code == 200  # a reason is needed
    contract.refresh_from_db()
    assert contract.status == Status.SUBMITTED
    post(approver, "contract_return", reason="IKU2 target too low")
    contract.refresh_from_db()
    assert (contract.status, contract.return_reason) == (Status.RETURNED, "IKU2 target too low")
    page = officer.get(reverse("workspace:contract", args=[contract.pk])).content.decode()
    assert "IKU2 target too low" in page
    post(officer, "contract_submit")
    post(approver, "contract_approve")
    contract.refresh_from_db()
    assert contract.status == Status.APPROVED
    reasons = list(
        contract.history.order_by("history_id").values_list("history_change_reason", flat=True)
    )
    assert reasons[1:] == [
        "submitted for approval",
        "returned: IKU2 target too low",
        "submitted for approval",
        "approved",
    ]


def test_submit_needs_indicators_with_targets(officer_a, cast):
    contract = contract_of(cast.agency_a, indicators=0)
    officer_a.post(
        reverse("workspace:contract_submit", args=[contract.pk]), {"version": contract.version}
    )
    contract.refresh_from_db()
    assert contract.status == Status.DRAFT


def test_approving_a_draft_is_refused(approver_a, cast):
    contract = contract_of(cast.agency_a)
    approver_a.post(
        reverse("workspace:contract_approve", args=[contract.pk]), {"version": contract.version}
    )
    contract.refresh_from_db()
    assert contract.status == Status.DRAFT


@pytest.mark.parametrize("status", [Status.APPROVED, Status.SUBMITTED])
def test_locked_contracts_cannot_be_edited(officer_a, cast, status):
    contract = contract_of(cast.agency_a, status=status, indicators=1)
    url = reverse("workspace:contract_edit", args=[contract.pk])
    assert officer_a.get(url).status_code == 409
    response = officer_a.post(url, edit_data(contract, [row("IKU1", target_q1="1")]))
    assert response.status_code == 409
    assert Target.objects.get(quarter=1).value == 100
    contract.refresh_from_db()
    assert contract.version == 1
    # nor submitted again
    officer_a.post(
        reverse("workspace:contract_submit", args=[contract.pk]), {"version": contract.version}
    )
    contract.refresh_from_db()
    assert contract.status == status


def revise_data(contract, reason="Refocusing after the budget cut", **targets) -> dict:
    data = {"version": contract.version, "reason": reason}
    for ind in contract.indicators.all():
        for q in (1, 2, 3, 4):
            data[f"i{ind.pk}_q{q}"] = targets.get(f"{ind.code}_q{q}", "100")
    return data


def test_revision_keeps_old_targets_who_when_and_why(officer_a, cast):
    contract = contract_of(cast.agency_a, status=Status.APPROVED, indicators=2)
    url = reverse("workspace:contract_revise", args=[contract.pk])
    assert officer_a.get(url).status_code == 200
    response = officer_a.post(url, revise_data(contract, IKU2_q3="75"))
    assert response.status_code == 302
    target = Target.objects.get(indicator__code="IKU2", quarter=3)
    assert target.value == 75
    old, new = target.history.order_by("history_id")
    assert (old.value, new.value) == (100, 75)
    assert new.history_user == cast.officer_a
    assert new.history_change_reason == "Refocusing after the budget cut"
    contract.refresh_from_db()
    assert (contract.status, contract.version) == (Status.APPROVED, 2)
    page = officer_a.get(reverse("workspace:contract", args=[contract.pk])).content.decode()
    assert "Refocusing after the budget cut" in page
    assert "IKU2 Q3" in page and "<del>100</del>" in page and "<ins>75</ins>" in page


def test_revision_needs_a_reason(officer_a, cast):
    contract = contract_of(cast.agency_a, status=Status.APPROVED, indicators=1)
    response = officer_a.post(
        reverse("workspace:contract_revise", args=[contract.pk]),
        revise_data(contract, reason="  ", IKU1_q1="50"),
    )
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert Target.objects.get(quarter=1).value == 100


def test_revision_validates_targets(officer_a, cast):
    contract = contract_of(cast.agency_a, status=Status.APPROVED, indicators=1)
    response = officer_a.post(
        reverse("workspace:contract_revise", args=[contract.pk]), revise_data(contract, IKU1_q1="0")
    )
    assert response.status_code == 200
    assert Target.objects.get(quarter=1).value == 100


def test_draft_is_not_revised_but_edited(officer_a, cast):
    contract = contract_of(cast.agency_a, indicators=1)
    response = officer_a.post(
        reverse("workspace:contract_revise", args=[contract.pk]),
        revise_data(contract, IKU1_q1="50"),
    )
    assert response.status_code == 302
    assert Target.objects.get(quarter=1).value == 100


def test_concurrent_edits_the_second_save_is_refused(cast):
    contract = contract_of(cast.agency_a, indicators=1)
    first, second = cast.client(cast.officer_a), cast.client(cast.officer_a)
    url = reverse("workspace:contract_edit", args=[contract.pk])
    # both open the form at version 1
    v1 = first.get(url).context["version_form"]["version"].value()
    assert second.get(url).context["version_form"]["version"].value() == v1 == 1
    assert (
        first.post(url, edit_data(contract, [row("IKU1", target_q1="111")], version=1)).status_code
        == 302
    )
    response = second.post(url, edit_data(contract, [row("IKU1", target_q1="222")], version=1))
    assert response.status_code == 409
    assert Target.objects.get(quarter=1).value == 111  # never silently overwritten
    message = " ".join(str(m) for m in response.context["messages"])
    assert "officer_a" in message and "indicators and targets edited: IKU1" in message
    # the form now carries the current version: saving again is a deliberate choice
    assert response.context["version_form"]["version"].value() == 2


def test_concurrent_status_change_refuses_the_stale_form(cast):
    contract = contract_of(cast.agency_a, status=Status.SUBMITTED)
    approver = cast.client(cast.approver_a)
    other = cast.client(cast.approver_a)
    approver.post(
        reverse("workspace:contract_return", args=[contract.pk]), {"version": 1, "reason": "no"}
    )
    other.post(reverse("workspace:contract_approve", args=[contract.pk]), {"version": 1})
    contract.refresh_from_db()
    assert contract.status == Status.RETURNED


def test_bump_version_is_atomic_for_two_readers_of_one_version(cast):
    """The conditional UPDATE lets exactly one of two saves from the same version through."""
    from performance import contracts

    contract = contract_of(cast.agency_a, indicators=0)
    a = PerformanceContract.objects.get(pk=contract.pk)
    b = PerformanceContract.objects.get(pk=contract.pk)
    contracts.bump_version(a, 1, reason="first")
    with pytest.raises(contracts.StaleContract) as caught:
        contracts.bump_version(b, 1, reason="second")
    assert "first" in caught.value.changes[0]
    assert PerformanceContract.objects.get(pk=contract.pk).version == 2


def test_detail_page_shows_indicators_and_history(officer_a, cast):
    contract = contract_of(cast.agency_a, indicators=3)
    page = officer_a.get(reverse("workspace:contract", args=[contract.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    for code in ("IKU1", "IKU2", "IKU3"):
        assert code in html
    assert reverse("workspace:contract_edit", args=[contract.pk]) in html
    assert reverse("workspace:contract_submit", args=[contract.pk]) in html
    assert "History" in html or "Riwayat" in html
