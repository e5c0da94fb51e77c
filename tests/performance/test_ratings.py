"""Civil servants rated under PermenPAN-RB 6/2022 (issue 20): the nine cells of the matrix
from ratings entered through the approver's screen and through ratings.csv, out through the
recompute and `export_scores --level contract`; the suggested results rating, the reason,
the unit leader's rule, late changes, and ratings.csv's all-or-nothing rules.

Time is fixed at 1 February 2026 (WITA): 2025 is closed, 2026 is not."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal as D

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse

from agencies.audit import system_actor
from agencies.csvio import ImportFailed
from performance import scoring
from performance.models import PerformanceContract, Score, ScoreRun, StaffRating
from performance.ratings import RatingInput, RatingsRefused, import_ratings, save_ratings
from performance.services import recompute_scores
from tests.conftest import AFTER_2025, call_in_indonesian
from tests.factories import EmployeeFactory, StaffRatingFactory
from tests.portal.workspace.data import contract_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

# A score that suggests each results rating (>= 110 above, < 90 below).
SCORE_FOR = {"above": "115", "as_expected": "100", "below": "80"}
CELLS = [
    ("above", "above", "Sangat Baik"),
    ("above", "as_expected", "Baik"),
    ("above", "below", "Kurang"),
    ("as_expected", "above", "Baik"),
    ("as_expected", "as_expected", "Baik"),
    ("as_expected", "below", "Kurang"),
    ("below", "above", "Butuh Perbaikan"),
    ("below", "as_expected", "Butuh Perbaikan"),
    ("below", "below", "Sangat Kurang"),
]
HEADER = "agency_code,nip,year,results_rating,behaviour_rating,reason\n"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(AFTER_2025, tick=False):
        yield


def skp(agency, score: str, *, year: int = 2025, leads_unit: bool = False, **kwargs):
    """An approved SKP of a new civil servant of `agency` whose every quarter of `year`
    scores `score` (one indicator, target 100)."""
    employee = EmployeeFactory(agency=agency, leads_unit=leads_unit)
    contract = contract_of(
        agency,
        employee=employee,
        year=year,
        indicators=1,
        realised=False,
        status=PerformanceContract.Status.APPROVED,
        **kwargs,
    )
    indicator = contract.indicators.get()
    for q in (1, 2, 3, 4):
        indicator.realisations.create(quarter=q, value=D(score))
    return contract


def export_contract_rows(year: int = 2025) -> dict[tuple[str, str], str]:
    out = io.StringIO()
    call_command("export_scores", year=year, level="contract", stdout=out)
    return {
        (r["holder"], r["period"]): r["predikat"]
        for r in csv.DictReader(io.StringIO(out.getvalue()))
    }


def rate_through_screen(client, contract, results: str, behaviour: str, **extra):
    return client.post(
        reverse("ratings:person", args=[contract.pk]),
        {"results": results, "behaviour": behaviour, "reason": "", **extra},
    )


def rate_through_csv(contract, results: str, behaviour: str, reason: str = "", **kwargs):
    """One row of ratings.csv, imported as the command does (the administrator's act)."""
    agency, nip, year = contract.agency.code, contract.employee.nip, contract.year
    line = f"{agency},{nip},{year},{results},{behaviour},{reason}\n"
    return import_ratings((HEADER + line).encode(), user=system_actor("cli"), **kwargs)


# --- the matrix ------------------------------------------------------------------------------


@pytest.mark.parametrize(("results", "behaviour", "predikat"), CELLS)
def test_the_default_matrix_is_the_regulations(results, behaviour, predikat):
    assert scoring.matrix_predikat(results, behaviour) == predikat
    assert scoring.matrix_predikat(results, "") == ""  # until both ratings exist


@pytest.mark.parametrize("channel", ["screen", "ratings.csv"])
@pytest.mark.parametrize(("results", "behaviour", "predikat"), CELLS)
def test_each_cell_from_the_screen_and_from_ratings_csv_reaches_the_export(
    cast, approver_a, channel, results, behaviour, predikat
):
    contract = skp(cast.agency_a, SCORE_FOR[results])
    unrated = skp(cast.agency_a, "100")
    recompute_scores(today=AFTER_2025)  # the annual scores the suggestions come from
    if channel == "screen":
        response = rate_through_screen(approver_a, contract, results, behaviour)
        assert response.status_code == 302, response.content.decode()
    else:
        rate_through_csv(contract, results, behaviour)
    rating = StaffRating.objects.get(contract=contract)
    assert (rating.results, rating.behaviour, rating.suggested) == (results, behaviour, results)

    recompute_scores(today=AFTER_2025)
    rows = export_contract_rows()
    nip = contract.employee.nip
    assert rows[(nip, "Y")] == predikat
    assert {rows[(nip, f"Q{q}")] for q in (1, 2, 3, 4)} == {""}  # never on a quarter
    assert rows[(unrated.employee.nip, "Y")] == ""  # an unrated civil servant: none
    y = Score.objects.get(run=ScoreRun.objects.latest_published(), contract=contract, period="Y")
    assert (y.results_rating, y.behaviour_rating) == (results, behaviour)


def test_a_provisional_year_gives_no_predikat_even_when_rated(cast):
    contract = skp(cast.agency_a, "100")
    StaffRatingFactory(contract=contract, results="above", behaviour="above")
    recompute_scores(today=datetime.date(2025, 11, 1))  # Q4 2025 still open
    assert export_contract_rows()[(contract.employee.nip, "Y")] == ""


# --- the suggestion and the reason ---------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "suggested"),
    [
        ("110.00", "above"),
        ("109.99", "as_expected"),
        ("90.00", "as_expected"),
        ("89.99", "below"),
        ("0", "below"),
    ],
)
def test_the_suggestion_follows_the_schemes_thresholds(score, suggested):
    assert scoring.suggested_results_rating(D(score)) == suggested
    strict = scoring.Scheme(rating_above_from=D(100), rating_below_under=D(95))
    assert scoring.suggested_results_rating(D("100"), strict) == "above"
    assert scoring.suggested_results_rating(None) is None


