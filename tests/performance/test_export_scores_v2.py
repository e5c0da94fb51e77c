"""End to end on a closed year with annual targets: `performance.csv` with the optional
columns `annual_target`, `aggregation` and `previous_code` in, `recompute_scores`,
`export_scores` out, every figure worked by hand below (scoring contract version 2).

Runs on SQLite (Python engine) and on PostgreSQL (SQL engine) alike.
"""

import datetime
import io
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from performance.models import Indicator

pytestmark = pytest.mark.django_db

# 20 January 2026, WITA: the whole of 2025 is closed (Q4 from 16 January): every row final.
TODAY = datetime.datetime(2026, 1, 20, 9, 0, tzinfo=ZoneInfo("Asia/Makassar"))

AGENCIES_CSV = """\
code,name,acronym,region_code,region_name,sector
DINSOS,Dinas Sosial Provinsi NTB,Dinsos,52,Provinsi Nusa Tenggara Barat,Sosial
"""

# The optional columns anywhere in the header: here annual_target and aggregation in the
# middle, previous_code last.
HEADER = (
    "agency_code,holder,employee_name,position,year,quarter,indicator_code,indicator,unit,"
    "direction,weight,annual_target,aggregation,target,realisation,previous_code\n"
)


def rows(holder, name, code, text, unit, direction, weight, annual, aggregation, quarters, prev):
    position = "Analis" if name else ""
    return "".join(
        f"DINSOS,{holder},{name},{position},2025,{q},{code},{text},{unit},{direction},{weight},"
        f"{annual},{aggregation},{target},{real},{prev}\n"
        for q, (target, real) in enumerate(quarters, start=1)
    )


PERFORMANCE_CSV = (
    HEADER
    # A level indicator judged on its latest realisation (SAKIP): stunting prevalence.
    + rows(
        "agency", "", "IKU1", "Prevalensi stunting", "%", "lower", "60", "15.5", "last",
        [("16", "18.2"), ("15", "17.9"), ("15", "16.8"), ("14", "16.4")], "STUNTING-2024",
    )
    # A count summed over the year.
    + rows(
        "agency", "", "IKU2", "Penerima bantuan sosial", "orang", "higher", "40", "1000", "sum",
        [("250", "240"), ("250", "260"), ("250", "255"), ("250", "250")], "",
    )
    # An average never reported: 0, missing.
    + rows(
        "agency", "", "IKU3", "Indeks kepuasan penerima", "indeks", "higher", "20", "80",
        "average", [("80", ""), ("80", ""), ("80", ""), ("80", "")], "",
    )
    # A civil servant's SKP judged on the average of the quarters.
    + rows(
        "199001012015011001", "Ni Luh Putu Sari", "RHK1", "Laporan yang diselesaikan", "laporan",
        "higher", "100", "4", "average", [("4", "4"), ("4", "5"), ("4", "3"), ("4", "4")], "",
    )
)  # fmt: skip

SURVEY_CSV = "agency_code,service_code,service_name,year,quarter,u1,u2,u3,u4,u5,u6,u7,u8,u9\n" + (
    "DINSOS,SV01,Bantuan Sosial,2025,1,4,4,4,4,4,4,4,4,4\n" * 10
)

# Quarters (weights 60, 40, 20; IKU3 missing in every closed quarter counts 0):
#   Q1: IKU1 100 * (2 - 18.2 / 16) = 86.25; IKU2 240 / 250 = 96.00;
#       (60 * 86.25 + 40 * 96) / 120 = 9015 / 120 = 75.125 -> 75.13
#   Q2: IKU1 100 * (2 - 17.9 / 15) = 80.666 -> 80.67; IKU2 104.00;
#       (4840.2 + 4160) / 120 = 75.0016 -> 75.00
#   Q3: IKU1 100 * (2 - 16.8 / 15) = 88.00; IKU2 102.00; (5280 + 4080) / 120 = 78.00
#   Q4: IKU1 100 * (2 - 16.4 / 14) = 82.857 -> 82.86; IKU2 100.00;
#       (4971.6 + 4000) / 120 = 74.763 -> 74.76
# The year, on the annual targets (not the mean of the quarters, 75.72):
#   IKU1 last: Q4's 16.4 against 15.5: 100 * (2 - 16.4 / 15.5) = 94.193 -> 94.19
#   IKU2 sum: 240 + 260 + 255 + 250 = 1005 against 1000: 100.50
#   IKU3 average: none reported: 0, missing
#   (60 * 94.19 + 40 * 100.50 + 20 * 0) / 120 = 9671.4 / 120 = 80.595 -> 80.60
# The SKP: 100.00, 125 -> 120.00, 75.00, 100.00; the year: average (4 + 5 + 3 + 4) / 4 = 4
#   against 4: 100.00 (the mean of its quarters would be 98.75). No predikat in this file.
EXPECTED_CONTRACTS = """\
agency_code,holder,year,period,score,predikat,final
DINSOS,agency,2025,Q1,75.13,Butuh Perbaikan,yes
DINSOS,agency,2025,Q2,75.00,Butuh Perbaikan,yes
DINSOS,agency,2025,Q3,78.00,Butuh Perbaikan,yes
DINSOS,agency,2025,Q4,74.76,Butuh Perbaikan,yes
DINSOS,agency,2025,Y,80.60,Butuh Perbaikan,yes
DINSOS,199001012015011001,2025,Q1,100.00,,yes
DINSOS,199001012015011001,2025,Q2,120.00,,yes
DINSOS,199001012015011001,2025,Q3,75.00,,yes
DINSOS,199001012015011001,2025,Q4,100.00,,yes
DINSOS,199001012015011001,2025,Y,100.00,,yes
"""

