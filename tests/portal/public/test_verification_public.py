"""What the public sees of issue 22's verification and cross-check: a badge per indicator in
words (self-reported, verified, disputed), the share of the agency's figures verified, the
independent value beside a linked indicator with a gap above the scheme's threshold flagged
in words (and one within it not), the same in the agency-indicators file and the API, never
the auditor's note nor anything of a civil servant's figures, and bounded queries."""

import csv
import io
import json
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import ServiceMetric
from performance import verification
from performance.models import (
    CrossCheck,
    Indicator,
    Realisation,
    ScoringScheme,
    Verification,
)
from performance.services import recompute_scores
from tests.conftest import clear_cache
from tests.factories import (
    IndicatorFactory,
    RealisationFactory,
    ServiceFactory,
    ServiceMetricFactory,
    SurveyResponseFactory,
    TargetFactory,
)
from tests.performance.late_data import DEC_6, agency_pk
from tests.portal.workspace.data import skp_of

pytestmark = pytest.mark.django_db

MAX_QUERIES = 12  # the scorecard's bound (test_agency_pages.py)
NOTE = "Bukti dukung tidak sesuai angka"
STAFF_NOTE = "Catatan tentang pegawai"


def english() -> Client:
    client = Client()
    client.cookies["lang"] = "en"
    return client


def mark(realisation, user, status, note="") -> None:
    verification.mark(
        realisation,
        status=status,
        note=note,
        user=user,
        seen=verification.seen_token(realisation),
    )


def q3(contract, code: str) -> Realisation:
    return Realisation.objects.get(indicator__contract=contract, indicator__code=code, quarter=3)


@pytest.fixture
def scorecard(cast):
    """DIKES's 2026 PK: IKU1 (80 in Q3) verified and checked against the agency's survey IKM
    (75: within 10 points), IKU2 (90) disputed and checked against a service's on-time share
    (70 %: 20 points, flagged), IKU3 (95) self-reported and not linked; a civil servant's
    realisation disputed with a note of its own."""
    a = cast.agency_a
    contract = agency_pk(a)
    iku3 = IndicatorFactory(contract=contract, code="IKU3", text="Indikator IKU3")
    for q in (1, 2, 3, 4):
        TargetFactory(indicator=iku3, quarter=q, value=D(100))
    RealisationFactory(indicator=iku3, quarter=3, value=D(95))
    service = ServiceFactory(agency=a, code="KIA", name="Layanan KIA")
    for _ in range(12):
        SurveyResponseFactory(service=service, year=2026, quarter=3)  # every answer 3: IKM 75
    for kind, value in (("completed_on_time", 70), ("completed_late", 30)):
        ServiceMetricFactory(service=service, year=2026, quarter=3, kind=kind, value=D(value))
    Indicator.objects.filter(contract=contract, code="IKU1").update(cross_check=CrossCheck.IKM)
    Indicator.objects.filter(contract=contract, code="IKU2").update(
        cross_check=CrossCheck.ON_TIME, cross_check_service=service
    )
    mark(q3(contract, "IKU1"), cast.auditor, Verification.VERIFIED)
    mark(q3(contract, "IKU2"), cast.auditor, Verification.DISPUTED, NOTE)
    skp = skp_of(a, status="approved", year=2026)
    staff = Realisation.objects.filter(indicator__contract=skp).first()
    Realisation.objects.filter(pk=staff.pk).update(
        verification=Verification.DISPUTED, verification_note=STAFF_NOTE
    )
    recompute_scores(today=DEC_6)
    clear_cache()
    return contract


def page(cast, client=None, **params):
    client = client or english()
    return client.get(cast.agency_a.get_absolute_url(), {"year": 2026, "quarter": 3, **params})