def test_another_results_rating_needs_a_reason(cast):
    contract = skp(cast.agency_a, "100")  # as expected
    recompute_scores(today=AFTER_2025)
    with pytest.raises(ImportFailed) as refused:
        rate_through_csv(contract, "above", "as_expected")
    assert [str(e) for e in refused.value.errors] == [
        "line 2, column reason: differs from the suggested as_expected (annual score "
        "100.00): give a reason"
    ]
    assert not StaffRating.objects.exists()
    rate_through_csv(contract, "above", "as_expected", "Memimpin tim penanganan bencana")
    rating = StaffRating.objects.get()
    assert (rating.results, rating.suggested, rating.annual_score) == (
        "above",
        "as_expected",
        D("100.00"),
    )
    assert rating.reason == "Memimpin tim penanganan bencana"


def test_without_a_published_annual_score_a_reason_is_needed(cast):
    contract = skp(cast.agency_a, "100")  # no recompute: nothing published
    with pytest.raises(ImportFailed, match="no published annual score"):
        rate_through_csv(contract, "as_expected", "as_expected")
    rate_through_csv(contract, "as_expected", "as_expected", "Dinilai dari laporan bulanan")
    assert StaffRating.objects.get().suggested == ""


def test_the_leader_of_a_unit_takes_the_units_predikat_as_results_rating(cast):
    head = skp(cast.agency_a, "80", leads_unit=True)  # their own score would say below
    unit = contract_of(
        cast.agency_a, status=PerformanceContract.Status.APPROVED, indicators=1, realised=False
    )
    for q in (1, 2, 3, 4):  # the unit's own contract: 115 every quarter, Istimewa
        unit.indicators.get().realisations.create(quarter=q, value=D("115"))
    recompute_scores(today=AFTER_2025)
    with pytest.raises(ImportFailed) as refused:
        rate_through_csv(head, "below", "as_expected", "Skor pribadi rendah")
    assert "leads the unit: their results rating is the unit's (Istimewa: above)" in str(
        refused.value
    )
    rate_through_csv(head, "above", "as_expected")  # binding, so no reason is asked
    assert StaffRating.objects.get(contract=head).suggested == "above"


def test_the_leader_of_a_unit_without_a_unit_predikat_cannot_be_rated_yet(cast):
    head = skp(cast.agency_a, "100", leads_unit=True)
    recompute_scores(today=AFTER_2025)  # the unit has no contract: no predikat
    with pytest.raises(ImportFailed, match="the unit has no final predikat for 2025"):
        rate_through_csv(head, "as_expected", "as_expected", "x")


def test_an_open_year_is_not_rated(cast):
    contract = skp(cast.agency_a, "100", year=2026)
    with pytest.raises(ImportFailed, match="2026 is not closed yet"):
        rate_through_csv(contract, "as_expected", "as_expected", "x")


# --- late changes -------------------------------------------------------------------------------


