"""Sample data: a believable Nusa Tenggara Barat for trying the portal out and for benchmarks.

Real names (the province, its ten regencies and cities with their BPS codes, agencies of the
provincial government and of Kota Mataram and Kota Bima, their public services); generated
figures (employees, contracts, realisations, survey answers, service metrics).

`seed_demo()` writes it through the real CSV imports, from CSV text built in memory, so the
data takes the path an HR officer's upload takes and re-running changes nothing (the imports
upsert on natural keys). What a CSV file cannot carry (variance explanations, supervisors,
service details, dates of entry) is added afterwards with bulk statements, never a query per
row. Everything comes from `random.Random` instances seeded from `SEED` and names, never from
the clock or the global generator: the same arguments give the same database.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Case, DateTimeField, Model, QuerySet, Value, When

from agencies.csvio import ImportResult
from agencies.imports import (
    AGENCY_COLUMNS,
    METRIC_COLUMNS,
    SURVEY_COLUMNS,
    import_agencies,
    import_service_metrics,
    import_survey,
)
from agencies.models import (
    Agency,
    Region,
    SampleData,
    Service,
    ServiceMetric,
    SurveyResponse,
)
from performance.imports import COLUMNS as PERFORMANCE_COLUMNS
from performance.imports import import_performance
from performance.models import (
    Employee,
    Indicator,
    PerformanceContract,
    Realisation,
    Target,
)
from performance.scoring import achievement, quarter_last_day
from portal.context_processors import SAMPLE_DATA_KEY

SEED = 52
# The two years of contracts. Fixed, not derived from today, so the data never drifts: on
# REFERENCE_DAY (when this data set was drawn up) 2026 Q3 has just closed and Q4 is open,
# so Q4 2026 has targets but no realisations yet, as on a real portal in late November.
YEARS = (2025, 2026)
REFERENCE_DAY = datetime.date(2026, 11, 27)
DEFAULT_EMPLOYEES = 2800
# Employees per import_performance call: bounds memory at any --scale.
EMPLOYEE_CHUNK = 1500
WITA = datetime.timezone(datetime.timedelta(hours=8))
HIGHER, LOWER = "higher", "lower"


# --- Data tables: real names --------------------------------------------------------------

REGIONS: tuple[tuple[str, str], ...] = (
    ("52", "Provinsi Nusa Tenggara Barat"),
    ("5201", "Kabupaten Lombok Barat"),
    ("5202", "Kabupaten Lombok Tengah"),
    ("5203", "Kabupaten Lombok Timur"),
    ("5204", "Kabupaten Sumbawa"),
    ("5205", "Kabupaten Dompu"),
    ("5206", "Kabupaten Bima"),
    ("5207", "Kabupaten Sumbawa Barat"),
    ("5208", "Kabupaten Lombok Utara"),
    ("5271", "Kota Mataram"),
    ("5272", "Kota Bima"),
)
REGION_NAMES = dict(REGIONS)


@dataclass(frozen=True)
class ServiceSpec:
    """A public service. `volume`: people served in a quarter, roughly; `respondents`: SKM
    respondents in a quarter, roughly (under 10 shows "data belum cukup")."""

    code: str
    name: str
    standard_days: int
    fee: int | None  # Rp; None when the tariff regulation sets a fee that varies
    volume: int
    respondents: int


@dataclass(frozen=True)
class IndicatorSpec:
    """An indicator template. `target` is the first year's annual target; `profile` says how
    quarterly targets relate to it: `flat` (the same every quarter), `linear` (cumulative,
    a quarter of it per quarter) or `budget` (cumulative, the slow start of public spending).
    """

    text: str
    unit: str
    direction: str
    target: float
    profile: str = "flat"
    decimals: int = 2
    maximum: float | None = None  # the top of the scale (a percentage: 100)


@dataclass(frozen=True)
class AgencySpec:
    code: str
    name: str
    acronym: str
    region: str
    sector: str
    kind: str  # dinas, badan, biro, inspektorat, rs, satpol: sets the leaders' titles
    staff: float  # share of the employees, relative to the other agencies
    roles: tuple[str, ...]
    services: tuple[ServiceSpec, ...]
    indicators: tuple[IndicatorSpec, ...]
    fixed_staff: int | None = None  # a small agency keeps this many at every size


def _svc(
    code: str, name: str, days: int, fee: int | None, volume: int, respondents: int
) -> ServiceSpec:
    return ServiceSpec(code, name, days, fee, volume, respondents)


def _iku(
    text: str,
    unit: str,
    direction: str,
    target: float,
    profile: str = "flat",
    decimals: int = 2,
    *,
    maximum: float | None = None,
) -> IndicatorSpec:
    return IndicatorSpec(
        text, unit, direction, target, profile, decimals, 100 if unit == "%" else maximum
    )


# fmt: off
HEALTH_ROLES = ("Dokter Ahli Pertama", "Dokter Ahli Muda", "Perawat Ahli Pertama",
                "Perawat Terampil", "Bidan Terampil", "Bidan Ahli Pertama", "Apoteker Ahli Pertama",
                "Pranata Laboratorium Kesehatan Terampil", "Epidemiolog Kesehatan Ahli Pertama",
                "Administrator Kesehatan Ahli Muda", "Nutrisionis Ahli Pertama")
HOSPITAL_ROLES = ("Dokter Spesialis Ahli Madya", "Dokter Ahli Muda", "Perawat Ahli Pertama",
                  "Perawat Ahli Pertama", "Perawat Terampil", "Perawat Terampil",
                  "Perawat Ahli Muda", "Bidan Terampil", "Apoteker Ahli Pertama",
                  "Pranata Laboratorium Kesehatan Terampil", "Radiografer Terampil",
                  "Perekam Medis Terampil", "Nutrisionis Ahli Pertama")
PERMIT_ROLES = ("Analis Perizinan", "Penata Perizinan Ahli Pertama", "Penata Perizinan Ahli Muda",
                "Analis Kebijakan Ahli Muda", "Pengelola Layanan Operasional")
CIVIL_REGISTRY_ROLES = ("Administrator Database Kependudukan Ahli Pertama",
                        "Penata Kependudukan dan Keluarga Berencana Ahli Pertama",
                        "Operator Layanan Operasional", "Pengelola Layanan Operasional")
AUDIT_ROLES = ("Auditor Ahli Pertama", "Auditor Ahli Muda", "Auditor Ahli Madya",
               "Pengawas Penyelenggaraan Urusan Pemerintahan di Daerah Ahli Muda")
FIELD_ROLES = ("Penyuluh Pertanian Ahli Pertama", "Penyuluh Pertanian Terampil",
               "Pengawas Benih Tanaman Ahli Pertama", "Analis Kebijakan Ahli Pertama")
ADMIN_ROLES = ("Analis Kebijakan Ahli Muda", "Analis Kebijakan Ahli Pertama",
               "Perencana Ahli Pertama", "Pranata Komputer Ahli Pertama", "Arsiparis Terampil",
               "Analis Keuangan Pusat dan Daerah Ahli Pertama",
               "Analis Sumber Daya Manusia Aparatur Ahli Pertama", "Pengelola Layanan Operasional",
               "Penata Layanan Operasional", "Operator Layanan Operasional",
               "Pengadministrasi Perkantoran", "Bendahara Pengeluaran",
               "Pengelola Pengadaan Barang/Jasa Ahli Pertama")

# Indicators any agency may add to its own (most Perjanjian Kinerja carry one or two).
GENERIC_INDICATORS = (
    _iku("Nilai evaluasi Sistem Akuntabilitas Kinerja Instansi Pemerintah (SAKIP)", "nilai", HIGHER,
         72, maximum=100),
    _iku("Persentase realisasi anggaran", "%", HIGHER, 95, "budget"),
    _iku("Persentase rekomendasi hasil pemeriksaan BPK yang ditindaklanjuti", "%", HIGHER, 90),
    _iku("Indeks kepuasan masyarakat atas layanan perangkat daerah", "indeks", HIGHER, 82,
         maximum=100),
    _iku("Jumlah pengaduan masyarakat yang belum tertangani", "pengaduan", LOWER, 5, decimals=0),
)
P_KEPUASAN = _iku("Persentase kepuasan pasien", "%", HIGHER, 85)
P_TUNGGU = _iku("Waktu tunggu pelayanan rawat jalan", "menit", LOWER, 60, decimals=0)
P_NDR = _iku("Angka kematian pasien 48 jam atau lebih (NDR)", "per 1.000", LOWER, 25, decimals=1)
P_IZIN_TEPAT = _iku("Persentase izin yang terbit tepat waktu", "%", HIGHER, 95)
P_KTP = _iku("Persentase penduduk wajib KTP yang memiliki KTP-el", "%", HIGHER, 98.5)
P_AKTA = _iku("Persentase anak usia 0-18 tahun yang memiliki akta kelahiran", "%", HIGHER, 95)
P_TL = _iku("Persentase tindak lanjut rekomendasi hasil pengawasan", "%", HIGHER, 90)
P_SPIP = _iku("Nilai maturitas Sistem Pengendalian Intern Pemerintah (SPIP)", "level", HIGHER, 3.5,
              maximum=5)
KTP_EL = _svc("KTP-EL", "Penerbitan KTP-el", 1, 0, 9000, 65)
KK = _svc("KK", "Penerbitan Kartu Keluarga", 1, 0, 7000, 50)
AKTA = _svc("AKTA-LAHIR", "Penerbitan Akta Kelahiran", 1, 0, 3500, 35)
RAWAT_JALAN = _svc("RAWAT-JALAN", "Rawat Jalan", 1, None, 30000, 70)
RAWAT_INAP = _svc("RAWAT-INAP", "Rawat Inap", 5, None, 5000, 40)
IGD = _svc("IGD", "Instalasi Gawat Darurat (IGD)", 1, None, 8000, 35)
DUMAS = _svc("DUMAS", "Pengaduan Masyarakat (Dumas)", 30, 0, 50, 7)

P, MTR, BIMA = "52", "5271", "5272"
AGENCIES: tuple[AgencySpec, ...] = (
    AgencySpec("DIKES", "Dinas Kesehatan", "Dikes", P, "Kesehatan", "dinas", 5, HEALTH_ROLES,
        services=(
            _svc("LABKESDA", "Pemeriksaan Laboratorium Kesehatan Daerah", 2, None, 1800, 25),
            _svc("IZIN-RS", "Izin Operasional Rumah Sakit Kelas B", 14, 0, 6, 4),
            _svc("REKOM-PBF", "Rekomendasi Izin Pedagang Besar Farmasi Cabang", 10, 0, 15, 8),
        ),
        indicators=(
            _iku("Angka kematian ibu per 100.000 kelahiran hidup", "per 100.000 KH", LOWER, 135,
                 decimals=1),
            _iku("Angka kematian bayi per 1.000 kelahiran hidup", "per 1.000 KH", LOWER, 12,
                 decimals=1),
            _iku("Prevalensi stunting pada balita", "%", LOWER, 18),
            _iku("Persentase persalinan di fasilitas pelayanan kesehatan", "%", HIGHER, 95),
        ),
    ),
    AgencySpec("DIKBUD", "Dinas Pendidikan dan Kebudayaan", "Dikbud", P, "Pendidikan", "dinas", 18,
        ("Guru Ahli Pertama", "Guru Ahli Pertama", "Guru Ahli Muda", "Guru Ahli Muda",
         "Guru Ahli Madya", "Pengawas Sekolah Ahli Madya", "Pamong Belajar Ahli Pertama",
         "Pustakawan Terampil"),
        services=(
            _svc("LEGALISIR", "Legalisir Ijazah SMA/SMK/SLB", 1, 0, 2500, 35),
            _svc("SKPI", "Surat Keterangan Pengganti Ijazah", 7, 0, 120, 12),
            _svc("MUTASI-SISWA", "Rekomendasi Mutasi Siswa SMA/SMK", 3, 0, 400, 15),
        ),
        indicators=(
            _iku("Angka partisipasi murni SMA/SMK/SLB", "%", HIGHER, 68),
            _iku("Persentase sekolah menengah terakreditasi minimal B", "%", HIGHER, 85),
            _iku("Angka putus sekolah SMA/SMK", "%", LOWER, 0.9),
        ),
    ),
    AgencySpec("DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "DPMPTSP", P,
               "Perizinan dan Investasi", "dinas", 3, PERMIT_ROLES,
        services=(
            _svc("IZIN-USAHA", "Izin Usaha (Perizinan Berusaha Berbasis Risiko)", 5, 0, 900, 40),
            _svc("PB-UMKU", "Perizinan Berusaha untuk Menunjang Kegiatan Usaha (PB-UMKU)", 10, 0,
                 250, 20),
            _svc("KONSULTASI", "Konsultasi Perizinan dan Investasi", 1, 0, 600, 25),
        ),
        indicators=(
            _iku("Realisasi investasi PMA dan PMDN", "Rp triliun", HIGHER, 30, "linear"),
            P_IZIN_TEPAT,
            _iku("Rata-rata waktu penerbitan izin", "hari", LOWER, 5, decimals=1),
        ),
    ),
    AgencySpec("DPMPD-DUKCAPIL",
               "Dinas Pemberdayaan Masyarakat, Pemerintahan Desa, Kependudukan dan "
               "Pencatatan Sipil",
               "DPMPD Dukcapil", P, "Kependudukan", "dinas", 3, CIVIL_REGISTRY_ROLES,
        services=(
            _svc("FASILITASI-DESA", "Fasilitasi Penataan dan Administrasi Desa", 14, 0, 20, 6),
            _svc("HAK-AKSES", "Pemberian Hak Akses Data Kependudukan kepada Lembaga", 7, 0, 40, 9),
        ),
        indicators=(
            _iku("Persentase desa berstatus mandiri", "%", HIGHER, 25),
            P_KTP,
            _iku("Jumlah desa berstatus tertinggal", "desa", LOWER, 20, decimals=0),
        ),
    ),
    AgencySpec("BPKAD", "Badan Pengelolaan Keuangan dan Aset Daerah", "BPKAD", P, "Keuangan",
               "badan", 4,
        ("Analis Keuangan Pusat dan Daerah Ahli Muda",
         "Analis Keuangan Pusat dan Daerah Ahli Pertama", "Penata Kelola Barang Milik Daerah",
         "Bendahara Pengeluaran"),
        services=(
            _svc("SP2D", "Penerbitan Surat Perintah Pencairan Dana (SP2D)", 1, 0, 3500, 25),
            _svc("PINJAM-ASET", "Pinjam Pakai dan Sewa Aset Daerah", 14, None, 12, 5),
        ),
        indicators=(
            _iku("Persentase realisasi belanja daerah", "%", HIGHER, 92, "budget"),
            _iku("Persentase aset tanah pemerintah daerah yang bersertifikat", "%", HIGHER, 70),
            _iku("Rata-rata waktu penerbitan SP2D", "hari", LOWER, 2, decimals=1),
        ),
    ),
    AgencySpec("BAPENDA", "Badan Pendapatan Daerah", "Bapenda", P, "Pendapatan Daerah", "badan", 8,
        ("Pemeriksa Pajak Daerah", "Penata Layanan Operasional", "Pengelola Layanan Operasional",
         "Bendahara Penerimaan"),
        services=(
            _svc("PKB", "Pembayaran Pajak Kendaraan Bermotor (Samsat)", 1, None, 180000, 90),
            _svc("BBNKB", "Bea Balik Nama Kendaraan Bermotor", 1, None, 22000, 50),
            _svc("SAMSAT-KELILING", "Samsat Keliling dan Samsat Desa", 1, None, 15000, 35),
        ),
        indicators=(
            _iku("Realisasi pendapatan asli daerah", "Rp miliar", HIGHER, 1650, "linear"),
            _iku("Persentase kepatuhan wajib pajak kendaraan bermotor", "%", HIGHER, 65),
            _iku("Tunggakan pajak kendaraan bermotor", "Rp miliar", LOWER, 120),
        ),
    ),
    AgencySpec("BKD", "Badan Kepegawaian Daerah", "BKD", P, "Kepegawaian", "badan", 3,
        ("Analis Sumber Daya Manusia Aparatur Ahli Pertama",
         "Analis Sumber Daya Manusia Aparatur Ahli Muda",
         "Pranata Sumber Daya Manusia Aparatur Terampil"),
        services=(
            _svc("KENAIKAN-PANGKAT", "Layanan Kenaikan Pangkat", 14, 0, 1500, 30),
            _svc("PENSIUN", "Layanan Pensiun", 21, 0, 300, 15),
            _svc("MUTASI-ASN", "Layanan Mutasi ASN", 14, 0, 200, 12),
        ),
        indicators=(
            _iku("Nilai indeks sistem merit", "nilai", HIGHER, 320, decimals=1, maximum=400),
            _iku("Persentase ASN yang memenuhi standar kompetensi jabatan", "%", HIGHER, 70),
            _iku("Rata-rata waktu layanan kenaikan pangkat", "hari", LOWER, 14, decimals=1),
        ),
    ),
    AgencySpec("INSPEKTORAT", "Inspektorat", "Inspektorat", P, "Pengawasan", "inspektorat", 3,
               AUDIT_ROLES,
        services=(
            DUMAS,
            _svc("KONSULTASI-GRATIFIKASI", "Konsultasi Pengawasan dan Pelaporan Gratifikasi", 3, 0,
                 45, 12),
        ),
        indicators=(
            P_TL,
            P_SPIP,
            _iku("Jumlah temuan berulang hasil pemeriksaan BPK", "temuan", LOWER, 0, decimals=0),
            _iku("Skor Monitoring Center for Prevention (MCP) KPK", "skor", HIGHER, 85,
                 maximum=100),
        ),
    ),
    AgencySpec("RSUDP", "Rumah Sakit Umum Daerah Provinsi Nusa Tenggara Barat", "RSUD Provinsi NTB",
               P, "Kesehatan", "rs", 14, HOSPITAL_ROLES,
        services=(
            RAWAT_JALAN,
            RAWAT_INAP,
            IGD,
            _svc("LAB-KLINIK", "Laboratorium Klinik", 1, None, 20000, 25),
        ),
        indicators=(
            P_KEPUASAN,
            P_TUNGGU,
            P_NDR,
            _iku("Kepatuhan kebersihan tangan petugas", "%", HIGHER, 85),
        ),
    ),
    AgencySpec("BIRO-PBJ", "Biro Pengadaan Barang/Jasa", "Biro PBJ", P, "Pengadaan", "biro", 1.5,
        ("Pengelola Pengadaan Barang/Jasa Ahli Pertama",
         "Pengelola Pengadaan Barang/Jasa Ahli Muda"),
        services=(
            _svc("TENDER", "Layanan Tender dan Seleksi", 45, 0, 110, 15),
            _svc("KONSULTASI-PBJ", "Konsultasi Pengadaan Barang/Jasa", 1, 0, 150, 12),
            _svc("KATALOG", "Pendampingan Katalog Elektronik Lokal", 7, 0, 40, 7),
        ),
        indicators=(
            _iku("Persentase paket tender yang selesai tepat waktu", "%", HIGHER, 90),
            _iku("Persentase nilai pengadaan melalui katalog elektronik", "%", HIGHER, 40),
            _iku("Jumlah sanggahan banding yang diterima", "sanggahan", LOWER, 3, decimals=0),
            _iku("Rata-rata waktu proses tender", "hari", LOWER, 40, decimals=0),
        ),
    ),
    AgencySpec("BAPPEDA", "Badan Perencanaan Pembangunan Daerah", "Bappeda", P, "Perencanaan",
               "badan", 3,
        ("Perencana Ahli Pertama", "Perencana Ahli Muda", "Perencana Ahli Madya",
         "Statistisi Ahli Pertama"),
        services=(
            _svc("DATA-PEMBANGUNAN", "Layanan Data dan Informasi Pembangunan", 3, 0, 90, 12),
        ),
        indicators=(
            _iku("Laju pertumbuhan ekonomi", "%", HIGHER, 5.2),
            _iku("Persentase penduduk miskin", "%", LOWER, 12.5),
            _iku("Tingkat pengangguran terbuka", "%", LOWER, 2.8),
            _iku("Indeks pembangunan manusia", "indeks", HIGHER, 72.5, maximum=100),
        ),
    ),
    AgencySpec("DINSOS", "Dinas Sosial", "Dinsos", P, "Sosial", "dinas", 3,
        ("Pekerja Sosial Ahli Pertama", "Pekerja Sosial Terampil", "Penyuluh Sosial Ahli Pertama"),
        services=(
            _svc("PUB", "Izin Pengumpulan Uang atau Barang (PUB)", 14, 0, 25, 8),
            _svc("REHSOS", "Rehabilitasi Sosial di Panti", 3, 0, 350, 20),
            _svc("DTKS", "Pengaduan dan Verifikasi Data Terpadu Kesejahteraan Sosial", 7, 0, 700,
                 25),
        ),
        indicators=(
            _iku("Persentase PPKS yang mendapat rehabilitasi sosial", "%", HIGHER, 80),
            _iku("Persentase data DTKS yang dimutakhirkan", "%", HIGHER, 85),
            _iku("Jumlah anak jalanan dan terlantar", "jiwa", LOWER, 150, decimals=0),
        ),
    ),
    AgencySpec("PUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", "Dinas PUPR", P, "Infrastruktur",
               "dinas", 5,
        ("Teknik Jalan dan Jembatan Ahli Pertama", "Teknik Pengairan Ahli Pertama",
         "Penata Ruang Ahli Pertama", "Pengawas Jalan dan Jembatan Terampil"),
        services=(
            _svc("UJI-BAHAN", "Pengujian Mutu Bahan Konstruksi", 7, 250000, 300, 12),
            _svc("REKTEK-SDA", "Rekomendasi Teknis Pemanfaatan Sumber Daya Air", 14, 0, 25, 6),
            _svc("SKK", "Fasilitasi Sertifikasi Kompetensi Kerja Konstruksi", 14, 0, 400, 15),
        ),
        indicators=(
            _iku("Persentase jalan provinsi dalam kondisi mantap", "%", HIGHER, 82),
            _iku("Persentase daerah irigasi kewenangan provinsi dalam kondisi baik", "%", HIGHER,
                 65),
            _iku("Persentase rumah tangga dengan akses air minum layak", "%", HIGHER, 93),
        ),
    ),
    AgencySpec("DISHUB", "Dinas Perhubungan", "Dishub", P, "Perhubungan", "dinas", 4,
        ("Penguji Kendaraan Bermotor Terampil", "Asisten Inspektur Angkutan Jalan",
         "Pengelola Layanan Operasional"),
        services=(
            _svc("AKDP", "Izin Penyelenggaraan Angkutan Antarkota Dalam Provinsi (AKDP)", 14, 0, 60,
                 12),
            _svc("ANDALALIN", "Persetujuan Analisis Dampak Lalu Lintas (Andalalin)", 30, 0, 30, 8),
        ),
        indicators=(
            _iku("Jumlah kecelakaan lalu lintas di jalan provinsi", "kejadian", LOWER, 180,
                 decimals=0),
            _iku("Persentase armada AKDP yang laik jalan", "%", HIGHER, 85),
            _iku("Persentase rute penyeberangan perintis yang terlayani", "%", HIGHER, 90),
        ),
    ),
    AgencySpec("DISPAR", "Dinas Pariwisata", "Dispar", P, "Pariwisata", "dinas", 2,
        ("Adyatama Kepariwisataan dan Ekonomi Kreatif Ahli Pertama",
         "Pengelola Layanan Operasional"),
        services=(
            _svc("SERTIFIKASI-PEMANDU", "Sertifikasi Pemandu Wisata", 14, 0, 80, 14),
            _svc("TDUP", "Pendaftaran Usaha Pariwisata", 3, 0, 150, 12),
        ),
        indicators=(
            _iku("Jumlah kunjungan wisatawan", "ribu orang", HIGHER, 2500, "linear", 1),
            _iku("Rata-rata lama tinggal wisatawan", "hari", HIGHER, 3.5),
            _iku("Persentase usaha pariwisata tersertifikasi CHSE", "%", HIGHER, 60),
        ),
    ),
    AgencySpec("DLHK", "Dinas Lingkungan Hidup dan Kehutanan", "DLHK", P, "Lingkungan Hidup",
               "dinas", 6,
        ("Polisi Kehutanan Terampil", "Polisi Kehutanan Ahli Pertama",
         "Penyuluh Kehutanan Ahli Pertama", "Pengendali Dampak Lingkungan Ahli Pertama"),
        services=(
            _svc("PERSETUJUAN-LINGKUNGAN", "Persetujuan Lingkungan (AMDAL dan UKL-UPL)", 50, 0, 40,
                 10),
            _svc("PENGADUAN-LH", "Pengaduan Pencemaran dan Kerusakan Lingkungan", 30, 0, 50, 9),
            _svc("TAHURA", "Kunjungan Taman Hutan Raya Nuraksa", 1, 5000, 12000, 35),
        ),
        indicators=(
            _iku("Indeks kualitas lingkungan hidup", "indeks", HIGHER, 70, maximum=100),
            _iku("Luas rehabilitasi hutan dan lahan", "hektar", HIGHER, 2000, "linear", 0),
            _iku("Jumlah titik panas kebakaran hutan dan lahan", "titik", LOWER, 60, decimals=0),
            _iku("Persentase sampah yang tertangani", "%", HIGHER, 70),
        ),
    ),
    AgencySpec("DISTANBUN", "Dinas Pertanian dan Perkebunan", "Distanbun", P, "Pertanian", "dinas",
               5, FIELD_ROLES,
        services=(
            _svc("SERTIFIKASI-BENIH", "Sertifikasi Benih Tanaman", 14, 25000, 200, 12),
            _svc("REKOM-IUP", "Rekomendasi Izin Usaha Perkebunan", 14, 0, 10, 4),
        ),
        indicators=(
            _iku("Produksi padi", "ribu ton", HIGHER, 1500, "linear", 1),
            _iku("Produksi jagung", "ribu ton", HIGHER, 2000, "linear", 1),
            _iku("Nilai tukar petani", "indeks", HIGHER, 110),
        ),
    ),
    AgencySpec("DKP", "Dinas Kelautan dan Perikanan", "DKP", P, "Kelautan dan Perikanan", "dinas",
               3,
        ("Pengawas Perikanan Ahli Pertama", "Penyuluh Perikanan Terampil",
         "Pengelola Produksi Perikanan Tangkap Ahli Pertama"),
        services=(
            _svc("SIUP", "Izin Usaha Perikanan Tangkap", 7, 0, 250, 15),
            _svc("SIPI", "Surat Izin Penangkapan Ikan (SIPI)", 7, None, 400, 15),
        ),
        indicators=(
            _iku("Produksi perikanan tangkap", "ribu ton", HIGHER, 220, "linear", 1),
            _iku("Produksi rumput laut", "ribu ton", HIGHER, 900, "linear", 1),
            _iku("Nilai tukar nelayan", "indeks", HIGHER, 105),
        ),
    ),
    AgencySpec("SATPOLPP", "Satuan Polisi Pamong Praja", "Satpol PP", P, "Ketertiban Umum",
               "satpol", 4,
        ("Polisi Pamong Praja Terampil", "Polisi Pamong Praja Terampil",
         "Polisi Pamong Praja Ahli Pertama"),
        services=(
            _svc("PENGADUAN-TRANTIB", "Pengaduan Ketenteraman dan Ketertiban Umum", 3, 0, 180, 15),
            _svc("PENGAMANAN", "Pengamanan Kegiatan Masyarakat", 7, 0, 60, 10),
        ),
        indicators=(
            _iku("Persentase pelanggaran perda yang ditindaklanjuti", "%", HIGHER, 85),
            _iku("Jumlah gangguan ketenteraman dan ketertiban umum", "kasus", LOWER, 40,
                 decimals=0),
            _iku("Persentase anggota Linmas yang terlatih", "%", HIGHER, 60),
        ),
    ),
    AgencySpec("BPBD", "Badan Penanggulangan Bencana Daerah", "BPBD", P, "Kebencanaan", "badan", 2,
        ("Analis Bencana Ahli Pertama", "Pengelola Layanan Operasional",
         "Operator Layanan Operasional"),
        services=(
            _svc("KAJI-CEPAT", "Kaji Cepat dan Tanggap Darurat Bencana", 1, 0, 80, 12),
            _svc("LOGISTIK", "Distribusi Bantuan Logistik Bencana", 3, 0, 150, 12),
        ),
        indicators=(
            _iku("Waktu tanggap darurat bencana", "jam", LOWER, 6, decimals=1),
            _iku("Persentase desa tangguh bencana", "%", HIGHER, 20),
            _iku("Indeks risiko bencana", "indeks", LOWER, 130),
        ),
    ),
    AgencySpec("DISKOMINFOTIK", "Dinas Komunikasi, Informatika dan Statistik", "Diskominfotik", P,
               "Komunikasi dan Informatika", "dinas", 2,
        ("Pranata Komputer Ahli Pertama", "Pranata Komputer Ahli Muda", "Statistisi Ahli Pertama",
         "Pranata Hubungan Masyarakat Ahli Pertama"),
        services=(
            _svc("PPID", "Permohonan Informasi Publik (PPID)", 10, 0, 300, 20),
            _svc("DATA-SEKTORAL", "Layanan Data Statistik Sektoral", 5, 0, 120, 12),
            _svc("SUBDOMAIN", "Pembuatan Subdomain ntbprov.go.id", 3, 0, 30, 6),
        ),
        indicators=(
            _iku("Indeks Sistem Pemerintahan Berbasis Elektronik (SPBE)", "indeks", HIGHER, 3.2,
                 maximum=5),
            _iku("Persentase permohonan informasi publik yang diselesaikan tepat waktu", "%",
                 HIGHER, 95),
            _iku("Waktu henti layanan pusat data", "jam", LOWER, 8, decimals=1),
        ),
    ),
    AgencySpec("DISNAKERTRANS", "Dinas Tenaga Kerja dan Transmigrasi", "Disnakertrans", P,
               "Ketenagakerjaan", "dinas", 2.5,
        ("Pengawas Ketenagakerjaan Ahli Pertama", "Mediator Hubungan Industrial Ahli Pertama",
         "Pengantar Kerja Ahli Pertama"),
        services=(
            _svc("PERATURAN-PERUSAHAAN", "Pengesahan Peraturan Perusahaan", 7, 0, 120, 12),
            _svc("PKB-KERJA", "Pendaftaran Perjanjian Kerja Bersama", 7, 0, 15, 5),
            _svc("LTSA-PMI", "Layanan Terpadu Satu Atap Pekerja Migran Indonesia", 3, 0, 3500, 40),
        ),
        indicators=(
            _iku("Persentase perselisihan hubungan industrial yang diselesaikan", "%", HIGHER, 85),
            _iku("Jumlah pekerja migran yang berangkat secara nonprosedural", "orang", LOWER, 300,
                 decimals=0),
            _iku("Persentase pencari kerja yang ditempatkan", "%", HIGHER, 40),
        ),
    ),
    AgencySpec("DP3AP2KB",
               "Dinas Pemberdayaan Perempuan, Perlindungan Anak, Pengendalian Penduduk dan "
               "Keluarga Berencana",
               "DP3AP2KB", P, "Pemberdayaan Perempuan dan Anak", "dinas", 2,
        ("Penyuluh Keluarga Berencana Ahli Pertama", "Psikolog Klinis Ahli Pertama",
         "Pekerja Sosial Ahli Pertama"),
        services=(
            _svc("UPTD-PPA", "Pendampingan Korban Kekerasan terhadap Perempuan dan Anak", 1, 0, 120,
                 12),
            _svc("PUSPAGA", "Konseling Keluarga (PUSPAGA)", 1, 0, 90, 12),
        ),
        indicators=(
            _iku("Indeks pemberdayaan gender", "indeks", HIGHER, 68, maximum=100),
            _iku("Persentase kasus kekerasan terhadap perempuan dan anak yang tertangani", "%",
                 HIGHER, 90),
            _iku("Persentase perkawinan usia anak", "%", LOWER, 14),
        ),
    ),
    AgencySpec("DISKOPUKM", "Dinas Koperasi, Usaha Kecil dan Menengah", "Diskop UKM", P,
               "Koperasi dan UMKM", "dinas", 2,
        ("Pengawas Koperasi Ahli Pertama", "Penyuluh Koperasi Terampil"),
        services=(
            _svc("KLINIK-UMKM", "Pendampingan dan Klinik UMKM", 3, 0, 500, 20),
            _svc("HALAL", "Fasilitasi Sertifikasi Halal Gratis", 21, 0, 600, 25),
        ),
        indicators=(
            _iku("Persentase koperasi aktif", "%", HIGHER, 60),
            _iku("Jumlah UMKM naik kelas", "unit", HIGHER, 1200, "linear", 0),
            _iku("Persentase UMKM binaan yang memiliki sertifikat halal", "%", HIGHER, 15),
        ),
    ),
    AgencySpec("DISPUSIP", "Dinas Perpustakaan dan Kearsipan", "Dispusip", P,
               "Perpustakaan dan Kearsipan", "dinas", 2,
        ("Pustakawan Ahli Pertama", "Pustakawan Terampil", "Arsiparis Ahli Pertama"),
        services=(
            _svc("PERPUSTAKAAN", "Peminjaman Buku dan Layanan Baca", 1, 0, 9000, 45),
            _svc("ARSIP-STATIS", "Layanan Arsip Statis", 3, 0, 50, 8),
        ),
        indicators=(
            _iku("Nilai tingkat kegemaran membaca masyarakat", "nilai", HIGHER, 62, maximum=100),
            _iku("Jumlah pengunjung perpustakaan", "orang", HIGHER, 60000, "linear", 0),
            _iku("Persentase arsip yang tertata sesuai standar", "%", HIGHER, 75),
        ),
    ),
    AgencySpec("ESDM", "Dinas Energi dan Sumber Daya Mineral", "Dinas ESDM", P,
               "Energi dan Sumber Daya Mineral", "dinas", 2,
        ("Inspektur Tambang Ahli Pertama", "Penyelidik Bumi Ahli Pertama"),
        services=(
            _svc("AIR-TANAH", "Rekomendasi Teknis Izin Pengusahaan Air Tanah", 14, 0, 35, 9),
            _svc("SIPB", "Surat Izin Penambangan Batuan (SIPB)", 30, 0, 20, 6),
        ),
        indicators=(
            _iku("Rasio elektrifikasi", "%", HIGHER, 99.5),
            _iku("Bauran energi baru terbarukan", "%", HIGHER, 22),
            _iku("Persentase izin pertambangan yang diawasi", "%", HIGHER, 80),
        ),
    ),
    AgencySpec("RSJ", "Rumah Sakit Jiwa Mutiara Sukma", "RSJ Mutiara Sukma", P, "Kesehatan", "rs",
               5, (*HOSPITAL_ROLES, "Psikolog Klinis Ahli Pertama"),
        services=(
            _svc("RAWAT-JALAN", "Rawat Jalan Jiwa", 1, None, 7000, 35),
            _svc("RAWAT-INAP", "Rawat Inap Jiwa", 21, None, 400, 12),
            _svc("NAPZA", "Rehabilitasi NAPZA", 30, 0, 60, 8),
        ),
        indicators=(
            P_KEPUASAN,
            _iku("Angka kekambuhan pasien jiwa dalam 30 hari", "%", LOWER, 8),
            _iku("Rata-rata lama rawat inap (ALOS)", "hari", LOWER, 21, decimals=1),
        ),
    ),
    AgencySpec("BIRO-ORGANISASI", "Biro Organisasi", "Biro Organisasi", P, "Kelembagaan", "biro", 1,
        ("Analis Kebijakan Ahli Muda", "Analis Jabatan Ahli Pertama"),
        services=(
            _svc("ANJAB", "Fasilitasi Analisis Jabatan dan Beban Kerja", 14, 0, 30, 6),
        ),
        indicators=(
            _iku("Nilai indeks reformasi birokrasi", "nilai", HIGHER, 70, maximum=100),
            _iku("Persentase perangkat daerah yang memiliki peta proses bisnis", "%", HIGHER, 80),
            _iku("Indeks pelayanan publik", "indeks", HIGHER, 3.8, maximum=5),
        ),
        fixed_staff=7,
    ),
    AgencySpec("DISNAKKESWAN", "Dinas Peternakan dan Kesehatan Hewan", "Disnakkeswan", P,
               "Peternakan", "dinas", 3,
        ("Medik Veteriner Ahli Pertama", "Paramedik Veteriner Terampil",
         "Pengawas Bibit Ternak Ahli Pertama"),
        services=(
            _svc("KESWAN", "Pelayanan Kesehatan Hewan (Puskeswan)", 1, 0, 1500, 20),
            _svc("REKOM-TERNAK", "Rekomendasi Pengeluaran Ternak Antarpulau", 3, 0, 300, 15),
        ),
        indicators=(
            _iku("Populasi sapi", "ribu ekor", HIGHER, 1300, decimals=0),
            _iku("Persentase kasus penyakit hewan menular yang tertangani", "%", HIGHER, 90),
            _iku("Jumlah kasus penyakit mulut dan kuku serta lumpy skin disease", "kasus", LOWER,
                 50, decimals=0),
        ),
    ),
    AgencySpec("MTR-DUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil Kota Mataram",
               "Dukcapil Kota Mataram", MTR, "Kependudukan", "dinas", 2, CIVIL_REGISTRY_ROLES,
        services=(
            KTP_EL,
            KK,
            AKTA,
            _svc("KIA", "Penerbitan Kartu Identitas Anak (KIA)", 1, 0, 2000, 25),
            _svc("PINDAH", "Surat Keterangan Pindah", 1, 0, 1500, 20),
        ),
        indicators=(
            P_KTP,
            P_AKTA,
            _iku("Persentase anak yang memiliki Kartu Identitas Anak", "%", HIGHER, 60),
            _iku("Rata-rata waktu penerbitan dokumen kependudukan", "hari", LOWER, 1, decimals=1),
        ),
    ),
    AgencySpec("MTR-DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Mataram",
               "DPMPTSP Kota Mataram", MTR, "Perizinan dan Investasi", "dinas", 1.5, PERMIT_ROLES,
        services=(
            _svc("PBG", "Persetujuan Bangunan Gedung (PBG)", 28, None, 450, 25),
            _svc("IZIN-USAHA", "Izin Usaha Mikro dan Kecil", 1, 0, 1200, 30),
            _svc("SIP", "Surat Izin Praktik Tenaga Kesehatan", 5, 0, 300, 15),
        ),
        indicators=(
            P_IZIN_TEPAT,
            _iku("Realisasi investasi", "Rp miliar", HIGHER, 2500, "linear", 1),
            _iku("Rata-rata waktu penerbitan Persetujuan Bangunan Gedung", "hari", LOWER, 28,
                 decimals=0),
        ),
    ),
    AgencySpec("MTR-RSUD", "Rumah Sakit Umum Daerah Kota Mataram", "RSUD Kota Mataram", MTR,
               "Kesehatan", "rs", 6, HOSPITAL_ROLES,
        services=(
            RAWAT_JALAN,
            RAWAT_INAP,
            IGD,
        ),
        indicators=(
            P_KEPUASAN,
            P_TUNGGU,
            _iku("Bed occupancy rate (BOR)", "%", HIGHER, 75),
        ),
    ),
    AgencySpec("MTR-DIKES", "Dinas Kesehatan Kota Mataram", "Dikes Kota Mataram", MTR, "Kesehatan",
               "dinas", 3, HEALTH_ROLES,
        services=(
            _svc("SLHS", "Sertifikat Laik Higiene Sanitasi", 14, 0, 150, 12),
            _svc("SPP-IRT", "Sertifikat Produksi Pangan Industri Rumah Tangga (SPP-IRT)", 14, 0,
                 300, 15),
        ),
        indicators=(
            _iku("Angka kematian bayi per 1.000 kelahiran hidup", "per 1.000 KH", LOWER, 8,
                 decimals=1),
            _iku("Cakupan imunisasi dasar lengkap", "%", HIGHER, 95),
            _iku("Prevalensi stunting pada balita", "%", LOWER, 12),
        ),
    ),
    AgencySpec("BIMA-DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Bima",
               "DPMPTSP Kota Bima", BIMA, "Perizinan dan Investasi", "dinas", 1, PERMIT_ROLES,
        services=(
            _svc("IZIN-USAHA", "Izin Usaha Mikro dan Kecil", 1, 0, 400, 15),
            _svc("PBG", "Persetujuan Bangunan Gedung (PBG)", 28, None, 120, 9),
        ),
        indicators=(
            P_IZIN_TEPAT,
            _iku("Realisasi investasi", "Rp miliar", HIGHER, 600, "linear", 1),
        ),
        fixed_staff=9,
    ),
    AgencySpec("BIMA-DUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil Kota Bima",
               "Dukcapil Kota Bima", BIMA, "Kependudukan", "dinas", 1.5, CIVIL_REGISTRY_ROLES,
        services=(
            _svc("KTP-EL", "Penerbitan KTP-el", 1, 0, 3000, 35),
            _svc("KK", "Penerbitan Kartu Keluarga", 1, 0, 2500, 25),
            _svc("AKTA-LAHIR", "Penerbitan Akta Kelahiran", 1, 0, 1300, 20),
        ),
        indicators=(
            _iku("Persentase penduduk wajib KTP yang memiliki KTP-el", "%", HIGHER, 97.5),
            _iku("Persentase anak usia 0-18 tahun yang memiliki akta kelahiran", "%", HIGHER, 92),
        ),
    ),
    AgencySpec("BIMA-RSUD", "Rumah Sakit Umum Daerah Kota Bima", "RSUD Kota Bima", BIMA,
               "Kesehatan", "rs", 4, HOSPITAL_ROLES,
        services=(
            _svc("RAWAT-JALAN", "Rawat Jalan", 1, None, 9000, 35),
            _svc("RAWAT-INAP", "Rawat Inap", 4, None, 1500, 20),
            _svc("IGD", "Instalasi Gawat Darurat (IGD)", 1, None, 3000, 15),
        ),
        indicators=(
            P_KEPUASAN,
            _iku("Waktu tunggu pelayanan rawat jalan", "menit", LOWER, 75, decimals=0),
            P_NDR,
        ),
    ),
    AgencySpec("BIMA-INSPEKTORAT", "Inspektorat Kota Bima", "Inspektorat Kota Bima", BIMA,
               "Pengawasan", "inspektorat", 1, AUDIT_ROLES,
        services=(
            _svc("DUMAS", "Pengaduan Masyarakat (Dumas)", 30, 0, 25, 5),
        ),
        indicators=(
            P_TL,
            _iku("Nilai maturitas Sistem Pengendalian Intern Pemerintah (SPIP)", "level", HIGHER,
                 3.0, maximum=5),
        ),
        fixed_staff=6,
    ),
)

# Leaders' titles by kind of agency: head, second in command, heads of units.
LEADERS = {
    "dinas": ("Kepala Dinas", "Sekretaris Dinas", "Kepala Bidang"),
    "badan": ("Kepala Badan", "Sekretaris Badan", "Kepala Bidang"),
    "biro": ("Kepala Biro", "Kepala Bagian", "Kepala Bagian"),
    "inspektorat": ("Inspektur", "Sekretaris Inspektorat", "Inspektur Pembantu"),
    "rs": ("Direktur", "Wakil Direktur Umum dan Keuangan", "Kepala Bidang"),
    "satpol": ("Kepala Satuan", "Sekretaris Satuan", "Kepala Bidang"),
}

LEADER_TITLES = frozenset(title for titles in LEADERS.values() for title in titles)

# Names. Sasak (Lombok; Lalu and Baiq are the titles of its nobility), Mbojo and Samawa
# (Sumbawa island), Balinese (western Lombok and Mataram) and names from elsewhere in
# Indonesia, as on any staff list in Mataram.
SASAK_MALE = ("Muhammad", "Ahmad", "Zainal", "Zaini", "Saepul", "Rusdi", "Marzuki", "Husni",
              "Sahnan", "Sabri", "Hairul", "Fathurrahman", "Juaini", "Mashur", "Burhanuddin",
              "Fahrul", "Sukardi", "Amrullah", "Azhar", "Samsul", "Hamdi", "Wildan", "Taufik",
              "Suhaimi", "Jumadil", "Khairul", "Munawir", "Ramli", "Saparudin", "Habibullah",
              "Hirsan", "Lukmanul", "Hakim", "Zulkarnain", "Abdul", "Ridwan", "Mustiadi")
SASAK_FEMALE = ("Nurul", "Aini", "Siti", "Rahmawati", "Hidayati", "Mardiana", "Wahyuni", "Rohani",
                "Fitriani", "Nurhayati", "Ernawati", "Hasanah", "Lestari", "Kurniawati", "Yuliana",
                "Amalia", "Laila", "Maulida", "Husnul", "Khotimah", "Ulfa", "Zuhriah", "Marliana",
                "Nuraini", "Susilawati", "Sri", "Hijriati", "Rabiatul", "Adawiyah", "Sumiatun")
MBOJO_MALE = ("Muhammad", "Abdul", "Syarifuddin", "Nurdin", "Firdaus", "Ikhwan", "Sukri", "Rahmat",
              "Salahuddin", "Arifin", "Ismail", "Mukhtar", "Amiruddin", "Ilyas", "Hamzah",
              "Kamaruddin", "Asikin", "Syamsuddin", "Zulkifli", "Hasanuddin", "Syukri", "Jufri",
              "Ahmad", "Iskandar", "Sudirman", "Darwis")
MBOJO_FEMALE = ("Nurhayati", "Siti", "Aisyah", "Fitriani", "Rostina", "Nurjannah", "Hadijah",
                "Rukmini", "Salmah", "Marwah", "Jainab", "Nurmi", "Rosdiana", "Nurlaila", "Hartini",
                "Kartini", "Sarifah", "Mariam", "Asmah", "Ramlah")
BALI_MALE_ORDER = ("Wayan", "Putu", "Gede", "Made", "Kadek", "Nyoman", "Komang", "Ketut")
BALI_FEMALE_ORDER = ("Luh", "Putu", "Made", "Kadek", "Nyoman", "Ketut", "Wayan", "Luh Putu")
BALI_MALE = ("Suarta", "Wirawan", "Sudiarta", "Budiarsa", "Artawan", "Suardana", "Adnyana",
             "Sukadana", "Mahendra", "Sutama", "Arsana", "Swastika", "Darmawan", "Parwata")
BALI_FEMALE = ("Ayu Suryani", "Sri Wahyuni", "Widiastuti", "Suartini", "Sukerti", "Ariani",
               "Darmayanti", "Kartika Dewi", "Ayu Lestari", "Sudarmi", "Yuliantari")
# Elsewhere in Indonesia: a given name and a second name.
OTHER_MALE = (("Agus", "Budi", "Eko", "Yudi", "Andi", "Hendra", "Dedi", "Iwan", "Rizal",
               "Bambang", "Arief", "Teguh"),
              ("Setiawan", "Santoso", "Prasetyo", "Hartono", "Saputra", "Nugroho", "Kurniawan",
               "Wibowo", "Hidayat", "Firmansyah", "Gunawan", "Pratama"))
OTHER_FEMALE = (("Dwi", "Rina", "Sri", "Dewi", "Yuni", "Ratna", "Indah", "Novita", "Fitri",
                 "Ayu"),
                ("Handayani", "Kusumawati", "Rahayu", "Puspitasari", "Wulandari", "Anggraini",
                 "Safitri", "Permatasari", "Septiani", "Lestari"))
# Degrees after the names of medical specialists, leaders and other staff ("" for none).
SPECIALIST_DEGREES = (", Sp.PD", ", Sp.OG", ", Sp.A", ", Sp.B", ", Sp.KJ", ", Sp.An", ", Sp.JP")
SENIOR_DEGREES = (", S.E., M.M.", ", S.H., M.H.", ", S.T., M.T.", ", S.Sos., M.Si.",
                  ", S.Pt., M.Si.", ", S.IP., M.AP.", ", S.Si., M.Si.")
STAFF_DEGREES = ("", "", ", S.E.", ", S.H.", ", S.Sos.", ", S.T.", ", S.AP.", ", S.IP.",
                 ", S.Kom.", ", S.Pt.", ", M.Si.")
# Shares of the staff of agencies in Lombok (the province, Mataram) and in Kota Bima.
ORIGINS = {
    "lombok": (("sasak", 55), ("mbojo", 12), ("samawa", 8), ("bali", 10), ("other", 15)),
    "bima": (("mbojo", 78), ("samawa", 5), ("sasak", 7), ("other", 10)),
}

# Variance explanations as an HR officer writes them.
BELOW_TARGET = (
    "Realisasi di bawah target karena keterlambatan pencairan anggaran.",
    "Capaian belum optimal karena refocusing anggaran pada triwulan berjalan.",
    "Pelaksanaan kegiatan tertunda menunggu penetapan APBD Perubahan.",
    "Paket pekerjaan gagal tender dan harus diulang sehingga pelaksanaan mundur.",
    "Cuaca ekstrem dan banjir menghambat kegiatan lapangan di beberapa kabupaten.",
    "Keterbatasan tenaga teknis; pengangkatan PPPK baru selesai pada akhir triwulan.",
    "Data dari kabupaten/kota belum seluruhnya masuk pada saat pelaporan.",
    "Gangguan aplikasi pusat selama dua minggu menghambat proses layanan.",
    "Kegiatan lapangan bergeser ke triwulan berikutnya karena bertepatan dengan bulan puasa.",
    "Sebagian kegiatan ditunda karena anggaran dialihkan untuk penanganan bencana.",
    "Rotasi pejabat pengelola kegiatan menyebabkan keterlambatan pelaksanaan.",
)
ABOVE_TARGET = (
    "Realisasi melampaui target berkat layanan jemput bola ke kecamatan.",
    "Capaian di atas target karena adanya tambahan Dana Alokasi Khusus.",
    "Target terlampaui karena percepatan kegiatan setelah pemutakhiran data.",
    "Kolaborasi dengan pemerintah kabupaten/kota mempercepat pencapaian target.",
    "Digitalisasi layanan memangkas waktu proses sehingga capaian melebihi rencana.",
)
STAFF_BELOW = (
    "Tugas tambahan sebagai panitia kegiatan mengurangi waktu penyelesaian pekerjaan.",
    "Cuti melahirkan selama dua bulan pada triwulan ini.",
    "Menjalani diklat kepemimpinan sehingga sebagian target bergeser.",
    "Berkas dari unit pengusul terlambat diterima.",
    "Perangkat kerja rusak dan baru diganti pada akhir triwulan.",
)

# SKP indicators by role: (text, unit, direction, lowest and highest quarterly target,
# decimals). Leaders have their own; for the others the first keyword found among the words
# of a position picks its list.
SkpTemplate = tuple[str, str, str, float, float, int]
SKP_LEADERS: tuple[SkpTemplate, ...] = (
    ("Persentase capaian indikator kinerja unit kerja", "%", HIGHER, 90, 100, 2),
    ("Persentase realisasi anggaran unit kerja", "%", HIGHER, 85, 95, 2),
    ("Jumlah rekomendasi hasil pengawasan yang belum ditindaklanjuti", "rekomendasi", LOWER, 0,
     3, 0),
    ("Nilai evaluasi akuntabilitas kinerja unit kerja", "nilai", HIGHER, 70, 80, 2),
)
SKP_BY_ROLE: tuple[tuple[tuple[str, ...], tuple[SkpTemplate, ...]], ...] = (
    (("Dokter",), (
        ("Jumlah pasien yang dilayani", "pasien", HIGHER, 300, 600, 0),
        ("Persentase rekam medis lengkap dalam 24 jam", "%", HIGHER, 90, 100, 2),
        ("Angka infeksi terkait pelayanan kesehatan", "%", LOWER, 1, 2, 2),
    )),
    (("Perawat", "Bidan", "Nutrisionis", "Radiografer", "Perekam Medis", "Laboratorium"), (
        ("Persentase asuhan sesuai standar pelayanan", "%", HIGHER, 90, 100, 2),
        ("Jumlah pasien yang diberikan asuhan", "pasien", HIGHER, 150, 300, 0),
        ("Jumlah insiden keselamatan pasien", "insiden", LOWER, 0, 1, 0),
    )),
    (("Apoteker",), (
        ("Waktu tunggu pelayanan resep", "menit", LOWER, 30, 60, 0),
        ("Persentase resep yang sesuai formularium", "%", HIGHER, 90, 98, 2),
    )),
    (("Guru", "Pengawas Sekolah", "Pamong Belajar"), (
        ("Jumlah jam tatap muka", "jam", HIGHER, 240, 288, 0),
        ("Persentase peserta didik yang tuntas KKM", "%", HIGHER, 80, 90, 2),
        ("Dokumen perangkat pembelajaran yang disusun", "dokumen", HIGHER, 2, 4, 0),
    )),
    (("Auditor", "Pengawas Penyelenggaraan", "Pemeriksa"), (
        ("Laporan hasil audit dan reviu yang diselesaikan", "laporan", HIGHER, 3, 6, 0),
        ("Rata-rata waktu penyelesaian laporan hasil pemeriksaan", "hari", LOWER, 10, 20, 1),
    )),
    (("Polisi Pamong Praja", "Polisi Kehutanan"), (
        ("Jumlah patroli yang dilaksanakan", "kegiatan", HIGHER, 20, 40, 0),
        ("Persentase pengaduan yang ditindaklanjuti", "%", HIGHER, 90, 100, 2),
    )),
    (("Penyuluh", "Pengawas Benih", "Veteriner", "Pengawas Perikanan"), (
        ("Jumlah kelompok binaan yang didampingi", "kelompok", HIGHER, 8, 15, 0),
        ("Jumlah kunjungan lapangan", "kunjungan", HIGHER, 24, 48, 0),
    )),
    (("Pranata Komputer", "Statistisi"), (
        ("Persentase ketersediaan layanan sistem informasi", "%", HIGHER, 97, 99.5, 2),
        ("Rata-rata waktu penyelesaian gangguan TIK", "jam", LOWER, 4, 8, 1),
    )),
    (("Keuangan", "Bendahara", "Barang Milik Daerah"), (
        ("Persentase SPJ yang diverifikasi tepat waktu", "%", HIGHER, 90, 100, 2),
        ("Rata-rata waktu verifikasi SPM", "hari", LOWER, 1, 3, 1),
    )),
    (("Kependudukan",), (
        ("Jumlah dokumen kependudukan yang diterbitkan", "dokumen", HIGHER, 1500, 4000, 0),
        ("Persentase dokumen yang terbit pada hari yang sama", "%", HIGHER, 90, 99, 2),
    )),
    (("Sumber Daya Manusia",), (
        ("Jumlah usulan layanan kepegawaian yang diproses", "usulan", HIGHER, 150, 400, 0),
        ("Rata-rata waktu proses usulan kepegawaian", "hari", LOWER, 5, 14, 1),
    )),
    (("Pengadaan",), (
        ("Jumlah paket pengadaan yang diproses", "paket", HIGHER, 5, 15, 0),
        ("Persentase paket tanpa sanggahan", "%", HIGHER, 85, 95, 2),
    )),
    (("Perencana", "Analis Kebijakan", "Analis Jabatan"), (
        ("Dokumen kajian yang diselesaikan", "dokumen", HIGHER, 1, 3, 0),
        ("Persentase rekomendasi kebijakan yang diterima pimpinan", "%", HIGHER, 60, 80, 2),
    )),
    (("Arsiparis", "Pustakawan"), (
        ("Jumlah berkas arsip dan koleksi yang diolah", "berkas", HIGHER, 200, 500, 0),
    )),
)
SKP_GENERIC: tuple[SkpTemplate, ...] = (
    ("Persentase laporan kegiatan yang disampaikan tepat waktu", "%", HIGHER, 90, 100, 2),
    ("Jumlah berkas layanan yang diselesaikan", "berkas", HIGHER, 60, 200, 0),
    ("Rata-rata waktu penyelesaian berkas", "hari", LOWER, 2, 5, 1),
    ("Jumlah keluhan pengguna layanan", "keluhan", LOWER, 0, 3, 0),
)
# fmt: on


# --- Generation (pure: no database) -------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A civil servant as the generator makes one (the fields of performance.csv)."""

    nip: str
    name: str
    position: str
    agency_code: str
    supervisor_nip: str | None


