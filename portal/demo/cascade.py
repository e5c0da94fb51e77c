"""The sample cascade (pohon kinerja): a few goals of the province's RPJMD with their
indicators and targets (through `goals.csv`'s import), the province agencies' first PK
indicators linked to the goal indicator of their sector, and their staff's SKP indicators
linked to the PK indicator of the same number (RHK1 serves IKU1...; RHK4 serves nothing,
so the leaders' cascade gaps show something). Idempotent."""

from __future__ import annotations

from agencies.csvio import ImportResult
from agencies.models import Region
from performance.goals import COLUMNS as GOAL_COLUMNS
from performance.goals import import_goals
from performance.models import GoalIndicator, Indicator

from .generate import to_csv
from .tables import AGENCIES, YEARS

# (goal code, goal, [(indicator code, indicator, unit, direction, (target per year))]).
GOALS = (
    (
        "S1",
        "Meningkatnya kualitas sumber daya manusia",
        (
            ("S1.1", "Indeks Pembangunan Manusia", "poin", "higher", ("71.5", "72.2")),
            ("S1.2", "Angka harapan hidup", "tahun", "higher", ("67.8", "68.1")),
            ("S1.3", "Rata-rata lama sekolah", "tahun", "higher", ("7.9", "8.1")),
        ),
    ),
    (
        "S2",
        "Meningkatnya pertumbuhan ekonomi yang inklusif dan berkelanjutan",
        (
            ("S2.1", "Pertumbuhan ekonomi", "%", "higher", ("5.2", "5.5")),
            ("S2.2", "Persentase penduduk miskin", "%", "lower", ("12.9", "12.3")),
        ),
    ),
    (
        "S3",
        "Meningkatnya tata kelola pemerintahan yang bersih dan akuntabel",
        (
            ("S3.1", "Indeks Reformasi Birokrasi", "poin", "higher", ("72", "74")),
            ("S3.2", "Nilai SAKIP Provinsi", "poin", "higher", ("72", "74")),
        ),
    ),
    (
        "S4",
        "Meningkatnya kualitas lingkungan hidup dan ketangguhan terhadap bencana",
        (
            ("S4.1", "Indeks Kualitas Lingkungan Hidup", "poin", "higher", ("70", "71")),
            ("S4.2", "Indeks Risiko Bencana", "poin", "lower", ("140", "135")),
        ),
    ),
)
# The goal indicator a province agency's IKU1 (and IKU2) serve, by sector.
BY_SECTOR = {
    "Kesehatan": ("S1.2", "S1.1"),
    "Pendidikan": ("S1.3", "S1.1"),
    "Sosial": ("S2.2",),
    "Infrastruktur": ("S2.1",),
    "Perhubungan": ("S2.1",),
    "Pariwisata": ("S2.1",),
    "Pertanian": ("S2.1", "S2.2"),
    "Kelautan dan Perikanan": ("S2.1",),
    "Lingkungan Hidup": ("S4.1",),
    "Kebencanaan": ("S4.2",),
}
GOVERNANCE = ("S3.1", "S3.2")
STAFF_CODES = ("RHK1", "RHK2", "RHK3")


def goal_rows() -> list[list[str]]:
    return [
        [code, goal, "rpjmd", ind_code, text, unit, direction, str(year), target]
        for code, goal, indicators in GOALS
        for ind_code, text, unit, direction, targets in indicators
        for year, target in zip(YEARS, targets, strict=True)
    ]


def seed_cascade() -> tuple[ImportResult, int, int]:
    """Import the goals and link the indicators: (the goals' import result, PK indicators
    linked to a goal, SKP indicators linked to a PK indicator)."""
    result = import_goals(to_csv(GOAL_COLUMNS, goal_rows()))
    goals = dict(GoalIndicator.objects.values_list("code", "pk"))
    province = [a for a in AGENCIES if a.region == Region.PROVINCE_CODE]
    pk_linked = staff_linked = 0
    for spec in province:
        for n, goal_code in enumerate(BY_SECTOR.get(spec.sector, GOVERNANCE), start=1):
            pk_linked += Indicator.objects.filter(
                contract__agency__code=spec.code, contract__employee__isnull=True, code=f"IKU{n}"
            ).update(goal_indicator_id=goals[goal_code], parent=None)
    pk_indicators = Indicator.objects.filter(
        contract__employee__isnull=True, contract__agency__code__in=[a.code for a in AGENCIES]
    ).values_list("pk", "contract__agency_id", "contract__year", "code")
    for pk, agency_id, year, code in pk_indicators:
        staff_code = code.replace("IKU", "RHK")
        if staff_code in STAFF_CODES:
            staff_linked += Indicator.objects.filter(
                contract__agency_id=agency_id,
                contract__year=year,
                contract__employee__isnull=False,
                code=staff_code,
            ).update(parent_id=pk, goal_indicator=None)
    return result, pk_linked, staff_linked
