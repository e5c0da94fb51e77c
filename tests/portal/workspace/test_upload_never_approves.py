"""Approval only through an approver (issue 16, finding 2; DESIGN.md, Integrity). An HR
officer's browser upload submits and never approves: a submitted or approved contract keeps
its status, indicators and targets (the row is refused, naming the contract), new and draft
or returned contracts become submitted by the uploader, and nobody approves a contract they
submitted. The command-line import stays the administrator's act, recorded as such."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies.models import AuditEvent, Membership
from performance.imports import import_performance
from performance.models import PerformanceContract, Realisation, Target
from performance.services import approval_problem, submitter_id

from .data import contract_of, keep_quarters_open

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media", "english")]


@pytest.fixture(autouse=True)
def _in_time(db):
    """Realisations of 2025 entered in time: these tests are not about late changes."""
    keep_quarters_open(2025)


Status = PerformanceContract.Status

HEADER = (
    "agency_code,holder,employee_name,position,year,quarter,indicator_code,indicator,"
    "unit,direction,weight,target,realisation\n"
)


def pk_rows(*, target: str = "100", realisation: str = "90", quarter: int = 1) -> str:
    """The rows of `contract_of(agency A)`'s three indicators in one quarter."""
    return "".join(
        f"DIKES,agency,,,2025,{quarter},IKU{n},Indikator {n},%,higher,1.00,{target},{realisation}\n"
        for n in (1, 2, 3)
    )


def upload(client, text: str):
    """Upload and confirm, as the officer does: (preview response, confirm response)."""
    preview = client.post(
        reverse("workspace:upload"),
        {"file": SimpleUploadedFile("performance.csv", text.encode(), "text/csv")},
    )
    if preview.status_code != 200:
        return preview, None
    token = preview.context["confirm"]["token"].value()
    return preview, client.post(reverse("workspace:upload_confirm"), {"token": token})


def targets(contract) -> list[Decimal]:
    return list(
        Target.objects.filter(indicator__contract=contract)
        .order_by("indicator__code", "quarter")
        .values_list("value", flat=True)
    )


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.APPROVED])
def test_an_upload_leaves_a_locked_contracts_status_and_targets_unchanged(cast, officer_a, status):
    contract = contract_of(cast.agency_a, status=status)
    PerformanceContract.objects.filter(pk=contract.pk).update(submitted_by=cast.officer_a)
    before = targets(contract)

    preview, _ = upload(officer_a, HEADER + pk_rows(target="1"))  # the tester's 10 -> 1

    assert preview.status_code == 400
    errors = [str(e) for e in preview.context["errors"]]
    assert len(errors) == 3 and all(", column target: " in e for e in errors)
    word = "approved" if status == Status.APPROVED else "submitted for approval"
    assert errors[0] == (
        f"line 2, column target: the Perjanjian Kinerja of DIKES for 2025 is {word}: "
        + (
            "its indicators and targets change only through a target revision with a reason "
            "in the workspace, not by upload"
            if status == Status.APPROVED
            else "its indicators and targets are locked until an approver returns it"
        )
    )
    contract.refresh_from_db()
    assert contract.status == status
    assert targets(contract) == before


def test_an_upload_does_not_add_or_change_a_locked_contracts_indicators(cast, officer_a):
    contract = contract_of(cast.agency_a, status=Status.APPROVED)
    text = HEADER + pk_rows().replace("Indikator 2", "Indikator dua")
    text += "DIKES,agency,,,2025,1,IKU9,Indikator baru,%,higher,1,50,\n"
    preview, _ = upload(officer_a, text)
    assert preview.status_code == 400
    assert [(e.line, e.column) for e in preview.context["errors"]] == [
        (3, "indicator"),
        (5, "indicator_code"),
    ]
    assert sorted(contract.indicators.values_list("code", "text")) == [
        ("IKU1", "Indikator 1"),
        ("IKU2", "Indikator 2"),
        ("IKU3", "Indikator 3"),
    ]


def test_an_upload_of_an_approved_contracts_realisations_keeps_it_approved(cast, officer_a):
    """The quarterly measurement of an agreed contract: realisations are entered in any
    status, by upload as on the workspace's pages."""
    contract = contract_of(cast.agency_a, status=Status.APPROVED, realised=False)
    preview, done = upload(officer_a, HEADER + pk_rows(realisation="95", quarter=2))
    assert preview.status_code == 200 and done.status_code == 302
    contract.refresh_from_db()
    assert contract.status == Status.APPROVED
    assert set(
        Realisation.objects.filter(indicator__contract=contract).values_list("quarter", "value")
    ) == {(2, Decimal(95))}


def test_new_contracts_of_an_upload_are_submitted_by_the_uploader_not_approved(cast, officer_a):
    preview, done = upload(officer_a, HEADER + pk_rows())
    assert done.status_code == 302
    contract = PerformanceContract.objects.get()
    assert (contract.status, contract.submitted_by) == (Status.SUBMITTED, cast.officer_a)
    assert "saved as approved" not in preview.content.decode()
    assert "submits the contracts in the file for approval" in preview.content.decode()


