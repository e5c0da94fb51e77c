"""Auditors read; where a write refuses them they get a page that says so (403), not a bare
404 (issue 23). Other scopes still get the 404 of a missing object."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.common.read_only import WRITES
from tests.security import policy as authz
from tests.security.policy import ALLOW, DENY, HIDDEN

from .conftest import changed_tables, fingerprint

pytestmark = pytest.mark.django_db


def test_an_auditor_is_told_the_page_is_read_only_and_nothing_changes(in_world):
    w = in_world
    client = w.client("auditor")
    url = reverse("workspace:contract_approve", args=[w.objects["submitted"].pk])
    response = client.post(url)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Read-only access" in html
    assert "would approve a contract, which is done by an approver of the agency" in html
    response = client.post(
        reverse("rewards:decide", args=[w.objects["recommended"].pk]), {"action": "approve"}
    )
    assert response.status_code == 403
    assert "decide a recommendation" in response.content.decode()
    assert changed_tables(w.baseline, fingerprint()) == []


def test_reading_pages_keep_their_404_and_other_scopes_theirs(in_world):
    w = in_world
    auditor = w.client("auditor")
    assert auditor.get(reverse("rewards:detail", args=[999_999_999])).status_code == 404
    assert auditor.get(reverse("workspace:contract", args=[999_999_999])).status_code == 404
    # An officer of another agency: a 404, the same as for a contract that does not exist.
    url = reverse("workspace:contract_edit", args=[w.objects["draft"].pk])
    response = w.client("officer_b").get(url)
    assert response.status_code == 404
    assert "Read-only access" not in response.content.decode()


def test_every_write_an_auditor_is_refused_is_listed():
    """A URL that agency A's own users may use and the auditor is hidden from is a write
    missing from `WRITES` (the auditor would get a bare 404); each listed write is denied
    to the auditor in the policy table."""
    table = authz.table()
    for (name, method), rule in table.items():
        others = (rule.officer, rule.approver, rule.leader)
        if rule.auditor == HIDDEN and ALLOW in others:
            raise AssertionError(f"{name} {method}: a write not in portal.common.read_only")
    for name, (methods, _what, _who) in WRITES.items():
        for method in methods:
            assert table[(name, method)].auditor == DENY, (name, method)