def _rng(*parts: object) -> random.Random:
    """A generator of its own for each named stream, so one part of the data does not shift
    when another grows (more employees leave the agencies' contracts as they were). A string
    seed is hashed with SHA-512, the same on every run and machine."""
    return random.Random(":".join(map(str, parts)))  # noqa: S311 (sample data, not secrets)


@functools.cache
def reported_quarters(year: int) -> tuple[int, ...]:
    """Quarters of `year` whose realisations and metrics are in: those over by REFERENCE_DAY."""
    return tuple(q for q in range(1, 5) if quarter_last_day(year, q) < REFERENCE_DAY)


def _fmt(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}"


def _quarter_start(year: int, quarter: int) -> datetime.date:
    return datetime.date(year, 3 * quarter - 2, 1)


def staff_counts(total: int) -> dict[str, int]:
    """Employees per agency code for `total` employees: small agencies keep their fixed
    count (so the small-group privacy rule shows at any size); the rest share the remainder
    by their `staff` weight (largest remainders), at least one each."""
    counts = {a.code: a.fixed_staff for a in AGENCIES if a.fixed_staff}
    shared = [a for a in AGENCIES if not a.fixed_staff]
    rest = max(total - sum(counts.values()), len(shared))
    weight = sum(a.staff for a in shared)
    exact = {a.code: max(1.0, rest * a.staff / weight) for a in shared}
    floors = {code: int(x) for code, x in exact.items()}
    left = rest - sum(floors.values())
    by_remainder = sorted(shared, key=lambda a: (floors[a.code] - exact[a.code], a.code))
    for a in by_remainder[: max(left, 0)]:
        floors[a.code] += 1
    counts.update(floors)
    return counts


