"""The workspace's reading pages: dashboard, score preview (the same numbers as a real run),
the audit trail, and a bounded number of queries on every page, with an agency of 2,000 civil
servants."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies.models import Membership
from performance import recompute, services
from performance.contracts import next_scheduled_run
from performance.models import (
    Employee,
    Indicator,
    PerformanceContract,
    Realisation,
    Score,
    ScoreRun,
    Target,
)
from tests.factories import (
    EmployeeFactory,
    RealisationFactory,
    ServiceFactory,
    SurveyResponseFactory,
    make_nip,
)

from .data import PDF, contract_of, keep_quarters_open, with_evidence

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media", "english")]
Status = PerformanceContract.Status
STAFF = 2000


# --- dashboard -------------------------------------------------------------------------


def test_dashboard_counts_contracts_and_missing_realisations(officer_a, cast, time_machine):
    time_machine.move_to(datetime.datetime(2025, 8, 1, 9, tzinfo=datetime.UTC))
    contract_of(cast.agency_a, status=Status.APPROVED)  # Q1 realised, Q2-Q4 not
    contract_of(cast.agency_a, employee=EmployeeFactory(agency=cast.agency_a))  # a draft
    contract_of(cast.agency_b, status=Status.APPROVED, realised=False)  # not A's
    page = officer_a.get(reverse("workspace:dashboard"))
    assert page.status_code == 200
    assert dict(page.context["status_rows"]) == {
        "draft": 1,
        "submitted": 0,
        "approved": 1,
        "returned": 0,
    }
    ((agency, gaps, is_officer),) = page.context["rows"]
    assert agency == cast.agency_a and is_officer
    by_quarter = {g.quarter: (g.missing, g.targets, g.closed) for g in gaps}
    # On 1 August 2025: Q1 and Q2 closed (Q2 on 16 July), Q3 and Q4 open.
    assert by_quarter == {1: (0, 3, True), 2: (3, 3, True), 3: (3, 3, False), 4: (3, 3, False)}
    html = page.content.decode()
    assert reverse("workspace:bulk_realisations", args=[cast.agency_a.pk, 2025, 2]) in html


def test_dashboard_shows_latest_run_and_the_next_one_where_a_scheduler_runs(
    officer_a, cast, english
):
    from portal.tasks import watchdog_task

    run = ScoreRun.objects.create(
        status=ScoreRun.Status.PUBLISHED,
        published_at=datetime.datetime(2025, 5, 2, 17, 0, tzinfo=datetime.UTC),
    )
    page = officer_a.get(reverse("workspace:dashboard"))
    assert page.context["published_run"] == run
    # No beat has run the watchdog (make run): no "next scheduled recompute" is promised.
    assert page.context["next_run"] is None
    assert "No scheduler is running here" in page.content.decode()
    watchdog_task.apply()  # what beat starts every half hour
    page = officer_a.get(reverse("workspace:dashboard"))
    assert page.context["next_run"].hour == 1
    assert "Next scheduled recompute" in page.content.decode()


def test_next_run_is_the_next_0100_wita():
    wita = datetime.timezone(datetime.timedelta(hours=8))
    before = datetime.datetime(2025, 3, 1, 0, 30, tzinfo=wita)
    after = datetime.datetime(2025, 3, 1, 1, 0, tzinfo=wita)
    assert next_scheduled_run(before) == datetime.datetime(2025, 3, 1, 1, 0, tzinfo=wita)
    assert next_scheduled_run(after) == datetime.datetime(2025, 3, 2, 1, 0, tzinfo=wita)


# --- recompute preview -----------------------------------------------------------------


def _scored_agency(cast):
    """Agency A with a PK, twelve SKPs (above the minimum group size) and 12 respondents."""
    contract_of(cast.agency_a, status=Status.APPROVED)
    for n in range(12):
        skp = contract_of(
            cast.agency_a,
            status=Status.APPROVED,
            indicators=2,
            employee=EmployeeFactory(agency=cast.agency_a),
            realised=False,
        )
        for ind in skp.indicators.all():
            RealisationFactory(indicator=ind, quarter=1, value=Decimal(70 + n))
            RealisationFactory(indicator=ind, quarter=2, value=Decimal(95))
    service = ServiceFactory(agency=cast.agency_a)
    for _ in range(12):
        SurveyResponseFactory(service=service, year=2025, quarter=1, u1=4)


@pytest.mark.parametrize("engine", ["python", "database default"])
def test_preview_matches_the_published_engine(officer_a, cast, after_2025, engine):
    """The same numbers as a real run, by the Python engine and by the database's own engine
    (the set-based SQL one on PostgreSQL)."""
    _scored_agency(cast)
    contract_of(
        cast.agency_a,
        status=Status.DRAFT,
        indicators=1,
        year=2025,
        employee=EmployeeFactory(agency=cast.agency_a),
    )  # not counted
    from performance import preview as workspace_preview

    preview = workspace_preview.compute_preview(
        cast.agency_a, 2025, after_2025, services.scheme_for(2025).as_scheme()
    )
    run = services.recompute_scores(
        year=2025,
        today=after_2025,
        engine=recompute.write_year_python if engine == "python" else None,
    )
    published = {
        s.period: s for s in Score.objects.filter(run=run, agency=cast.agency_a, contract=None)
    }
    assert published
    for p in preview.periods:
        score = published.get(p.period)
        if score is None:
            assert p.score is None
            continue
        assert (p.k, p.e, p.s, p.score, p.predikat) == (
            score.k,
            score.e,
            score.s,
            score.score,
            score.predikat,
        ), p
    assert preview.contracts == 13 and preview.unapproved == 0


def test_preview_page_is_marked_unpublished_and_can_include_drafts(officer_a, cast):
    contract_of(cast.agency_a, status=Status.DRAFT)
    url = reverse("workspace:preview")
    page = officer_a.get(url, {"agency": cast.agency_a.pk, "year": 2025})
    assert page.status_code == 200
    html = page.content.decode()
    assert "banner--preview" in html
    assert page.context["preview"].contracts == 0
    page = officer_a.get(
        url, {"agency": cast.agency_a.pk, "year": 2025, "include_unapproved": "on"}
    )
    assert page.context["preview"].contracts == 1
    assert page.context["preview"].unapproved == 1
    assert not ScoreRun.objects.exists() and not Score.objects.exists()  # nothing written


def test_preview_of_another_agency_is_refused(officer_b, cast):
    page = officer_b.get(reverse("workspace:preview"), {"agency": cast.agency_a.pk, "year": 2025})
    assert page.context["preview"] is None
    assert "agency" in page.context["form"].errors


# --- audit trail -----------------------------------------------------------------------


def test_auditor_browses_and_filters_the_whole_trail(cast, auditor):
    contract = contract_of(cast.agency_a, status=Status.SUBMITTED, indicators=1)
    cast.client(cast.approver_a).post(
        reverse("workspace:contract_approve", args=[contract.pk]), {"version": 1}
    )
    contract_of(cast.agency_b, indicators=1)
    url = reverse("workspace:audit")
    page = auditor.get(url, {"kind": "contract"})
    assert page.context["page"].paginator.count == 3  # two created, one approved
    approved = [e for e in page.context["entries"] if e.reason == "approved"]
    assert approved and approved[0].who == "approver_a"
    assert ("status", "submitted", "approved") in [
        (label, before, after) for label, before, after in approved[0].changes
    ]
    by_user = auditor.get(url, {"kind": "contract", "user": "approver_a"})
    assert by_user.context["page"].paginator.count == 1
    by_agency = auditor.get(url, {"kind": "target", "agency": cast.agency_b.pk})
    assert by_agency.context["page"].paginator.count == 4
    roles = auditor.get(url, {"kind": "membership"})
    assert roles.context["page"].paginator.count == 5  # the cast's memberships
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    assert (
        auditor.get(url, {"kind": "contract", "since": tomorrow}).context["page"].paginator.count
        == 0
    )


def test_officers_trail_is_their_agencies_only_and_no_roles(officer_a, cast):
    contract_of(cast.agency_a, indicators=1)
    contract_of(cast.agency_b, indicators=1)
    page = officer_a.get(reverse("workspace:audit"), {"kind": "indicator"})
    assert page.context["page"].paginator.count == 1
    assert officer_a.get(reverse("workspace:audit"), {"kind": "membership"}).context["page"] is None


# --- query counts ----------------------------------------------------------------------


@pytest.fixture
def big_agency(cast):
    """Agency A with 2,000 civil servants, each with an approved SKP of three indicators and
    four targets each (bulk-created), and the agency's own PK. Quarters of 2025 open."""
    keep_quarters_open(2025)
    agency = cast.agency_a
    employees = Employee.objects.bulk_create(
        Employee(nip=make_nip(10_000 + n), name=f"Pegawai {n:04d}", agency=agency)
        for n in range(STAFF)
    )
    contracts = PerformanceContract.objects.bulk_create(
        PerformanceContract(agency=agency, employee=e, year=2025, status=Status.APPROVED)
        for e in employees
    )
    indicators = Indicator.objects.bulk_create(
        Indicator(contract=c, code=f"RHK{i}", text="Dokumen", weight=1)
        for c in contracts
        for i in (1, 2, 3)
    )
    Target.objects.bulk_create(
        Target(indicator=i, quarter=q, value=10) for i in indicators for q in (1, 2, 3, 4)
    )
    Realisation.objects.bulk_create(
        Realisation(indicator=i, quarter=1, value=9) for i in indicators
    )
    pk = contract_of(agency, status=Status.APPROVED)
    realisation = with_evidence(pk)
    return {"pk": pk, "skp": contracts[0], "realisation": realisation}


