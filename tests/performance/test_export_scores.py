"""End to end: CSV files in through the import commands, `recompute_scores`, `export_scores`
out, and every figure equal, to the cent, to DESIGN.md's rules worked by hand below.

Runs on SQLite (Python engine) and on PostgreSQL (SQL engine) alike.
"""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db

# 20 October 2025, WITA: Q1, Q2 and Q3 are closed (Q3 from 16 October, after its 15 grace
# days), Q4 is open. A missing realisation counts as 0 in Q1-Q3 and is left out in Q4.
TODAY = datetime.datetime(2025, 10, 20, 9, 0, tzinfo=ZoneInfo("Asia/Makassar"))

AGENCIES_CSV = """\
code,name,acronym,region_code,region_name,sector
DIKES,Dinas Kesehatan Provinsi NTB,Dikes,52,Provinsi Nusa Tenggara Barat,Kesehatan
BAPPEDA,Badan Perencanaan Pembangunan Daerah Provinsi NTB,Bappeda,52,Provinsi Nusa Tenggara Barat,Perencanaan
"""  # noqa: E501

HEADER = (
    "agency_code,holder,employee_name,position,year,quarter,indicator_code,indicator,"
    "unit,direction,weight,target,realisation\n"
)

# DIKES's PK: three IKU, one higher, two lower (one with target 0), with weights 40/60/20.
DIKES_PK = """\
DIKES,agency,,,2025,1,IKU1,Persentase persalinan di fasilitas kesehatan,%,higher,40,85,88.2
DIKES,agency,,,2025,2,IKU1,Persentase persalinan di fasilitas kesehatan,%,higher,40,85,
DIKES,agency,,,2025,3,IKU1,Persentase persalinan di fasilitas kesehatan,%,higher,40,85,90
DIKES,agency,,,2025,4,IKU1,Persentase persalinan di fasilitas kesehatan,%,higher,40,85,
DIKES,agency,,,2025,1,IKU2,Angka kematian bayi per 1.000 kelahiran hidup,per 1.000,lower,60,12,13.5
DIKES,agency,,,2025,2,IKU2,Angka kematian bayi per 1.000 kelahiran hidup,per 1.000,lower,60,12,11
DIKES,agency,,,2025,3,IKU2,Angka kematian bayi per 1.000 kelahiran hidup,per 1.000,lower,60,12,12
DIKES,agency,,,2025,4,IKU2,Angka kematian bayi per 1.000 kelahiran hidup,per 1.000,lower,60,12,10
DIKES,agency,,,2025,1,IKU3,Jumlah kejadian luar biasa (KLB),kejadian,lower,20,0,0
DIKES,agency,,,2025,2,IKU3,Jumlah kejadian luar biasa (KLB),kejadian,lower,20,0,1
DIKES,agency,,,2025,3,IKU3,Jumlah kejadian luar biasa (KLB),kejadian,lower,20,0,0
DIKES,agency,,,2025,4,IKU3,Jumlah kejadian luar biasa (KLB),kejadian,lower,20,0,
"""  # noqa: E501


def skp_rows(agency: str, nip: str, name: str, target: str, realisations: list[str]) -> str:
    """An SKP with one higher-is-better indicator, the same target in every quarter."""
    return "".join(
        f"{agency},{nip},{name},Analis,2025,{q},RHK1,Dokumen yang diselesaikan,dokumen,"
        f"higher,100,{target},{r}\n"
        for q, r in enumerate(realisations, start=1)
    )


# DIKES's ten SKPs (E is present: ten staff reach min_group_size). Eight meet their target
# of 4 in Q1-Q3 and have not reported Q4; two differ.
DIKES_SKP = (
    "".join(
        skp_rows(
            "DIKES", f"1980010120050110{i:02d}", f"Pegawai Dikes {i}", "4", ["4", "4", "4", ""]
        )
        for i in range(1, 9)
    )
    + skp_rows("DIKES", "198001012005011009", "Baiq Nurul Aini", "4", ["5", "3", "4.5", "4"])
    + skp_rows("DIKES", "198001012005011010", "Lalu Ahmad Zaini", "4", ["2", "", "3.9", ""])
)

