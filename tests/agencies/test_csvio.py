"""Reading the portal's CSV files: forgiving about form (BOM, CRLF, spaces, decimal comma),
strict about content, every problem as `line N, column C: reason`."""

import io
from decimal import Decimal

import pytest

from agencies.csvio import (
    ImportFailed,
    ImportResult,
    Row,
    RowChecker,
    RowError,
    parse_decimal,
    parse_int,
    read_rows,
    safe_cell,
    width_error,
    write_csv,
)


@pytest.fixture(autouse=True)
def _english(english):
    """Messages in English: the tests compare exact texts."""


COLUMNS = ["code", "value"]


def rows_of(data, columns=COLUMNS):
    return [(r.line, r.cells) for r in read_rows(data, columns)]


def refusal(data, columns=COLUMNS) -> list[str]:
    with pytest.raises(ImportFailed) as info:
        list(read_rows(data, columns))
    return [str(e) for e in info.value.errors]


def test_row_error_reads_line_n_column_c_reason():
    assert str(RowError(3, "quarter", "must be between 1 and 4, got 5")) == (
        "line 3, column quarter: must be between 1 and 4, got 5"
    )


def test_import_failed_keeps_every_error_and_lists_them_in_its_message():
    errors = [RowError(2, "a", "x"), RowError(5, "b", "y")]
    exc = ImportFailed(errors)
    assert exc.errors == errors
    assert str(exc) == "line 2, column a: x\nline 5, column b: y"


def test_plain_file_gives_rows_with_their_line_numbers():
    assert rows_of("code,value\nA,1\nB,2\n") == [
        (2, {"code": "A", "value": "1"}),
        (3, {"code": "B", "value": "2"}),
    ]


def test_header_may_come_in_any_order_in_any_case_with_spaces():
    assert rows_of(" Value , CODE \nA,1\n") == [(2, {"value": "A", "code": "1"})]


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbfcode,value\nA,1\n",  # BOM in bytes
        "\ufeffcode,value\nA,1\n",  # BOM in text
        b"code,value\r\nA,1\r\n",  # CRLF
        "code,value\r\nA,1",  # CRLF, no final line break
        " code , value \n  A  ,  1  \n",  # spaces around cells
        'code,value\n" A "," 1 "\n',  # spaces inside quotes
        "code,value\nA,1\n\n",  # a blank trailing line
        "code,value\nA,1\n , \n",  # a trailing line of blank cells
    ],
    ids=[
        "bom-bytes",
        "bom-text",
        "crlf",
        "crlf-no-final-newline",
        "spaces",
        "quoted-spaces",
        "blank-trailing-line",
        "blank-cells-line",
    ],
)
def test_form_of_the_file_does_not_change_its_rows(data):
    assert rows_of(data) == [(2, {"code": "A", "value": "1"})]


def test_blank_lines_are_skipped_but_line_numbers_stay_physical():
    assert [line for line, _ in rows_of("code,value\n\nA,1\n\n\nB,2\n")] == [3, 6]


def test_quoted_cell_over_two_lines_keeps_later_line_numbers_physical():
    assert rows_of('code,value\n"A\nB",1\nC,2\r\n') == [
        (2, {"code": "A\nB", "value": "1"}),
        (4, {"code": "C", "value": "2"}),
    ]


def test_row_of_wrong_width_is_reported_with_its_line():
    rows = list(read_rows("code,value\nA,1,extra\nB\n", COLUMNS))
    assert [str(width_error(r, 2)) for r in rows] == [
        "line 2, column -: expected 2 cells, found 3",
        "line 3, column -: expected 2 cells, found 1",
    ]
    assert width_error(Row(2, {"code": "A", "value": "1"}), 2) is None


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        ("code", "missing column(s) value"),
        ("code,value,extra", "unknown column(s) extra"),
        ("kode,value", "missing column(s) code; unknown column(s) kode"),
        ("code,value,code", "repeated column(s) code"),
        ("code;value;extra", "unknown column(s) extra"),
    ],
    ids=["missing", "unknown", "misspelt", "repeated", "semicolons"],
)
def test_wrong_header_is_one_clear_error_on_line_1(header, problem):
    assert refusal(f"{header}\nA,1\n") == [
        f"line 1, column header: wrong header: {problem}; expected code,value"
    ]


@pytest.mark.parametrize("data", [b"", "", b"\xef\xbb\xbf"])
def test_empty_file_is_refused(data):
    assert refusal(data) == ["line 1, column -: the file is empty"]