# E is absent (one SKP); IKM 100.00 in Q1 (ten respondents answering 4), S = 10000 / 88.31
# = 113.237 -> 113.24; Q2-Q4 have no respondent (no S: incomplete, but scored); the year
# pools the closed quarters' ten.
#   Q1: (0.5 * 75.13 + 0.2 * 113.24) / 0.7 = (37.565 + 22.648) / 0.7 = 86.018 -> 86.02
#   Y:  (0.5 * 80.60 + 0.2 * 113.24) / 0.7 = (40.30 + 22.648) / 0.7 = 89.925... -> 89.93
EXPECTED_AGENCIES = """\
agency_code,year,period,contract_component,staff_component,service_component,score,predikat,ikm,final
DINSOS,2025,Q1,75.13,,113.24,86.02,Butuh Perbaikan,100.00,yes
DINSOS,2025,Q2,75.00,,,75.00,Butuh Perbaikan,,yes
DINSOS,2025,Q3,78.00,,,78.00,Butuh Perbaikan,,yes
DINSOS,2025,Q4,74.76,,,74.76,Butuh Perbaikan,,yes
DINSOS,2025,Y,80.60,,113.24,89.93,Butuh Perbaikan,100.00,yes
"""  # noqa: E501


def import_and_recompute(tmp_path) -> None:
    for command, name, text in (
        ("import_agencies", "agencies.csv", AGENCIES_CSV),
        ("import_performance", "performance.csv", PERFORMANCE_CSV),
        ("import_survey", "survey.csv", SURVEY_CSV),
    ):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        call_command(command, str(path), stdout=io.StringIO())
    with time_machine.travel(TODAY, tick=False):
        call_command("recompute_scores", stdout=io.StringIO())


def export(level: str) -> str:
    out = io.StringIO()
    call_command("export_scores", "--year", "2025", "--level", level, stdout=out)
    return out.getvalue()


def test_a_closed_year_with_annual_targets_exports_the_rules_figures(tmp_path):
    import_and_recompute(tmp_path)
    assert export("contract") == EXPECTED_CONTRACTS
    assert export("agency") == EXPECTED_AGENCIES


def test_the_optional_columns_are_stored_on_the_indicators(tmp_path):
    import_and_recompute(tmp_path)
    stored = {
        i.code: (i.annual_target, i.aggregation, i.previous_code)
        for i in Indicator.objects.filter(contract__employee__isnull=True)
    }
    assert {code: (str(t), a, p) for code, (t, a, p) in stored.items()} == {
        "IKU1": ("15.5000", "last", "STUNTING-2024"),
        "IKU2": ("1000.0000", "sum", ""),
        "IKU3": ("80.0000", "average", ""),
    }


def test_every_published_agency_score_is_recomputed_from_its_published_components(tmp_path):
    """DESIGN.md's promise to readers: (wK K + wE E + wS S) / (the weights present), rounded,
    is the published score, for every agency row of the file."""
    import_and_recompute(tmp_path)
    weights = (Decimal("0.5"), Decimal("0.3"), Decimal("0.2"))
    lines = export("agency").splitlines()[1:]
    assert lines
    for line in lines:
        cells = line.split(",")
        components = [Decimal(c) if c else None for c in cells[3:6]]
        present = [(v, w) for v, w in zip(components, weights, strict=True) if v is not None]
        value = sum(v * w for v, w in present) / sum(w for _, w in present)
        assert value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) == Decimal(cells[6])
