"""The migration to scoring contract version 2 carries the published runs' scores over
(performance/migrations/0009): `final` from the day each run was computed, no predikat on a
provisional period, the agencies' Sangat Baik called Istimewa, `complete`, and the IKM that
version 1 stored as S kept as `ikm`."""

import datetime
import importlib
from decimal import Decimal as D

import pytest
from django.apps import apps

from performance.models import Score, ScoreRun
from tests.factories import AgencyFactory, ContractFactory, EmployeeFactory, ServiceFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("performance.migrations.0009_scoring_contract_v2")


def v1_score(run, agency, period, predikat, *, contract=None, k=None, s=None) -> Score:
    """A score row as version 1 wrote it (the new fields at their defaults)."""
    return Score.objects.create(
        run=run,
        agency=agency,
        contract=contract,
        year=2025,
        period=period,
        k=k,
        s=s,
        score=D("111"),
        predikat=predikat,
    )


def test_published_scores_are_labelled_in_the_words_of_version_2():
    # A run of 20 October 2025 (15 grace days): Q1-Q3 closed, Q4 and the year open.
    run = ScoreRun.objects.create(
        status=ScoreRun.Status.PUBLISHED,
        as_of=datetime.date(2025, 10, 20),
        schemes={"2025": {"version": 1, "entry_grace_days": "15"}},
    )
    dikes, bappeda = AgencyFactory(), AgencyFactory()
    ServiceFactory(agency=dikes)
    pk = ContractFactory(agency=dikes, year=2025)
    skp = ContractFactory(agency=dikes, employee=EmployeeFactory(agency=dikes), year=2025)
    rows = {
        "q3": v1_score(run, dikes, "Q3", "Sangat Baik", k=D("111"), s=D("75.00")),
        "q3_no_s": v1_score(run, bappeda, "Q3", "Sangat Baik", k=D("111")),  # no service
        "q4": v1_score(run, dikes, "Q4", "Sangat Baik", k=D("111")),  # a service, no S
        "y": v1_score(run, dikes, "Y", "Baik", s=D("80.00")),  # no K
        "pk_q3": v1_score(run, dikes, "Q3", "Sangat Baik", contract=pk),
        "skp_q3": v1_score(run, dikes, "Q3", "Sangat Baik", contract=skp),
        "skp_y": v1_score(run, dikes, "Y", "Sangat Baik", contract=skp),
    }

    migration.label_existing_scores(apps, None)

    got = {
        name: Score.objects.values_list("final", "predikat", "complete", "ikm").get(pk=s.pk)
        for name, s in rows.items()
    }
    assert got == {
        "q3": (True, "Istimewa", True, D("75.00")),
        "q3_no_s": (True, "Istimewa", True, None),
        "q4": (False, "", False, None),
        "y": (False, "", False, D("80.00")),
        "pk_q3": (True, "Istimewa", True, None),
        "skp_q3": (True, "Sangat Baik", True, None),  # a civil servant's band stays
        "skp_y": (False, "", True, None),
    }
