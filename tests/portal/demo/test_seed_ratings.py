"""seed_demo rates most civil servants of its closed year through ratings.csv (issue 20), so
that the demo's leader queue shows rule firings on matrix predikat."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from performance.models import PerformanceContract, StaffRating
from performance.services import recompute_scores
from portal.demo import tables
from rewards.models import Decision
from rewards.rules import apply_rules
from tests.portal.demo.test_seed_demo import SMALL, seeded  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def test_most_civil_servants_of_the_closed_year_are_rated(seeded):  # noqa: F811
    skp = PerformanceContract.objects.filter(year=2025, employee__isnull=False)
    rated = StaffRating.objects.filter(contract__year=2025).count()
    assert 0.8 * skp.count() <= rated < skp.count()  # some left for the approvers' screen
    assert not StaffRating.objects.filter(contract__year=2026).exists()  # not closed
    levels = set(StaffRating.objects.values_list("results", "behaviour"))
    assert len(levels) >= 6
    before = list(StaffRating.objects.order_by("pk").values_list("pk", "results", "behaviour"))
    call_command("seed_demo", "--employees", str(SMALL), stdout=StringIO())
    assert list(StaffRating.objects.order_by("pk").values_list("pk", "results", "behaviour")) == (
        before
    )


def test_the_leaders_queue_has_decisions_on_matrix_predikat(seeded):  # noqa: F811
    run = recompute_scores(today=tables.REFERENCE_DAY)
    apply_rules(run=run)
    staff = Decision.objects.filter(employee__isnull=False, year=2025)
    assert {"employee-reward", "employee-coaching", "employee-penalty"} <= set(
        staff.values_list("rule__code", flat=True)
    )
    for d in staff:
        (evidence,) = d.evidence["scores"]
        assert evidence["results"] and evidence["behaviour"]
