"""seed_demo: a believable NTB through the real imports, deterministic and idempotent, marked
as sample data. The data set is built once for the module (150 employees instead of 2,800;
surveys and agency contracts are full size) and wiped afterwards."""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, Sum

from agencies.models import (
    ANSWER_FIELDS,
    Agency,
    AuditEvent,
    FollowUpPlan,
    FollowUpUpdate,
    Region,
    SampleData,
    Service,
    ServiceMetric,
    SurveyResponse,
)
from performance import scoring
from performance.models import (
    Achievement,
    AnnualAchievement,
    Correction,
    Edition,
    Employee,
    Goal,
    GoalIndicator,
    GoalTarget,
    Indicator,
    PerformanceContract,
    Realisation,
    Score,
    ScoreRun,
    ScoringScheme,
    StaffCount,
    StaffRating,
    Support,
    Target,
)
from performance.services import recompute_scores
from performance.validators import nip_problem
from portal.demo import generate, tables
from portal.demo.management.commands.seed_demo import Command
from tests.conftest import clear_cache

SMALL = 150
REGIONS = {
    "52": ("Provinsi Nusa Tenggara Barat", "province"),
    "5201": ("Kabupaten Lombok Barat", "regency"),
    "5202": ("Kabupaten Lombok Tengah", "regency"),
    "5203": ("Kabupaten Lombok Timur", "regency"),
    "5204": ("Kabupaten Sumbawa", "regency"),
    "5205": ("Kabupaten Dompu", "regency"),
    "5206": ("Kabupaten Bima", "regency"),
    "5207": ("Kabupaten Sumbawa Barat", "regency"),
    "5208": ("Kabupaten Lombok Utara", "regency"),
    "5271": ("Kota Mataram", "city"),
    "5272": ("Kota Bima", "city"),
}


def _wipe() -> None:
    """Delete every row the module made, with plain DELETEs: the ORM's delete() would write
    an audit-trail record per deleted row, minutes for this many."""
    models = [
        AuditEvent,
        StaffRating,
        StaffCount,
        Score,
        Achievement,
        AnnualAchievement,
        Correction,
        Support,
        Edition,
        ScoreRun,
        ScoringScheme,
        Realisation,
        Target,
        Indicator,
        GoalTarget,
        GoalIndicator,
        Goal,
        PerformanceContract,
        Employee,
        SurveyResponse,
        ServiceMetric,
        FollowUpUpdate,
        FollowUpPlan,
        Service,
        Agency,
        Region,
        SampleData,
    ]
    tables = [m._meta.db_table for m in models]
    tables += [m.history.model._meta.db_table for m in models if hasattr(m, "history")]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608
    clear_cache()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> str:
    """The command's output after seeding a small data set, committed for the module."""
    out = StringIO()
    with django_db_blocker.unblock():
        call_command("seed_demo", "--employees", str(SMALL), stdout=out)
    yield out.getvalue()
    with django_db_blocker.unblock():
        _wipe()


def snapshot() -> dict[str, list]:
    """Every seeded row by natural key and value, and the response ids (a replaced response
    would get a new id)."""
    return {
        "regions": list(Region.objects.order_by("code").values_list("code", "name", "kind")),
        "agencies": list(
            Agency.objects.order_by("code").values_list(
                "code", "slug", "name", "acronym", "region__code", "sector"
            )
        ),
        "services": list(
            Service.objects.order_by("agency__code", "code").values_list(
                "agency__code", "code", "name", "standard_days", "fee"
            )
        ),
        "employees": list(
            Employee.objects.order_by("nip").values_list(
                "nip", "name", "position", "agency__code", "supervisor__nip"
            )
        ),
        "contracts": list(
            PerformanceContract.objects.order_by(
                "agency__code", "employee__nip", "year"
            ).values_list("agency__code", "employee__nip", "year", "status", "created_at")
        ),
        "indicators": sorted(
            Indicator.objects.values_list(
                "contract_id",
                "code",
                "text",
                "unit",
                "direction",
                "weight",
                "goal_indicator_id",
                "parent_id",
            )
        ),
        "targets": sorted(Target.objects.values_list("indicator_id", "quarter", "value")),
        "realisations": sorted(
            Realisation.objects.values_list(
                "pk", "indicator_id", "quarter", "value", "explanation", "entered_at"
            )
        ),
        "responses": sorted(
            SurveyResponse.objects.values_list(
                "pk", "service_id", "year", "quarter", *ANSWER_FIELDS, "submitted_at", "channel"
            )
        ),
        "metrics": sorted(
            ServiceMetric.objects.values_list(
                "pk", "service_id", "year", "quarter", "kind", "value"
            )
        ),
        "marker": list(SampleData.objects.values_list("pk", "scale", "created_at")),
    }