def _pages(cast, big):
    pk, skp = big["pk"], big["skp"]
    a = cast.agency_a.pk
    return [
        ("officer_a", "get", reverse("workspace:dashboard"), {}, 15),
        ("officer_a", "get", reverse("workspace:contracts"), {}, 9),
        ("officer_a", "get", reverse("workspace:contracts"), {"q": "Pegawai 1", "page": 2}, 9),
        ("officer_a", "get", reverse("workspace:contract", args=[skp.pk]), {}, 12),
        ("officer_a", "get", reverse("workspace:contract", args=[pk.pk]), {}, 14),
        ("officer_a", "get", reverse("workspace:contract_create"), {}, 7),
        ("officer_a", "get", reverse("workspace:contract_revise", args=[pk.pk]), {}, 9),
        # + the scheme (is the quarter closed?) and the late changes awaiting confirmation
        ("officer_a", "get", reverse("workspace:realisations", args=[skp.pk, 1]), {}, 10),
        (
            "officer_a",
            "post",
            reverse("workspace:realisations", args=[skp.pk, 2]),
            {"version": 1, **{f"i{i.pk}-value": "5" for i in skp.indicators.all()}},
            22,
        ),
        ("officer_a", "get", reverse("workspace:bulk_realisations", args=[a, 2025, 1]), {}, 12),
        ("officer_a", "get", reverse("workspace:upload"), {}, 6),
        ("officer_a", "get", reverse("workspace:preview"), {"agency": a, "year": 2025}, 14),
        ("officer_a", "get", reverse("workspace:evidence", args=[big["realisation"].pk]), {}, 6),
        ("approver_a", "get", reverse("workspace:contract_return", args=[pk.pk]), {}, 6),
        ("auditor", "get", reverse("workspace:dashboard"), {}, 13),
        ("auditor", "get", reverse("workspace:contracts"), {}, 8),
        ("auditor", "get", reverse("workspace:audit"), {"kind": "target"}, 9),
        ("auditor", "get", reverse("workspace:audit"), {"kind": "realisation"}, 9),
        ("leader", "get", reverse("workspace:contract", args=[skp.pk]), {}, 11),
    ]