def _pick_origin(rng: random.Random, region: str) -> str:
    options = ORIGINS["bima" if region == BIMA else "lombok"]
    return rng.choices([o for o, _w in options], [w for _o, w in options])[0]


def _given_name(rng: random.Random, origin: str, female: bool) -> str:
    if origin == "bali":
        order = rng.choice(BALI_FEMALE_ORDER if female else BALI_MALE_ORDER)
        given = rng.choice(BALI_FEMALE if female else BALI_MALE)
        return f"{'Ni' if female else 'I'} {order} {given}"
    if origin == "other":
        given, family = OTHER_FEMALE if female else OTHER_MALE
        return f"{rng.choice(given)} {rng.choice(family)}"
    pool = {
        "sasak": (SASAK_FEMALE, SASAK_MALE),
        "mbojo": (MBOJO_FEMALE, MBOJO_MALE),
        "samawa": (MBOJO_FEMALE + SASAK_FEMALE, MBOJO_MALE + SASAK_MALE),
    }[origin][0 if female else 1]
    first, second = rng.sample(pool, 2)
    name = f"{first} {second}"
    if origin == "sasak" and rng.random() < 0.2:
        name = f"{'Baiq' if female else 'Lalu'} {name}"
    return name


def _degrees(rng: random.Random, position: str, senior: bool) -> tuple[str, str]:
    """(prefix, suffix) academic titles, as written on Indonesian staff lists."""
    if _has_word(position, ["Dokter Spesialis"]):
        return "dr. ", rng.choice(SPECIALIST_DEGREES)
    if _has_word(position, ["Dokter"]) or (position == "Direktur" and rng.random() < 0.7):
        return "dr. ", rng.choice(("", "", ", M.Kes.", ", MPH"))
    if _has_word(position, ["Perawat"]):
        return "", rng.choice((", S.Kep., Ns.", ", A.Md.Kep.", ", S.Kep., Ns."))
    if _has_word(position, ["Bidan"]):
        return "", rng.choice((", A.Md.Keb.", ", S.Tr.Keb."))
    if _has_word(position, ["Apoteker"]):
        return "", ", S.Farm., Apt."
    if _has_word(position, ["Guru", "Pengawas Sekolah"]):
        return "", rng.choice((", S.Pd.", ", S.Pd.", ", M.Pd."))
    if _has_word(position, ["Auditor"]):
        return "", rng.choice((", S.E., Ak.", ", S.E.", ", S.H."))
    if _has_word(position, ["Pranata Komputer"]):
        return "", rng.choice((", S.Kom.", ", A.Md.Kom.", ", S.T."))
    if senior:
        return "", rng.choice(SENIOR_DEGREES)
    if _has_word(position, ["Terampil", "Operator", "Pengadministrasi"]):
        return "", rng.choice(("", "", ", A.Md.", ", S.E."))
    return "", rng.choice(STAFF_DEGREES)