@pytest.mark.django_db
def test_seed_creates_the_province_and_its_ten_regencies_and_cities(seeded):
    regions = {r.code: (r.name, r.kind) for r in Region.objects.all()}
    assert regions == REGIONS


@pytest.mark.django_db
def test_seed_creates_real_agencies_of_the_province_mataram_and_bima(seeded):
    agencies = Agency.objects.all()
    assert 30 <= agencies.count() <= 40
    names = set(agencies.values_list("name", flat=True))
    for name in (
        "Dinas Kesehatan",
        "Dinas Pendidikan dan Kebudayaan",
        "Inspektorat",
        "Badan Pengelolaan Keuangan dan Aset Daerah",
        "Badan Pendapatan Daerah",
        "Biro Pengadaan Barang/Jasa",
        "Dinas Kependudukan dan Pencatatan Sipil Kota Mataram",
        "Rumah Sakit Umum Daerah Kota Mataram",
    ):
        assert name in names
    assert set(agencies.values_list("region__code", flat=True)) == {"52", "5271", "5272"}
    assert not agencies.filter(sector="").exists()
    assert not agencies.filter(acronym="").exists()
    # Every agency delivers services with their standard and fee (None: set by tariff).
    assert not Agency.objects.annotate(n=Count("services")).filter(n=0).exists()
    assert not Service.objects.filter(standard_days__isnull=True).exists()
    ktp = Service.objects.get(agency__code="MTR-DUKCAPIL", code="KTP-EL")
    assert (ktp.name, ktp.standard_days, ktp.fee) == ("Penerbitan KTP-el", 1, Decimal("0"))


@pytest.mark.django_db
def test_seeded_employees_have_valid_nips_and_a_supervisor_in_their_agency(seeded):
    employees = list(Employee.objects.select_related("supervisor"))
    assert SMALL - 10 <= len(employees) <= SMALL + 10
    assert [e.nip for e in employees if nip_problem(e.nip)] == []
    heads = [e for e in employees if e.supervisor is None]
    assert len(heads) == Agency.objects.count()
    for e in employees:
        if e.supervisor is not None:
            assert e.supervisor.agency_id == e.agency_id
            assert e.supervisor.supervisor_id is None or e.supervisor.supervisor.supervisor is None
    sizes = Counter(e.agency_id for e in employees)
    assert any(n < 10 for n in sizes.values())  # the privacy rule shows
    assert any(n >= 10 for n in sizes.values())


@pytest.mark.django_db
def test_contracts_cover_two_years_in_both_directions_with_gaps_and_explanations(seeded):
    pk = PerformanceContract.objects.agency_held()
    assert set(pk.values_list("year", flat=True)) == {2025, 2026}
    assert pk.count() == 2 * Agency.objects.count()
    assert not pk.exclude(status=PerformanceContract.Status.APPROVED).exists()
    sizes = set(pk.annotate(n=Count("indicators")).values_list("n", flat=True))
    assert sizes <= {4, 5, 6}
    weight_sums = set(pk.annotate(w=Sum("indicators__weight")).values_list("w", flat=True))
    assert Decimal(100) in weight_sums
    assert weight_sums - {Decimal(100)}  # weights need not sum to 100
    directions = set(
        Indicator.objects.filter(contract__employee__isnull=True).values_list(
            "direction", flat=True
        )
    )
    assert directions == {"higher", "lower"}
    # Every SKP holds 2-4 indicators, every quarter has a target.
    skp = PerformanceContract.objects.filter(employee__isnull=False)
    assert skp.count() == 2 * Employee.objects.count()
    assert set(skp.annotate(n=Count("indicators")).values_list("n", flat=True)) <= {2, 3, 4}
    assert Target.objects.count() == 4 * Indicator.objects.count()
    # Closed quarters miss a few realisations; Q4 2026 (still open) has none yet.
    reported = Counter(Realisation.objects.values_list("indicator__contract__year", "quarter"))
    per_quarter = Indicator.objects.filter(contract__year=2025).count()
    assert 0 < per_quarter - reported[(2025, 2)] < per_quarter * 0.1
    assert reported[(2026, 4)] == 0
    explained = Realisation.objects.exclude(explanation="")
    assert explained.filter(indicator__contract__employee__isnull=True).exists()
    assert explained.filter(indicator__contract__employee__isnull=False).exists()
    assert "anggaran" in " ".join(explained.values_list("explanation", flat=True))
    # Entered a few days after their quarter, not at the moment of seeding.
    entered = Realisation.objects.filter(indicator__contract__year=2025, quarter=1).values_list(
        "entered_at", flat=True
    )
    assert all(datetime.date(2025, 4, 1) <= d.date() <= datetime.date(2025, 5, 1) for d in entered)


