"""The ratings screen (issue 20): per agency and closed year who is rated and who is not,
the bulk form (all or nothing), one civil servant's page with a note per core value and its
history, the upload of ratings.csv, and the objection to a predikat (14 calendar days),
answered by the leaders of the authority. Bounded queries on every page.

Time is fixed at 1 February 2026 (WITA): 2025 is closed."""

from __future__ import annotations

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from performance.models import PersonalDataAccess, StaffRating
from performance.services import recompute_scores
from rewards.models import Objection
from tests.conftest import AFTER_2025
from tests.performance.test_ratings import skp

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(AFTER_2025, tick=False):
        yield


@pytest.fixture
def staff(cast):
    """Three civil servants of agency A with published annual scores 115, 100 and 80."""
    contracts = [skp(cast.agency_a, s) for s in ("115", "100", "80")]
    recompute_scores(today=AFTER_2025)
    return contracts


def agency_url(cast, year=2025, query=""):
    return reverse("ratings:agency", args=[cast.agency_a.pk, year]) + query


def row(contract, results, behaviour, reason=""):
    p = f"r{contract.pk}"
    return {f"{p}-results": results, f"{p}-behaviour": behaviour, f"{p}-reason": reason}


def test_the_screen_lists_who_is_rated_and_suggests(
    cast, staff, approver_a, django_assert_max_num_queries
):
    StaffRating.objects.create(
        contract=staff[0],
        results="above",
        behaviour="above",
        rated_at=staff[0].created_at,
        changed_at=staff[0].created_at,
    )
    with django_assert_max_num_queries(16):
        response = approver_a.get(agency_url(cast))
    assert response.status_code == 200
    rows = {r["contract"].pk: r for r in response.context["rows"]}
    assert [rows[c.pk]["suggestion"].rating for c in staff] == ["above", "as_expected", "below"]
    assert rows[staff[0].pk]["predikat"] == "Sangat Baik"
    assert rows[staff[1].pk]["rating"] is None
    # The results rating comes pre-filled with the suggestion.
    assert rows[staff[2].pk]["form"]["results"].value() == "below"
    unrated = approver_a.get(agency_url(cast, query="?show=unrated")).context["rows"]
    # (the page orders by name; factory names "Pegawai 9" and "Pegawai 10" sort either way)
    assert sorted(r["contract"].pk for r in unrated) == sorted([staff[1].pk, staff[2].pk])
    rated = approver_a.get(agency_url(cast, query="?show=rated")).context["rows"]
    assert [r["contract"].pk for r in rated] == [staff[0].pk]
    assert PersonalDataAccess.objects.filter(agency=cast.agency_a, employee=None).exists()


def test_the_screen_stays_within_its_queries_with_two_hundred_staff(
    cast, approver_a, django_assert_max_num_queries
):
    contracts = [skp(cast.agency_a, "100") for _ in range(200)]
    recompute_scores(today=AFTER_2025)
    with django_assert_max_num_queries(16):
        response = approver_a.get(agency_url(cast))
    assert len(response.context["rows"]) == 200
    data = {}
    for c in contracts:
        data.update(row(c, "as_expected", "as_expected"))
    with django_assert_max_num_queries(40):
        response = approver_a.post(agency_url(cast), data)
    assert response.status_code == 302
    assert StaffRating.objects.count() == 200


def test_the_bulk_form_saves_all_or_nothing(cast, staff, approver_a):
    data = {
        **row(staff[0], "above", "as_expected"),
        **row(staff[1], "above", "as_expected"),  # suggested as expected: needs a reason
        **row(staff[2], "below", ""),  # no behaviour rating: left alone
    }
    response = approver_a.post(agency_url(cast), data)
    assert response.status_code == 400
    assert not StaffRating.objects.exists()
    page = response.content.decode()
    assert "Nothing was saved: 1 problem to correct." in page
    assert "differs from the suggested as_expected (annual score 100.00): give a reason" in page
    data[f"r{staff[1].pk}-reason"] = "Inovasi layanan daring"
    response = approver_a.post(agency_url(cast), data, follow=True)
    assert "Saved: 2 rated, 0 changed, 0 unchanged." in response.content.decode()
    assert {r.contract_id: (r.results, r.reason) for r in StaffRating.objects.all()} == {
        staff[0].pk: ("above", ""),
        staff[1].pk: ("above", "Inovasi layanan daring"),
    }