@pytest.mark.parametrize("status", [Status.DRAFT, Status.RETURNED])
def test_a_draft_or_returned_contract_is_updated_and_submitted_by_the_uploader(
    cast, officer_a, status
):
    contract = contract_of(cast.agency_a, status=status)
    PerformanceContract.objects.filter(pk=contract.pk).update(return_reason="Lengkapi")
    _, done = upload(officer_a, HEADER + pk_rows(target="120"))
    assert done.status_code == 302
    contract.refresh_from_db()
    assert (contract.status, contract.submitted_by, contract.return_reason) == (
        Status.SUBMITTED,
        cast.officer_a,
        "",
    )
    assert set(targets(contract)) == {Decimal(100), Decimal(120)}  # Q1 changed, Q2-Q4 kept
    record = contract.history.order_by("-history_id").first()
    assert (record.status, record.history_user) == (Status.SUBMITTED, cast.officer_a)


def test_a_contract_it_cannot_submit_is_refused(cast, officer_a):
    """Submitting needs a target for every indicator, by upload as on the workspace."""
    contract = contract_of(cast.agency_a, status=Status.DRAFT, indicators=1)
    Target.objects.filter(indicator__contract=contract).delete()
    text = HEADER + "DIKES,agency,,,2025,1,IKU2,Indikator 2,%,higher,1,100,\n"
    preview, _ = upload(officer_a, text)
    assert preview.status_code == 400
    assert [str(e) for e in preview.context["errors"]] == [
        "line 2, column indicator_code: indicator IKU1 of this contract has no target: an "
        "upload submits the contract for approval, so give it targets first"
    ]
    contract.refresh_from_db()
    assert contract.status == Status.DRAFT


def test_nobody_approves_a_contract_they_uploaded(cast, officer_a):
    # officer A is also an approver of agency A: the four eyes are two people.
    Membership.objects.create(
        user=cast.officer_a, role=Membership.Role.APPROVER, agency=cast.agency_a
    )
    upload(officer_a, HEADER + pk_rows())
    contract = PerformanceContract.objects.get()
    response = officer_a.post(
        reverse("workspace:contract_approve", args=[contract.pk]), {"version": contract.version}
    )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == Status.SUBMITTED
    cast.client(cast.approver_a).post(
        reverse("workspace:contract_approve", args=[contract.pk]), {"version": contract.version}
    )
    contract.refresh_from_db()
    assert contract.status == Status.APPROVED


def test_the_domain_rule_knows_the_submitter_and_the_approvers(cast):
    contract = contract_of(cast.agency_a, status=Status.DRAFT)
    assert approval_problem(contract, cast.approver_a) == (
        "Only a submitted contract can be approved."
    )
    # Submitted through a path that did not record submitted_by: its history says who.
    contract.status = Status.SUBMITTED
    contract._history_user = cast.approver_a
    contract.save()
    assert submitter_id(contract) == cast.approver_a.pk
    assert approval_problem(contract, cast.approver_a) == (
        "You submitted this contract: another approver must approve it."
    )
    # A second approver of the agency may; an approver of another agency, a leader may not.
    other = get_user_model().objects.create_user("approver_a2")
    Membership.objects.create(user=other, role=Membership.Role.APPROVER, agency=cast.agency_a)
    assert approval_problem(contract, other) is None
    for user in (cast.leader, cast.officer_b, cast.officer_a):
        assert approval_problem(contract, user) == (
            "Only an approver of the contract's agency can approve it."
        )


def test_the_command_line_import_approves_as_the_administrators_act(cast, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "performance.csv"
    path.write_text(HEADER + pk_rows())
    call_command("import_performance", str(path))
    contract = PerformanceContract.objects.get()
    assert contract.status == Status.APPROVED and contract.submitted_by is None
    record = contract.history.get()
    assert record.history_user.username == "system-cli"
    event = AuditEvent.objects.get(action="import:import_performance")
    assert (event.actor.username, event.subject) == ("system-cli", "performance.csv")
    # The same function without a scope (the command's way) changes an approved target.
    import_performance(HEADER + pk_rows(target="90"))
    assert targets(contract) == [Decimal(90)] * 3


def test_the_admin_cannot_set_a_contracts_status(cast):
    root = get_user_model().objects.create_superuser("root", "root@example.org", "not-used-9x")
    contract = contract_of(cast.agency_a, status=Status.SUBMITTED, indicators=0)
    from django.test import Client

    client = Client()
    client.force_login(root)
    url = f"/admin/performance/performancecontract/{contract.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
    client.post(
        url,
        {
            "year": 2025,
            "agency": cast.agency_a.pk,
            "status": Status.APPROVED,
            "indicators-TOTAL_FORMS": 0,
            "indicators-INITIAL_FORMS": 0,
        },
    )
    contract.refresh_from_db()
    assert contract.status == Status.SUBMITTED
