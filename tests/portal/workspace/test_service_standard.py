"""The HR officer's service standard and follow-up plans (issue 21): entered by the agency's
officers only (404 elsewhere), saved with an audit record of before and after, an edit over a
newer change refused, a moved due date public with its reason, the services list saying
which service needs a plan."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from agencies.imports import import_services
from agencies.models import ANSWER_FIELDS, AuditEvent, FollowUpPlan, Service
from tests.factories import ServiceFactory, SurveyResponseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TODAY = datetime.datetime(2026, 2, 1, 10, 0, tzinfo=datetime.UTC)  # Q4 2025 has closed
DAY = datetime.date(2026, 2, 1)
STANDARD = {
    "loaded": "",
    "requirements": "Fotokopi KTP\r\nKartu Keluarga",
    "procedure": "Ambil antrean\r\nPemeriksaan berkas\r\nPenyerahan",
    "standard_days": "3",
    "fee": "0",
    "fee_note": "",
    "location": "Jl. Pendidikan 1, Mataram",
    "opening_hours": "Senin-Jumat 08.00-15.00",
    "complaint_url": "www.lapor.go.id",
    "complaint_contact": "0370-123456",
}
Status = FollowUpPlan.Status


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def service_a(cast):
    return ServiceFactory(agency=cast.agency_a, code="KIA", name="Layanan KIA", standard_days=5)


def graded_c(service, quarter=4):
    """Ten answers of 3 with U3 at 1 in `quarter` of 2025: IKM 69.44, grade C."""
    answers = dict.fromkeys(ANSWER_FIELDS, 3) | {"u3": 1}
    SurveyResponseFactory.create_batch(10, service=service, year=2025, quarter=quarter, **answers)


def make_plan(service, **changes):
    values = {
        "year": 2025,
        "quarter": 4,
        "action": "Menambah petugas loket",
        "unit": "Seksi Pelayanan",
        "due_date": datetime.date(2026, 3, 31),
    } | changes
    return FollowUpPlan.objects.create(service=service, **values)


# --- the standard ---------------------------------------------------------------------------


def test_officer_enters_the_standard_and_it_is_audited(officer_a, cast, service_a):
    url = reverse("services:standard", args=[service_a.pk])
    assert officer_a.get(url).status_code == 200
    response = officer_a.post(url, STANDARD, follow=True)
    assert response.redirect_chain[-1][0] == reverse("services:list")
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        "Service standard saved. The public service page shows it from the next publication "
        "of the scores."
    ]
    service_a.refresh_from_db()
    # Line breaks as newlines, the link with its scheme.
    assert service_a.requirements == "Fotokopi KTP\nKartu Keluarga"
    assert service_a.complaint_url == "https://www.lapor.go.id"
    assert (service_a.standard_days, service_a.fee) == (3, Decimal(0))
    assert service_a.standard_updated_at is not None
    event = AuditEvent.objects.get(action="service:standard")
    assert (event.actor, event.subject, event.agency) == (
        cast.officer_a,
        "DIKES/KIA",
        cast.agency_a,
    )
    assert event.details["before"]["standard_days"] == "5"
    assert event.details["after"]["standard_days"] == "3"
    assert event.details["after"]["requirements"] == "Fotokopi KTP\nKartu Keluarga"


def test_saving_the_same_standard_again_changes_nothing(officer_a, service_a):
    url = reverse("services:standard", args=[service_a.pk])
    officer_a.post(url, STANDARD, follow=True)
    service_a.refresh_from_db()
    again = {**STANDARD, "loaded": service_a.standard_updated_at.isoformat()}
    response = officer_a.post(url, again, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Nothing changed."]
    assert AuditEvent.objects.filter(action="service:standard").count() == 1


def test_a_standard_typed_in_the_browser_equals_the_same_one_imported(officer_a, service_a):
    officer_a.post(reverse("services:standard", args=[service_a.pk]), STANDARD)
    service_a.refresh_from_db()
    line = (
        'DIKES,KIA,Layanan KIA,3,0,,"Fotokopi KTP\nKartu Keluarga","Ambil antrean\n'
        'Pemeriksaan berkas\nPenyerahan","Jl. Pendidikan 1, Mataram",Senin-Jumat 08.00-15.00,'
        "https://www.lapor.go.id,0370-123456"
    )
    header = (
        "agency_code,service_code,service_name,standard_days,fee,fee_note,requirements,"
        "procedure,location,opening_hours,complaint_url,complaint_contact"
    )
    assert import_services(f"{header}\n{line}\n").unchanged == {"services": 1}


def test_an_edit_over_a_newer_change_is_refused(officer_a, service_a):
    url = reverse("services:standard", args=[service_a.pk])
    officer_a.post(url, STANDARD)  # someone saved after the form below was read
    stale = {**STANDARD, "loaded": "", "standard_days": "9"}
    response = officer_a.post(url, stale)
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    service_a.refresh_from_db()
    assert service_a.standard_days == 3
    # The form shows the standard as it is now.
    assert response.context["form"].initial["standard_days"] == 3


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("standard_days", "400", "Ensure this value is less than or equal to 365."),
        ("fee", "-1", "Ensure this value is greater than or equal to 0."),
        ("complaint_url", "javascript:alert(1)", "Enter a valid URL."),
        ("requirements", "x" * 4001, "Ensure this value has at most 4000 characters"),
    ],
)
def test_a_bad_standard_is_refused_and_nothing_saved(officer_a, service_a, field, value, message):
    url = reverse("services:standard", args=[service_a.pk])
    response = officer_a.post(url, {**STANDARD, field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    service_a.refresh_from_db()
    assert service_a.standard_updated_at is None and not AuditEvent.objects.exists()


def test_only_the_agencys_officers_change_its_standard(cast, service_a):
    url = reverse("services:standard", args=[service_a.pk])
    for user in (cast.officer_b, cast.approver_a, cast.leader, cast.auditor):
        client = cast.client(user)
        refused = 403 if user == cast.auditor else 404  # the auditor: the read-only page
        assert client.get(url).status_code == refused
        assert client.post(url, STANDARD).status_code == refused
    service_a.refresh_from_db()
    assert service_a.standard_updated_at is None


# --- follow-up plans --------------------------------------------------------------------------


def test_officer_makes_a_plan_for_the_quarter_that_calls_for_it(officer_a, cast, service_a):
    graded_c(service_a)
    url = reverse("services:plan_create", args=[service_a.pk])
    form = officer_a.get(url).context["form"]
    assert (form.initial["year"], form.initial["quarter"]) == (2025, 4)
    data = {
        "year": "2025",
        "quarter": "4",
        "action": "Menambah dua petugas loket\r\nMembuka layanan Sabtu",
        "unit": "Seksi Pelayanan",
        "due_date": "2026-04-30",
    }
    response = officer_a.post(url, data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("services:plans", args=[service_a.pk])
    plan = FollowUpPlan.objects.get()
    assert plan.action == "Menambah dua petugas loket\nMembuka layanan Sabtu"
    assert (plan.status, plan.created_by, plan.due_date) == (
        Status.PLANNED,
        cast.officer_a,
        datetime.date(2026, 4, 30),
    )
    event = AuditEvent.objects.get(action="service:plan")
    assert event.details["plan"] == plan.pk and event.details["after"]["unit"] == "Seksi Pelayanan"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"due_date": "2026-01-31"}, "due_date", "The due date has passed already."),
        ({"year": "2026", "quarter": "2"}, "quarter", "This quarter has not started yet."),
        ({"action": ""}, "action", "This field is required."),
        ({"unit": "x" * 201}, "unit", "Ensure this value has at most 200 characters"),
    ],
)
def test_a_bad_plan_is_refused(officer_a, service_a, changes, field, message):
    data = {
        "year": "2025",
        "quarter": "4",
        "action": "Menambah petugas",
        "unit": "Seksi Pelayanan",
        "due_date": "2026-04-30",
    } | changes
    response = officer_a.post(reverse("services:plan_create", args=[service_a.pk]), data)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not FollowUpPlan.objects.exists()


def test_moving_the_due_date_needs_a_reason_that_becomes_a_public_update(officer_a, service_a):
    plan = make_plan(service_a)
    url = reverse("services:plan_edit", args=[plan.pk])
    data = {
        "loaded": plan.updated_at.isoformat(),
        "action": plan.action,
        "unit": plan.unit,
        "due_date": "2026-06-30",
    }
    response = officer_a.post(url, data)
    assert response.status_code == 400
    assert response.context["form"].errors["reason"] == ["Say why the due date moves."]
    response = officer_a.post(url, {**data, "reason": "Anggaran perubahan baru cair"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.due_date == datetime.date(2026, 6, 30)
    [update] = plan.updates.all()
    assert (update.on, update.text, update.previous_due_date, update.due_date) == (
        DAY,
        "Anggaran perubahan baru cair",
        datetime.date(2026, 3, 31),
        datetime.date(2026, 6, 30),
    )
    event = AuditEvent.objects.get(action="service:plan")
    assert event.details["before"] == {"due_date": "2026-03-31"}
    assert event.details["after"] == {"due_date": "2026-06-30"}


def test_changing_a_plan_read_before_an_update_is_refused(officer_a, service_a):
    plan = make_plan(service_a)
    loaded = plan.updated_at.isoformat()
    with time_machine.travel(TODAY + datetime.timedelta(minutes=5), tick=False):
        officer_a.post(
            reverse("services:plan_update", args=[plan.pk]),
            {"on": "2026-02-01", "text": "Mulai", "status": "in_progress"},
        )
    response = officer_a.post(
        reverse("services:plan_edit", args=[plan.pk]),
        {"loaded": loaded, "action": "Lain", "unit": plan.unit, "due_date": "2026-03-31"},
    )
    assert response.status_code == 409
    plan.refresh_from_db()
    assert plan.action == "Menambah petugas loket"


def test_updates_set_the_status_and_done_records_the_day(officer_a, service_a):
    plan = make_plan(service_a)
    url = reverse("services:plan_update", args=[plan.pk])
    officer_a.post(
        url, {"on": "2026-02-01", "text": "Dua petugas direkrut", "status": "in_progress"}
    )
    plan.refresh_from_db()
    assert (plan.status, plan.completed_on) == (Status.IN_PROGRESS, None)
    officer_a.post(url, {"on": "2026-02-01", "text": "Loket Sabtu dibuka", "status": "done"})
    plan.refresh_from_db()
    assert (plan.status, plan.completed_on) == (Status.DONE, DAY)
    assert [(u.text, u.status) for u in plan.updates.order_by("pk")] == [
        ("Dua petugas direkrut", Status.IN_PROGRESS),
        ("Loket Sabtu dibuka", Status.DONE),
    ]
    assert AuditEvent.objects.filter(action="service:plan_update").count() == 2
    # Reopened: no longer done.
    officer_a.post(url, {"on": "2026-02-01", "text": "Loket ditutup lagi", "status": "in_progress"})
    plan.refresh_from_db()
    assert (plan.status, plan.completed_on) == (Status.IN_PROGRESS, None)


@pytest.mark.parametrize(
    ("on", "message"),
    [("2026-02-02", "This date has not come yet."), ("2025-12-31", "The plan was made after")],
)
def test_an_update_is_dated_between_the_plan_and_today(officer_a, service_a, on, message):
    plan = make_plan(service_a)
    response = officer_a.post(
        reverse("services:plan_update", args=[plan.pk]),
        {"on": on, "text": "x", "status": "done"},
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert not plan.updates.exists()


def test_plans_are_read_by_every_role_of_the_agency_and_changed_by_its_officers(
    cast, service_a, django_assert_max_num_queries
):
    graded_c(service_a)
    plan = make_plan(service_a, quarter=3, status=Status.DONE, completed_on=DAY)
    plan.updates.create(on=DAY, text="Selesai", status=Status.DONE)
    url = reverse("services:plans", args=[service_a.pk])
    for user in (cast.officer_a, cast.approver_a, cast.leader, cast.auditor):
        client = cast.client(user)
        with django_assert_max_num_queries(12):
            html = client.get(url).content.decode()
        assert "Menambah petugas loket" in html and "Selesai" in html
        assert "No follow-up plan answers it yet." in html  # a done Q3 plan, Q4 graded C
        has_links = reverse("services:plan_update", args=[plan.pk]) in html
        assert has_links is (user == cast.officer_a)
    assert cast.client(cast.officer_b).get(url).status_code == 404
    for name in ("services:plan_edit", "services:plan_update"):
        for user in (cast.officer_b, cast.approver_a, cast.leader):
            assert cast.client(user).get(reverse(name, args=[plan.pk])).status_code == 404


def test_the_services_list_says_which_service_needs_a_plan(
    officer_a, cast, django_assert_max_num_queries
):
    needs = ServiceFactory(agency=cast.agency_a, name="Butuh Rencana")
    graded_c(needs)
    working = ServiceFactory(agency=cast.agency_a, name="Sedang Dikerjakan")
    graded_c(working)
    make_plan(working, status=Status.IN_PROGRESS)
    ServiceFactory(agency=cast.agency_a, name="Baik Saja")
    for _ in range(5):
        graded_c(ServiceFactory(agency=cast.agency_a))
    with django_assert_max_num_queries(14):
        response = officer_a.get(reverse("services:list"))
    rows = {
        s.name: s
        for s in response.context["page"]
        if s.name in ("Butuh Rencana", "Sedang Dikerjakan", "Baik Saja")
    }
    assert rows["Butuh Rencana"].finding and not rows["Butuh Rencana"].finding.answered
    assert rows["Sedang Dikerjakan"].finding.answered and rows["Sedang Dikerjakan"].plans_open == 1
    assert rows["Baik Saja"].finding is None and rows["Baik Saja"].plans_open == 0
    html = response.content.decode()
    assert html.count("plan needed") == 6 and "1 plan open" in html
    assert reverse("services:standard", args=[needs.pk]) in html
    assert reverse("services:plans", args=[needs.pk]) in html
    assert Service.objects.count() == 8


def test_the_officers_forms_take_a_fixed_number_of_queries(
    officer_a, service_a, django_assert_max_num_queries
):
    graded_c(service_a)
    plan = make_plan(service_a)
    for n in range(5):
        plan.updates.create(on=DAY, text=f"Catatan {n}", status=Status.IN_PROGRESS)
    for name, args in (
        ("services:standard", [service_a.pk]),
        ("services:plan_create", [service_a.pk]),
        ("services:plan_edit", [plan.pk]),
        ("services:plan_update", [plan.pk]),
    ):
        with django_assert_max_num_queries(10):
            assert officer_a.get(reverse(name, args=args)).status_code == 200
