"""The browser's CSV upload: a preview that saves nothing, every bad row by line and column,
scope to the officer's agencies, an all-or-nothing confirmation from a staged copy only the
uploader can confirm."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from performance.models import Employee, PerformanceContract, Realisation, Target
from portal.workspace import upload as workspace_upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media", "english")]

HEADER = (
    "agency_code,holder,employee_name,position,year,quarter,indicator_code,indicator,"
    "unit,direction,weight,target,realisation\n"
)
GOOD = HEADER + (
    "DIKES,agency,,,2025,1,IKU1,Persentase persalinan di fasilitas kesehatan,%,higher,40,85,88.2\n"
    "DIKES,agency,,,2025,1,IKU2,Angka kematian bayi,per 1.000,lower,60,12,13.5\n"
    "DIKES,198507122010012003,Baiq Nurul Aini,Analis Kebijakan,2025,1,RHK1,Dokumen kajian,"
    "dokumen,higher,100,3,\n"
)


def upload(client, text: str, name: str = "performance.csv"):
    return client.post(
        reverse("workspace:upload"), {"file": SimpleUploadedFile(name, text.encode(), "text/csv")}
    )


def confirm(client, token: str):
    return client.post(reverse("workspace:upload_confirm"), {"token": token})


def staged_files(private_media) -> list:
    folder = private_media / "private" / "staging"
    return list(folder.iterdir()) if folder.exists() else []


def test_preview_counts_and_saves_nothing(officer_a, cast, private_media):
    response = upload(officer_a, GOOD)
    assert response.status_code == 200
    kinds = {label: (new, changed, same) for label, new, changed, same in response.context["kinds"]}
    assert kinds["contracts"] == (2, 0, 0)
    assert kinds["targets"] == (3, 0, 0)
    assert kinds["realisations"] == (2, 0, 0)
    assert not PerformanceContract.objects.exists() and not Employee.objects.exists()
    assert len(staged_files(private_media)) == 1


def test_confirm_saves_everything_then_the_same_file_changes_nothing(
    officer_a, cast, private_media
):
    token = upload(officer_a, GOOD).context["confirm"]["token"].value()
    response = confirm(officer_a, token)
    assert response.status_code == 302
    assert PerformanceContract.objects.count() == 2
    assert Target.objects.count() == 3 and Realisation.objects.count() == 2
    assert staged_files(private_media) == []
    again = upload(officer_a, GOOD)
    kinds = {label: (new, changed, same) for label, new, changed, same in again.context["kinds"]}
    assert kinds["targets"] == (0, 0, 3)
    # The upload submitted both contracts: a changed target waits until they are returned
    # (issue 16: an upload never changes a submitted or approved contract's targets) ...
    refused = upload(officer_a, GOOD.replace(",85,88.2", ",90,88.2"))
    assert refused.status_code == 400
    assert [(e.line, e.column) for e in refused.context["errors"]] == [(2, "target")]
    # ... then a changed value shows as changed.
    PerformanceContract.objects.update(status=PerformanceContract.Status.RETURNED)
    changed = upload(officer_a, GOOD.replace(",85,88.2", ",90,88.2"))
    kinds = {label: (new, changed, same) for label, new, changed, same in changed.context["kinds"]}
    assert kinds["targets"] == (0, 1, 2)


def test_every_bad_row_is_listed_by_line_and_column_and_nothing_saved(officer_a, cast):
    bad = GOOD + (
        "DIKES,agency,,,2025,5,IKU3,x,%,higher,1,10,\n"
        "DIKES,agency,,,2025,2,IKU4,x,%,sideways,0,10,\n"
    )
    response = upload(officer_a, bad)
    assert response.status_code == 400
    found = {(e.line, e.column) for e in response.context["errors"]}
    assert {(5, "quarter"), (6, "direction"), (6, "weight")} <= found
    html = response.content.decode()
    assert "quarter" in html and "direction" in html
    assert not PerformanceContract.objects.exists()


def test_rows_of_another_agency_are_errors(officer_b, cast):
    response = upload(officer_b, GOOD)
    assert response.status_code == 400
    assert {e.column for e in response.context["errors"]} == {"agency_code"}
    assert not PerformanceContract.objects.exists()


def test_confirm_rechecks_and_is_all_or_nothing(officer_a, cast):
    token = upload(officer_a, GOOD).context["confirm"]["token"].value()
    # Between the preview and the confirmation, agency A is no longer the officer's.
    cast.officer_a.memberships.update(agency=cast.agency_b)
    response = confirm(officer_a, token)
    assert response.status_code == 400
    assert response.context["errors"]
    assert not PerformanceContract.objects.exists()


def test_token_is_bound_to_the_uploaders_session(officer_a, cast, private_media):
    token = upload(officer_a, GOOD).context["confirm"]["token"].value()
    other_session = cast.client(cast.officer_a)
    assert confirm(other_session, token)["Location"] == reverse("workspace:upload")
    assert confirm(cast.client(cast.officer_b), token).status_code == 302
    assert confirm(officer_a, "../../../etc/passwd").status_code == 302
    assert not PerformanceContract.objects.exists()
    assert confirm(officer_a, token).status_code == 302
    assert PerformanceContract.objects.count() == 2
    # used once only
    assert confirm(officer_a, token)["Location"] == reverse("workspace:upload")


def test_expired_upload_is_refused_and_purged(officer_a, settings, private_media):
    token = upload(officer_a, GOOD).context["confirm"]["token"].value()
    settings.CSV_STAGING_SECONDS = 0
    time.sleep(0.01)
    assert confirm(officer_a, token)["Location"] == reverse("workspace:upload")
    assert not PerformanceContract.objects.exists()
    upload(officer_a, GOOD)  # purges the expired file of the first upload
    assert workspace_upload.purge_expired(time.time() + 10) == 1


@pytest.mark.parametrize("name", ["performance.ods", "performance.csv.exe", "performance"])
def test_only_csv_files_and_workbooks_are_taken(officer_a, name):
    response = upload(officer_a, GOOD, name=name)
    assert response.status_code == 400
    assert "file" in response.context["form"].errors


def test_oversize_csv_is_refused(officer_a, settings):
    settings.CSV_UPLOAD_MAX_BYTES = 100
    response = upload(officer_a, GOOD)
    assert response.status_code == 400
    assert "MB" in " ".join(response.context["form"].errors["file"])


def test_binary_file_is_refused_with_a_reason(officer_a):
    response = officer_a.post(
        reverse("workspace:upload"),
        {"file": SimpleUploadedFile("p.csv", b"\xff\xfe\x00\x00binary")},
    )
    assert response.status_code == 400
    assert response.context["errors"][0].line == 1


def test_upload_bumps_versions_so_open_forms_go_stale(officer_a, cast):
    from .data import contract_of

    contract = contract_of(cast.agency_a, year=2024)
    token = upload(officer_a, GOOD).context["confirm"]["token"].value()
    confirm(officer_a, token)
    contract.refresh_from_db()
    assert contract.version == 2


def test_confirmed_upload_is_in_the_audit_trail(officer_a, cast):
    token = upload(officer_a, GOOD).context["confirm"]["token"].value()
    confirm(officer_a, token)
    records = Target.history.all()
    assert records.count() == 3
    assert {(r.history_type, r.history_user_id) for r in records} == {("+", cast.officer_a.pk)}
    assert {r.history_change_reason for r in records} == {"CSV upload performance.csv"}
    # An approver returns them (the upload submitted them), so their targets can change.
    PerformanceContract.objects.update(status=PerformanceContract.Status.RETURNED)
    token = (
        upload(officer_a, GOOD.replace(",85,88.2", ",90,88.2")).context["confirm"]["token"].value()
    )
    confirm(officer_a, token)
    changed = Target.history.filter(history_type="~").get()
    assert (changed.value, changed.prev_record.value) == (90, 85)
