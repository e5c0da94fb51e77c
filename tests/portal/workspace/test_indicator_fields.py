"""The indicator forms' annual target, aggregation and last year's code (issue 19), validated
as the import validates them, and a `previous_code` typed by hand checked against the same
holder's contract of the year before: new contract, edit, and revision (with its reason)."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from performance.models import Indicator, PerformanceContract
from tests.factories import ContractFactory, EmployeeFactory, IndicatorFactory

from .data import contract_of
from .test_contracts import edit_data, indicator_rows, revise_data, row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media", "english")]
Status = PerformanceContract.Status


@pytest.fixture
def last_year(cast):
    """Agency A's PK of 2025 with IKU7 (the code immunisation had then)."""
    contract = ContractFactory(agency=cast.agency_a, year=2025)
    IndicatorFactory(contract=contract, code="IKU7")
    return contract


def create(client, cast, *rows, year=2026, **form):
    return client.post(
        reverse("workspace:contract_create"),
        {"agency": cast.agency_a.pk, "holder": "agency", "year": year, **form}
        | indicator_rows(list(rows)),
    )


def errors_of(response) -> dict:
    return {
        name: list(errors)
        for form in response.context["formset"].forms
        for name, errors in form.errors.items()
    }


def test_a_new_contract_takes_an_annual_target_and_last_years_code(officer_a, cast, last_year):
    response = create(
        officer_a,
        cast,
        row("IKU1", annual_target="9500", aggregation="sum", previous_code="IKU7"),
        row("IKU2"),
    )
    assert response.status_code == 302
    stored = {
        i.code: (i.annual_target, i.aggregation, i.previous_code)
        for i in Indicator.objects.filter(contract__year=2026)
    }
    assert stored == {"IKU1": (D(9500), "sum", "IKU7"), "IKU2": (None, "", "")}


@pytest.mark.parametrize(
    ("cells", "field", "message"),
    [
        (
            {"annual_target": "9500"},
            "aggregation",
            "Choose how the quarters make the year: required with an annual target.",
        ),
        (
            {"aggregation": "last"},
            "annual_target",
            "Enter the annual target this aggregation is for.",
        ),
        (
            {"annual_target": "0", "aggregation": "sum"},
            "annual_target",
            "Must be greater than 0 when higher is better.",
        ),
        (
            {"previous_code": "IKU9"},
            "previous_code",
            "The 2025 contract of this holder has no indicator IKU9.",
        ),
    ],
)
def test_the_forms_refuse_what_the_import_refuses(
    officer_a, cast, last_year, cells, field, message
):
    response = create(officer_a, cast, row("IKU1", **cells))
    assert response.status_code == 200
    assert errors_of(response) == {field: [message]}
    assert not PerformanceContract.objects.filter(year=2026).exists()


def test_last_years_code_needs_last_years_contract_of_the_same_holder(officer_a, cast, last_year):
    # The agency's PK of 2025 has IKU7; a civil servant's SKP of 2026 has no 2025 SKP.
    employee = EmployeeFactory(agency=cast.agency_a)
    response = create(
        officer_a, cast, row("RHK1", previous_code="IKU7"), holder="employee", nip=employee.nip
    )
    assert errors_of(response) == {
        "previous_code": ["This holder has no contract for 2025: leave last year's code empty."]
    }


def test_the_edit_form_sets_them_and_checks_a_changed_code(officer_a, cast, last_year):
    contract = contract_of(cast.agency_a, year=2026, indicators=1, realised=False)
    url = reverse("workspace:contract_edit", args=[contract.pk])
    bad = officer_a.post(url, edit_data(contract, [row("IKU1", previous_code="IKU8")]))
    assert errors_of(bad) == {
        "previous_code": ["The 2025 contract of this holder has no indicator IKU8."]
    }
    good = officer_a.post(
        url,
        edit_data(
            contract,
            [row("IKU1", previous_code="IKU7", annual_target="12.5", aggregation="average")],
        ),
    )
    assert good.status_code == 302
    indicator = contract.indicators.get()
    assert (indicator.previous_code, indicator.annual_target, indicator.aggregation) == (
        "IKU7",
        D("12.5"),
        "average",
    )


def test_a_revision_sets_them_with_its_reason(officer_a, cast, last_year):
    contract = contract_of(cast.agency_a, year=2026, status=Status.APPROVED, indicators=1)
    indicator = contract.indicators.get()
    url = reverse("workspace:contract_revise", args=[contract.pk])
    data = revise_data(contract, reason="Kode lama dipakai BPS")
    refused = officer_a.post(url, {**data, f"i{indicator.pk}_previous_code": "IKU9"})
    assert refused.status_code == 200
    assert refused.context["form"].errors == {
        f"i{indicator.pk}_previous_code": [
            "The 2025 contract of this holder has no indicator IKU9."
        ]
    }

    response = officer_a.post(
        url,
        {
            **data,
            f"i{indicator.pk}_previous_code": "IKU7",
            f"i{indicator.pk}_annual_target": "400",
            f"i{indicator.pk}_aggregation": "sum",
        },
    )

    assert response.status_code == 302
    indicator.refresh_from_db()
    assert (indicator.previous_code, indicator.annual_target, indicator.aggregation) == (
        "IKU7",
        D(400),
        "sum",
    )
    record = indicator.history.latest()
    assert (record.history_user, record.history_change_reason) == (
        cast.officer_a,
        "Kode lama dipakai BPS",
    )
