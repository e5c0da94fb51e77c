"""Files people really have (issue 23): a CSV saved by Excel with Indonesian settings (cells
separated by `;`, decimal commas) and an .xlsx workbook with the same rows import to the same
result as the comma-separated file; a file separated by something else is refused with a
message that names the separator."""

import io
import re

import openpyxl
import pytest

from agencies.csvio import ImportFailed, read_rows
from agencies.imports import import_agencies, import_service_metrics
from agencies.models import ServiceMetric
from performance.imports import COLUMNS, import_performance
from performance.models import Indicator, Realisation, Target

pytestmark = pytest.mark.django_db

AGENCIES = [
    ["code", "name", "acronym", "region_code", "region_name", "sector"],
    ["DIKES", "Dinas Kesehatan", "Dikes", "52", "Provinsi Nusa Tenggara Barat", "Kesehatan"],
]
PERFORMANCE = [
    list(COLUMNS),
    ["DIKES", "agency", "", "", "2025", "1", "IKU1", "Persalinan di faskes", "%", "higher", "40",
     "85", "88.2"],
    ["DIKES", "agency", "", "", "2025", "1", "IKU2", "Kematian bayi", "per 1.000", "lower", "60",
     "12", "13.5"],
    ["DIKES", "198507122010012003", "Baiq Nurul Aini", "Analis Kebijakan", "2025", "1", "RHK1",
     "Dokumen kajian", "dokumen", "higher", "100", "3", "2"],
]  # fmt: skip


def comma_csv(rows) -> bytes:
    return "\n".join(",".join(r) for r in rows).encode()


def semicolon_csv(rows) -> bytes:
    """As Excel writes "CSV" with Indonesian settings: `;` between cells, decimal commas."""

    def cell(c: str) -> str:
        return c.replace(".", ",") if re.fullmatch(r"[0-9.]+", c) else c

    return "\r\n".join(";".join(cell(c) for c in r) for r in rows).encode()


def xlsx(rows, *, numbers: bool = True) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for r in rows:
        cells = []
        for c in r:
            if numbers and len(c) < 15:
                try:
                    cells.append(int(c))
                    continue
                except ValueError:
                    try:
                        cells.append(float(c))
                        continue
                    except ValueError:
                        pass
            cells.append(c)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def state():
    return (
        sorted(Indicator.objects.values_list("code", "text", "unit", "direction", "weight")),
        sorted(Target.objects.values_list("indicator__code", "quarter", "value")),
        sorted(Realisation.objects.values_list("indicator__code", "quarter", "value")),
    )


@pytest.mark.parametrize("form", [semicolon_csv, xlsx])
def test_a_semicolon_csv_or_a_workbook_imports_as_the_comma_csv_does(form, django_db_blocker):
    import_agencies(comma_csv(AGENCIES))
    import_performance(comma_csv(PERFORMANCE))
    expected = state()
    Realisation.objects.all().delete()
    Target.objects.all().delete()
    Indicator.objects.all().delete()
    result = import_performance(form(PERFORMANCE))
    assert state() == expected
    assert result.created["indicators"] == 3


def test_a_workbook_refuses_a_nip_typed_as_a_number(english):
    import_agencies(comma_csv(AGENCIES))
    rows = [r[:] for r in PERFORMANCE]
    book = openpyxl.Workbook()
    for r in rows:
        book.active.append([int(c) if c == "198507122010012003" else c for c in r])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ImportFailed) as refused:
        import_performance(out.getvalue())
    assert "line 4, column holder" in str(refused.value)
    assert "format this column as text" in str(refused.value)


@pytest.mark.parametrize(("separator", "named"), [("\t", "a tab"), ("|", "|")])
def test_another_separator_is_named(english, separator, named):
    data = "\n".join(separator.join(r) for r in AGENCIES).encode()
    with pytest.raises(ImportFailed) as refused:
        list(read_rows(data, AGENCIES[0]))
    assert f"the cells are separated by {named}" in str(refused.value)
    assert "line 1, column header" in str(refused.value)


def test_service_metrics_from_excel_keep_their_decimal_commas():
    import_agencies(comma_csv(AGENCIES))
    from agencies.models import Agency, Service

    Service.objects.create(agency=Agency.objects.get(), code="KIA", name="KIA")
    rows = [
        ["agency_code", "service_code", "year", "quarter", "kind", "value"],
        ["DIKES", "KIA", "2025", "1", "avg_processing_days", "2.5"],
    ]
    import_service_metrics(semicolon_csv(rows))
    assert ServiceMetric.objects.get().value == 2.5