@pytest.mark.django_db
def test_surveys_and_metrics_cover_every_service(seeded):
    groups = SurveyResponse.objects.values("service", "year", "quarter").annotate(n=Count("id"))
    sizes = [g["n"] for g in groups]
    assert any(n < 10 for n in sizes)  # "data belum cukup"
    assert any(n >= 50 for n in sizes)
    assert set(SurveyResponse.objects.values_list("service", flat=True)) == set(
        Service.objects.values_list("pk", flat=True)
    )
    kinds = Counter(ServiceMetric.objects.values_list("kind", flat=True))
    assert set(kinds) == set(ServiceMetric.Kind.values)
    assert len(set(kinds.values())) == 1  # every kind for every service and quarter
    values = {
        (m.service_id, m.year, m.quarter, m.kind): m.value for m in ServiceMetric.objects.all()
    }
    for (service, year, quarter, kind), applications in values.items():
        if kind == "applications":
            done = (
                values[(service, year, quarter, "completed_on_time")]
                + values[(service, year, quarter, "completed_late")]
            )
            assert done <= applications
            assert (
                values[(service, year, quarter, "complaints_resolved")]
                <= values[(service, year, quarter, "complaints_received")]
            )


@pytest.mark.django_db
def test_database_is_marked_as_holding_sample_data(seeded):
    assert list(SampleData.objects.values_list("scale", flat=True)) == [1]
    assert "Sample data in place" in seeded


@pytest.mark.django_db
def test_running_it_again_changes_nothing(seeded):
    before = snapshot()
    call_command("seed_demo", "--employees", str(SMALL), stdout=StringIO())
    assert snapshot() == before


@pytest.mark.django_db
def test_the_editions_cover_every_closed_quarter_of_the_sample(seeded):
    """seed_demo publishes the run of each day a quarter of the sample closed (issue 24), and
    the nightly job's run of today (apply_rules --recompute) adds none: no quarter closed
    since and nothing corrected."""
    closed = {
        f"{y}-Q{q}" for y in tables.YEARS for q in scoring.closed_quarters(y, tables.REFERENCE_DAY)
    }
    assert len(closed) == 7  # 2025 Q1-Q4, 2026 Q1-Q3
    editions = list(Edition.objects.order_by("date"))
    assert [e.date.isoformat() for e in editions] == [
        "2025-04-16",
        "2025-07-16",
        "2025-10-16",
        "2026-01-16",
        "2026-04-16",
        "2026-07-16",
        "2026-10-16",
    ]
    assert [q for e in editions for q in e.quarters] == sorted(closed)
    assert all(e.run.as_of == e.date for e in editions)
    assert "editions published 7" in seeded
    call_command("apply_rules", "--recompute", stdout=StringIO())
    assert Edition.objects.count() == 7
    assert not Correction.objects.exists()  # drawn up as if entered in time


@pytest.mark.django_db
def test_seeded_data_scores_with_privacy_rule_showing(seeded):
    run = recompute_scores(today=tables.REFERENCE_DAY)
    year = Score.objects.agency_level().filter(run=run, year=2025, period="Y")
    assert year.count() == Agency.objects.count()
    assert year.filter(e__isnull=True).exists()  # fewer than 10 staff
    assert year.filter(e__isnull=False).exists()
    assert year.filter(s__isnull=False).exists()
    assert len(set(year.values_list("predikat", flat=True))) >= 2


