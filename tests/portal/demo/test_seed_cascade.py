"""seed_demo's cascade (issue 22): province goals with targets for both years, the province
agencies' first indicators serving them, staff indicators serving their agency's, so the
goals page, the scorecard's supported-by counts (shown and suppressed) and the leaders'
gaps all show something."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agencies.models import Agency
from performance.cascade import unlinked_counts
from performance.models import GoalTarget, Indicator, Support
from performance.services import recompute_scores
from portal.demo import tables
from tests.portal.demo.test_seed_demo import seeded  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def test_the_demo_has_goals_links_and_support_on_both_sides_of_the_minimum(seeded, client):  # noqa: F811
    assert set(GoalTarget.objects.values_list("year", flat=True)) == set(tables.YEARS)
    assert Indicator.objects.filter(goal_indicator__isnull=False).exists()
    assert Indicator.objects.filter(parent__isnull=False).exists()

    run = recompute_scores(today=tables.REFERENCE_DAY)

    staff = list(Support.objects.filter(run=run, year=2025).values_list("staff", flat=True))
    assert any(n >= 10 for n in staff) and any(n < 10 for n in staff)
    page = client.get(reverse("goals"), {"year": 2025})
    assert any(line.serving for goal in page.context["goals"] for line in goal.lines)
    gaps = unlinked_counts(Agency.objects.all(), 2025).values()
    assert any(g.unsupported for g in gaps) and any(g.serving_nothing for g in gaps)