# BAPPEDA's PK, with the regulation's worked examples, and three SKPs (E absent: 3 < 10).
BAPPEDA_PK = """\
BAPPEDA,agency,,,2025,1,IKU1,Dokumen perencanaan tepat waktu,%,higher,1,100,100
BAPPEDA,agency,,,2025,2,IKU1,Dokumen perencanaan tepat waktu,%,higher,1,100,99.99
BAPPEDA,agency,,,2025,3,IKU1,Dokumen perencanaan tepat waktu,%,higher,1,200,219.99
BAPPEDA,agency,,,2025,4,IKU1,Dokumen perencanaan tepat waktu,%,higher,1,100,
BAPPEDA,agency,,,2025,1,IKU2,Hari penyusunan dokumen,hari,lower,1,7,6.5
BAPPEDA,agency,,,2025,2,IKU2,Hari penyusunan dokumen,hari,lower,1,8,9
BAPPEDA,agency,,,2025,3,IKU2,Hari penyusunan dokumen,hari,lower,1,10,9
BAPPEDA,agency,,,2025,4,IKU2,Hari penyusunan dokumen,hari,lower,1,7,
"""
BAPPEDA_SKP = (
    skp_rows("BAPPEDA", "199002022015022001", "Ni Made Sari", "10", ["10", "10", "10", ""])
    + skp_rows("BAPPEDA", "199002022015022002", "Muhammad Rizal", "10", ["12.5", "", "8", ""])
    + skp_rows("BAPPEDA", "199002022015022003", "Siti Hajar", "10", ["5", "4.9995", "7", ""])
)

PERFORMANCE_CSV = HEADER + DIKES_PK + DIKES_SKP + BAPPEDA_PK + BAPPEDA_SKP


def respondents(n: int, agency: str, service: str, name: str, quarter: int, answers: str) -> str:
    return f"{agency},{service},{name},2025,{quarter},{answers}\n" * n


SURVEY_CSV = "agency_code,service_code,service_name,year,quarter,u1,u2,u3,u4,u5,u6,u7,u8,u9\n" + (
    # DIKES: at least 10 respondents in each of Q1-Q3, none in Q4.
    respondents(10, "DIKES", "SV01", "Rawat Jalan", 1, "3,3,3,3,3,3,3,3,3")
    + respondents(9, "DIKES", "SV01", "Rawat Jalan", 2, "3,3,3,3,3,3,3,3,3")
    + respondents(1, "DIKES", "SV01", "Rawat Jalan", 2, "4,3,3,3,3,3,3,3,3")
    + respondents(8, "DIKES", "SV01", "Rawat Jalan", 3, "4,4,4,4,4,4,4,4,4")
    + respondents(4, "DIKES", "SV02", "Laboratorium", 3, "2,2,2,2,2,2,2,2,2")
    # BAPPEDA: under 10 in every quarter (9 and 5), 14 over the year.
    + respondents(9, "BAPPEDA", "SV01", "Konsultasi Perencanaan", 1, "4,4,4,4,4,4,4,4,4")
    + respondents(5, "BAPPEDA", "SV01", "Konsultasi Perencanaan", 2, "2,2,2,2,2,2,2,2,2")
)

