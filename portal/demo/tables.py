"""The sample data's tables: real names (the province, its regencies and cities with their BPS
codes, agencies of the provincial government and of Kota Mataram and Kota Bima, their public
services, positions, given names) and the figures the generation starts from (targets, usual
achievement, explanations of variance). Data only: `generate.py` turns it into CSV rows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

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
    # How SAKIP measures its year (sum, last or average of the quarters' realisations), for
    # an indicator judged on an annual target; empty: on its quarters.
    aggregation: str = ""


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
    aggregation: str = "",
) -> IndicatorSpec:
    return IndicatorSpec(
        text,
        unit,
        direction,
        target,
        profile,
        decimals,
        100 if unit == "%" else maximum,
        aggregation,
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
    _iku("Persentase realisasi anggaran", "%", HIGHER, 95, "budget", aggregation="last"),
    _iku("Persentase rekomendasi hasil pemeriksaan BPK yang ditindaklanjuti", "%", HIGHER, 90),
    _iku("Indeks kepuasan masyarakat atas layanan perangkat daerah", "indeks", HIGHER, 82,
         maximum=100),
    _iku("Jumlah pengaduan masyarakat yang belum tertangani", "pengaduan", LOWER, 5, decimals=0),
)
# The generic satisfaction indicator measures what the citizens' survey measures: seed_demo
# links it to the agency's survey IKM (the independent cross-check, issue 22).
SATISFACTION_INDICATOR = GENERIC_INDICATORS[3]
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
                 decimals=1, aggregation="last"),
            _iku("Angka kematian bayi per 1.000 kelahiran hidup", "per 1.000 KH", LOWER, 12,
                 decimals=1),
            _iku("Prevalensi stunting pada balita", "%", LOWER, 18, aggregation="last"),
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
            _iku("Realisasi pendapatan asli daerah", "Rp miliar", HIGHER, 1650, "linear",
                 aggregation="last"),
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
                 decimals=0, aggregation="sum"),
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
            _iku("Rata-rata lama tinggal wisatawan", "hari", HIGHER, 3.5, aggregation="average"),
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
            # Few people use it, so its survey never has enough respondents: the agency's
            # score lacks S (incomplete), which the demo shows on purpose.
            _svc("ANJAB", "Fasilitasi Analisis Jabatan dan Beban Kerja", 14, 0, 30, 2),
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


# The mean survey answer of some agencies' services, where the demo wants a case: the city's
# civil registry serves well enough that its IKM meets the IKM target (S = 100).
SERVICE_CULTURE = {"MTR-DUKCAPIL": 3.78}