def test_changing_ratings_in_bulk_needs_the_confirmation(cast, staff, approver_a):
    approver_a.post(agency_url(cast), row(staff[0], "above", "above"))
    changed = row(staff[0], "above", "below", "Pelanggaran kode etik")
    response = approver_a.post(agency_url(cast), changed)
    assert response.status_code == 400
    assert "confirm the change" in response.content.decode()
    assert StaffRating.objects.get().behaviour == "above"
    response = approver_a.post(agency_url(cast), {**changed, "confirm_changes": "on"})
    assert response.status_code == 302
    rating = StaffRating.objects.get()
    assert rating.behaviour == "below"
    assert rating.history.first().history_change_reason == (
        "Changed after the year closed: Pelanggaran kode etik"
    )


def test_an_officer_reads_but_does_not_rate(cast, staff, officer_a, officer_b):
    assert officer_a.get(agency_url(cast)).status_code == 200
    assert officer_a.get(agency_url(cast)).context["editable"] is False
    response = officer_a.post(agency_url(cast), row(staff[0], "above", "above"))
    assert response.status_code == 404
    assert officer_b.get(agency_url(cast)).status_code == 404
    assert not StaffRating.objects.exists()


def test_an_open_year_shows_no_form(cast, approver_a):
    skp(cast.agency_a, "100", year=2026)
    response = approver_a.get(agency_url(cast, year=2026))
    assert response.status_code == 200
    assert response.context["editable"] is False
    assert "2026 is not closed yet" in response.content.decode()


def test_one_civil_servant_with_notes_per_core_value_and_history(
    cast, staff, approver_a, django_assert_max_num_queries
):
    url = reverse("ratings:person", args=[staff[1].pk])
    with django_assert_max_num_queries(16):
        response = approver_a.get(url)
    assert response.context["form"]["results"].value() == "as_expected"
    response = approver_a.post(
        url,
        {
            "results": "as_expected",
            "behaviour": "above",
            "note_akuntabel": "Laporan selalu tepat waktu",
            "note_kolaboratif": "Aktif di tim lintas bidang",
        },
    )
    assert response.status_code == 302
    rating = StaffRating.objects.get()
    assert rating.notes == {
        "akuntabel": "Laporan selalu tepat waktu",
        "kolaboratif": "Aktif di tim lintas bidang",
    }
    with django_assert_max_num_queries(18):
        page = approver_a.get(url).content.decode()
    assert "Laporan selalu tepat waktu" in page
    assert "Baik" in page  # as expected x above
    assert "Rated." in page  # the history
    assert PersonalDataAccess.objects.filter(employee=staff[1].employee).exists()


def test_the_upload_imports_all_or_nothing(cast, staff, approver_a, officer_a):
    url = reverse("ratings:upload")
    header = "agency_code,nip,year,results_rating,behaviour_rating,reason\n"
    good = f"DIKES,{staff[0].employee.nip},2025,above,above,\n"
    bad = f"DIKES,{staff[1].employee.nip},2025,below,above,\n"  # suggested as expected
    upload = SimpleUploadedFile("ratings.csv", (header + good + bad).encode(), "text/csv")
    response = approver_a.post(url, {"file": upload})
    assert response.status_code == 400
    assert [str(e) for e in response.context["errors"]] == [
        "line 3, column reason: differs from the suggested as_expected (annual score 100.00): "
        "give a reason"
    ]
    assert not StaffRating.objects.exists()
    upload = SimpleUploadedFile("ratings.csv", (header + good).encode(), "text/csv")
    response = approver_a.post(url, {"file": upload}, follow=True)
    assert "ratings.csv imported: 1 rows; created: ratings 1." in response.content.decode()
    assert officer_a.get(url).status_code == 404


