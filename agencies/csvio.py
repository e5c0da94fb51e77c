"""Reading and writing the portal's CSV files (DESIGN.md, "CSV files").

Reading is forgiving about form (a BOM, CRLF line endings, spaces around cells, `,` or `.` as
the decimal separator, cells separated by `;` as Excel writes CSV with Indonesian settings,
or an `.xlsx` workbook's first sheet) and strict about content: every problem is collected
as `line N, column C: reason`, so an import can report all of them at once and save nothing.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return _("line %(line)d, column %(column)s: %(reason)s") % {
            "line": self.line,
            "column": self.column,
            "reason": self.reason,
        }


class ImportFailed(Exception):
    """The file was refused; nothing was saved. `errors` lists every problem found."""

    def __init__(self, errors: Sequence[RowError]):
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


@dataclass
class ImportResult:
    """What an import did (or, in a preview, would do), counted per kind of object."""

    rows: int = 0
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    def add(self, bucket: str, kind: str, n: int = 1) -> None:
        counts = getattr(self, bucket)
        counts[kind] = counts.get(kind, 0) + n

    def summary(self) -> str:
        parts = [_("%(rows)d rows") % {"rows": self.rows}]
        for label, counts in (
            (_("created"), self.created),
            (_("updated"), self.updated),
            (_("unchanged"), self.unchanged),
        ):
            # Zero counts are left out, so a re-import that changed nothing says only that.
            if counts := {kind: n for kind, n in counts.items() if n}:
                detail = ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items()))
                parts.append(f"{label}: {detail}")
        return "; ".join(parts)


@dataclass(frozen=True)
class Row:
    """One data row: its physical line number and its cells by column name (stripped)."""

    line: int
    cells: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.cells[column]

    def get(self, column: str) -> str:
        """The cell of an optional column, empty when the file does not have the column."""
        return self.cells.get(column, "")


def decode(data: bytes | str) -> str:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportFailed(
                [RowError(1, "-", _("the file is not UTF-8 text (%(e)s)") % {"e": exc.reason})]
            ) from exc
    data = data.removeprefix("\ufeff")
    # A NUL is never in a text CSV (it is the mark of UTF-16 or a binary file), and
    # PostgreSQL refuses it in a text column: refuse the file here, with its line.
    if (nul := data.find("\x00")) >= 0:
        raise ImportFailed(
            [
                RowError(
                    data.count("\n", 0, nul) + 1,
                    "-",
                    _("the file contains a NUL character: it is not a CSV text file"),
                )
            ]
        )
    return data


# Bounds checked before a cell is parsed, so a hostile file costs time in proportion to its
# size and no more: the longest valid row of any format is about 1,200 characters (a
# performance.csv row with the longest indicator, name and position), so a line ten times
# that is not one of ours; a header may carry a few columns more than the format's (they are
# then reported as unknown), never hundreds.
MAX_LINE_CHARS = 12_000
EXTRA_HEADER_COLUMNS = 5


def _bounded_lines(text: str) -> Iterator[str]:
    """The file's physical lines (newlines kept, for the csv module), refusing the file at
    the first line longer than MAX_LINE_CHARS."""
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if len(line) > MAX_LINE_CHARS:
            raise ImportFailed(
                [
                    RowError(
                        number,
                        "-",
                        _(
                            "this line is %(n)d characters long; no row of this file needs "
                            "more than %(max)d, so the file was not read"
                        )
                        % {"n": len(line), "max": MAX_LINE_CHARS},
                    )
                ]
            )
        yield line


def _header_error(
    header: list[str], columns: Sequence[str], optional: Sequence[str] = ()
) -> RowError | None:
    """What is wrong with the header, or None. Linear in its width: sets and one count."""
    if len(header) > len(columns) + len(optional) + EXTRA_HEADER_COLUMNS:
        return RowError(
            1,
            "header",
            _("the header has %(n)d columns; this file has %(e)d: %(c)s")
            % {"n": len(header), "e": len(columns), "c": ",".join(columns)},
        )
    expected, present = set(columns) | set(optional), set(header)
    missing = [c for c in columns if c not in present]
    unknown = [h for h in header if h not in expected]
    duplicated = sorted(h for h, n in Counter(header).items() if n > 1)
    if not (missing or unknown or duplicated):
        return None
    problems = []
    if missing:
        problems.append(_("missing column(s) %(c)s") % {"c": ", ".join(missing)})
    if unknown:
        problems.append(_("unknown column(s) %(c)s") % {"c": ", ".join(unknown)})
    if duplicated:
        problems.append(_("repeated column(s) %(c)s") % {"c": ", ".join(duplicated)})
    return RowError(
        1,
        "header",
        _("wrong header: %(p)s; expected %(e)s")
        % {"p": "; ".join(problems), "e": ",".join(columns)},
    )


XLSX_MAGIC = b"PK\x03\x04"  # an .xlsx workbook is a zip archive
XLSX_MAX_UNZIPPED = 200 * 1024 * 1024  # refuse a "zip bomb" before opening it
# A number Excel holds as a number cannot carry 18 digits exactly: a NIP must be text.
XLSX_LARGEST_EXACT = 10**15
SEPARATORS = {"\t": _lazy("a tab"), "|": "|"}


def _xlsx_text(data: bytes) -> str:
    """The first sheet of an .xlsx workbook as CSV text (comma separated), its cells as
    Excel shows them: whole numbers without a decimal point, dates as YYYY-MM-DD."""
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(i.file_size for i in archive.infolist()) > XLSX_MAX_UNZIPPED:
                raise ImportFailed([RowError(1, "-", _("the workbook is too large to read"))])
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFailed(
            [RowError(1, "-", _("the file is not a readable .xlsx workbook (%(e)s)") % {"e": exc})]
        ) from exc
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header: list[str] = []
    for number, row in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
        cells = []
        for index, value in enumerate(row):
            if isinstance(value, bool):
                value = "yes" if value else "no"
            elif isinstance(value, int | float):
                if abs(value) >= XLSX_LARGEST_EXACT:
                    column = header[index] if index < len(header) else str(index + 1)
                    raise ImportFailed(
                        [
                            RowError(
                                number,
                                column,
                                _(
                                    "a number of %(n)d digits cannot be kept exactly as a "
                                    "number in a workbook: format this column as text"
                                )
                                % {"n": len(str(int(abs(value))))},
                            )
                        ]
                    )
                value = str(int(value)) if float(value).is_integer() else repr(float(value))
            elif isinstance(value, datetime.datetime | datetime.date):
                value = (
                    value.date().isoformat()
                    if isinstance(value, datetime.datetime)
                    else value.isoformat()
                )
            cells.append("" if value is None else str(value))
        if number == 1:
            while cells and cells[-1] == "":
                cells.pop()  # a sheet's used range may run wider than its data
            header = [c.strip().lower() for c in cells]
        else:
            # Empty trailing cells: a workbook keeps none, a CSV row has them all.
            while len(cells) > len(header) and cells[-1] == "":
                cells.pop()
            cells += [""] * (len(header) - len(cells))
        writer.writerow(cells)
    book.close()
    return out.getvalue()


def _separator(first_line: str) -> str:
    """The header's cell separator: `,`, or `;` where the header has no comma (what Excel
    writes as "CSV" with Indonesian or European settings)."""
    if "," not in first_line and ";" in first_line:
        return ";"
    return ","


def read_rows(
    data: bytes | str, columns: Sequence[str], optional: Sequence[str] = ()
) -> Iterator[Row]:
    """The data rows of a CSV file (or an .xlsx workbook's first sheet) with exactly
    `columns` as its header (in any order), plus any of the `optional` columns (anywhere; the
    rows of a file without one have no cell of it: `Row.get` reads it as empty).

    Raises ImportFailed at once for a wrong header (naming the separator when the header
    is separated by something else than `,` or `;`), or for a line longer than
    MAX_LINE_CHARS wherever it is: nothing else can be checked then.
    """
    if isinstance(data, bytes) and data.startswith(XLSX_MAGIC):
        text = _xlsx_text(data)
    else:
        text = decode(data)
    first_line = text.split("\n", 1)[0]
    separator = _separator(first_line)
    reader = csv.reader(_bounded_lines(text), delimiter=separator)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ImportFailed([RowError(1, "-", _("the file is empty"))]) from None
    except csv.Error as exc:
        raise ImportFailed([RowError(1, "-", str(exc))]) from exc
    if error := _header_error(header, columns, optional):
        if len(header) == 1:
            for mark, name in SEPARATORS.items():
                if mark in first_line:
                    raise ImportFailed(
                        [
                            RowError(
                                1,
                                "header",
                                _(
                                    "the cells are separated by %(sep)s: save the file as CSV "
                                    "with commas (or semicolons) between the cells"
                                )
                                % {"sep": name},
                            )
                        ]
                    )
        raise ImportFailed([error])
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportFailed([RowError(reader.line_num, "-", str(exc))]) from exc
        line_no = line + 1
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue  # blank lines (often a trailing one) carry nothing
        if len(cells) != len(header):
            yield Row(line_no, {"__width__": str(len(cells)), "__header__": str(len(header))})
            continue
        yield Row(line_no, {h: c.strip() for h, c in zip(header, cells, strict=True)})


def width_error(row: Row, expected: int) -> RowError | None:
    """The error of a row whose number of cells is not the header's (`expected` when the
    header has no optional column)."""
    if "__width__" in row.cells:
        expected = int(row.cells.get("__header__", expected))
        return RowError(
            row.line,
            "-",
            _("expected %(e)d cells, found %(n)s") % {"e": expected, "n": row.cells["__width__"]},
        )
    return None


# Plain numbers only: no exponent (1e999999999 would overflow later), NaN, underscores or
# non-ASCII digits, all of which Decimal() and int() would accept.
PLAIN_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
PLAIN_INT = re.compile(r"[+-]?[0-9]+")


def parse_decimal(text: str) -> Decimal:
    """A number written with `.` or `,` as the decimal separator (88.2, 88,2). When both
    appear, the last one is the decimal separator and the other groups thousands
    (1.234,5 or 1,234.5). Raises ValueError with a reason."""
    s = text.replace(" ", "").replace("\u00a0", "")
    if "," in s and "." in s:
        if s.rfind(",") > s.rfind("."):
            s = s.replace(".", "").replace(",", ".")
        else:
            s = s.replace(",", "")
    elif s.count(",") == 1:
        s = s.replace(",", ".")
    if not PLAIN_DECIMAL.fullmatch(s):
        raise ValueError(_("%(v)s is not a number") % {"v": repr(text)})
    try:
        return Decimal(s)
    except InvalidOperation:
        raise ValueError(_("%(v)s is not a number") % {"v": repr(text)}) from None


def parse_int(text: str, lo: int, hi: int) -> int:
    if not PLAIN_INT.fullmatch(text):
        raise ValueError(_("%(v)s is not a whole number") % {"v": repr(text)})
    try:
        value = int(text)
    except ValueError:  # more digits than int() takes from a string
        raise ValueError(_("%(v)s is not a whole number") % {"v": repr(text)}) from None
    if not lo <= value <= hi:
        raise ValueError(
            _("must be between %(lo)d and %(hi)d, got %(v)d") % {"lo": lo, "hi": hi, "v": value}
        )
    return value


class RowChecker:
    """Collects errors for one row while its cells are parsed, so every bad cell is reported,
    not just the first."""

    def __init__(self, row: Row, errors: list[RowError]):
        self.row = row
        self.errors = errors
        self.ok = True

    def fail(self, column: str, reason: str) -> None:
        self.ok = False
        self.errors.append(RowError(self.row.line, column, reason))

    def required(self, column: str) -> str | None:
        value = self.row[column]
        if not value:
            self.fail(column, _("this field is required"))
            return None
        return value

    def integer(self, column: str, lo: int, hi: int) -> int | None:
        value = self.required(column)
        if value is None:
            return None
        try:
            return parse_int(value, lo, hi)
        except ValueError as exc:
            self.fail(column, str(exc))
            return None

    def decimal(self, column: str, *, required: bool = True) -> Decimal | None:
        value = self.row[column]
        if not value:
            if required:
                self.fail(column, _("this field is required"))
            return None
        try:
            return parse_decimal(value)
        except ValueError as exc:
            self.fail(column, str(exc))
            return None

    def choice(self, column: str, choices: Iterable[str]) -> str | None:
        value = self.required(column)
        if value is None:
            return None
        choices = list(choices)
        if value.lower() not in choices:
            self.fail(
                column,
                _("must be one of %(c)s, got %(v)s") % {"c": ", ".join(choices), "v": repr(value)},
            )
            return None
        return value.lower()


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A cell a spreadsheet will not run as a formula: text starting with = + - @ tab or CR
    gets a leading apostrophe (OWASP "CSV injection"). Numbers are left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_csv(out: io.TextIOBase, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else safe_cell(v) for v in row])