# Contract level, worked by hand (scoring contract version 2). Achievement a = 100 r / t
# (higher), 100 (2 - r / t) (lower), 100 / 0 for a lower target 0 (r = 0 / r > 0), clamped to
# [0, 120], rounded half up. The year so far is the mean of the closed quarters' scores
# (Q1-Q3): Q4 is open, so its scores and the year's are provisional (final "no") and carry
# no predikat. A civil servant's predikat is never in this file (it will come from the
# 6/2022 matrix); the agency's own contract's is on the organisation scale.
#
# BAPPEDA PK (weights 1 and 1):
#   Q1: IKU1 100 * 100 / 100 = 100.00; IKU2 100 * (2 - 6.5 / 7) = 107.142857 -> 107.14;
#       (100.00 + 107.14) / 2 = 103.57
#   Q2: IKU1 100 * 99.99 / 100 = 99.99; IKU2 100 * (2 - 9 / 8) = 87.50;
#       (99.99 + 87.50) / 2 = 93.745 -> 93.75 (half up)
#   Q3: IKU1 100 * 219.99 / 200 = 109.995 -> 110.00; IKU2 100 * (2 - 9 / 10) = 110.00;
#       110.00 -> Istimewa
#   Q4: open, nothing reported: no score
#   Y:  (103.57 + 93.75 + 110.00) / 3 = 307.32 / 3 = 102.44
# BAPPEDA SKPs (target 10):
#   ...001: 100, 100, 100; Y 100.00
#   ...002: 125 -> 120.00 (cap); Q2 missing in a closed quarter -> 0.00; 80.00;
#           Y (120 + 0 + 80) / 3 = 66.666... -> 66.67
#   ...003: 50.00; 100 * 4.9995 / 10 = 49.995 -> 50.00; 70.00;
#           Y (50 + 50 + 70) / 3 = 56.666... -> 56.67
# DIKES PK (weights 40, 60, 20):
#   Q1: IKU1 100 * 88.2 / 85 = 103.7647 -> 103.76; IKU2 100 * (2 - 13.5 / 12) = 87.50;
#       IKU3 target 0, r 0 -> 100.00;
#       (103.76 * 40 + 87.50 * 60 + 100 * 20) / 120 = 11400.4 / 120 = 95.0033 -> 95.00
#   Q2: IKU1 missing (closed) -> 0.00; IKU2 100 * (2 - 11 / 12) = 108.333 -> 108.33;
#       IKU3 target 0, r 1 -> 0.00;
#       (0 * 40 + 108.33 * 60 + 0 * 20) / 120 = 6499.8 / 120 = 54.165 -> 54.17 Kurang
#   Q3: IKU1 100 * 90 / 85 = 105.882 -> 105.88; IKU2 100.00; IKU3 100.00;
#       (105.88 * 40 + 100 * 60 + 100 * 20) / 120 = 12235.2 / 120 = 101.96
#   Q4: open: IKU1 and IKU3 (not reported) left out; IKU2 100 * (2 - 10 / 12) = 116.667
#       -> 116.67 alone, provisional
#   Y:  (95.00 + 54.17 + 101.96) / 3 = 251.13 / 3 = 83.71 (the open Q4 does not enter)
# DIKES SKPs (target 4):
#   ...001-008: 100, 100, 100 (Q4 open, not reported); Y 100.00
#   ...009: 125 -> 120.00; 75.00; 112.50; Q4 reported in the open quarter: 100.00,
#           provisional; Y (120 + 75 + 112.5) / 3 = 307.5 / 3 = 102.50
#   ...010: 50.00; Q2 missing (closed) -> 0.00; 97.50;
#           Y (50 + 0 + 97.5) / 3 = 49.1666... -> 49.17
EXPECTED_CONTRACTS = (
    """\
agency_code,holder,year,period,score,predikat,final
BAPPEDA,agency,2025,Q1,103.57,Baik,yes
BAPPEDA,agency,2025,Q2,93.75,Baik,yes
BAPPEDA,agency,2025,Q3,110.00,Istimewa,yes
BAPPEDA,agency,2025,Y,102.44,,no
BAPPEDA,199002022015022001,2025,Q1,100.00,,yes
BAPPEDA,199002022015022001,2025,Q2,100.00,,yes
BAPPEDA,199002022015022001,2025,Q3,100.00,,yes
BAPPEDA,199002022015022001,2025,Y,100.00,,no
BAPPEDA,199002022015022002,2025,Q1,120.00,,yes
BAPPEDA,199002022015022002,2025,Q2,0.00,,yes
BAPPEDA,199002022015022002,2025,Q3,80.00,,yes
BAPPEDA,199002022015022002,2025,Y,66.67,,no
BAPPEDA,199002022015022003,2025,Q1,50.00,,yes
BAPPEDA,199002022015022003,2025,Q2,50.00,,yes
BAPPEDA,199002022015022003,2025,Q3,70.00,,yes
BAPPEDA,199002022015022003,2025,Y,56.67,,no
DIKES,agency,2025,Q1,95.00,Baik,yes
DIKES,agency,2025,Q2,54.17,Kurang,yes
DIKES,agency,2025,Q3,101.96,Baik,yes
DIKES,agency,2025,Q4,116.67,,no
DIKES,agency,2025,Y,83.71,,no
"""
    + "".join(
        f"DIKES,1980010120050110{i:02d},2025,{period},100.00,,{final}\n"
        for i in range(1, 9)
        for period, final in (("Q1", "yes"), ("Q2", "yes"), ("Q3", "yes"), ("Y", "no"))
    )
    + """\
DIKES,198001012005011009,2025,Q1,120.00,,yes
DIKES,198001012005011009,2025,Q2,75.00,,yes
DIKES,198001012005011009,2025,Q3,112.50,,yes
DIKES,198001012005011009,2025,Q4,100.00,,no
DIKES,198001012005011009,2025,Y,102.50,,no
DIKES,198001012005011010,2025,Q1,50.00,,yes
DIKES,198001012005011010,2025,Q2,0.00,,yes
DIKES,198001012005011010,2025,Q3,97.50,,yes
DIKES,198001012005011010,2025,Y,49.17,,no
"""
)

