"""The reward and penalty rules on the predikat of PermenPAN-RB 6/2022 (issue 20), end to end
through the recompute: a rule fires on a rated civil servant's closed year, never on an
unrated one (whatever their score) nor on a provisional year (whatever their ratings); the
decision's evidence carries both ratings, the matrix cell, and the pages show it."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from performance.services import recompute_scores
from rewards.models import Decision, Rule
from rewards.rules import apply_rules
from tests.conftest import AFTER_2025
from tests.factories import SchemeFactory, StaffRatingFactory
from tests.performance.test_ratings import skp

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def fired(run) -> set[tuple[str, int]]:
    apply_rules(run=run)
    return {(d.rule.code, d.employee_id) for d in Decision.objects.exclude(employee=None)}


def test_no_rule_fires_for_an_unrated_civil_servant_whatever_their_score(cast):
    low, high = skp(cast.agency_a, "20"), skp(cast.agency_a, "120")  # bands SK and SB
    assert fired(recompute_scores(today=AFTER_2025)) == set()
    StaffRatingFactory(contract=low, results="below", behaviour="below")
    StaffRatingFactory(contract=high, results="above", behaviour="above")
    assert fired(recompute_scores(today=AFTER_2025)) == {
        ("employee-penalty", low.employee_id),
        ("employee-reward", high.employee_id),
    }


def test_no_rule_fires_on_a_provisional_year_whatever_the_ratings(cast):
    contract = skp(cast.agency_a, "20")
    StaffRatingFactory(contract=contract, results="below", behaviour="below")
    assert fired(recompute_scores(today=datetime.date(2025, 12, 20))) == set()  # Q4 open


def test_the_rules_read_the_matrix_not_the_score(cast):
    """A score of 120 rated above expectation in results and below in behaviour is Kurang
    (misconduct): coached, not rewarded."""
    contract = skp(cast.agency_a, "120")
    StaffRatingFactory(contract=contract, results="above", behaviour="below")
    assert fired(recompute_scores(today=AFTER_2025)) == {
        ("employee-coaching", contract.employee_id)
    }


def test_an_employee_rule_judges_the_year_only(cast):
    scheme = SchemeFactory(year=2025)
    rule = Rule(scheme=scheme, label="x", level="employee", period="quarter", predikats=["Baik"])
    with pytest.raises(ValidationError, match="rated per year"):
        rule.full_clean()


def test_the_evidence_shows_both_ratings_and_the_cell(cast, leader, officer_a):
    contract = skp(cast.agency_a, "20")
    StaffRatingFactory(contract=contract, results="below", behaviour="as_expected")
    run = recompute_scores(today=AFTER_2025)
    apply_rules(run=run)
    decision = Decision.objects.get(employee=contract.employee)
    assert decision.rule.code == "employee-coaching"  # Butuh Perbaikan
    assert decision.evidence["scores"] == [
        {
            "year": 2025,
            "period": "Y",
            "score": "20.00",
            "predikat": "Butuh Perbaikan",
            "results": "below",
            "behaviour": "as_expected",
        }
    ]
    for client, name in ((leader, "rewards:detail"), (officer_a, "staff_decisions:detail")):
        page = client.get(reverse(name, args=[decision.pk])).content.decode()
        assert "results below expectation × behaviour as expected" in page
        assert "Butuh Perbaikan" in page
