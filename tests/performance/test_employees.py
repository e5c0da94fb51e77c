"""Civil servants kept by their agency (issue 23, `performance.employees`): a new hire, an
edit, a transfer that divides the year's SKP by quarter between the two agencies, the end of
employment; postings keep the history, audit events name the officer, and the recompute
counts each quarter's score in the agency of that quarter."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from agencies.audit import system_actor
from agencies.models import AuditEvent, quarter_name
from performance import employees
from performance.imports import import_performance
from performance.models import (
    Employee,
    EmployeePosting,
    LateChange,
    PerformanceContract,
    Realisation,
    Score,
    StaffRating,
    Target,
)
from performance.ratings import import_ratings
from performance.services import recompute_scores
from tests.conftest import AFTER_2025
from tests.factories import EmployeeFactory, RealisationFactory
from tests.portal.workspace.data import contract_of

pytestmark = pytest.mark.django_db
Status = PerformanceContract.Status
NIP = "196501012020011999"


def quarters_of(contract: PerformanceContract, model=Target) -> list[tuple[str, int]]:
    return sorted(
        model.objects.filter(indicator__contract=contract).values_list("indicator__code", "quarter")
    )


@pytest.fixture
def person(cast):
    """A civil servant of agency A with an approved SKP of 2025: two indicators, targets in
    every quarter, Q1 realised."""
    employee = EmployeeFactory(agency=cast.agency_a, name="Baiq Nurul")
    contract = contract_of(cast.agency_a, employee=employee, status=Status.APPROVED, indicators=2)
    return employee, contract


# --- add and edit -------------------------------------------------------------------


def test_add_employee_opens_a_posting_and_names_the_officer(cast):
    start = datetime.date(2025, 3, 1)
    employee = employees.add_employee(
        actor=cast.officer_a, agency=cast.agency_a, nip=NIP, name="Lalu Ahmad", start=start
    )
    assert employee.agency == cast.agency_a and employee.is_current
    (posting,) = EmployeePosting.objects.filter(employee=employee)
    assert (posting.agency, posting.start, posting.end) == (cast.agency_a, start, None)
    event = AuditEvent.objects.get(action="employee.add")
    assert (event.actor, event.agency) == (cast.officer_a, cast.agency_a)
    assert event.details["employee"] == employee.pk


@pytest.mark.parametrize(
    "nip", ["19650101202001199", "196513012020011999", "196501012020013999", "1965O1012020011999"]
)
def test_add_employee_refuses_an_invalid_nip_and_writes_nothing(cast, nip):
    with pytest.raises(ValidationError) as info:
        employees.add_employee(actor=cast.officer_a, agency=cast.agency_a, nip=nip, name="X")
    assert "nip" in info.value.message_dict
    assert not Employee.objects.exists() and not AuditEvent.objects.exists()


def test_edit_records_before_and_after(cast, person):
    employee, _ = person
    changed = employees.edit_employee(
        actor=cast.officer_a, employee=employee, name="Baiq Nurul Aini", position="Analis"
    )
    assert changed == ["name"]
    employee.refresh_from_db()
    assert employee.name == "Baiq Nurul Aini"
    event = AuditEvent.objects.get(action="employee.edit")
    assert event.details["before"] == {"name": "Baiq Nurul"}
    assert event.details["after"] == {"name": "Baiq Nurul Aini"}
    same = employees.edit_employee(actor=cast.officer_a, employee=employee, name=employee.name)
    assert same == []
    assert AuditEvent.objects.filter(action="employee.edit").count() == 1


def test_edit_refuses_the_agency(cast, person):
    with pytest.raises(ValueError):
        employees.edit_employee(actor=cast.officer_a, employee=person[0], agency=cast.agency_b)


# --- transfer ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "moved"),
    [
        (datetime.date(2025, 7, 15), [4]),  # mid-Q3: Q3 started at A, stays there
        (datetime.date(2025, 7, 1), [3, 4]),  # Q3's first day: Q3 is B's
        (datetime.date(2025, 2, 10), [2, 3, 4]),
    ],
)
def test_transfer_mid_year_splits_the_skp_by_quarter(cast, person, on, moved):
    employee, old = person
    entered_at = Realisation.objects.filter(indicator__contract=old).first().entered_at
    new = employees.transfer_employee(
        actor=cast.officer_a, employee=employee, to=cast.agency_b, on=on
    )
    kept = [q for q in (1, 2, 3, 4) if q not in moved]
    assert quarters_of(old) == [(c, q) for c in ("IKU1", "IKU2") for q in kept]
    assert (new.agency, new.employee, new.year, new.status) == (
        cast.agency_b,
        employee,
        2025,
        Status.DRAFT,
    )
    assert quarters_of(new) == [(c, q) for c in ("IKU1", "IKU2") for q in moved]
    assert list(new.indicators.values_list("text", "weight", "direction")) == list(
        old.indicators.values_list("text", "weight", "direction")
    )
    # The Q1 realisations stay with A, untouched.
    assert quarters_of(old, Realisation) == [("IKU1", 1), ("IKU2", 1)]
    assert Realisation.objects.filter(indicator__contract=old).first().entered_at == entered_at
    old.refresh_from_db()
    assert old.status == Status.APPROVED and old.agency == cast.agency_a
    employee.refresh_from_db()
    assert employee.agency == cast.agency_b
    history = list(employee.postings.order_by("pk").values_list("agency", "start", "end"))
    assert history == [
        (cast.agency_a.pk, None, on - datetime.timedelta(days=1)),
        (cast.agency_b.pk, on, None),
    ]
    events = AuditEvent.objects.filter(action="employee.transfer")
    assert {e.agency_id for e in events} == {cast.agency_a.pk, cast.agency_b.pk}
    assert {e.actor_id for e in events} == {cast.officer_a.pk}
    assert events[0].details["quarters_moved"] == moved


def test_transfer_moves_realisations_and_pending_late_changes_of_the_moved_quarters(cast, person):
    employee, old = person
    indicator = old.indicators.get(code="IKU1")
    entered = RealisationFactory(indicator=indicator, quarter=3, value=Decimal(80))
    LateChange.objects.create(
        indicator=indicator, quarter=3, new_value=Decimal(85), reason="susulan"
    )
    new = employees.transfer_employee(
        actor=cast.officer_a,
        employee=employee,
        to=cast.agency_b,
        on=datetime.date(2025, 7, 1),
        today=datetime.date(2025, 9, 15),  # Q3 open
    )
    entered.refresh_from_db()
    assert entered.indicator.contract == new and entered.indicator.code == "IKU1"
    assert LateChange.objects.get().indicator.contract == new
    # The move is in the realisation's own history, with the reason.
    record = Realisation.history.filter(id=entered.pk).order_by("-history_date").first()
    assert "DIKBUD" in record.history_change_reason


def test_transfer_on_new_year_moves_the_whole_skp_as_a_draft(cast, person):
    employee, old = person
    later = contract_of(cast.agency_a, employee=employee, year=2026, status=Status.SUBMITTED)
    new = employees.transfer_employee(
        actor=cast.officer_a,
        employee=employee,
        to=cast.agency_b,
        on=datetime.date(2025, 1, 1),
        today=datetime.date(2025, 2, 1),  # Q1, whose realisations move, still open
    )
    assert new == old
    for contract in (old, later):
        contract.refresh_from_db()
        assert (contract.agency, contract.status) == (cast.agency_b, Status.DRAFT)
    assert PerformanceContract.objects.filter(employee=employee).count() == 2


def test_transfer_never_moves_the_realisations_of_a_closed_quarter(cast, person):
    employee, old = person
    RealisationFactory(indicator=old.indicators.get(code="IKU1"), quarter=3)
    before = sorted(Realisation.objects.values_list("pk", "indicator_id"))
    with pytest.raises(employees.EmployeeError) as info:
        employees.transfer_employee(
            actor=cast.officer_a,
            employee=employee,
            to=cast.agency_b,
            on=datetime.date(2025, 7, 1),
            today=datetime.date(2025, 10, 16),  # Q3 closed (15 grace days)
        )
    assert info.value.field == "on" and f"2025 {quarter_name(3)}" in str(info.value)
    assert sorted(Realisation.objects.values_list("pk", "indicator_id")) == before
    employee.refresh_from_db()
    assert employee.agency == cast.agency_a and not EmployeePosting.objects.exists()
    # Q4 (not closed, nothing reported) may still move.
    new = employees.transfer_employee(
        actor=cast.officer_a,
        employee=employee,
        to=cast.agency_b,
        on=datetime.date(2025, 10, 1),
        today=datetime.date(2025, 10, 16),
    )
    assert quarters_of(new) == [("IKU1", 4), ("IKU2", 4)]


def test_transfer_late_in_the_year_moves_no_quarter_but_next_years_skp(cast, person):
    employee, old = person
    later = contract_of(cast.agency_a, employee=employee, year=2026, status=Status.DRAFT)
    assert (
        employees.transfer_employee(
            actor=cast.officer_a,
            employee=employee,
            to=cast.agency_b,
            on=datetime.date(2025, 11, 3),
        )
        is None
    )
    assert len(quarters_of(old)) == 8
    later.refresh_from_db()
    assert later.agency == cast.agency_b


def test_transfer_refusals_write_nothing(cast, person):
    employee, _ = person
    with pytest.raises(employees.EmployeeError):  # the agency they work at
        employees.transfer_employee(
            actor=cast.officer_a, employee=employee, to=cast.agency_a, on=datetime.date(2025, 5, 1)
        )
    employees.transfer_employee(
        actor=cast.officer_a, employee=employee, to=cast.agency_b, on=datetime.date(2025, 5, 1)
    )
    before = (EmployeePosting.objects.count(), PerformanceContract.objects.count())
    with pytest.raises(employees.EmployeeError) as info:  # not after the posting's start
        employees.transfer_employee(
            actor=cast.officer_b, employee=employee, to=cast.agency_a, on=datetime.date(2025, 4, 1)
        )
    assert info.value.field == "on"
    # Back to A in the same year: A holds their 2025 SKP already.
    with pytest.raises(employees.EmployeeError) as info:
        employees.transfer_employee(
            actor=cast.officer_b, employee=employee, to=cast.agency_a, on=datetime.date(2025, 9, 1)
        )
    assert info.value.field == "agency"
    assert (EmployeePosting.objects.count(), PerformanceContract.objects.count()) == before
    employee.refresh_from_db()
    assert employee.agency == cast.agency_b


def test_each_quarter_counts_in_the_agency_of_that_quarter(cast, person):
    """The recompute after a transfer on 1 July 2025: the civil servant's Q1-Q2 scores count
    in agency A's staff, Q3-Q4 in B's, once B approves its part."""
    employee, old = person
    for agency in (cast.agency_a, cast.agency_b):  # each agency's PK, so it has a score
        contract_of(agency, status=Status.APPROVED, indicators=1)
    new = employees.transfer_employee(
        actor=cast.officer_a, employee=employee, to=cast.agency_b, on=datetime.date(2025, 7, 1)
    )
    PerformanceContract.objects.filter(pk=new.pk).update(status=Status.APPROVED)
    run = recompute_scores(year=2025, today=AFTER_2025)  # the database's own engine
    own = Score.objects.filter(run=run, contract__employee=employee)
    assert sorted(own.values_list("agency__code", "period")) == sorted(
        [("DIKES", p) for p in ("Q1", "Q2", "Y")] + [("DIKBUD", p) for p in ("Q3", "Q4", "Y")]
    )
    staff = {
        (s.agency.code, s.period): s.staff_count
        for s in Score.objects.filter(run=run, contract__isnull=True).select_related("agency")
    }
    assert staff[("DIKES", "Q1")] == staff[("DIKES", "Q2")] == 1
    assert staff[("DIKES", "Q3")] is None and staff[("DIKES", "Q4")] is None
    assert staff[("DIKBUD", "Q1")] is None and staff[("DIKBUD", "Q2")] is None
    assert staff[("DIKBUD", "Q3")] == staff[("DIKBUD", "Q4")] == 1


# --- end of employment ----------------------------------------------------------------


def test_end_of_employment_keeps_the_employee_and_removes_later_targets(cast, person):
    employee, contract = person
    removed = employees.end_employment(
        actor=cast.officer_a, employee=employee, on=datetime.date(2025, 5, 20), reason="Pensiun"
    )
    assert removed == [f"2025 {quarter_name(3)}", f"2025 {quarter_name(4)}"]
    employee.refresh_from_db()
    assert (employee.ended_on, employee.end_reason) == (datetime.date(2025, 5, 20), "Pensiun")
    assert not Employee.objects.current().filter(pk=employee.pk).exists()
    assert quarters_of(contract) == [(c, q) for c in ("IKU1", "IKU2") for q in (1, 2)]
    assert quarters_of(contract, Realisation) == [("IKU1", 1), ("IKU2", 1)]
    (posting,) = employee.postings.all()
    assert posting.end == datetime.date(2025, 5, 20)
    event = AuditEvent.objects.get(action="employee.end")
    assert (event.actor, event.agency, event.details["reason"]) == (
        cast.officer_a,
        cast.agency_a,
        "Pensiun",
    )
    with pytest.raises(employees.EmployeeError):  # ended: no transfer
        employees.transfer_employee(
            actor=cast.officer_a, employee=employee, to=cast.agency_b, on=datetime.date(2025, 8, 1)
        )


def test_end_of_employment_is_refused_over_a_later_realisation(cast, person):
    employee, contract = person
    RealisationFactory(indicator=contract.indicators.get(code="IKU2"), quarter=4)
    with pytest.raises(employees.EmployeeError) as info:
        employees.end_employment(
            actor=cast.officer_a, employee=employee, on=datetime.date(2025, 8, 31), reason="Wafat"
        )
    assert f"2025 {quarter_name(4)}" in str(info.value)
    employee.refresh_from_db()
    assert employee.ended_on is None and len(quarters_of(contract)) == 8
    assert not AuditEvent.objects.exists()


# --- another way in: a CSV import -----------------------------------------------------------------


def _csv(employee, agency_code: str, quarter: int, target: str, realisation: str) -> str:
    return (
        "agency_code,holder,employee_name,position,year,quarter,indicator_code,indicator,"
        "unit,direction,weight,target,realisation\n"
        f"{agency_code},{employee.nip},{employee.name},{employee.position},2025,{quarter},"
        f"IKU1,Indikator 1,%,higher,1,{target},{realisation}\n"
    )


def test_an_import_after_a_split_writes_to_the_agencys_own_skp(cast, person):
    employee, old = person
    new = employees.transfer_employee(
        actor=cast.officer_a, employee=employee, to=cast.agency_b, on=datetime.date(2025, 7, 1)
    )
    today = datetime.date(2025, 10, 1)
    import_performance(_csv(employee, "DIKBUD", 3, "100", "77"), today=today)
    assert Realisation.objects.get(indicator__contract=new, quarter=3).value == Decimal(77)
    assert not Realisation.objects.filter(indicator__contract=old, quarter=3).exists()
    # The old agency's rows (its quarters) go to its own SKP, which neither file moves.
    import_performance(_csv(employee, "DIKES", 2, "100", "66"), today=today)
    assert Realisation.objects.get(indicator__contract=old, quarter=2).value == Decimal(66)
    assert not Realisation.objects.filter(indicator__contract=new, quarter=2).exists()
    employee.refresh_from_db()
    assert employee.agency == cast.agency_b  # the file does not move them back
    assert set(
        PerformanceContract.objects.filter(employee=employee, year=2025).values_list("pk", "agency")
    ) == {(old.pk, cast.agency_a.pk), (new.pk, cast.agency_b.pk)}


def test_a_ratings_import_after_a_split_rates_the_named_agencys_skp(cast, person):
    employee, old = person
    new = employees.transfer_employee(
        actor=cast.officer_a, employee=employee, to=cast.agency_b, on=datetime.date(2025, 7, 1)
    )
    PerformanceContract.objects.filter(pk=new.pk).update(status=Status.APPROVED)
    for code, contract in (("DIKES", old), ("DIKBUD", new)):
        rows = (
            "agency_code,nip,year,results_rating,behaviour_rating,reason\n"
            f"{code},{employee.nip},2025,as_expected,as_expected,Sesuai\n"
        )
        import_ratings(rows.encode(), user=system_actor("cli"), today=AFTER_2025)
        assert StaffRating.objects.get(contract__agency__code=code).contract == contract