# Agency level: score = (0.5 K + 0.3 E + 0.2 S) / (the weights of the components present),
# each component rounded first, so the published K, E and S give the published score.
#
# E, DIKES (ten SKPs with a score in Q1-Q3 and Y; one in Q4, under 10: absent):
#   Q1 (8 * 100 + 120 + 50) / 10 = 97.00; Q2 (800 + 75 + 0) / 10 = 87.50;
#   Q3 (800 + 112.5 + 97.5) / 10 = 101.00; Y (800 + 102.50 + 49.17) / 10 = 95.167 -> 95.17
# IKM = 25 * (mean of the nine NRRs), all services pooled; S = 100 * IKM / 88.31 (the IKM
# target), clamped to [0, 120], rounded:
#   DIKES Q1: every answer 3: IKM 75.00; S 7500 / 88.31 = 84.928 -> 84.93
#   DIKES Q2: nine answer 3, one answers 4 on u1: 25 * (3.1 + 8 * 3) / 9 = 25 * 271 / 90
#             = 75.2777 -> 75.28 (weights of 0.111 would give 75.20);
#             S 7528 / 88.31 = 85.2451 -> 85.25
#   DIKES Q3: 8 answers of 4 and 4 of 2, pooled per respondent: NRR 40 / 12 each,
#             25 * 40 / 12 = 83.333 -> 83.33 (not (100 + 50) / 2); S 94.3607 -> 94.36
#   DIKES Y:  the closed quarters' 32 respondents, answers summing to 270 + 271 + 360 = 901:
#             25 * 901 / (9 * 32) = 78.2118 -> 78.21; S 88.5630 -> 88.56
#   BAPPEDA Q1 (9) and Q2 (5): under 10 respondents, no IKM and no S; Y pools 14:
#             25 * (9 * 36 + 5 * 18) / (9 * 14) = 10350 / 126 = 82.1428 -> 82.14;
#             S 93.0132 -> 93.01
# DIKES:
#   Q1: 0.5 * 95.00 + 0.3 * 97.00 + 0.2 * 84.93 = 47.5 + 29.1 + 16.986 = 93.586 -> 93.59 Baik
#   Q2: 0.5 * 54.17 + 0.3 * 87.50 + 0.2 * 85.25 = 27.085 + 26.25 + 17.05 = 70.385 -> 70.39
#       Butuh Perbaikan (70.39 >= 70)
#   Q3: 0.5 * 101.96 + 0.3 * 101.00 + 0.2 * 94.36 = 50.98 + 30.3 + 18.872 = 100.152
#       -> 100.15 Baik
#   Q4: K alone (E: 1 SKP scored; S: no respondent): 116.67, provisional: no predikat
#   Y:  0.5 * 83.71 + 0.3 * 95.17 + 0.2 * 88.56 = 41.855 + 28.551 + 17.712 = 88.118 -> 88.12,
#       provisional
# BAPPEDA (E absent everywhere: 3 staff):
#   Q1-Q3: K alone: 103.57 Baik, 93.75 Baik, 110.00 Istimewa; Q4: no component, no row
#   Y:  (0.5 * 102.44 + 0.2 * 93.01) / 0.7 = (51.22 + 18.602) / 0.7 = 69.822 / 0.7 = 99.7457
#       -> 99.75, provisional
EXPECTED_AGENCIES = """\
agency_code,year,period,contract_component,staff_component,service_component,score,predikat,ikm,final
BAPPEDA,2025,Q1,103.57,,,103.57,Baik,,yes
BAPPEDA,2025,Q2,93.75,,,93.75,Baik,,yes
BAPPEDA,2025,Q3,110.00,,,110.00,Istimewa,,yes
BAPPEDA,2025,Y,102.44,,93.01,99.75,,82.14,no
DIKES,2025,Q1,95.00,97.00,84.93,93.59,Baik,75.00,yes
DIKES,2025,Q2,54.17,87.50,85.25,70.39,Butuh Perbaikan,75.28,yes
DIKES,2025,Q3,101.96,101.00,94.36,100.15,Baik,83.33,yes
DIKES,2025,Q4,116.67,,,116.67,,,no
DIKES,2025,Y,83.71,95.17,88.56,88.12,,78.21,no
"""  # noqa: E501


