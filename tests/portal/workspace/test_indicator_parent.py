"""The workspace's indicator form takes the cascade's parent code (issue 22): a PK
indicator names the province goal indicator it serves, an SKP indicator the PK indicator of
its agency and year; anything else is refused on the row, as the import refuses it."""

import pytest
from django.urls import reverse

from performance.models import GoalIndicator, GoalTarget, Indicator, PerformanceContract
from tests.factories import ContractFactory, EmployeeFactory, IndicatorFactory

from .data import contract_of
from .test_contracts import edit_data, row
from .test_indicator_fields import create, errors_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media", "english")]


@pytest.fixture
def cascade(cast):
    """A province goal indicator targeted in 2026, agency A's and B's PK of 2026."""
    from performance.models import Goal

    goal = Goal.objects.create(code="S1", text="Goal", plan="rpjmd")
    served = GoalIndicator.objects.create(goal=goal, code="S1.1", text="Life expectancy")
    GoalTarget.objects.create(indicator=served, year=2026, value=72)
    pk = ContractFactory(agency=cast.agency_a, year=2026)
    IndicatorFactory(contract=pk, code="IKU1")
    IndicatorFactory(contract=ContractFactory(agency=cast.agency_b, year=2026), code="IKU5")
    return served


def test_a_new_skp_indicator_serves_its_agencys_pk_indicator(officer_a, cast, cascade):
    employee = EmployeeFactory(agency=cast.agency_a)

    response = create(
        officer_a, cast, row("RHK1", parent_code="IKU1"), holder="employee", nip=employee.nip
    )

    assert response.status_code == 302
    rhk1 = Indicator.objects.get(code="RHK1")
    assert rhk1.parent == Indicator.objects.get(code="IKU1", contract__agency=cast.agency_a)


def test_a_parent_outside_the_agency_or_year_is_refused_on_the_row(officer_a, cast, cascade):
    employee = EmployeeFactory(agency=cast.agency_a)

    response = create(
        officer_a, cast, row("RHK1", parent_code="IKU5"), holder="employee", nip=employee.nip
    )

    assert errors_of(response) == {
        "parent_code": [
            "no indicator 'IKU5' in the Perjanjian Kinerja of DIKES for 2026: an SKP indicator "
            "serves an indicator of its own agency's agreement of the same year"
        ]
    }
    assert not PerformanceContract.objects.filter(employee=employee).exists()


def test_the_edit_form_links_a_pk_indicator_to_a_goal_and_shows_it(officer_a, cast, cascade):
    contract = contract_of(cast.agency_a, year=2027, indicators=1, realised=False)
    url = reverse("workspace:contract_edit", args=[contract.pk])

    bad = officer_a.post(url, edit_data(contract, [row("IKU1", parent_code="S1.1")]))
    assert errors_of(bad) == {
        "parent_code": [
            "no province goal indicator 'S1.1' with a target for 2027 (import it with "
            "goals.csv first)"
        ]
    }
    GoalTarget.objects.create(indicator=cascade, year=2027, value=73)
    good = officer_a.post(url, edit_data(contract, [row("IKU1", parent_code="S1.1")]))

    assert good.status_code == 302
    assert contract.indicators.get().goal_indicator == cascade
    form = officer_a.get(url)
    assert form.context["formset"].forms[0].initial["parent_code"] == "S1.1"
    detail = officer_a.get(reverse("workspace:contract", args=[contract.pk]))
    assert "serves province goal indicator S1.1" in detail.content.decode()
    contract.refresh_from_db()
    cleared = officer_a.post(url, edit_data(contract, [row("IKU1", parent_code="")]))
    assert cleared.status_code == 302
    assert contract.indicators.get().goal_indicator is None