@pytest.mark.parametrize(
    "data",
    ["code,value\nCaf\u00e9,1\n".encode("cp1252"), "code,value\n".encode("utf-16")],
    ids=["windows-1252", "utf-16"],
)
def test_file_that_is_not_utf8_is_refused(data):
    [message] = refusal(data)
    assert message.startswith("line 1, column -: the file is not UTF-8 text (")


def test_nul_character_is_refused_with_its_line():
    assert refusal("code,value\nA,1\nB\x00,2\n") == [
        "line 3, column -: the file contains a NUL character: it is not a CSV text file"
    ]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("88.2", "88.2"),
        ("88,2", "88.2"),
        ("1.234,5", "1234.5"),
        ("1,234.5", "1234.5"),
        ("1.234.567,89", "1234567.89"),
        ("1,234,567.89", "1234567.89"),
        ("1 234,5", "1234.5"),
        ("1\u00a0234,5", "1234.5"),
        ("0", "0"),
        ("-3,5", "-3.5"),
        ("+2", "2"),
        (".5", "0.5"),
        ("12.", "12"),
        # One separator alone is always the decimal one, even when it looks like thousands.
        ("1.234", "1.234"),
        ("1,234", "1.234"),
    ],
)
def test_parse_decimal_accepts_dot_or_comma_as_decimal_separator(text, value):
    assert parse_decimal(text) == Decimal(value)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "12%",
        "Rp 5",
        "1,2,3",
        "1.2.3",
        "-",
        ".",
        "NaN",
        "sNaN",
        "inf",
        "-Infinity",
        "1e5",
        "1E+999999999",
        "1_000",
        "\u0663",
        "\u00b2",
        "0x10",
        "--1",
    ],
)
def test_parse_decimal_refuses_anything_but_a_plain_number(text):
    with pytest.raises(ValueError, match="is not a number"):
        parse_decimal(text)


@pytest.mark.parametrize(("text", "value"), [("1", 1), ("4", 4), ("+3", 3), ("02", 2)])
def test_parse_int_accepts_whole_numbers_in_range(text, value):
    assert parse_int(text, 1, 4) == value


@pytest.mark.parametrize(
    "text", ["", "x", "2.0", "2,0", "1e1", "1_0", "\u0663", "\u00b2", "9" * 5000]
)
def test_parse_int_refuses_anything_but_a_whole_number(text):
    with pytest.raises(ValueError, match="is not a whole number"):
        parse_int(text, 1, 4)


@pytest.mark.parametrize("text", ["0", "5", "-1"])
def test_parse_int_refuses_numbers_out_of_range(text):
    with pytest.raises(ValueError, match=f"must be between 1 and 4, got {text}"):
        parse_int(text, 1, 4)


def test_row_checker_collects_every_bad_cell_of_a_row():
    errors: list[RowError] = []
    check = RowChecker(Row(7, {"a": "", "b": "x", "c": "up", "d": "", "e": "Higher"}), errors)
    assert check.required("a") is None
    assert check.integer("b", 1, 4) is None
    assert check.choice("c", ["higher", "lower"]) is None
    assert check.decimal("d", required=False) is None
    assert check.choice("e", ["higher", "lower"]) == "higher"
    assert not check.ok
    assert [str(e) for e in errors] == [
        "line 7, column a: this field is required",
        "line 7, column b: 'x' is not a whole number",
        "line 7, column c: must be one of higher, lower, got 'up'",
    ]


def test_result_summary_counts_per_kind_and_leaves_out_zeros():
    result = ImportResult(rows=3)
    result.add("created", "agencies", 2)
    result.add("updated", "agencies", 0)
    result.add("unchanged", "regions")
    result.add("unchanged", "agencies", 1)
    assert result.summary() == "3 rows; created: agencies 2; unchanged: agencies 1, regions 1"


@pytest.mark.parametrize("value", ["=1+1", "+62 370", "-5", "@SUM(A1)", "\tx", "\rx"])
def test_text_a_spreadsheet_would_run_as_a_formula_gets_an_apostrophe(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Dinas Kesehatan", "", Decimal("-5"), -5, None])
def test_other_cells_are_written_as_they_are(value):
    assert safe_cell(value) == value


def test_write_csv_quotes_and_escapes_so_the_file_reads_back():
    out = io.StringIO()
    write_csv(out, ["code", "value"], [["A,B", 'say "hi"'], ["=cmd", None]])
    assert out.getvalue() == 'code,value\n"A,B","say ""hi"""\n\'=cmd,\n'
    assert rows_of(out.getvalue()) == [
        (2, {"code": "A,B", "value": 'say "hi"'}),
        (3, {"code": "'=cmd", "value": ""}),
    ]