def import_files(tmp_path) -> None:
    for command, name, text in (
        ("import_agencies", "agencies.csv", AGENCIES_CSV),
        ("import_performance", "performance.csv", PERFORMANCE_CSV),
        ("import_survey", "survey.csv", SURVEY_CSV),
    ):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        call_command(command, str(path), stdout=io.StringIO())


def recompute() -> None:
    with time_machine.travel(TODAY, tick=False):
        call_command("recompute_scores", stdout=io.StringIO())


def export(level: str, *args: str) -> str:
    out = io.StringIO()
    call_command(
        "export_scores", "--year", "2025", "--level", level, *args, stdout=out, stderr=io.StringIO()
    )
    return out.getvalue()


def test_exported_scores_are_the_rules_figures_to_the_cent(tmp_path):
    import_files(tmp_path)
    recompute()
    assert export("agency") == EXPECTED_AGENCIES
    assert export("contract") == EXPECTED_CONTRACTS


def test_reimporting_and_recomputing_exports_the_same_figures(tmp_path):
    import_files(tmp_path)
    recompute()
    import_files(tmp_path)
    recompute()
    assert export("agency") == EXPECTED_AGENCIES
    assert export("contract") == EXPECTED_CONTRACTS


def test_export_to_a_file(tmp_path):
    import_files(tmp_path)
    recompute()
    out = tmp_path / "agency-scores.csv"
    assert export("agency", "--out", str(out)) == ""
    assert out.read_text(encoding="utf-8") == EXPECTED_AGENCIES


def test_a_year_without_scores_exports_just_the_header(tmp_path):
    import_files(tmp_path)
    recompute()
    out = io.StringIO()
    call_command("export_scores", "--year", "2024", "--level", "agency", stdout=out)
    assert out.getvalue() == EXPECTED_AGENCIES.splitlines(keepends=True)[0]


def test_export_before_any_recompute_says_so():
    with pytest.raises(CommandError, match="No published score run"):
        call_command("export_scores", "--year", "2025", "--level", "agency")
