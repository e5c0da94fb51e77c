"""What the public sees of issue 19 (DESIGN.md, Integrity): "last year" only for the same
indicator (a renamed one shows "–", `previous_code` restores the pairing), a confirmed late
realisation marked "late, entered <date>" on the scorecard and in agency-indicators, and
every correction on `/corrections/` (filtered, paginated, both languages, bounded queries)
and in the `corrections` dataset, with its reason; the leaders see the latest ones."""

import csv
import datetime
import io
import json
from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from performance import late
from performance.models import (
    Correction,
    Indicator,
    LateChange,
    PerformanceContract,
    Realisation,
)
from performance.services import recompute_scores
from tests.conftest import clear_cache
from tests.factories import AgencyFactory, ContractFactory, IndicatorFactory, TargetFactory
from tests.performance.late_data import DEC_6, REASON, agency_pk, row, save

pytestmark = pytest.mark.django_db

DEC_6_WITA = datetime.datetime(2026, 12, 6, 1, 0, tzinfo=datetime.UTC)  # 09:00 WITA
APPROVED = PerformanceContract.Status.APPROVED
MAX_QUERIES = 8


def english() -> Client:
    client = Client()
    client.cookies["lang"] = "en"
    return client


def rows_of(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


# --- "last year" -----------------------------------------------------------------------------


def indicator(contract, code, text, unit, q1, direction="higher") -> Indicator:
    found = IndicatorFactory(
        contract=contract, code=code, text=text, unit=unit, direction=direction
    )
    TargetFactory(indicator=found, quarter=1, value=D(100))
    Realisation.objects.create(indicator=found, quarter=1, value=D(q1))
    return found


@pytest.fixture
def renamed(cast):
    """The issue's case: IKU1 was maternal mortality in 2025 and is immunisation in 2026,
    which was IKU7 in 2025."""
    agency = cast.agency_a
    old = ContractFactory(agency=agency, year=2025, status=APPROVED)
    indicator(old, "IKU1", "Angka kematian ibu", "per 100.000", "111.40", direction="lower")
    indicator(old, "IKU7", "Cakupan imunisasi dasar lengkap", "%", "91.5")
    new = ContractFactory(agency=agency, year=2026, status=APPROVED)
    return indicator(new, "IKU1", "Cakupan imunisasi dasar lengkap", "%", "95")


def last_year(cast) -> tuple:
    """(the scorecard's last-year value of IKU1 in Q1 2026, the same in the open data)."""
    clear_cache()
    client = english()
    page = client.get(cast.agency_a.get_absolute_url(), {"year": 2026, "quarter": 1})
    [shown] = page.context["indicators"]
    data = client.get(
        reverse("open_data_file", args=["agency-indicators", "csv"]), {"agency": "DIKES"}
    )
    [published] = [r for r in rows_of(data) if r["year"] == "2026"]
    return shown.last_year_realisation, published["last_year_realisation"], page


def test_a_renamed_indicator_has_no_last_year(cast, renamed):
    recompute_scores(today=DEC_6)

    shown, published, page = last_year(cast)

    assert (shown, published) == (None, "")
    assert "111.4" not in page.content.decode()


def test_previous_code_restores_the_pairing(cast, renamed):
    Indicator.objects.filter(pk=renamed.pk).update(previous_code="IKU7")
    recompute_scores(today=DEC_6)

    shown, published, _page = last_year(cast)

    assert (shown, published) == (D("91.5"), "91.5")


def test_the_same_code_name_and_unit_pair_as_before(cast, renamed):
    Indicator.objects.filter(pk=renamed.pk).update(
        text="Angka kematian ibu", unit="per 100.000", direction="lower"
    )
    recompute_scores(today=DEC_6)
    assert last_year(cast)[:2] == (D("111.4"), "111.4")


# --- late changes and corrections ------------------------------------------------------------


@pytest.fixture
def corrected(cast, time_machine):
    """The issue's late Q3 entry on 6 December, confirmed by the approver and recomputed: a
    first run, a run while it waits, and the run that counts it."""
    time_machine.move_to(DEC_6_WITA, tick=False)
    pk = agency_pk(cast.agency_a)
    first = recompute_scores(today=DEC_6)
    save(pk, [row(pk, "IKU1", "120")], cast.officer_a)
    waiting = recompute_scores(today=DEC_6)
    late.confirm(list(LateChange.objects.values_list("pk", flat=True)), cast.approver_a)
    counted = recompute_scores(today=DEC_6)
    clear_cache()
    return first, waiting, counted


def iku1_q3(client, cast):
    page = client.get(cast.agency_a.get_absolute_url(), {"year": 2026, "quarter": 3})
    return next(i for i in page.context["indicators"] if i.code == "IKU1"), page


def test_a_confirmed_late_realisation_is_marked_late_on_the_scorecard(cast, corrected):
    shown, page = iku1_q3(english(), cast)
    assert (shown.realisation, shown.late_entered_at) == (D(120), DEC_6_WITA)
    assert "late, entered Dec. 6, 2026" in page.content.decode()
    indonesian = Client().get(cast.agency_a.get_absolute_url(), {"year": 2026, "quarter": 3})
    assert "susulan, dimasukkan 6 Des. 2026" in indonesian.content.decode()

    data = english().get(
        reverse("open_data_file", args=["agency-indicators", "csv"]), {"agency": "dikes"}
    )
    published = {(r["indicator_code"], r["quarter"]): r for r in rows_of(data)}
    assert published[("IKU1", "3")]["realisation"] == "120"
    assert published[("IKU1", "3")]["late_entered_at"] == "2026-12-06T09:00:00+08:00"
    assert published[("IKU2", "3")]["late_entered_at"] == ""


def test_a_waiting_late_change_shows_nothing_of_it(cast, time_machine):
    time_machine.move_to(DEC_6_WITA, tick=False)
    pk = agency_pk(cast.agency_a)
    save(pk, [row(pk, "IKU1", "120")], cast.officer_a)
    recompute_scores(today=DEC_6)
    shown, page = iku1_q3(english(), cast)
    assert (shown.realisation, shown.late_entered_at) == (D(80), None)
    assert "late, entered" not in page.content.decode()


def test_a_correction_is_listed_with_its_reason(cast, corrected, django_assert_max_num_queries):
    first, waiting, counted = corrected
    client = english()
    with django_assert_max_num_queries(MAX_QUERIES):
        page = client.get(reverse("corrections"))
    assert page.status_code == 200
    listed = {
        (c.period, c.figure, c.indicator_code, c.old_value, c.new_value)
        for c in page.context["rows"]
    }
    assert listed == {
        ("Q3", "score", "", D(85), D(105)),
        ("Q3", "k", "", D(85), D(105)),
        ("Q3", "achievement", "IKU1", D(80), D(120)),
    }
    html = page.content.decode()
    assert REASON in html
    assert f"run {waiting.pk} → run {counted.pk}" in html

    # The scorecard links to its agency's corrections; the filters narrow the list.
    card = client.get(cast.agency_a.get_absolute_url()).content.decode()
    assert f"{reverse('corrections')}?agency=dikes" in card
    assert client.get(reverse("corrections"), {"agency": "dikes"}).context["rows"]
    assert not client.get(reverse("corrections"), {"year": "2025"}).context["rows"]
    other = AgencyFactory(slug="dikbud-2")
    assert not client.get(reverse("corrections"), {"agency": other.slug}).context["rows"]


def test_the_corrections_page_in_indonesian(cast, corrected):
    page = Client().get(reverse("corrections"))
    html = page.content.decode()
    assert '<html lang="id"' in html
    assert "<h1>Koreksi</h1>" in html and "capaian indikator" in html


def test_the_corrections_dataset_has_the_reason(cast, corrected):
    first, waiting, counted = corrected
    client = english()
    data = client.get(reverse("open_data_file", args=["corrections", "csv"]), {"agency": "DIKES"})
    assert data.status_code == 200
    found = {(r["period"], r["figure"], r["indicator_code"]): r for r in rows_of(data)}
    assert set(found) == {("Q3", "score", ""), ("Q3", "k", ""), ("Q3", "achievement", "IKU1")}
    achievement = found[("Q3", "achievement", "IKU1")]
    assert achievement == {
        "agency_code": "DIKES",
        "year": "2026",
        "period": "Q3",
        "figure": "achievement",
        "indicator_code": "IKU1",
        "old_value": "80",
        "new_value": "120",
        "previous_run": str(waiting.pk),
        "run": str(counted.pk),
        "published_at": counted.published_at.astimezone(
            datetime.timezone(datetime.timedelta(hours=8))
        ).isoformat(),
        "reason": REASON,
    }
    as_json = json.loads(
        client.get(reverse("open_data_file", args=["corrections", "json"])).content
    )
    assert {r["reason"] for r in as_json["rows"]} == {REASON}


def test_corrections_are_paginated_with_bounded_queries(
    cast, corrected, django_assert_max_num_queries
):
    _first, waiting, counted = corrected
    Correction.objects.bulk_create(
        Correction(
            run_id=counted.pk,
            previous_run_id=waiting.pk,
            published_at=counted.published_at,
            agency=cast.agency_a,
            year=2026,
            period="Q2",
            figure="achievement",
            indicator_code=f"IKU{n}",
            old_value=D(50),
            new_value=D(60),
            reason="Revisi",
        )
        for n in range(40)
    )
    client = english()
    with django_assert_max_num_queries(MAX_QUERIES):
        second = client.get(reverse("corrections"), {"page": 2})
    assert second.context["page"].number == 2
    assert len(second.context["rows"]) == 18  # 43 corrections, 25 a page


def test_a_hidden_agencys_corrections_are_not_public(cast, corrected):
    cast.agency_a.is_public = False
    cast.agency_a.save()
    clear_cache()
    assert not english().get(reverse("corrections")).context["rows"]
    data = english().get(reverse("open_data_file", args=["corrections", "csv"]))
    assert rows_of(data) == []


def test_leaders_see_the_latest_corrections(cast, corrected, leader):
    page = leader.get(reverse("dashboard:overview"))
    assert page.status_code == 200
    shown = page.context["corrections"]
    assert len(shown) == 3 and {c.why for c in shown} == {REASON}
    assert REASON in page.content.decode()