def test_every_page_has_a_bounded_number_of_queries(
    cast, big_agency, django_assert_max_num_queries
):
    for who, method, url, data, limit in _pages(cast, big_agency):
        client = cast.client(getattr(cast, who))
        with django_assert_max_num_queries(limit, info=f"{who} {method} {url} {data}"):
            response = getattr(client, method)(url, data)
        assert response.status_code in (200, 302), (url, response.status_code)


def test_contract_list_pages_2000_staff(officer_a, big_agency):
    page = officer_a.get(reverse("workspace:contracts"))
    assert page.context["page"].paginator.count == STAFF + 1
    assert len(page.context["page"].object_list) == 50


def test_edit_page_queries_do_not_grow_with_indicators(cast, django_assert_max_num_queries):
    contract = contract_of(cast.agency_a, indicators=10)
    client = cast.client(cast.officer_a)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("workspace:contract_edit", args=[contract.pk])).status_code == 200


def test_evidence_upload_query_count(cast, django_assert_max_num_queries):
    keep_quarters_open(2025)
    contract = contract_of(cast.agency_a, indicators=3, status=Status.APPROVED)
    ind = contract.indicators.first()
    client = cast.client(cast.officer_a)
    with django_assert_max_num_queries(30):
        response = client.post(
            reverse("workspace:realisations", args=[contract.pk, 1]),
            {
                "version": 1,
                f"i{ind.pk}-value": "1",
                f"i{ind.pk}-evidence_file": SimpleUploadedFile("a.pdf", PDF),
            },
        )
    assert response.status_code == 302


def test_membership_changes_are_recorded(cast):
    m = Membership.objects.get(user=cast.officer_a)
    m.role = Membership.Role.APPROVER
    m.save()
    assert m.history.count() == 2
