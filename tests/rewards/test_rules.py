"""The rules engine (rewards/rules.py): each default rule fires exactly when it should,
boundaries included, never twice; recommendations are withdrawn after a correction and
recommended again; decided ones are never touched."""

import datetime
import importlib
from decimal import Decimal as D

import pytest
from django.db import IntegrityError
from django.utils import translation

from performance.models import ScoringScheme
from rewards.models import Decision, Outcome, Rule
from rewards.rules import DEFAULT_RULES, apply_rules, ensure_default_rules
from tests.factories import (
    AgencyFactory,
    ContractFactory,
    EmployeeFactory,
    IndicatorFactory,
    RealisationFactory,
    TargetFactory,
)
from tests.rewards.data import copy_run, decisions, published_run, score, set_score

pytestmark = pytest.mark.django_db
Status = Decision.Status


@pytest.fixture
def agency():
    return AgencyFactory(code="DIKES")


@pytest.fixture
def employee(agency):
    return EmployeeFactory(agency=agency)


def fired(code: str) -> list[tuple]:
    return [(d.year, d.period, d.status) for d in decisions(code)]


def test_a_scheme_gets_the_seven_default_rules_once():
    scheme = ScoringScheme.objects.create(year=2025)
    assert ensure_default_rules(scheme) == 7
    assert ensure_default_rules(scheme) == 0
    rules = list(scheme.rules.all())
    assert [r.code for r in rules] == [spec["code"] for spec in DEFAULT_RULES]
    escalated = rules[3]
    assert (escalated.consecutive, escalated.outcome, escalated.for_leader_review) == (
        2,
        Outcome.PENALTY,
        True,
    )
    warning = rules[6]
    assert (warning.label, warning.label_en, warning.outcome, warning.period, warning.value) == (
        "Peringatan dini: nilai triwulan instansi di bawah 70",
        "Early warning: the agency's quarterly score below 70",
        Outcome.REVIEW,
        Rule.Period.QUARTER,
        D("70.00"),
    )


def test_a_scheme_with_edited_rules_keeps_them(agency):
    scheme = ScoringScheme.objects.create(year=2025)
    Rule.objects.create(
        scheme=scheme, label="only this", level="agency", predikats=["Baik"], outcome="reward"
    )
    run = published_run(years=(2025,))
    score(run, agency, 2025, "Y", "95")
    apply_rules(run=run)
    assert scheme.rules.count() == 1
    assert [d.rule.label for d in decisions()] == ["only this"]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("110.00", "employee-reward"),
        ("109.99", None),
        ("90.00", None),
        ("69.99", "employee-coaching"),
        ("50.00", "employee-coaching"),
        ("70.00", "employee-coaching"),  # Butuh Perbaikan: coached too under 6/2022
        ("89.99", "employee-coaching"),
        ("49.99", "employee-penalty"),
        ("0.00", "employee-penalty"),
    ],
)
def test_employee_rules_fire_on_the_predikat_of_the_year(employee, value, code):
    run = published_run()
    score(run, employee, 2025, "Y", value)
    apply_rules(run=run)
    got = [(d.rule.code, d.employee_id, d.agency_id, d.year, d.period) for d in decisions()]
    expected = [(code, employee.pk, employee.agency_id, 2025, "Y")] if code else []
    assert got == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("110.00", "agency-award"),
        ("109.99", None),
        ("70.00", None),
        ("69.99", "agency-review"),
        ("49.99", "agency-review"),
    ],
)
def test_agency_rules_fire_on_the_predikat_of_the_year(agency, value, code):
    run = published_run()
    score(run, agency, 2025, "Y", value)
    apply_rules(run=run)
    assert [(d.rule.code, d.agency_id, d.employee_id) for d in decisions()] == (
        [(code, agency.pk, None)] if code else []
    )


def test_employee_rules_ignore_agency_scores_and_the_other_way_round(agency, employee):
    run = published_run()
    score(run, agency, 2025, "Y", "120")
    score(run, employee, 2025, "Y", "30")
    apply_rules(run=run)
    assert sorted(d.rule.code for d in decisions()) == ["agency-award", "employee-penalty"]