def test_an_objection_to_the_predikat_within_14_days_answered_by_the_authority(
    cast, staff, approver_a, leader, django_assert_max_num_queries
):
    approver_a.post(agency_url(cast), row(staff[2], "below", "below"))  # Sangat Kurang
    url = reverse("ratings:object", args=[staff[2].pk])
    # (Signed in again on each day: a staff session ends after 12 hours.)
    with time_machine.travel("2026-02-16 09:00 +0800", tick=False):  # day 15
        officer = cast.client(cast.officer_a)
        response = officer.post(url, {"text": "Tidak sesuai"}, follow=True)
        assert "The 14 days to object to this predikat are over." in response.content.decode()
    assert not Objection.objects.exists()
    with time_machine.travel("2026-02-15 16:00 +0800", tick=False):  # day 14
        assert cast.client(cast.approver_a).post(url, {"text": "x"}).status_code == 404
        officer = cast.client(cast.officer_a)
        response = officer.post(url, {"text": "Penilaian perilaku tidak berdasar"})
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert (objection.rating.contract_id, objection.decision) == (staff[2].pk, None)

    with django_assert_max_num_queries(16):
        page = leader.get(reverse("rewards:objections"))
    body = page.content.decode()
    assert "Penilaian perilaku tidak berdasar" in body
    assert "below expectation" in body and "Sangat Kurang" in body
    answer = reverse("rewards:answer", args=[objection.pk])
    assert answer in body
    response = leader.post(answer, {"answer": "Ditinjau: penilaian tetap"})
    assert response.status_code == 302
    assert response["Location"] == reverse("rewards:objections")
    objection.refresh_from_db()
    assert (objection.answer, objection.answered_by) == ("Ditinjau: penilaian tetap", cast.leader)


def test_the_index_counts_the_rated_per_agency_and_closed_year(
    cast, staff, approver_a, django_assert_max_num_queries
):
    approver_a.post(agency_url(cast), row(staff[0], "above", "above"))
    skp(cast.agency_a, "100", year=2026)  # an open year: not listed
    with django_assert_max_num_queries(14):
        rows = approver_a.get(reverse("ratings:index")).context["rows"]
    with django_assert_max_num_queries(12):
        assert approver_a.get(reverse("ratings:upload")).status_code == 200
    assert [(r["agency_id"], r["year"], r["rated"], r["unrated"]) for r in rows] == [
        (cast.agency_a.pk, 2025, 1, 2)
    ]


def test_saving_a_page_again_asks_nothing_of_rows_already_rated(cast, staff, approver_a):
    """A suggestion that moved since a rating was given (a later run) asks no reason of that
    rating when the page is saved again with it unchanged."""
    approver_a.post(agency_url(cast), row(staff[1], "as_expected", "as_expected"))
    contract = staff[1].indicators.get()
    contract.realisations.update(value=120)  # now suggests above
    recompute_scores(today=AFTER_2025)
    rows = approver_a.get(agency_url(cast)).context["rows"]
    data = {}
    for r in rows:  # the page posted back as shown, one new rating added
        f = r["form"]
        data.update({f"{f.prefix}-{k}": f[k].value() or "" for k in ("results", "behaviour")})
        data[f"{f.prefix}-reason"] = f["reason"].value() or ""
    data.update(row(staff[0], "above", "as_expected"))
    response = approver_a.post(agency_url(cast), data)
    assert response.status_code == 302, response.content.decode()
    assert StaffRating.objects.get(contract=staff[1]).suggested == "as_expected"
    assert StaffRating.objects.count() == 2