def test_a_changed_rating_needs_a_reason_and_a_confirmation_and_is_recorded(cast):
    contract = skp(cast.agency_a, "100")
    recompute_scores(today=AFTER_2025)
    rate_through_csv(contract, "as_expected", "as_expected")
    first = StaffRating.objects.get()
    with pytest.raises(ImportFailed) as refused:
        rate_through_csv(contract, "as_expected", "below")
    assert [(e.column, e.reason.split(" (")[0]) for e in refused.value.errors] == [
        ("-", "changes the ratings given on 2026-02-01"),
        ("reason", "changes the ratings given on 2026-02-01"),
    ]
    with pytest.raises(ImportFailed, match="confirm the change"):
        rate_through_csv(contract, "as_expected", "below", "Pelanggaran disiplin")
    with time_machine.travel("2026-02-03 10:00 +0800", tick=False):
        rate_through_csv(
            contract, "as_expected", "below", "Pelanggaran disiplin", confirm_changes=True
        )
    rating = StaffRating.objects.get()
    assert (rating.behaviour, rating.rated_at) == ("below", first.rated_at)
    assert rating.changed_at > first.changed_at
    reasons = list(
        rating.history.order_by("history_id").values_list("history_change_reason", "behaviour")
    )
    assert reasons == [
        ("Rated.", "as_expected"),
        ("Changed after the year closed: Pelanggaran disiplin", "below"),
    ]
    # The same file again changes nothing.
    assert rate_through_csv(
        contract, "as_expected", "below", "Pelanggaran disiplin", confirm_changes=True
    ).unchanged == {"ratings": 1}


# --- ratings.csv: all or nothing ----------------------------------------------------------------


def test_a_file_with_bad_rows_saves_nothing_and_lists_every_problem(cast):
    good = skp(cast.agency_a, "100")
    other = skp(cast.agency_b, "100")
    draft = skp(cast.agency_a, "100")
    PerformanceContract.objects.filter(pk=draft.pk).update(status="draft")
    recompute_scores(today=AFTER_2025)
    nip = good.employee.nip
    data = (
        HEADER
        + f"DIKES,{nip},2025,as_expected,as_expected,\n"
        + f"DIKES,{nip},2025,as_expected,as_expected,\n"  # twice
        + f"DIKES,{other.employee.nip},2025,as_expected,as_expected,\n"  # held by DIKBUD
        + f"DIKES,{draft.employee.nip},2025,as_expected,as_expected,\n"  # not approved
        + "DIKES,199001012020011001,2025,as_expected,as_expected,\n"  # nobody
        + "NOPE,12345,20x5,great,as_expected,\n"
    ).encode()
    with pytest.raises(ImportFailed) as refused:
        import_ratings(data, user=system_actor("cli"))
    assert [str(e) for e in refused.value.errors] == [
        "line 3, column -: this civil servant is already on 2",
        "line 4, column agency_code: the SKP of this civil servant for 2025 is held by DIKBUD",
        "line 5, column nip: the SKP of 2025 is not approved",
        "line 6, column nip: no civil servant has this NIP",
        "line 7, column agency_code: unknown agency NOPE",
        "line 7, column nip: a NIP has exactly 18 digits, got 5",
        "line 7, column year: '20x5' is not a whole number",
        "line 7, column results_rating: must be one of above, as_expected, below, got 'great'",
    ]
    assert not StaffRating.objects.exists()


def test_an_approvers_upload_names_only_their_agencies(cast):
    other = skp(cast.agency_b, "100")
    recompute_scores(today=AFTER_2025)
    line = f"DIKBUD,{other.employee.nip},2025,as_expected,as_expected,\n"
    with pytest.raises(ImportFailed) as refused:
        import_ratings((HEADER + line).encode(), user=cast.approver_a, scope=[cast.agency_a.pk])
    assert [str(e) for e in refused.value.errors] == [
        "line 2, column agency_code: you do not rate the civil servants of DIKBUD"
    ]


def test_the_command_reports_line_and_column_and_exits_non_zero(cast, tmp_path):
    contract = skp(cast.agency_a, "100")
    recompute_scores(today=AFTER_2025)
    path = tmp_path / "ratings.csv"
    path.write_text(HEADER + f"DIKES,{contract.employee.nip},2025,as_expected,sometimes,\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_in_indonesian("import_ratings", str(path), stderr=err)
    assert err.getvalue() == (
        "line 2, column behaviour_rating: must be one of above, as_expected, below, got "
        "'sometimes'\n"
    )
    path.write_text(HEADER + f"DIKES,{contract.employee.nip},2025,as_expected,above,\n")
    out = io.StringIO()
    call_command("import_ratings", str(path), stdout=out)
    assert "created: ratings 1" in out.getvalue()
    rating = StaffRating.objects.get()
    assert rating.history.get().history_user.username == "system-cli"
    path.write_text(HEADER + f"DIKES,{contract.employee.nip},2025,as_expected,below,Koreksi\n")
    with pytest.raises(CommandError):
        call_command("import_ratings", str(path), stderr=io.StringIO())
    call_command("import_ratings", str(path), "--confirm-changes", stdout=io.StringIO())
    assert StaffRating.objects.get().behaviour == "below"


def test_save_ratings_refuses_a_contract_outside_the_scope(cast):
    contract = skp(cast.agency_b, "100")
    with pytest.raises(RatingsRefused) as refused:
        save_ratings(
            [RatingInput(contract.pk, "as_expected", "as_expected", "x")],
            user=cast.approver_a,
            scope=[cast.agency_a.pk],
        )
    assert [p.reason for p in refused.value.problems] == [
        "not an approved SKP of a civil servant you rate"
    ]
