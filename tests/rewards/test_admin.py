"""Admin: a rule is part of its scheme (a change moves the scheme's version on, also when
edited inline on the scheme); decisions and objections are read-only."""

import pytest
from django.contrib.auth.models import User

from performance.models import ScoringScheme
from rewards.models import Rule
from rewards.rules import ensure_default_rules

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = User.objects.create_superuser("root", "root@example.org", "pw-not-used-9")
    client.force_login(user)
    return client


@pytest.fixture
def scheme():
    scheme = ScoringScheme.objects.create(year=2025)
    ensure_default_rules(scheme)
    return scheme


def version(scheme) -> int:
    return ScoringScheme.objects.get(pk=scheme.pk).version


def rule_form(rule: Rule, **changes) -> dict:
    data = {
        "scheme": rule.scheme_id,
        "order": rule.order,
        "code": rule.code,
        "label": rule.label,
        "level": rule.level,
        "period": rule.period,
        "condition": rule.condition,
        "predikats": '["Sangat Kurang"]',
        "initial-predikats": '["Sangat Kurang"]',  # a callable default: the admin sends it
        "value": rule.value or "",
        "consecutive": rule.consecutive,
        "outcome": rule.outcome,
        "tpp_adjustment": rule.tpp_adjustment if rule.tpp_adjustment is not None else "",
        "active": "on" if rule.active else "",
    }
    data.update(changes)
    return data


def test_saving_a_rule_moves_the_scheme_version_on(admin_client, scheme):
    rule = scheme.rules.get(code="employee-penalty")
    url = f"/admin/rewards/rule/{rule.pk}/change/"
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, rule_form(rule, tpp_adjustment="-15"))
    assert response.status_code == 302, response.content[:2000]
    assert version(scheme) == 2
    assert Rule.objects.get(pk=rule.pk).tpp_adjustment == -15
    admin_client.post(url, rule_form(Rule.objects.get(pk=rule.pk)))  # unchanged
    assert version(scheme) == 2


def test_deleting_a_rule_moves_the_scheme_version_on(admin_client, scheme):
    rule = scheme.rules.get(code="agency-award")
    response = admin_client.post(f"/admin/rewards/rule/{rule.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert version(scheme) == 2 and scheme.rules.count() == 6


def test_a_predikat_rule_needs_valid_predikat_values(admin_client, scheme):
    rule = scheme.rules.get(code="employee-penalty")
    response = admin_client.post(
        f"/admin/rewards/rule/{rule.pk}/change/", rule_form(rule, predikats='["Buruk"]')
    )
    assert response.status_code == 200 and "predikat" in response.content.decode().lower()
    assert version(scheme) == 1


def test_the_scheme_page_edits_its_rules_inline(admin_client, scheme):
    url = f"/admin/performance/scoringscheme/{scheme.pk}/change/"
    html = admin_client.get(url).content.decode()
    assert (
        "Peringatan dini" in html and "Early warning" in html and 'name="rules-TOTAL_FORMS"' in html
    )


def test_decisions_and_objections_are_read_only(admin_client, world):
    d = world.decisions["citra"]
    assert admin_client.get("/admin/rewards/decision/").status_code == 200
    html = admin_client.get(f"/admin/rewards/decision/{d.pk}/change/").content.decode()
    assert 'name="status"' not in html
    assert admin_client.get("/admin/rewards/decision/add/").status_code == 403
    assert admin_client.get("/admin/rewards/objection/").status_code == 200