def test_sangat_kurang_two_years_running_is_escalated_with_both_scores(employee):
    run = published_run()
    score(run, employee, 2024, "Y", "49.99")
    score(run, employee, 2025, "Y", "12.50")
    apply_rules(run=run)
    (escalated,) = decisions("employee-penalty-escalated")
    assert (escalated.year, escalated.period, escalated.status) == (2025, "Y", Status.RECOMMENDED)
    assert escalated.rule.for_leader_review
    assert escalated.evidence["scores"] == [
        {
            "year": 2024,
            "period": "Y",
            "score": "49.99",
            "predikat": "Sangat Kurang",
            "results": "below",
            "behaviour": "below",
        },
        {
            "year": 2025,
            "period": "Y",
            "score": "12.50",
            "predikat": "Sangat Kurang",
            "results": "below",
            "behaviour": "below",
        },
    ]
    assert escalated.evidence["run"] == run.pk
    # The plain penalty fires for each year on its own (2024's by the 2024 scheme's rules).
    assert fired("employee-penalty") == [(2024, "Y", "recommended"), (2025, "Y", "recommended")]


@pytest.mark.parametrize(
    ("scores", "escalated"),
    [
        ({2025: "20"}, False),  # one year only
        ({2024: "50.00", 2025: "20"}, False),  # Kurang, then Sangat Kurang
        ({2024: "20", 2025: "50.00"}, False),  # Sangat Kurang, then Kurang
        ({2023: "20", 2025: "20"}, False),  # not consecutive
        ({2024: "20", 2025: "20"}, True),
    ],
)
def test_escalation_needs_two_consecutive_years(employee, scores, escalated):
    run = published_run(years=(2023, 2024, 2025))
    for year, value in scores.items():
        score(run, employee, year, "Y", value)
    apply_rules(run=run)
    assert fired("employee-penalty-escalated") == (
        [(2025, "Y", "recommended")] if escalated else []
    )


def test_early_warning_for_each_closed_quarter_below_70(agency):
    run = published_run(years=(2025,))
    for q, value in ((1, "69.99"), (2, "70.00"), (3, "12"), (4, "95")):
        score(run, agency, 2025, f"Q{q}", value)
    score(run, agency, 2025, "Y", "75")
    apply_rules(run=run)
    assert fired("agency-early-warning") == [
        (2025, "Q1", "recommended"),
        (2025, "Q3", "recommended"),
    ]
    (q1,) = decisions("agency-early-warning", period="Q1")
    assert q1.evidence["scores"] == [
        {"year": 2025, "period": "Q1", "score": "69.99", "predikat": "Kurang"}
    ]
    assert q1.rule.outcome == Outcome.REVIEW


def test_open_periods_are_not_judged(agency, employee):
    # As of 20 October 2025: Q1-Q3 are closed, Q4 and the year are not.
    run = published_run(years=(2025,), as_of=datetime.date(2025, 10, 20))
    for q in (1, 2, 3, 4):
        score(run, agency, 2025, f"Q{q}", "40")
    score(run, agency, 2025, "Y", "40")
    score(run, employee, 2025, "Y", "10")
    apply_rules(run=run)
    assert fired("agency-early-warning") == [(2025, f"Q{q}", "recommended") for q in (1, 2, 3)]
    assert fired("agency-review") == []
    assert fired("employee-penalty") == []


def test_q3_is_judged_from_16_october(agency):
    for as_of, expected in ((datetime.date(2025, 10, 15), 2), (datetime.date(2025, 10, 16), 3)):
        run = published_run(years=(2025,), as_of=as_of)
        for q in (1, 2, 3):
            score(run, agency, 2025, f"Q{q}", "40")
        apply_rules(run=run)
        assert len(decisions("agency-early-warning")) == expected


