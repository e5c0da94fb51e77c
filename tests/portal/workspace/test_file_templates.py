"""Downloadable templates of every import (issue 23): a header and example rows that the
import itself accepts."""

import csv
import io

import pytest
from django.urls import reverse

from agencies.csvio import read_rows
from portal.workspace.file_templates import templates

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", sorted(templates()))
def test_each_template_downloads_with_its_header_and_rows_the_reader_takes(officer_a, name):
    template = templates()[name]
    response = officer_a.get(reverse("workspace:file_template", args=[name]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{name}.csv"'
    body = response.content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == template.header and len(rows) == 1 + len(template.rows)
    required = [
        c for c in template.header if c not in ("annual_target", "aggregation", "previous_code")
    ]
    optional = [c for c in template.header if c not in required]
    parsed = list(read_rows(body.encode(), required, optional))
    assert len(parsed) == len(template.rows)
    assert all("__width__" not in r.cells for r in parsed)


def test_the_performance_template_imports_for_the_officers_agency(
    officer_a, cast, private_media, english
):
    body = officer_a.get(reverse("workspace:file_template", args=["performance"])).content
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = officer_a.post(
        reverse("workspace:upload"), {"file": SimpleUploadedFile("performance.csv", body)}
    )
    assert response.status_code == 200, response.context.get("errors")
    kinds = {label: new for label, new, _, _ in response.context["kinds"]}
    assert kinds["targets"] == 3 and kinds["realisations"] == 2


def test_the_list_links_every_template(officer_a):
    html = officer_a.get(reverse("workspace:file_templates")).content.decode()
    for name in templates():
        assert reverse("workspace:file_template", args=[name]) in html
