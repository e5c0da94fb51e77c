"""Time and late changes in the workspace (DESIGN.md, Integrity): a quarter that has not
started is not offered and a POST for it is refused with a message; in a closed quarter a
changed value needs a reason and waits for an approver of the agency, who confirms or
rejects it (one or several, all or nothing) in the approvers' queue; the officer's upload
asks for one reason for its late rows. All on the issue's day, 6 December 2026 (WITA)."""

import datetime
from decimal import Decimal as D

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies.models import Membership
from performance.models import LateChange, PerformanceContract, Realisation
from tests.factories import (
    ContractFactory,
    IndicatorFactory,
    TargetFactory,
    UserFactory,
)
from tests.performance.late_data import REASON, agency_pk

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media", "english")]

DEC_6 = datetime.datetime(2026, 12, 6, 1, 0, tzinfo=datetime.UTC)  # 09:00 WITA
Status = LateChange.Status


@pytest.fixture(autouse=True)
def on_dec_6(time_machine):
    time_machine.move_to(DEC_6, tick=False)


@pytest.fixture
def pk(cast):
    """Agency A's approved PK of 2026: Q3 (closed) realised at 80 and 90, Q4 open."""
    return agency_pk(cast.agency_a)


@pytest.fixture
def next_year(cast):
    contract = ContractFactory(
        agency=cast.agency_b, year=2027, status=PerformanceContract.Status.APPROVED
    )
    indicator = IndicatorFactory(contract=contract, code="IKU1")
    TargetFactory(indicator=indicator, quarter=1, value=D(100))
    return contract


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def values(contract, quarter: int, **by_code: str) -> dict:
    """The quarter's form as posted: `by_code`'s values, the others as stored."""
    contract.refresh_from_db()
    data = {"version": contract.version}
    stored = {
        r.indicator_id: str(r.value)
        for r in Realisation.objects.filter(indicator__contract=contract, quarter=quarter)
    }
    for indicator in contract.indicators.all():
        data[f"i{indicator.pk}-value"] = by_code.get(indicator.code, stored.get(indicator.pk, ""))
    return data


def q3(code: str) -> Realisation:
    return Realisation.objects.get(indicator__code=code, quarter=3)


def enter_late(client, contract, **by_code: str):
    return client.post(
        reverse("workspace:realisations", args=[contract.pk, 3]),
        {**values(contract, 3, **by_code), "late_reason": REASON},
    )


# --- a quarter that has not started --------------------------------------------------------


def test_a_quarter_not_started_is_not_offered(officer_b, next_year):
    page = officer_b.get(reverse("workspace:contract", args=[next_year.pk]))
    assert reverse("workspace:realisations", args=[next_year.pk, 1]) not in page.content.decode()
    assert "from the start of 2027" in page.content.decode()

    response = officer_b.get(reverse("workspace:realisations", args=[next_year.pk, 1]))
    assert response.status_code == 302
    assert said(response) == [
        "Q1 2027 has not started yet: its realisations can be entered from Jan. 1, 2027."
    ]


def test_a_post_for_a_quarter_not_started_is_refused(officer_b, next_year, cast):
    url = reverse("workspace:realisations", args=[next_year.pk, 1])
    response = officer_b.post(url, values(next_year, 1, IKU1="50"))
    assert response.status_code == 302
    assert "Q1 2027 has not started yet" in said(response)[0]

    bulk = reverse("workspace:bulk_realisations", args=[cast.agency_b.pk, 2027, 1])
    data = {f"v{next_year.pk}": next_year.version, **values(next_year, 1, IKU1="50")}
    response = officer_b.post(bulk, data)
    assert response.status_code == 302
    assert "Q1 2027 has not started yet" in said(response)[0]

    choose = reverse("workspace:bulk_choose", args=[cast.agency_b.pk])
    response = officer_b.get(choose, {"year": 2027, "quarter": 1})
    assert response.url == reverse("workspace:dashboard")
    assert "Q1 2027 has not started yet" in said(response)[0]
    assert not Realisation.objects.exists() and not LateChange.objects.exists()


def test_an_upload_refuses_a_realisation_of_a_quarter_not_started(officer_b):
    text = (
        "agency_code,holder,employee_name,position,year,quarter,indicator_code,indicator,"
        "unit,direction,weight,target,realisation\n"
        "DIKBUD,agency,,,2027,1,IKU1,Angka partisipasi sekolah,%,higher,1,90,91\n"
    )
    response = officer_b.post(
        reverse("workspace:upload"),
        {"file": SimpleUploadedFile("2027.csv", text.encode(), "text/csv")},
    )
    assert response.status_code == 400
    assert [str(e) for e in response.context["errors"]] == [
        "line 2, column quarter: Q1 2027 has not started yet (it starts on "
        "2027-01-01): no realisation can be entered for it"
    ]
    assert not PerformanceContract.objects.exists()