def test_a_quarter_rule_held_over_quarters_crosses_the_year(agency):
    scheme = ScoringScheme.objects.create(year=2025)
    ensure_default_rules(scheme)
    Rule.objects.filter(scheme=scheme, code="agency-early-warning").update(consecutive=2)
    run = published_run()
    score(run, agency, 2024, "Q4", "60")
    score(run, agency, 2025, "Q1", "60")
    score(run, agency, 2025, "Q2", "80")
    score(run, agency, 2025, "Q3", "60")
    apply_rules(run=run)
    (d,) = decisions("agency-early-warning", year=2025)
    assert d.period == "Q1"
    assert [(s["year"], s["period"]) for s in d.evidence["scores"]] == [(2024, "Q4"), (2025, "Q1")]


def test_score_at_least_includes_the_value(agency):
    scheme = ScoringScheme.objects.create(year=2025)
    Rule.objects.create(
        scheme=scheme,
        code="high",
        label="high",
        level="agency",
        condition="score_at_least",
        value=D("100"),
        outcome="reward",
    )
    other = AgencyFactory()
    run = published_run(years=(2025,))
    score(run, agency, 2025, "Y", "100.00")
    score(run, other, 2025, "Y", "99.99")
    apply_rules(run=run)
    assert [d.agency_id for d in decisions("high")] == [agency.pk]


def test_rerunning_never_duplicates(agency, employee):
    run = published_run()
    score(run, employee, 2024, "Y", "20")
    score(run, employee, 2025, "Y", "20")
    score(run, agency, 2025, "Q1", "50")
    first = apply_rules(run=run)
    assert first.recommended == 4  # penalty 2024 and 2025, escalated 2025, warning Q1 2025
    again = apply_rules(run=run)
    assert (again.recommended, again.withdrawn, again.refreshed, again.unchanged) == (0, 0, 0, 4)
    assert Decision.objects.count() == 4
    assert all(d.history.count() == 1 for d in Decision.objects.all())


def test_the_database_refuses_a_duplicate(employee):
    run = published_run()
    score(run, employee, 2025, "Y", "20")
    apply_rules(run=run)
    (d,) = decisions()
    d.pk = None
    with pytest.raises(IntegrityError):
        d.save()


def test_a_corrected_score_withdraws_the_recommendation_with_a_record(english, employee):
    run = published_run()
    score(run, employee, 2025, "Y", "20")
    apply_rules(run=run)
    (d,) = decisions()
    corrected = copy_run(run)
    set_score(corrected, employee, 2025, "Y", "95")
    summary = apply_rules(run=corrected)
    assert summary.withdrawn == 1
    d.refresh_from_db()
    assert (d.status, d.run_id) == (Status.WITHDRAWN, corrected.pk)
    latest = d.history.first()
    assert latest.status == Status.WITHDRAWN
    assert "no longer holds" in latest.history_change_reason
    assert str(corrected.pk) in latest.history_change_reason

    # Wrong again: the same decision is recommended again, not a new one.
    third = copy_run(corrected)
    set_score(third, employee, 2025, "Y", "30")
    summary = apply_rules(run=third)
    assert (summary.recommended, summary.recommended_again) == (0, 1)
    d.refresh_from_db()
    assert d.status == Status.RECOMMENDED
    assert d.evidence["scores"][0]["score"] == "30.00"
    assert [h.status for h in d.history.order_by("history_id")] == [
        "recommended",
        "withdrawn",
        "recommended",
    ]


def test_a_changed_score_that_still_meets_the_rule_refreshes_the_evidence(english, employee):
    run = published_run()
    score(run, employee, 2025, "Y", "20")
    apply_rules(run=run)
    newer = copy_run(run)
    set_score(newer, employee, 2025, "Y", "25")
    assert apply_rules(run=newer).refreshed == 1
    (d,) = decisions()
    assert (d.status, d.evidence["scores"][0]["score"], d.run_id) == (
        Status.RECOMMENDED,
        "25.00",
        newer.pk,
    )
    assert "Evidence updated" in d.history.first().history_change_reason


