"""The browser upload takes what an HR officer's spreadsheet gives: an .xlsx workbook and a CSV
saved by Excel with `;` between the cells, previewed and confirmed as the comma CSV is."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from performance.models import Realisation
from tests.portal.workspace.test_upload import GOOD, confirm

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media", "english")]


def workbook(text: str) -> bytes:
    book = openpyxl.Workbook()
    for row in csv.reader(io.StringIO(text)):
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("performance.xlsx", workbook(GOOD)),
        ("performance.csv", GOOD.replace(",", ";").encode()),
    ],
)
def test_an_officer_uploads_a_workbook_or_a_semicolon_csv(officer_a, cast, name, data):
    response = officer_a.post(reverse("workspace:upload"), {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 200
    kinds = {label: (new, changed, same) for label, new, changed, same in response.context["kinds"]}
    assert kinds["targets"] == (3, 0, 0) and kinds["realisations"] == (2, 0, 0)
    assert confirm(officer_a, response.context["confirm"]["token"].value()).status_code == 302
    assert Realisation.objects.count() == 2


def test_another_kind_of_file_is_refused_with_what_is_accepted(officer_a, cast):
    response = officer_a.post(
        reverse("workspace:upload"), {"file": SimpleUploadedFile("performance.ods", b"x")}
    )
    assert "Upload a .csv file or an .xlsx workbook." in response.content.decode()
