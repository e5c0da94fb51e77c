"""A hostile CSV costs time in proportion to its size (issue 16, finding 4): the header is
checked in linear time, a header far wider than the format's columns and a line longer than
any valid row are refused before a cell is parsed, by the command and the browser upload."""

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError
from django.urls import reverse

from agencies.csvio import EXTRA_HEADER_COLUMNS, MAX_LINE_CHARS, ImportFailed, read_rows
from performance.imports import COLUMNS
from performance.models import PerformanceContract
from tests.conftest import call_in_indonesian

pytestmark = pytest.mark.usefixtures("english")
WIDE = 100_000  # columns of the tester's header (672 KiB)
LIMIT_SECONDS = 1.0


def wide_header(columns: int = WIDE) -> bytes:
    """The tester's file: 100,000 header cells, each a name the format does not have."""
    return (",".join(f"c{i}" for i in range(columns)) + "\n").encode()


def refusal(data: bytes | str, columns=COLUMNS) -> list[str]:
    with pytest.raises(ImportFailed) as info:
        list(read_rows(data, columns))
    return [str(e) for e in info.value.errors]


def test_a_100000_column_header_is_refused_in_under_a_second():
    data = wide_header()
    assert len(data) > 600 * 1024
    started = time.perf_counter()
    errors = refusal(data)
    elapsed = time.perf_counter() - started
    assert elapsed < LIMIT_SECONDS, elapsed
    assert len(errors) == 1
    assert errors[0].startswith("line 1, column -: this line is ")
    assert f"no row of this file needs more than {MAX_LINE_CHARS}" in errors[0]


def test_a_header_wider_than_the_format_and_its_margin_is_refused_whatever_its_names():
    extra = [f"x{i}" for i in range(1000)]  # 1,013 columns, a line of about 6,000 characters
    header = ",".join([*COLUMNS, *extra])
    assert len(header) < MAX_LINE_CHARS
    assert refusal(header + "\n") == [
        f"line 1, column header: the header has {len(COLUMNS) + 1000} columns; this file has "
        f"{len(COLUMNS)}: {','.join(COLUMNS)}"
    ]
    # A few columns more than the format's are named in the usual way.
    few = ",".join([*COLUMNS, *extra[:EXTRA_HEADER_COLUMNS]])
    (error,) = refusal(few + "\n")
    assert "unknown column(s) x0, x1, x2, x3, x4" in error


def test_a_repeated_column_is_still_named():
    (error,) = refusal(",".join([*COLUMNS, "year"]) + "\n")
    assert "repeated column(s) year" in error


def test_a_long_line_further_down_is_refused_with_its_line_number():
    row = ",".join(["DIKES", "agency", "", "", "2025", "1", "IKU1", "x" * MAX_LINE_CHARS])
    data = ",".join(COLUMNS) + "\n" + ",".join(["a"] * len(COLUMNS)) + "\n" + row + "\n"
    (error,) = refusal(data)
    assert error.startswith("line 3, column -: this line is ")


def test_the_longest_valid_row_fits_well_within_the_bound():
    row = [
        "DIKES",
        "198507122010012003",
        "N" * 150,
        "P" * 200,
        "2025",
        "1",
        "I" * 30,
        '"' + "T, " * 166 + '"',  # 500 characters of text with commas, quoted
        "U" * 50,
        "higher",
        "100",
        "1234567890.1234",
        "1234567890.1234",
    ]
    line = ",".join(row)
    assert len(line) * 5 < MAX_LINE_CHARS
    assert len(list(read_rows(",".join(COLUMNS) + "\n" + line + "\n", COLUMNS))) == 1


@pytest.mark.django_db
def test_the_command_refuses_the_wide_header_in_under_a_second(tmp_path):
    path = tmp_path / "performance.csv"
    path.write_bytes(wide_header())
    err = io.StringIO()
    started = time.perf_counter()
    with pytest.raises(CommandError, match="1 problem"):
        call_in_indonesian("import_performance", str(path), stderr=err)
    assert time.perf_counter() - started < LIMIT_SECONDS
    assert err.getvalue().startswith("line 1, column -:")
    assert not PerformanceContract.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("private_media")
def test_the_browser_upload_refuses_the_wide_header_in_under_a_second(officer_a):
    started = time.perf_counter()
    response = officer_a.post(
        reverse("workspace:upload"),
        {"file": SimpleUploadedFile("performance.csv", wide_header(), "text/csv")},
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 400
    assert elapsed < LIMIT_SECONDS, elapsed
    (error,) = response.context["errors"]
    assert str(error).startswith("line 1, column -: this line is ")