# --- late changes by the officer -------------------------------------------------------------


def test_a_closed_quarter_asks_for_a_reason_and_the_change_waits(officer_a, pk, cast):
    url = reverse("workspace:realisations", args=[pk.pk, 3])
    assert officer_a.get(url).context["late_form"] is not None
    assert (
        officer_a.get(reverse("workspace:realisations", args=[pk.pk, 4])).context["late_form"]
        is None
    )

    refused = officer_a.post(url, values(pk, 3, IKU1="120", IKU2="90"))
    assert refused.status_code == 400
    assert "Give the reason for the change." in refused.content.decode()
    assert not LateChange.objects.exists()

    response = enter_late(officer_a, pk, IKU1="120", IKU2="90")

    assert response.status_code == 302
    assert said(response) == [
        "Late changes waiting for an approver's confirmation: IKU1. Until then the previous "
        "values count."
    ]
    change = LateChange.objects.get()
    assert (change.old_value, change.new_value, change.reason, change.entered_by) == (
        D(80),
        D(120),
        REASON,
        cast.officer_a,
    )
    assert q3("IKU1").value == 80
    page = officer_a.get(url).content.decode()
    assert "120 entered by officer_a" in page


def test_the_bulk_screen_asks_for_the_reason_too(officer_a, pk, cast):
    url = reverse("workspace:bulk_realisations", args=[cast.agency_a.pk, 2026, 3])
    data = {f"v{pk.pk}": pk.version, **values(pk, 3, IKU1="80", IKU2="70")}
    assert officer_a.post(url, data).status_code == 400
    response = officer_a.post(url, {**data, "late_reason": REASON})
    assert response.status_code == 302
    assert list(LateChange.objects.values_list("indicator__code", "new_value")) == [("IKU2", D(70))]
    assert q3("IKU2").value == 90


def test_an_upload_asks_for_one_reason_for_its_late_rows(officer_a, pk):
    text = (
        "agency_code,holder,employee_name,position,year,quarter,indicator_code,indicator,"
        "unit,direction,weight,target,realisation\n"
        "DIKES,agency,,,2026,3,IKU1,Indikator IKU1,%,higher,1,100,99\n"
        "DIKES,agency,,,2026,4,IKU1,Indikator IKU1,%,higher,1,100,75\n"
    )

    def upload(**extra):
        return officer_a.post(
            reverse("workspace:upload"),
            {"file": SimpleUploadedFile("tw3.csv", text.encode(), "text/csv"), **extra},
        )

    refused = upload()
    assert refused.status_code == 400
    assert [(e.line, e.column) for e in refused.context["errors"]] == [(2, "realisation")]

    preview = upload(late_reason=REASON)
    assert preview.status_code == 200
    kinds = {label: counts for label, *counts in preview.context["kinds"]}
    assert kinds["late changes awaiting confirmation"] == [1, 0, 0]
    token = preview.context["confirm"]["token"].value()
    assert officer_a.post(reverse("workspace:upload_confirm"), {"token": token}).status_code == 302

    change = LateChange.objects.get()
    assert (change.quarter, change.new_value, change.reason) == (3, D(99), REASON)
    assert q3("IKU1").value == 80
    assert Realisation.objects.get(indicator__code="IKU1", quarter=4).value == 75


# --- the approvers' queue --------------------------------------------------------------------


def test_an_approver_confirms_and_the_value_counts_marked_late(
    officer_a, approver_a, pk, cast, django_assert_max_num_queries
):
    enter_late(officer_a, pk, IKU1="120")
    change = LateChange.objects.get()
    url = reverse("workspace:late_changes")

    with django_assert_max_num_queries(12):
        page = approver_a.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert [c.pk for c in page.context["changes"]] == [change.pk]
    assert REASON in html and "officer_a" in html and "120" in html

    response = approver_a.post(url, {"changes": [change.pk], "action": "confirm", "note": ""})

    assert response.status_code == 302
    assert said(response) == ["1 late change confirmed: it counts from the next recompute."]
    realisation = q3("IKU1")
    assert (realisation.value, realisation.late_entered_at) == (D(120), DEC_6)
    record = realisation.history.latest()
    assert (record.history_user, record.history_change_reason) == (cast.approver_a, REASON)
    change.refresh_from_db()
    assert (change.status, change.decided_by) == (Status.CONFIRMED, cast.approver_a)
    # The officer sees the decision on the contract's page.
    detail = officer_a.get(reverse("workspace:contract", args=[pk.pk])).content.decode()
    assert "confirmed" in detail and REASON in detail