@pytest.mark.django_db
def test_the_sample_data_show_every_case_of_scoring_version_2(seeded):
    """An open quarter, indicators judged on an annual target (sum, last, average), an agency
    whose survey never has enough respondents (an incomplete score), and one whose IKM meets
    the IKM target (S = 100)."""
    from performance.models import AnnualAchievement, Indicator

    run = recompute_scores(today=tables.REFERENCE_DAY)
    agency_scores = Score.objects.agency_level().filter(run=run)
    # 27 November 2026: Q4 has started and is open, Q3 closed on 16 October.
    assert set(agency_scores.filter(year=2026, period="Q4").values_list("final", flat=True)) == {
        False
    }
    assert set(agency_scores.filter(year=2026, period="Q3").values_list("final", flat=True)) == {
        True
    }
    assert {"sum", "last", "average"} <= set(
        Indicator.objects.exclude(annual_target=None).values_list("aggregation", flat=True)
    )
    judged = AnnualAchievement.objects.filter(run=run, target__isnull=False)
    assert judged.filter(indicator__text__startswith="Prevalensi stunting").exists()
    year = agency_scores.filter(year=2026, period="Y")
    assert list(year.filter(complete=False).values_list("agency__code", flat=True)) == [
        "BIRO-ORGANISASI"
    ]
    met = year.get(agency__code="MTR-DUKCAPIL")
    assert met.ikm >= scoring.DEFAULT_SCHEME.ikm_target and met.s >= 100


def test_generation_is_deterministic():
    assert generate.generate_people(200) == generate.generate_people(200)
    spec = tables.AGENCIES[0]
    assert generate.agency_contract_rows(spec) == generate.agency_contract_rows(spec)
    assert generate.survey_rows() == generate.survey_rows()
    assert generate.generate_people(50, seed=1) != generate.generate_people(50)


def test_scale_multiplies_employees_except_the_small_agencies():
    one, four = generate.staff_counts(2800), generate.staff_counts(4 * 2800)
    assert sum(one.values()) == 2800
    assert sum(four.values()) == 4 * 2800
    small = {a.code for a in tables.AGENCIES if a.fixed_staff}
    assert small and all(one[c] == four[c] < 10 for c in small)


def test_command_documents_its_options_and_refuses_a_scale_below_one():
    help_text = Command().create_parser("manage.py", "seed_demo").format_help()
    assert "--scale" in help_text and "--employees" in help_text
    with pytest.raises(CommandError):
        call_command("seed_demo", "--scale", "0")


def test_a_larger_size_keeps_the_people_of_a_smaller_one():
    small = {(p.nip, p.agency_code) for p in generate.generate_people(150)}
    large = {(p.nip, p.agency_code) for p in generate.generate_people(600)}
    assert small < large


@pytest.mark.django_db
def test_the_satisfaction_indicators_gap_to_the_survey_is_flagged(seeded, client):
    """Issue 22: Dinas Kesehatan reports its satisfaction indicator at 97.52 in Q3 2026 where
    its own survey measures about 75: flagged on the scorecard. Dinas Perpustakaan's, linked
    the same way, is within the threshold: not flagged."""
    recompute_scores(today=tables.REFERENCE_DAY)
    clear_cache()
    client.cookies["lang"] = "en"

    def satisfaction(code: str):
        page = client.get(
            Agency.objects.get(code=code).get_absolute_url(), {"year": 2026, "quarter": 3}
        )
        [shown] = [i for i in page.context["indicators"] if i.cross_check]
        return shown, page.content.decode()

    dikes, html = satisfaction("DIKES")
    assert dikes.text == tables.SATISFACTION_INDICATOR.text
    check = dikes.cross_check_result
    assert (dikes.realisation, check.flagged) == (Decimal("97.52"), True)
    assert Decimal(70) < check.value < Decimal(80) and check.gap > 10
    assert "Differs from the reported figure by" in html
    assert "IKM from the satisfaction survey" in html

    dispusip, html = satisfaction("DISPUSIP")
    assert dispusip.cross_check_result.gap <= 10 and not dispusip.cross_check_result.flagged
    assert "Within 10.00 points of the reported figure" in html
    assert "Differs from the reported figure by" not in html