def _nip(rng: random.Random, female: bool, senior: bool, taken: set[str]) -> str:
    """A valid NIP (see performance/validators.py), not in `taken`: born 1968-1999 (those
    with leading positions 1968-1980), appointed at 22-35 and no later than 2024."""
    born_year = rng.randint(1968, 1980) if senior else rng.randint(1970, 1999)
    born = datetime.date(born_year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
    appointed = min(born.year + rng.randint(22, 35), 2024)
    month = rng.choice((1, 1, 3, 3, 4, 12))
    serial = rng.randint(1, 999)
    while True:
        nip = f"{born:%Y%m%d}{appointed}{month:02d}{'2' if female else '1'}{serial:03d}"
        if nip not in taken:
            taken.add(nip)
            return nip
        serial = serial % 999 + 1


MAX_LEADERS = 7


def _leaders(spec: AgencySpec, n: int) -> list[str]:
    """Titles of the leaders of an agency of n employees: head, second, up to five heads of
    units."""
    head, second, unit = LEADERS[spec.kind]
    units = min(MAX_LEADERS - 2, max(0, (n - 2) // 15))
    return [head, second, *[unit] * units][:n]


def generate_people(total: int, *, seed: int = SEED) -> list[Person]:
    """`total` employees (about; small agencies keep their size) with unique valid NIPs,
    names matching their sex digit, positions and supervisors within their agency: the head
    has none, the second and the heads of units report to the head, staff to a unit head
    (or the second) in turn. Each person comes from a generator of their own, so a larger
    total keeps the people of a smaller one (their positions and supervisors may change)."""
    taken: set[str] = set()
    people: list[Person] = []
    counts = staff_counts(total)
    for spec in AGENCIES:
        leaders = _leaders(spec, counts[spec.code])
        roles = spec.roles * 3 + ADMIN_ROLES
        nips: list[str] = []
        for i in range(counts[spec.code]):
            rng = _rng(seed, "staff", spec.code, i)
            # The NIP and name come from draws that depend on the index only, not on the
            # agency's size (the first seven are older, like leaders): the same person at
            # any size. Midwives are women; otherwise half the staff, a third of leaders.
            role = rng.choice(roles)
            older = i < MAX_LEADERS
            female = rng.random() < (0.35 if older else 0.52) or _has_word(role, ["Bidan"])
            origin = _pick_origin(rng, spec.region)
            name = _given_name(rng, origin, female)
            nip = _nip(rng, female, older, taken)
            senior = i < len(leaders)
            position = leaders[i] if senior else role
            prefix, suffix = _degrees(rng, position, senior)
            if origin != "bali" and int(nip[:4]) < 1982 and rng.random() < 0.3:
                prefix += "Hj. " if female else "H. "
            if i == 0:
                supervisor = None
            elif senior:
                supervisor = nips[0]
            else:
                bosses = nips[2 : len(leaders)] or nips[1:2] or nips[:1]
                supervisor = bosses[(i - len(leaders)) % len(bosses)]
            nips.append(nip)
            people.append(Person(nip, f"{prefix}{name}{suffix}", position, spec.code, supervisor))
    return people


WEIGHT_PATTERNS: dict[int, tuple[tuple[int, ...], ...]] = {
    # Some sum to 100, some do not (the score divides by their sum), some are plain 1s.
    2: ((60, 40), (50, 50), (1, 1), (70, 40)),
    3: ((40, 30, 30), (35, 35, 30), (1, 1, 1), (50, 30, 25)),
    4: ((25, 25, 25, 25), (30, 30, 20, 20), (30, 25, 25, 15), (1, 1, 1, 1), (20, 20, 20, 20)),
    5: ((20, 20, 20, 20, 20), (30, 20, 20, 15, 15), (25, 25, 20, 20, 15), (2, 2, 1, 1, 1)),
    6: (
        (20, 20, 15, 15, 15, 15),
        (25, 20, 15, 15, 15, 10),
        (1, 1, 1, 1, 1, 1),
        (20, 20, 20, 15, 15, 15),
    ),
}
BUDGET_SHARES = (0.2, 0.45, 0.7, 1.0)
# Realisation key: (holder, year, indicator code, quarter); holder is an agency code or NIP.
Key = tuple[str, int, str, int]


@dataclass
class Rows:
    """performance.csv rows and the explanations to attach to their realisations."""

    rows: list[list[str]] = field(default_factory=list)
    explanations: dict[Key, str] = field(default_factory=dict)

    @classmethod
    def combine(cls, parts: Iterable[Rows]) -> Rows:
        out = cls()
        for part in parts:
            out.rows += part.rows
            out.explanations.update(part.explanations)
        return out


def _quarter_target(
    annual: float, profile: str, quarter: int, direction: str, decimals: int
) -> str:
    share = {"flat": 1.0, "linear": quarter / 4, "budget": BUDGET_SHARES[quarter - 1]}[profile]
    value = round(annual * share, decimals)
    if direction == HIGHER and value <= 0:
        value = 10.0**-decimals
    return _fmt(value, decimals)


def _realisation(
    rng: random.Random,
    direction: str,
    target: str,
    decimals: int,
    factor: float,
    maximum: float | None,
) -> str:
    """A realisation whose achievement is about `factor` (1.0 = on target), never above the
    top of its scale."""
    t = float(target)
    if direction == HIGHER:
        value = t * factor
        if maximum is not None:
            value = min(value, maximum)
    elif t == 0:
        value = 0.0 if rng.random() < 0.65 else float(rng.randint(1, 3))
    else:
        value = max(0.0, t * (2 - factor))
    return _fmt(value, decimals)


LATEST_REPORTED = (YEARS[-1], max(reported_quarters(YEARS[-1])))


def _is_missing(rng: random.Random, year: int, quarter: int, usual: float) -> bool:
    """Missing in a closed quarter: rare, except in the quarter that has just closed, where
    late reporting is common."""
    chance = usual * 4 if (year, quarter) == LATEST_REPORTED else usual
    return rng.random() < chance


def agency_contract_rows(spec: AgencySpec, *, seed: int = SEED) -> Rows:
    """The agency's Perjanjian Kinerja for every year in YEARS: 4-6 indicators (its own and
    one or more common ones), quarterly targets, realisations near target in the reported
    quarters with some well below, a few missing, and explanations for most large
    variances."""
    rng = _rng(seed, "pk", spec.code)
    total = rng.randint(4, 6)
    n_generic = max(1, total - len(spec.indicators))
    indicators = [*spec.indicators[: total - n_generic], *rng.sample(GENERIC_INDICATORS, n_generic)]
    weights = rng.choice(WEIGHT_PATTERNS[len(indicators)])
    # Agencies differ: some deliver, some struggle.
    tendency = min(max(rng.gauss(1.0, 0.12), 0.65), 1.2)
    growth = [rng.uniform(0.01, 0.05) for _ in indicators]
    bias = [rng.gauss(0, 0.05) for _ in indicators]
    holder = (spec.code, "agency", "", "")
    out = Rows()
    for year in YEARS:
        year_tendency = tendency + rng.gauss(0, 0.04)
        reported = reported_quarters(year)
        for i, (ind, weight) in enumerate(zip(indicators, weights, strict=True), start=1):
            step = growth[i - 1] * (year - YEARS[0])
            annual = ind.target * (1 + step if ind.direction == HIGHER else 1 - step)
            if ind.maximum is not None:
                annual = min(annual, ind.maximum)
            for quarter in range(1, 5):
                target = _quarter_target(annual, ind.profile, quarter, ind.direction, ind.decimals)
                factor = year_tendency + bias[i - 1] + rng.gauss(0, 0.04)
                if rng.random() < 0.07:
                    factor *= rng.uniform(0.5, 0.8)
                value = _realisation(rng, ind.direction, target, ind.decimals, factor, ind.maximum)
                if quarter not in reported or _is_missing(rng, year, quarter, 0.03):
                    value = ""
                code = f"IKU{i}"
                about = (code, ind.text, ind.unit, ind.direction, str(weight))
                out.rows.append([*holder, str(year), str(quarter), *about, target, value])
                if value:
                    explanation = _explain(rng, ind.direction, target, value, PK_TEXTS, below=90)
                    if explanation:
                        out.explanations[(spec.code, year, code, quarter)] = explanation
    return out


@dataclass(frozen=True)
class Explanations:
    """Which variances get a written explanation, and the texts to pick from."""

    below: Sequence[str]
    above: Sequence[str]
    chance_below: float
    chance_above: float


PK_TEXTS = Explanations(BELOW_TARGET, ABOVE_TARGET, chance_below=0.75, chance_above=0.45)
SKP_TEXTS = Explanations(STAFF_BELOW, (), chance_below=0.5, chance_above=0)


def _explain(
    rng: random.Random, direction: str, target: str, value: str, texts: Explanations, *, below: int
) -> str | None:
    """An explanation for a variance, or None: some achievements under `below` get one, and
    some over 110."""
    score = achievement(direction, Decimal(target), Decimal(value))
    if score < below and rng.random() < texts.chance_below:
        return rng.choice(texts.below)
    if score > 110 and texts.above and rng.random() < texts.chance_above:
        return rng.choice(texts.above)
    return None


def _has_word(position: str, words: Iterable[str]) -> bool:
    """Whether `position` contains one of `words` as whole words ("Bidan" is not in "Kepala
    Bidang")."""
    padded = f" {position} "
    return any(f" {w} " in padded for w in words)


def _skp_templates(position: str) -> tuple[SkpTemplate, ...]:
    if position in LEADER_TITLES:
        return SKP_LEADERS
    for keywords, templates in SKP_BY_ROLE:
        if _has_word(position, keywords):
            return templates
    return ()


@functools.cache
def _staff_level(seed: int, agency_code: str) -> float:
    """How well an agency's staff do on average (1.0 = on target): the staff mean differs
    between agencies, as it does in life."""
    return _rng(seed, "staff-level", agency_code).gauss(1.0, 0.08)


def employee_contract_rows(person: Person, *, seed: int = SEED) -> Rows:
    """The person's SKP for every year in YEARS: 2-4 indicators fitting the position (the
    same ones each year, as usual), quarterly targets, realisations around the person's own
    level, a few missing, and explanations for some large shortfalls."""
    rng = _rng(seed, "skp", person.nip)
    own = _skp_templates(person.position)
    k = rng.randint(2, 4)
    chosen = rng.sample(own, min(len(own), rng.randint(1, k))) if own else []
    chosen += rng.sample(SKP_GENERIC, k - len(chosen))
    weights = rng.choice(WEIGHT_PATTERNS[k])
    base = [round(rng.uniform(lo, hi), d) for _t, _u, _dir, lo, hi, d in chosen]
    tendency = min(max(_staff_level(seed, person.agency_code) + rng.gauss(0, 0.08), 0.6), 1.15)
    holder = (person.agency_code, person.nip, person.name, person.position)
    out = Rows()
    for year in YEARS:
        year_tendency = tendency + rng.gauss(0, 0.03)
        reported = reported_quarters(year)
        for i, ((text, unit, direction, _lo, _hi, decimals), weight) in enumerate(
            zip(chosen, weights, strict=True), start=1
        ):
            annual = base[i - 1]
            if year != YEARS[0]:
                annual *= rng.uniform(1.0, 1.05) if direction == HIGHER else rng.uniform(0.9, 1)
            if unit == "%":
                annual = min(annual, 100.0)
            code = f"RHK{i}"
            for quarter in range(1, 5):
                target = _quarter_target(annual, "flat", quarter, direction, decimals)
                factor = year_tendency + rng.gauss(0, 0.06)
                if rng.random() < 0.04:
                    factor *= rng.uniform(0.4, 0.75)
                value = _realisation(
                    rng, direction, target, decimals, factor, 100.0 if unit == "%" else None
                )
                if quarter not in reported or _is_missing(rng, year, quarter, 0.04):
                    value = ""
                about = (code, text, unit, direction, str(weight))
                out.rows.append([*holder, str(year), str(quarter), *about, target, value])
                if value:
                    explanation = _explain(rng, direction, target, value, SKP_TEXTS, below=70)
                    if explanation:
                        out.explanations[(person.nip, year, code, quarter)] = explanation
    return out


def survey_quarters() -> list[tuple[int, int, float]]:
    """(year, quarter, share of the quarter elapsed by REFERENCE_DAY) of every quarter that
    had begun by then: the current quarter's survey is still running."""
    out = []
    for year in YEARS:
        for quarter in range(1, 5):
            start = _quarter_start(year, quarter)
            if start > REFERENCE_DAY:
                continue
            end = quarter_last_day(year, quarter)
            elapsed = min((REFERENCE_DAY - start).days / ((end - start).days + 1), 1.0)
            out.append((year, quarter, elapsed))
    return out


# Typical gap from the mean answer per SKM element: fees and behaviour score well, speed,
# facilities and complaint handling less so.
UNSUR_OFFSETS = (0.05, 0.0, -0.15, None, 0.05, 0.05, 0.1, -0.1, -0.2)


@functools.cache
def _service_culture(seed: int, agency_code: str) -> float:
    """The mean answer (1-4) an agency's services tend to get: some agencies serve well."""
    return _rng(seed, "service-culture", agency_code).uniform(2.8, 3.5)


def survey_rows(*, seed: int = SEED) -> list[list[str]]:
    """survey.csv rows: per service and quarter a number of respondents around the
    service's usual (under 10 for the quiet ones), answers around a service's own level with
    realistic gaps between the nine elements. Every service has a response in its first
    quarter, so the survey import creates every service."""
    rows = []
    quarters = survey_quarters()
    for spec in AGENCIES:
        for svc in spec.services:
            rng = _rng(seed, "survey", spec.code, svc.code)
            level = _service_culture(seed, spec.code) + rng.uniform(-0.3, 0.3)
            fee_offset = 0.3 if svc.fee == 0 else -0.1
            offsets = [fee_offset if o is None else o for o in UNSUR_OFFSETS]
            for year, quarter, elapsed in quarters:
                drift = rng.gauss(0, 0.1)
                n = round(svc.respondents * max(rng.gauss(1, 0.2), 0.2) * elapsed)
                if (year, quarter) == quarters[0][:2]:
                    n = max(n, 1)
                for _ in range(n):
                    person = rng.gauss(0, 0.3)
                    answers = [
                        min(4, max(1, round(level + drift + o + person + rng.gauss(0, 0.45))))
                        for o in offsets
                    ]
                    rows.append(
                        [spec.code, svc.code, svc.name, str(year), str(quarter), *map(str, answers)]
                    )
    return rows


def metric_rows(*, seed: int = SEED) -> list[list[str]]:
    """service_metrics.csv rows: every kind for every service in every reported quarter,
    consistent with each other (completions within applications, resolved complaints within
    received ones, processing days near the standard, later when fewer are on time)."""
    rows = []
    for spec in AGENCIES:
        for svc in spec.services:
            rng = _rng(seed, "metrics", spec.code, svc.code)
            punctuality = rng.uniform(0.72, 0.99)
            for year in YEARS:
                for quarter in reported_quarters(year):
                    users = max(1, round(svc.volume * rng.gauss(1, 0.12)))
                    applications = round(users * rng.uniform(0.97, 1.12))
                    completed = round(applications * rng.uniform(0.9, 1.0))
                    on_time_share = min(max(punctuality + rng.gauss(0, 0.04), 0.4), 1.0)
                    on_time = round(completed * on_time_share)
                    days = svc.standard_days * (0.65 + (1 - on_time_share) * 2.2)
                    days *= rng.uniform(0.9, 1.1)
                    received = round(users * rng.uniform(0.0005, 0.006))
                    received += int(rng.random() < 0.3)
                    resolved = round(received * rng.uniform(0.6, 1.0))
                    values = {
                        ServiceMetric.Kind.APPLICATIONS: str(applications),
                        ServiceMetric.Kind.COMPLETED_ON_TIME: str(on_time),
                        ServiceMetric.Kind.COMPLETED_LATE: str(completed - on_time),
                        ServiceMetric.Kind.AVG_PROCESSING_DAYS: _fmt(days, 2),
                        ServiceMetric.Kind.COMPLAINTS_RECEIVED: str(received),
                        ServiceMetric.Kind.COMPLAINTS_RESOLVED: str(resolved),
                        ServiceMetric.Kind.USERS: str(users),
                    }
                    rows.extend(
                        [spec.code, svc.code, str(year), str(quarter), kind.value, v]
                        for kind, v in values.items()
                    )
    return rows


def agency_rows() -> list[list[str]]:
    return [
        [a.code, a.name, a.acronym, a.region, REGION_NAMES[a.region], a.sector] for a in AGENCIES
    ]


def to_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


# --- Writing (through the imports, then bulk statements) -------------------------------------


def seed_demo(
    *,
    scale: int = 1,
    employees: int = DEFAULT_EMPLOYEES,
    seed: int = SEED,
    log: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Write the sample data set with `employees * scale` employees (about: small agencies
    keep their size) and return the database's counts afterwards.

    One transaction: the database holds all of it or none. Idempotent: running it again
    with the same arguments changes nothing. A smaller size than a previous run leaves the
    extra employees in place (the imports upsert, they never delete). Marks the database as
    holding sample data (one SampleData row with `scale`).
    """
    if scale < 1 or employees < 1:
        raise ValueError("scale and employees must be at least 1")
    say = log or (lambda _message: None)
    people = generate_people(employees * scale, seed=seed)
    with transaction.atomic():
        _upsert_regions()
        _report(say, "agencies", import_agencies(to_csv(AGENCY_COLUMNS, agency_rows())))
        _report(say, "survey", import_survey(to_csv(SURVEY_COLUMNS, survey_rows(seed=seed))))
        _update_services()
        _report(
            say,
            "service metrics",
            import_service_metrics(to_csv(METRIC_COLUMNS, metric_rows(seed=seed))),
        )
        pk = Rows.combine(agency_contract_rows(spec, seed=seed) for spec in AGENCIES)
        _report(say, "agency contracts", import_performance(to_csv(PERFORMANCE_COLUMNS, pk.rows)))
        _set_explanations(
            Realisation.objects.filter(
                indicator__contract__employee__isnull=True,
                indicator__contract__agency__code__in=_codes(),
            ),
            "indicator__contract__agency__code",
            pk.explanations,
        )
        for start in range(0, len(people), EMPLOYEE_CHUNK):
            chunk = people[start : start + EMPLOYEE_CHUNK]
            skp = Rows.combine(employee_contract_rows(person, seed=seed) for person in chunk)
            _report(
                say,
                f"employee contracts {start + 1}-{start + len(chunk)}",
                import_performance(to_csv(PERFORMANCE_COLUMNS, skp.rows)),
            )
            _set_explanations(
                Realisation.objects.filter(
                    indicator__contract__employee__nip__in=[p.nip for p in chunk]
                ),
                "indicator__contract__employee__nip",
                skp.explanations,
            )
        _set_supervisors(people)
        _set_dates(seed)
        _mark(scale)
    cache.delete(SAMPLE_DATA_KEY)
    return database_counts()


def _codes() -> list[str]:
    return [a.code for a in AGENCIES]


def _report(say: Callable[[str], None], what: str, result: ImportResult) -> None:
    say(f"{what}: {result.summary()}")


def _upsert_regions() -> None:
    """The province and all ten regencies and cities, also those without an agency here
    (agencies.csv only creates the regions its agencies name)."""
    existing = {r.code: r for r in Region.objects.filter(code__in=REGION_NAMES)}
    new, changed = [], []
    for code, name in REGIONS:
        kind = Region.kind_for_code(code)
        region = existing.get(code)
        if region is None:
            new.append(Region(code=code, name=name, kind=kind))
        elif (region.name, region.kind) != (name, kind):
            region.name, region.kind = name, kind
            changed.append(region)
    Region.objects.bulk_create(new)
    Region.objects.bulk_update(changed, ["name", "kind"])


def _update_services() -> None:
    """Names, standard days and fees of the services (survey.csv creates a service with its
    name only); any service without a response yet is created."""
    agencies = dict(Agency.objects.filter(code__in=_codes()).values_list("code", "pk"))
    existing = {
        (s.agency_id, s.code): s for s in Service.objects.filter(agency_id__in=agencies.values())
    }
    new, changed = [], []
    for spec in AGENCIES:
        for svc in spec.services:
            fee = None if svc.fee is None else Decimal(svc.fee)
            values = {"name": svc.name, "standard_days": svc.standard_days, "fee": fee}
            service = existing.get((agencies[spec.code], svc.code))
            if service is None:
                new.append(Service(agency_id=agencies[spec.code], code=svc.code, **values))
            elif any(getattr(service, f) != v for f, v in values.items()):
                for f, v in values.items():
                    setattr(service, f, v)
                changed.append(service)
    Service.objects.bulk_create(new)
    Service.objects.bulk_update(changed, ["name", "standard_days", "fee"])


def _set_explanations(
    realisations: QuerySet[Realisation], holder_field: str, wanted: dict[Key, str]
) -> None:
    """Give each of `realisations` the explanation `wanted` says (none when absent), in bulk;
    rows already right are not written."""
    changed: list[tuple[int, object]] = []
    for pk, holder, year, code, quarter, explanation in realisations.values_list(
        "pk", holder_field, "indicator__contract__year", "indicator__code", "quarter", "explanation"
    ).iterator(chunk_size=5000):
        text = wanted.get((holder, year, code, quarter), "")
        if explanation != text:
            changed.append((pk, text))
    _update_column(Realisation, "explanation", changed)


def _set_supervisors(people: Sequence[Person]) -> None:
    """Each person's supervisor: one UPDATE per supervisor (a few hundred at any scale)."""
    by_supervisor: dict[str | None, list[str]] = defaultdict(list)
    for person in people:
        by_supervisor[person.supervisor_nip].append(person.nip)
    ids = dict(
        Employee.objects.filter(nip__in=[n for n in by_supervisor if n]).values_list("nip", "pk")
    )
    for supervisor_nip, nips in by_supervisor.items():
        supervisor_id = ids[supervisor_nip] if supervisor_nip else None
        for chunk in iter_chunks(nips, 5000):
            Employee.objects.filter(nip__in=chunk).exclude(supervisor_id=supervisor_id).update(
                supervisor_id=supervisor_id
            )


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=WITA)


def _set_dates(seed: int) -> None:
    """Dates a real portal would show instead of the moment of seeding: contracts signed at
    the end of January; realisations entered a few days after their quarter, the same day
    for all of an agency's contracts (some agencies late); survey responses spread over their
    quarter. One UPDATE per agency and year; rows already right are not written."""
    agencies = dict(Agency.objects.filter(code__in=_codes()).values_list("code", "pk"))
    for year in YEARS:
        signed = _at(datetime.date(year, 1, 31), 9)
        PerformanceContract.objects.filter(agency_id__in=agencies.values(), year=year).exclude(
            created_at=signed
        ).update(created_at=signed)
    for spec in AGENCIES:
        rng = _rng(seed, "entry", spec.code)
        late = rng.random() < 0.2
        for year in YEARS:
            entered = {}
            for quarter in reported_quarters(year):
                delay = rng.randint(16, 30) if late else rng.randint(3, 14)
                day = min(
                    quarter_last_day(year, quarter) + datetime.timedelta(days=delay),
                    REFERENCE_DAY - datetime.timedelta(days=1),
                )
                entered[quarter] = _at(day, rng.randint(8, 15), rng.randint(0, 59))
            when = Case(
                *[When(quarter=q, then=Value(at)) for q, at in entered.items()],
                output_field=DateTimeField(),
            )
            # indicator_id IN (...) rather than a join: an UPDATE over a join becomes
            # "id IN (join)", a scan of the whole table per statement.
            indicators = Indicator.objects.filter(
                contract__agency_id=agencies[spec.code], contract__year=year
            ).values("pk")
            Realisation.objects.filter(indicator_id__in=indicators, quarter__in=entered).exclude(
                entered_at=when
            ).update(entered_at=when)
    _set_survey_dates(list(agencies.values()))


def _set_survey_dates(agency_ids: list[int]) -> None:
    """Spread the imported responses of each service and quarter evenly over the quarter's
    days (up to REFERENCE_DAY for the current one), during office hours. Rows already right
    are not written."""
    groups: dict[tuple[int, int, int], list[tuple[int, datetime.datetime]]] = defaultdict(list)
    for pk, service_id, year, quarter, submitted in (
        SurveyResponse.objects.filter(
            service__agency_id__in=agency_ids, channel=SurveyResponse.Channel.IMPORT, year__in=YEARS
        )
        .order_by("pk")
        .values_list("pk", "service_id", "year", "quarter", "submitted_at")
        .iterator(chunk_size=5000)
    ):
        groups[(service_id, year, quarter)].append((pk, submitted))
    changed: list[tuple[int, datetime.datetime]] = []
    for (_service, year, quarter), members in groups.items():
        start = _quarter_start(year, quarter)
        end = min(quarter_last_day(year, quarter), REFERENCE_DAY - datetime.timedelta(days=1))
        days = (end - start).days + 1
        for i, (pk, submitted) in enumerate(members):
            minute = (i * 97) % 450
            when = _at(
                start + datetime.timedelta(days=i * days // len(members)),
                8 + minute // 60,
                minute % 60,
            )
            if submitted != when:
                changed.append((pk, when))
    _update_column(SurveyResponse, "submitted_at", changed)


def _update_column(model: type[Model], name: str, values: Sequence[tuple[int, object]]) -> None:
    """Set column `name` of the rows with the given primary keys, in bulk: on PostgreSQL one
    UPDATE ... FROM unnest(arrays) per 10,000 rows, elsewhere one prepared UPDATE run for all
    rows (SQLite runs it in-process). The ORM's bulk_update builds a CASE WHEN per row and
    takes seconds per 10,000."""
    if not values:
        return
    qn = connection.ops.quote_name
    field_ = model._meta.get_field(name)
    table, pk, column = qn(model._meta.db_table), qn(model._meta.pk.column), qn(field_.column)
    key_type, value_type = model._meta.pk.db_type(connection), field_.db_type(connection)
    rows = [(key, field_.get_db_prep_save(value, connection)) for key, value in values]
    # Names come from the model, values go as parameters.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = (
                f"UPDATE {table} SET {column} = v.value "  # noqa: S608
                f"FROM unnest(%s::{key_type}[], %s::{value_type}[]) AS v(key, value) "
                f"WHERE {table}.{pk} = v.key"
            )
            for chunk in iter_chunks(rows, 10_000):
                cursor.execute(sql, [[k for k, _v in chunk], [v for _k, v in chunk]])
        else:
            cursor.executemany(
                f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                [(value, key) for key, value in rows],
            )


def _mark(scale: int) -> None:
    """Exactly one SampleData row, carrying `scale`."""
    marker = SampleData.objects.order_by("pk").first()
    if marker is None:
        SampleData.objects.create(scale=scale)
        return
    SampleData.objects.exclude(pk=marker.pk).delete()
    if marker.scale != scale:
        SampleData.objects.filter(pk=marker.pk).update(scale=scale)


def database_counts() -> dict[str, int]:
    """Rows per kind of object in the whole database."""
    return {
        "regions": Region.objects.count(),
        "agencies": Agency.objects.count(),
        "services": Service.objects.count(),
        "employees": Employee.objects.count(),
        "contracts": PerformanceContract.objects.count(),
        "indicators": Indicator.objects.count(),
        "targets": Target.objects.count(),
        "realisations": Realisation.objects.count(),
        "explanations": Realisation.objects.exclude(explanation="").count(),
        "survey responses": SurveyResponse.objects.count(),
        "service metrics": ServiceMetric.objects.count(),
    }


def iter_chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
