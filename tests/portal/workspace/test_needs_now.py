"""Every role lands on 'what needs me now', in every year (issue 23): the approver's landing
counts a next-year contract waiting as much as this year's; officers see what came back to
them; leaders what waits within their authority; nobody sees another agency's queue."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from performance.models import LateChange, PerformanceContract
from tests.portal.workspace.data import contract_of, skp_of

Status = PerformanceContract.Status
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
THIS_YEAR = timezone.localdate().year


ITEM = r'<a href="[^"]*">([^<]+)</a> <span class="big">([\d.,]+)</span>'


def needs(html: str) -> dict[str, int]:
    """{label: count} of the page's 'What needs you now' card."""
    card = html.split('id="needs-heading"', 1)[1].split("</section>", 1)[0]
    return {
        label: int(n.replace(",", "").replace(".", ""))
        for label, n in re.findall(
            r'<a href="[^"]*">([^<]+)</a> <span class="big">([\d.,]+)</span>', card
        )
    }


def test_the_approver_lands_on_every_years_contracts_to_approve(cast, approver_a):
    for year in (THIS_YEAR - 1, THIS_YEAR, THIS_YEAR + 1):
        skp_of(cast.agency_a, status=Status.SUBMITTED, year=year, realised=False)
    mine = skp_of(cast.agency_a, status=Status.SUBMITTED, year=THIS_YEAR + 1)
    PerformanceContract.objects.filter(pk=mine.pk).update(submitted_by=cast.approver_a)
    skp_of(cast.agency_b, status=Status.SUBMITTED, year=THIS_YEAR + 1)  # not theirs
    page = approver_a.get(reverse("workspace:dashboard"))
    assert needs(page.text) == {"Contracts to approve": 3}
    assert f"{reverse('workspace:contracts')}?status=submitted" in page.text


def test_the_approver_sees_late_changes_waiting(cast, approver_a):
    contract = contract_of(cast.agency_a, status=Status.APPROVED, year=THIS_YEAR + 1)
    for indicator in contract.indicators.all():
        LateChange.objects.create(
            indicator=indicator, quarter=1, new_value=1, reason="x", entered_by=cast.officer_a
        )
    assert needs(approver_a.get(reverse("workspace:dashboard")).text) == {
        "Late changes to confirm": 3
    }


def test_the_officer_sees_what_came_back_and_what_is_still_draft(cast, officer_a, officer_b):
    skp_of(cast.agency_a, status=Status.RETURNED, year=THIS_YEAR + 1)
    skp_of(cast.agency_a, status=Status.DRAFT, year=THIS_YEAR - 1)
    skp_of(cast.agency_a, status=Status.DRAFT, year=THIS_YEAR + 1)
    assert needs(officer_a.get(reverse("workspace:dashboard")).text) == {
        "Contracts returned for revision": 1,
        "Contracts in draft, not submitted yet": 2,
    }
    page = officer_b.get(reverse("workspace:dashboard"))
    assert needs(page.text) == {} and "Nothing waits for you." in page.text


def test_leaders_land_on_the_decisions_and_objections_of_their_authority(world):
    leader, regional = world.client(world.leader), world.client(world.regency_leader)
    # The world: five recommendations, four about the province's agencies (DIKES, DIKBUD),
    # one about Lombok Barat's.
    # Everyone lands on the workspace (LOGIN_REDIRECT_URL), leaders too.
    url = reverse("workspace:dashboard")
    assert needs(leader.get(url).text) == {"Recommended decisions to decide": 4}
    assert needs(regional.get(url).text) == {"Recommended decisions to decide": 1}
    auditor = world.client(world.auditor)
    assert needs(auditor.get(reverse("workspace:dashboard")).text) == {}


@pytest.mark.parametrize("n", [1, 12])
def test_the_landing_page_is_bounded_in_queries(cast, approver_a, n, django_assert_max_num_queries):
    for i in range(n):
        skp_of(cast.agency_a, status=Status.SUBMITTED, year=THIS_YEAR + i % 3, realised=False)
    with django_assert_max_num_queries(30):
        page = approver_a.get(reverse("workspace:dashboard"))
    assert needs(page.text) == {"Contracts to approve": n}