@pytest.mark.parametrize("status", [Status.APPROVED, Status.REJECTED])
def test_decided_decisions_are_never_touched(employee, status):
    run = published_run()
    score(run, employee, 2025, "Y", "20")
    apply_rules(run=run)
    Decision.objects.update(status=status, reason="decided")
    newer = copy_run(run)
    set_score(newer, employee, 2025, "Y", "95")
    summary = apply_rules(run=newer)
    assert (summary.withdrawn, summary.decided_untouched) == (0, 0)
    set_score(newer, employee, 2025, "Y", "25")
    summary = apply_rules(run=newer)
    assert (summary.refreshed, summary.decided_untouched) == (0, 1)
    (d,) = decisions()
    assert (d.status, d.run_id, d.evidence["scores"][0]["score"]) == (status, run.pk, "20.00")


def test_deactivating_a_rule_withdraws_its_recommendations(english, employee):
    run = published_run()
    score(run, employee, 2025, "Y", "20")
    apply_rules(run=run)
    Rule.objects.filter(code="employee-penalty").update(active=False)
    assert apply_rules(run=run).withdrawn == 1
    (d,) = decisions()
    assert d.status == Status.WITHDRAWN
    assert "no longer active" in d.history.first().history_change_reason


def test_only_the_latest_published_run_is_evaluated(employee):
    old = published_run()
    score(old, employee, 2025, "Y", "20")
    published_run()
    assert apply_rules(run=old).skipped
    assert not Decision.objects.exists()
    running = published_run()
    running.status = running.Status.RUNNING
    running.save()
    with pytest.raises(ValueError, match="not published"):
        apply_rules(run=running)


def test_the_rules_read_a_bounded_number_of_queries(django_assert_max_num_queries, agency):
    run = published_run()
    staff = EmployeeFactory.create_batch(30, agency=agency)
    for n, e in enumerate(staff):
        score(run, e, 2024, "Y", "20")
        score(run, e, 2025, "Y", str(10 + n * 4))
    with django_assert_max_num_queries(60):  # per year: a few per rule, whatever the staff
        summary = apply_rules(run=run)
    assert summary.recommended > 30


def test_recompute_then_rules_withdraws_after_a_correction(after_2025):
    """Through the real recompute: an agency whose PK realisation is corrected from 40% to
    95% of target loses its performance review and its early warnings."""
    from rewards.services import recompute_and_apply

    agency = AgencyFactory()
    contract = ContractFactory(agency=agency, year=2025)
    indicator = IndicatorFactory(contract=contract)
    realisations = []
    for q in (1, 2, 3, 4):
        TargetFactory(indicator=indicator, quarter=q, value=D(100))
        realisations.append(RealisationFactory(indicator=indicator, quarter=q, value=D(40)))
    run, summary = recompute_and_apply(today=after_2025)
    assert sorted((d.rule.code, d.period) for d in decisions()) == [
        ("agency-early-warning", "Q1"),
        ("agency-early-warning", "Q2"),
        ("agency-early-warning", "Q3"),
        ("agency-early-warning", "Q4"),
        ("agency-review", "Y"),
    ]
    for r in realisations:
        r.value = D(95)
        r.save()
    run, summary = recompute_and_apply(today=after_2025)
    assert summary.withdrawn == 5
    assert {d.status for d in decisions()} == {Status.WITHDRAWN}


@pytest.mark.parametrize(("language", "attribute"), [("id", "label"), ("en", "label_en")])
def test_a_rule_is_shown_in_the_visitor_s_language(language, attribute):
    """Rules' labels are data stored per language; a rule without an English label shows the
    Indonesian one on the English pages rather than nothing."""
    spec = next(s for s in DEFAULT_RULES if s["code"] == "agency-early-warning")
    rule = Rule(label=spec["label"], label_en=spec["label_en"])
    with translation.override(language):
        assert str(rule) == rule.shown_label == spec[attribute]
        assert Rule(label="Aturan provinsi").shown_label == "Aturan provinsi"


def test_the_migration_gives_existing_rules_the_default_labels_of_both_languages():
    migration = importlib.import_module("rewards.migrations.0006_rule_labels_per_language")
    now = {s["code"]: (s["label"], s["label_en"]) for s in DEFAULT_RULES}
    assert {code: labels[1:] for code, labels in migration.LABELS.items()} == now