def test_the_scorecard_shows_a_badge_per_indicator_and_the_verified_share(cast, scorecard):
    response = page(cast)
    html = response.content.decode()
    shown = {i.code: i for i in response.context["indicators"]}
    assert {code: i.verification for code, i in shown.items()} == {
        "IKU1": "verified",
        "IKU2": "disputed",
        "IKU3": "unverified",
    }
    assert "Verified by the Inspektorat</span>" in html
    assert "Disputed by the Inspektorat</span>" in html
    assert "Self-reported</span>" in html
    # Three figures of 2026 (Q3 of three indicators), one verified.
    assert "Verified by the Inspektorat (APIP): 1 of the agency's 3 figures of 2026 (33 %)." in html
    assert "1 figure is disputed." in html
    # The auditor's note stays with the agency and its leaders.
    assert NOTE not in html and STAFF_NOTE not in html


def test_the_scorecard_flags_a_gap_above_the_threshold_and_not_one_within(cast, scorecard):
    response = page(cast)
    html = response.content.decode()
    shown = {i.code: i.cross_check_result for i in response.context["indicators"]}
    assert (shown["IKU1"].value, shown["IKU1"].gap, shown["IKU1"].flagged) == (
        D(75),
        D(5),
        False,
    )
    assert (shown["IKU2"].value, shown["IKU2"].gap, shown["IKU2"].flagged) == (
        D(70),
        D(20),
        True,
    )
    assert shown["IKU3"] is None
    assert "Differs from the reported figure by 20.00 points (more than 10.00)" in html
    assert "Within 10.00 points of the reported figure" in html
    assert "IKM from the satisfaction survey" in html
    assert "share of applications finished on time (%): Layanan KIA" in html


def test_the_threshold_is_the_years_scheme_as_the_run_published_it(cast, scorecard):
    ScoringScheme.objects.update_or_create(year=2026, defaults={"cross_check_gap_points": D(4)})
    clear_cache()
    shown = {i.code: i.cross_check_result for i in page(cast).context["indicators"]}
    assert not shown["IKU1"].flagged  # the published run still says 10
    recompute_scores(today=DEC_6)
    clear_cache()
    shown = {i.code: i.cross_check_result for i in page(cast).context["indicators"]}
    assert shown["IKU1"].flagged and shown["IKU2"].flagged


def test_an_ikm_below_the_survey_minimum_is_not_compared(cast, scorecard):
    from agencies.models import SurveyResponse

    keep = SurveyResponse.objects.order_by("pk").values_list("pk", flat=True)[:9]
    SurveyResponse.objects.exclude(pk__in=list(keep)).delete()
    clear_cache()
    response = page(cast)
    html = response.content.decode()
    shown = {i.code: i.cross_check_result for i in response.context["indicators"]}
    assert (shown["IKU1"].basis, shown["IKU1"].sufficient, shown["IKU1"].gap) == (9, False, None)
    assert not shown["IKU1"].flagged
    assert "75.00 · data belum cukup" in html