def test_confirming_several_at_once_is_all_or_nothing(officer_a, approver_a, pk):
    enter_late(officer_a, pk, IKU1="120", IKU2="95")
    first, second = LateChange.objects.order_by("indicator__code")
    Realisation.objects.filter(pk=q3("IKU2").pk).update(value=D(93))  # changed meanwhile

    response = approver_a.post(
        reverse("workspace:late_changes"),
        {"changes": [first.pk, second.pk], "action": "confirm"},
    )

    assert response.status_code == 409
    assert "Nothing was decided." in response.content.decode()
    assert set(LateChange.objects.values_list("status", flat=True)) == {Status.PENDING}
    assert q3("IKU1").value == 80


def test_a_rejection_needs_a_note_and_changes_nothing(officer_a, approver_a, pk):
    enter_late(officer_a, pk, IKU1="120")
    change = LateChange.objects.get()
    url = reverse("workspace:late_changes")
    assert approver_a.post(url, {"changes": [change.pk], "action": "reject"}).status_code == 400
    response = approver_a.post(
        url, {"changes": [change.pk], "action": "reject", "note": "Bukti tidak ada"}
    )
    assert response.status_code == 302
    change.refresh_from_db()
    assert (change.status, change.decision_note) == (Status.REJECTED, "Bukti tidak ada")
    assert q3("IKU1").value == 80 and q3("IKU1").late_entered_at is None


def test_whoever_entered_a_late_change_cannot_confirm_it(cast, pk):
    both = UserFactory(username="officer_and_approver")
    for role in (Membership.Role.HR_OFFICER, Membership.Role.APPROVER):
        Membership.objects.create(user=both, role=role, agency=cast.agency_a)
    client = cast.client(both)
    enter_late(client, pk, IKU1="120")
    change = LateChange.objects.get()

    response = client.post(
        reverse("workspace:late_changes"), {"changes": [change.pk], "action": "confirm"}
    )

    assert response.status_code == 409
    assert "another approver must decide it" in response.content.decode()
    change.refresh_from_db()
    assert change.status == Status.PENDING and q3("IKU1").value == 80


def test_another_agencys_approver_cannot_reach_the_late_change(officer_a, pk, cast):
    enter_late(officer_a, pk, IKU1="120")
    change = LateChange.objects.get()
    approver_b = UserFactory(username="approver_b")
    Membership.objects.create(user=approver_b, role=Membership.Role.APPROVER, agency=cast.agency_b)
    client = cast.client(approver_b)

    assert client.get(reverse("workspace:late_changes")).context["changes"] == []
    response = client.post(
        reverse("workspace:late_changes"), {"changes": [change.pk], "action": "confirm"}
    )

    assert response.status_code == 400
    change.refresh_from_db()
    assert change.status == Status.PENDING and q3("IKU1").value == 80
    # Officers, leaders and auditors have no queue (the auditor is told the page is
    # read-only).
    for user in (cast.officer_a, cast.leader, cast.auditor):
        refused = 403 if user == cast.auditor else 404
        assert cast.client(user).get(reverse("workspace:late_changes")).status_code == refused


def test_the_queue_page_does_not_grow_in_queries_with_its_rows(
    officer_a, approver_a, cast, django_assert_max_num_queries
):
    for n in range(12):
        enter_late(officer_a, agency_pk_of_year(cast, 2000 + n), IKU1="99")
    assert LateChange.objects.count() == 12
    with django_assert_max_num_queries(12):
        page = approver_a.get(reverse("workspace:late_changes"))
    assert len(page.context["changes"]) == 12


def agency_pk_of_year(cast, year: int) -> PerformanceContract:
    """Agency A's approved PK of a past `year`, Q3 realised (so closed) at 80."""
    contract = ContractFactory(
        agency=cast.agency_a, year=year, status=PerformanceContract.Status.APPROVED
    )
    indicator = IndicatorFactory(contract=contract, code="IKU1")
    TargetFactory(indicator=indicator, quarter=3, value=D(100))
    Realisation.objects.create(indicator=indicator, quarter=3, value=D(80))
    return contract
