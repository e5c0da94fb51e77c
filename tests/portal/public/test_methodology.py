"""The methodology page is rendered from the scheme in force: its numbers, every rule's source
(the regulation's, with its citation, or the province's policy), the reward and penalty rules
in words, and a worked example of scoring version 2, in both languages."""

import datetime
import re
from decimal import Decimal as D

import pytest
from django.urls import reverse

from performance.models import ScoringScheme
from performance.services import recompute_scores
from rewards.models import Outcome, Rule
from tests.factories import AgencyFactory
from tests.performance.test_recompute import simple_contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def non_default_scheme(db):
    scheme = ScoringScheme.objects.create(
        year=2025,
        cap=D("115"),
        weight_contract=D("0.6"),
        weight_staff=D("0.2"),
        weight_survey=D("0.2"),
        ikm_target=D("80"),
        entry_grace_days=20,
    )
    Rule.objects.create(
        scheme=scheme,
        label="x",
        level=Rule.Level.AGENCY,
        condition=Rule.Condition.SCORE_BELOW,
        value=D("65"),
        consecutive=2,
        period=Rule.Period.QUARTER,
        outcome=Outcome.REVIEW,
    )
    simple_contract(AgencyFactory())
    recompute_scores(today=datetime.date(2026, 2, 1))
    return scheme


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_page_shows_a_non_default_schemes_numbers(client, english, non_default_scheme):
    page = text(client.get(reverse("methodology")).content.decode())
    for figure in ("115.00 %", "0.60", "80.00", "20"):
        assert figure in page, figure
    # The worked example with this scheme: S = 100 x 79.28 / 80 = 99.10, and
    # 0.6 x 94.00 + 0.2 x 98.04 + 0.2 x 99.10 = 95.83.
    assert "S = 100 × 79.28 ÷ 80.00 = 99.10" in page
    assert "95.83" in page
    assert (
        "An agency whose score of the quarter is below 65 for 2 quarters running: "
        "review recommended." in page
    )


@pytest.mark.parametrize(
    ("language", "regulation", "policy"),
    [("en", "Regulation", "Province policy"), ("id", "Regulasi", "Kebijakan provinsi")],
)
def test_every_rule_names_its_source(client, non_default_scheme, language, regulation, policy):
    client.cookies["lang"] = language
    html = client.get(reverse("methodology")).content.decode()
    for citation in ("8/2021", "14/2017", "6/2022"):
        assert f"{regulation}: {citation}" in text(html), citation
    sections = html.split("<h3")[1:]
    assert sections and all("source--" in s.split("</h3>")[0] for s in sections)
    assert policy in text(html)