def open_data(fmt: str) -> list[dict]:
    response = english().get(
        reverse("open_data_file", args=["agency-indicators", fmt]), {"agency": "dikes"}
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode()
    assert NOTE not in text and STAFF_NOTE not in text
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    data = json.loads(text)
    return data["rows"] if isinstance(data, dict) and "rows" in data else data


def test_open_data_carries_the_status_and_the_cross_check(cast, scorecard):
    rows = {(r["indicator_code"], r["quarter"]): r for r in open_data("csv")}
    assert [rows[(c, "3")]["verification"] for c in ("IKU1", "IKU2", "IKU3")] == [
        "verified",
        "disputed",
        "unverified",
    ]
    assert rows[("IKU1", "3")]["verified_at"] != ""
    assert rows[("IKU1", "1")]["verification"] == ""  # not reported: nothing to verify
    one, two = rows[("IKU1", "3")], rows[("IKU2", "3")]
    assert (one["cross_check_source"], one["cross_check_service_code"]) == ("ikm", "")
    assert (one["cross_check_value"], one["cross_check_basis"], one["cross_check_gap"]) == (
        "75",
        "12",
        "5",
    )
    assert (two["cross_check_source"], two["cross_check_service_code"]) == ("on_time", "KIA")
    assert (two["cross_check_value"], two["cross_check_gap"]) == ("70", "20")
    assert {one["cross_check_flagged"], two["cross_check_flagged"]} == {"no", "yes"} or {
        one["cross_check_flagged"],
        two["cross_check_flagged"],
    } == {"false", "true"}
    assert rows[("IKU3", "3")]["cross_check_source"] == ""


def test_the_api_carries_them_too(cast, scorecard):
    response = english().get(reverse("api:agency-indicators"), {"agency": "dikes", "year": 2026})
    assert response.status_code == 200
    text = response.content.decode()
    assert NOTE not in text and STAFF_NOTE not in text
    data = response.json()
    rows = data["results"] if isinstance(data, dict) else data
    found = {(r["indicator_code"], r["quarter"]): r for r in rows}
    assert found[("IKU2", 3)]["verification"] == "disputed"
    assert found[("IKU2", 3)]["cross_check_flagged"] is True
    assert found[("IKU1", 3)]["cross_check_flagged"] is False


def test_the_scorecards_queries_stay_bounded_as_links_grow(cast, scorecard):
    def count() -> int:
        clear_cache()
        with CaptureQueriesContext(connection) as queries:
            assert page(cast).status_code == 200
        return len(queries)

    before = count()
    # Five more indicators, each linked to a service of its own with survey answers and
    # figures, verified.
    for n in range(4, 9):
        ind = IndicatorFactory(contract=scorecard, code=f"IKU{n}", text=f"Indikator {n}")
        TargetFactory(indicator=ind, quarter=3, value=D(100))
        RealisationFactory(indicator=ind, quarter=3, value=D(90))
        service = ServiceFactory(agency=cast.agency_a)
        for _ in range(3):
            SurveyResponseFactory(service=service, year=2026, quarter=3)
        ServiceMetricFactory(
            service=service, year=2026, quarter=3, kind=ServiceMetric.Kind.COMPLAINTS_RECEIVED
        )
        kind = CrossCheck.IKM if n % 2 else CrossCheck.COMPLAINTS_RESOLVED
        Indicator.objects.filter(pk=ind.pk).update(cross_check=kind, cross_check_service=service)
        mark(q3(scorecard, f"IKU{n}"), cast.auditor, Verification.VERIFIED)
    recompute_scores(today=DEC_6)
    assert count() == before <= MAX_QUERIES


def test_the_methodology_publishes_the_threshold(cast):
    ScoringScheme.objects.create(year=2026, cross_check_gap_points=D("7.5"))
    recompute_scores(today=DEC_6)
    clear_cache()
    html = english().get(reverse("methodology"), {"year": 2026}).content.decode()
    assert "differs from its independent source" in html
    assert "7.50" in html


def test_a_services_ikm_is_the_services_own(cast, scorecard):
    """IKU3 (95) linked to the KIA service's IKM (75): 20 points, flagged."""
    from agencies.models import Service

    Indicator.objects.filter(contract=scorecard, code="IKU3").update(
        cross_check=CrossCheck.IKM, cross_check_service=Service.objects.get(code="KIA")
    )
    other = ServiceFactory(agency=cast.agency_a, code="LAIN")
    for _ in range(12):
        SurveyResponseFactory(service=other, year=2026, quarter=3, u1=4, u2=4, u3=4)
    clear_cache()
    shown = {i.code: i.cross_check_result for i in page(cast).context["indicators"]}
    assert (shown["IKU3"].value, shown["IKU3"].basis, shown["IKU3"].flagged) == (D(75), 12, True)
    # The agency's IKM pools both services: 24 respondents.
    assert shown["IKU1"].basis == 24 and shown["IKU1"].value > D(75)
