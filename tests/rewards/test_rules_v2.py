"""The rules under scoring contract version 2 (rewards/rules.py): no rule fires on a
provisional score or on an incomplete agency score; agency rules name the organisation
scale of PermenPAN-RB 6/2022 (Istimewa ...), employee rules the SKP score bands; the
default rules stored before are carried over by a data migration."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from performance.models import ScoringScheme
from rewards.models import Rule
from rewards.rules import DEFAULT_RULES, apply_rules, ensure_default_rules
from tests.conftest import AFTER_2025
from tests.factories import AgencyFactory, EmployeeFactory
from tests.rewards.data import decisions, published_run, score

pytestmark = pytest.mark.django_db

OCT_20 = datetime.date(2025, 10, 20)


@pytest.fixture
def agency():
    return AgencyFactory(code="DIKES")


def codes() -> list[str]:
    return sorted(d.rule.code for d in decisions())


def test_the_default_agency_award_names_istimewa():
    spec = next(s for s in DEFAULT_RULES if s["code"] == "agency-award")
    assert spec["predikats"] == ["Istimewa"]
    assert spec["label"] == "Penghargaan instansi: instansi berpredikat Istimewa untuk tahun ini"
    assert spec["label_en"] == "Agency award: agency Istimewa for the year"
    # Employee rules keep the SKP score bands.
    reward = next(s for s in DEFAULT_RULES if s["code"] == "employee-reward")
    assert reward["predikats"] == ["Sangat Baik"]


def test_an_istimewa_agency_is_awarded_with_its_predikat_as_evidence(agency):
    run = published_run()
    score(run, agency, 2025, "Y", "112.50")
    apply_rules(run=run)
    [award] = decisions("agency-award")
    assert award.evidence["scores"] == [
        {"year": 2025, "period": "Y", "score": "112.50", "predikat": "Istimewa"}
    ]


def test_no_rule_fires_on_an_incomplete_agency_score(agency):
    other = AgencyFactory(code="DIKBUD")
    run = published_run()
    score(run, agency, 2025, "Y", "115", complete=False)  # e.g. K present, S missing
    score(run, other, 2025, "Y", "115")
    for q in (1, 2, 3, 4):
        score(run, agency, 2025, f"Q{q}", "40", complete=False)
    apply_rules(run=run)
    assert [(d.rule.code, d.agency_id) for d in decisions()] == [("agency-award", other.pk)]


def test_no_rule_fires_on_a_provisional_score_even_when_judged_later(agency):
    # The run was computed on 20 October 2025: Q4 and the year were provisional then, and
    # its scores say so. Judging that run as of February 2026 must not treat them as final.
    employee = EmployeeFactory(agency=agency)
    run = published_run(years=(2025,), as_of=OCT_20)
    score(run, agency, 2025, "Q4", "40")
    score(run, agency, 2025, "Y", "40")
    score(run, employee, 2025, "Y", "10")
    score(run, agency, 2025, "Q3", "40")  # closed on the run's day: final
    apply_rules(run=run, today=AFTER_2025)
    assert [(d.rule.code, d.period) for d in decisions()] == [("agency-early-warning", "Q3")]


def test_a_score_rule_reads_only_final_scores(agency):
    run = published_run(years=(2025,), as_of=OCT_20)
    score(run, agency, 2025, "Q3", "40")
    score(run, agency, 2025, "Q4", "40")
    rule = Rule.objects.create(
        scheme=ScoringScheme.objects.get(year=2025),
        label="below 50 in a quarter",
        level=Rule.Level.AGENCY,
        period=Rule.Period.QUARTER,
        condition=Rule.Condition.SCORE_BELOW,
        value="50",
        outcome="review",
    )
    apply_rules(run=run, today=AFTER_2025)
    assert [d.period for d in decisions() if d.rule_id == rule.pk] == ["Q3"]


@pytest.mark.parametrize(
    ("level", "predikats", "valid"),
    [
        (Rule.Level.AGENCY, ["Istimewa"], True),
        (Rule.Level.AGENCY, ["Kurang", "Sangat Kurang"], True),
        (Rule.Level.AGENCY, ["Sangat Baik"], False),  # not on the organisation scale
        (Rule.Level.EMPLOYEE, ["Sangat Baik"], True),
        (Rule.Level.EMPLOYEE, ["Istimewa"], False),
    ],
)
def test_a_predikat_rule_names_the_scale_of_its_level(level, predikats, valid):
    scheme = ScoringScheme.objects.create(year=2025)
    rule = Rule(scheme=scheme, label="x", level=level, predikats=predikats, outcome="reward")
    if valid:
        rule.full_clean()
    else:
        with pytest.raises(ValidationError, match="predikat"):
            rule.full_clean()


def test_the_migration_renames_sangat_baik_in_stored_agency_rules():
    migration = importlib.import_module(
        "rewards.migrations.0004_agency_rules_on_the_organisation_scale"
    )
    scheme = ScoringScheme.objects.create(year=2025)
    ensure_default_rules(scheme)
    award = Rule.objects.get(code="agency-award")
    # As version 1 stored it, and a hand-made rule with an edited label.
    award.predikats, award.label = ["Sangat Baik"], migration.OLD_LABEL
    award.save()
    edited = Rule.objects.create(
        scheme=scheme,
        label="Our own award",
        level=Rule.Level.AGENCY,
        predikats=["Sangat Baik", "Baik"],
        outcome="reward",
    )
    staff = Rule.objects.get(code="employee-reward")

    migration.forwards(apps, None)

    award.refresh_from_db()
    edited.refresh_from_db()
    staff.refresh_from_db()
    assert (award.predikats, award.label) == (["Istimewa"], migration.NEW_LABEL)
    assert (edited.predikats, edited.label) == (["Istimewa", "Baik"], "Our own award")
    assert staff.predikats == ["Sangat Baik"]  # employee rules keep the SKP bands
    award.full_clean()
    edited.full_clean()
