"""`agencies.queries.indicator_quarter`: the scorecard's and the open-data file's one query
of PK indicators with a quarter's figures, written in SQL (its values typed as the ORM would
give them, on SQLite as on PostgreSQL)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection

from performance.models import Achievement, PerformanceContract, ScoreRun
from performance.queries import indicator_quarter
from tests.factories import (
    AgencyFactory,
    ContractFactory,
    IndicatorFactory,
    RealisationFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db

APPROVED = PerformanceContract.Status.APPROVED


@pytest.fixture
def figures():
    agency = AgencyFactory(is_public=True)
    run = ScoreRun.objects.create(status=ScoreRun.Status.PUBLISHED)
    rows = {}
    for year, real in ((2024, "80.5"), (2025, "90.25")):
        contract = ContractFactory(agency=agency, employee=None, year=year, status=APPROVED)
        # The same indicator both years (code, name and unit): last year's pairs with it.
        indicator = IndicatorFactory(
            contract=contract, code="IKU1", text="Cakupan", weight=Decimal("2.5")
        )
        TargetFactory(indicator=indicator, quarter=2, value=Decimal("100"))
        RealisationFactory(indicator=indicator, quarter=2, value=Decimal(real), explanation="x")
        Achievement.objects.create(
            run=run, indicator=indicator, quarter=2, value=Decimal(real), missing=False
        )
        rows[year] = indicator
    # Not shown: another agency's private contract, a draft, an employee's SKP.
    private = ContractFactory(agency=AgencyFactory(is_public=False), employee=None, year=2025)
    IndicatorFactory(contract=private, code="IKU1")
    return agency, run, rows


def test_values_are_typed_as_the_models_give_them(figures):
    agency, run, rows = figures
    [row] = indicator_quarter(run.pk, [2], agency_id=agency.pk, year=2025)
    assert row.pk == rows[2025].pk and row.code == "IKU1" and row.weight == Decimal("2.50")
    assert (row.agency_code, row.year) == (agency.code, 2025)
    assert row.target == Decimal("100.0000") and isinstance(row.target, Decimal)
    assert row.realisation == Decimal("90.2500") and row.achievement == Decimal("90.25")
    assert row.overdue is False and row.explanation == "x"
    assert isinstance(row.updated_at, datetime.datetime) and row.updated_at.tzinfo is not None
    assert row.last_year_realisation == Decimal("80.5000")
    assert row.last_year_achievement == Decimal("80.50")


def test_a_quarter_without_figures_and_the_public_filter(figures):
    agency, run, _ = figures
    [row] = indicator_quarter(run.pk, [3], agency_id=agency.pk, year=2025)
    assert row.target is row.realisation is row.achievement is row.overdue is None
    everything = indicator_quarter(run.pk, [2])
    assert {r.agency_code for r in everything} == {agency.code}  # the private one is not
    assert [r.year for r in everything] == [2024, 2025]
    assert [r.year for r in indicator_quarter(run.pk, [2], agency_ids=[agency.pk])] == [2024, 2025]
    assert indicator_quarter(run.pk, [2], agency_ids=[]) == []
    both = indicator_quarter(run.pk, [1, 2], agency_id=agency.pk, year=2025)
    assert [(r.quarter, r.target) for r in both] == [(1, None), (2, Decimal("100.0000"))]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_the_statement_is_prepared_and_its_plan_kept(figures):
    """Planning the query's eleven tables costs more than running it: a connection that has
    run it five times has it prepared, and PostgreSQL then reuses a generic plan."""
    agency, run, _ = figures
    for _ in range(12):
        assert [r.year for r in indicator_quarter(run.pk, [2], agency_id=agency.pk)] == [2024, 2025]
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans FROM pg_prepared_statements")
        prepared = dict(cursor.fetchall())
    # One quarter ($1), then the run twice, the status and the public flag, then the agency.
    [generic] = [n for sql, n in prepared.items() if "AND ag.id = $6\nORDER BY" in sql]
    assert generic >= 1
