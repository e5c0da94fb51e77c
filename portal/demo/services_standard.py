"""Sample service standards and follow-up plans (issue 21) for the demo's services.

The standards: the components a citizen needs (PermenPAN-RB 15/2014) for every service,
written out for the services most people use (identity documents, hospitals, permits) and
from a pattern for the others; two services are left without one, so the page's "not
provided yet" shows. The plans: three follow-up plans of services whose survey results call
for one: one on track, one overdue (due before REFERENCE_DAY, so on every day after it too),
one done for an earlier quarter. No telephone number or address here is real: only the
national complaint channel SP4N-LAPOR! is.

Deterministic (no clock, no random draw): `seed()` gives the same rows every time, and
running it again changes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from agencies.models import STANDARD_FIELDS, FollowUpPlan, FollowUpUpdate, Service

from .tables import AGENCIES, WITA

LAPOR = "https://www.lapor.go.id"
UPDATED = datetime.datetime(2026, 7, 1, 9, 0, tzinfo=WITA)  # the standards' last review
OFFICE_HOURS = "Senin-Kamis 08.00-15.30 WITA\nJumat 08.00-11.30 WITA"
COMPLAINT_DESK = (
    "Meja pengaduan dan kotak saran di ruang pelayanan\n"
    "SMS 1708 (SP4N-LAPOR!), dengan format: LAPOR spasi isi pengaduan"
)
HOSPITAL_FEE = (
    "Sesuai Peraturan Daerah tentang Retribusi Jasa Umum (tarif per jenis layanan dan kelas "
    "perawatan); peserta JKN sesuai ketentuan BPJS Kesehatan."
)
# Offices by region (illustrative addresses, not real ones).
OFFICES = {
    "52": "Kompleks Kantor Gubernur NTB, Jl. Pejanggik, Mataram",
    "5271": "Kompleks Kantor Wali Kota Mataram, Jl. Pejanggik, Mataram",
    "5272": "Kompleks Kantor Wali Kota Bima, Jl. Soekarno-Hatta, Kota Bima",
}
# Written-out standards: (requirements, procedure), by service code.
WRITTEN: dict[str, tuple[str, str]] = {
    "KTP-EL": (
        "Telah berusia 17 tahun, sudah kawin atau pernah kawin\nKartu Keluarga (asli)\n"
        "KTP-el lama untuk penggantian, atau surat kehilangan dari kepolisian",
        "Ambil nomor antrean di loket\nVerifikasi data oleh petugas\n"
        "Perekaman foto, sidik jari dan iris mata\nTanda tangan elektronik\n"
        "KTP-el dicetak dan diserahkan kepada pemohon",
    ),
    "KK": (
        "Formulir F-1.01 yang telah diisi\nBuku nikah atau akta perkawinan\n"
        "Kartu Keluarga lama (untuk perubahan data)\nSurat keterangan pindah (bagi pendatang)",
        "Serahkan berkas di loket\nVerifikasi dan validasi data\n"
        "Penerbitan Kartu Keluarga dengan tanda tangan elektronik\n"
        "Kartu Keluarga dicetak sendiri atau diambil di loket",
    ),
    "AKTA-LAHIR": (
        "Surat keterangan kelahiran dari rumah sakit, puskesmas atau bidan\n"
        "Kartu Keluarga orang tua\nKTP-el kedua orang tua\nBuku nikah atau akta perkawinan",
        "Isi formulir F-2.01\nSerahkan berkas di loket atau secara daring\n"
        "Verifikasi berkas\nAkta kelahiran diterbitkan dengan tanda tangan elektronik",
    ),
    "KIA": (
        "Kartu Keluarga\nAkta kelahiran anak\nPas foto anak berwarna (untuk usia 5 tahun ke atas)",
        "Serahkan berkas di loket\nVerifikasi data\nKIA dicetak dan diserahkan",
    ),
    "RAWAT-JALAN": (
        "Kartu identitas (KTP-el atau KIA)\nKartu JKN-KIS dan surat rujukan FKTP bagi peserta JKN"
        "\nKartu berobat bagi pasien lama",
        "Ambil nomor antrean pendaftaran\nPendaftaran dan verifikasi kepesertaan\n"
        "Pemeriksaan di poliklinik tujuan\nPengambilan obat di instalasi farmasi",
    ),
    "RAWAT-INAP": (
        "Surat perintah rawat inap dari dokter\nKartu identitas pasien dan penanggung jawab\n"
        "Kartu JKN-KIS bagi peserta JKN",
        "Pendaftaran rawat inap di loket admisi\nPenjelasan hak dan kewajiban pasien\n"
        "Pasien diantar ke ruang perawatan\nPemeriksaan dan perawatan sesuai rencana dokter\n"
        "Pemulangan dengan ringkasan medis",
    ),
    "IGD": (
        "Tidak ada persyaratan untuk pertolongan pertama: identitas dapat menyusul",
        "Triase oleh petugas IGD\nPertolongan sesuai tingkat kegawatan\n"
        "Pendaftaran oleh keluarga atau pendamping\nRawat inap, rujukan atau pulang",
    ),
    "DUMAS": (
        "Identitas pelapor (dapat dirahasiakan)\nUraian kejadian: apa, siapa, kapan, di mana\n"
        "Bukti pendukung bila ada",
        "Sampaikan pengaduan melalui loket, surat atau SP4N-LAPOR!\nRegistrasi dan telaah\n"
        "Klarifikasi atau pemeriksaan\nJawaban tertulis kepada pelapor",
    ),
    "IZIN-USAHA": (
        "Akun OSS (oss.go.id) dan NIK pemohon\nNPWP badan usaha atau perorangan\n"
        "Data lokasi dan kegiatan usaha (KBLI)",
        "Daftar atau masuk ke OSS\nIsi data usaha dan pilih KBLI\n"
        "Verifikasi persyaratan oleh petugas\nNIB dan izin terbit melalui OSS",
    ),
    "PBG": (
        "Dokumen rencana teknis bangunan (arsitektur, struktur, utilitas)\n"
        "Bukti kepemilikan atau perjanjian pemanfaatan tanah\nKTP-el pemohon\n"
        "Persetujuan lingkungan bila diwajibkan",
        "Ajukan permohonan melalui SIMBG\nKonsultasi teknis dengan Tim Profesi Ahli\n"
        "Penilaian dokumen\nPembayaran retribusi\nPBG terbit melalui SIMBG",
    ),
}
# Services left without a standard (the page then says "not provided yet").
WITHOUT = {("BIMA-INSPEKTORAT", "DUMAS"), ("BPKAD", "PINJAM-ASET")}
PERMIT_WORDS = ("Izin", "Rekomendasi", "Persetujuan", "Sertifikat", "Sertifikasi", "Surat")


def _generic(name: str) -> tuple[str, str]:
    """Requirements and procedure from a pattern, for the services not written out."""
    if name.startswith(PERMIT_WORDS):
        return (
            "Surat permohonan\nKTP-el pemohon\nNIB bagi badan usaha\n"
            "Dokumen teknis sesuai jenis permohonan (daftar lengkap di loket)",
            "Ajukan permohonan di loket atau secara daring\nVerifikasi kelengkapan berkas\n"
            "Pemeriksaan teknis atau peninjauan lapangan bila perlu\n"
            "Penerbitan dokumen dan penyerahan kepada pemohon",
        )
    return (
        "Surat permohonan atau formulir layanan\nKTP-el pemohon",
        "Sampaikan permohonan di loket\nVerifikasi oleh petugas\n"
        "Layanan diberikan atau dijadwalkan\nHasil layanan diserahkan kepada pemohon",
    )


def standards() -> dict[tuple[str, str], dict[str, object]]:
    """{(agency code, service code): the standard's texts} for the demo's services (the
    processing time and fee come from the tables, as before)."""
    out = {}
    for spec in AGENCIES:
        for svc in spec.services:
            if (spec.code, svc.code) in WITHOUT:
                continue
            requirements, procedure = WRITTEN.get(svc.code) or _generic(svc.name)
            hospital = spec.kind == "rs"
            hours = (
                "24 jam setiap hari"
                if svc.code == "IGD"
                else "Senin-Sabtu 07.30-13.00 WITA (pendaftaran)"
                if hospital and svc.code.startswith("RAWAT-JALAN")
                else "24 jam setiap hari (penerimaan pasien baru melalui IGD di luar jam kerja)"
                if hospital
                else OFFICE_HOURS
            )
            out[(spec.code, svc.code)] = {
                "fee_note": HOSPITAL_FEE if svc.fee is None else "",
                "requirements": requirements,
                "procedure": procedure,
                "location": f"{spec.name}, {OFFICES[spec.region]}",
                "opening_hours": hours,
                "complaint_url": LAPOR,
                "complaint_contact": COMPLAINT_DESK,
            }
    return out


@dataclass(frozen=True)
class PlanSpec:
    agency: str
    service: str
    year: int
    quarter: int
    action: str
    unit: str
    due: datetime.date
    made: datetime.date
    updates: tuple[tuple[datetime.date, str, str], ...]  # (day, text, status after it)


PLANS = (
    # Graded D in Q3 2026; on track.
    PlanSpec(
        "MTR-DPMPTSP",
        "PBG",
        2026,
        3,
        "Menambah dua verifikator teknis, membuka loket konsultasi PBG setiap Selasa dan "
        "Kamis, dan menerbitkan daftar periksa persyaratan di laman dan loket.",
        "Bidang Pelayanan Perizinan",
        datetime.date(2026, 12, 31),
        datetime.date(2026, 10, 20),
        ((datetime.date(2026, 11, 10), "Loket konsultasi PBG dibuka.", "in_progress"),),
    ),
    # Graded C in Q3 2026; overdue since 31 October.
    PlanSpec(
        "BIMA-DUKCAPIL",
        "KTP-EL",
        2026,
        3,
        "Perekaman KTP-el keliling ke kelurahan setiap pekan dan satu loket cetak tambahan.",
        "Bidang Pelayanan Pendaftaran Penduduk",
        datetime.date(2026, 10, 31),
        datetime.date(2026, 10, 12),
        (
            (
                datetime.date(2026, 10, 26),
                "Perekaman keliling berjalan di 12 kelurahan; alat cetak tambahan belum tiba.",
                "in_progress",
            ),
        ),
    ),
    # Done for Q1 2026; graded D again in Q3, so the service needs another plan.
    PlanSpec(
        "DINSOS",
        "DTKS",
        2026,
        1,
        "Jadwal verifikasi lapangan DTKS diumumkan di kantor desa dan laman dinas.",
        "Bidang Perlindungan dan Jaminan Sosial",
        datetime.date(2026, 6, 30),
        datetime.date(2026, 4, 22),
        (
            (datetime.date(2026, 5, 15), "Jadwal diumumkan di 40 desa.", "in_progress"),
            (datetime.date(2026, 6, 26), "Jadwal diumumkan di seluruh desa.", "done"),
        ),
    ),
)


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=WITA)


def seed() -> dict[str, int]:
    """Write the standards and the plans (upserted; unchanged rows are not written) and
    return how many services have a standard and how many plans there are."""
    wanted = standards()
    services = {
        (s.agency.code, s.code): s
        for s in Service.objects.filter(agency__code__in=[a.code for a in AGENCIES])
        .select_related("agency")
        .order_by("pk")
    }
    changed = []
    for key, texts in wanted.items():
        service = services.get(key)
        if service is None:
            continue
        if service.standard_updated_at == UPDATED and all(
            getattr(service, f) == v for f, v in texts.items()
        ):
            continue
        for f, v in texts.items():
            setattr(service, f, v)
        service.standard_updated_at = UPDATED
        changed.append(service)
    Service.objects.bulk_update(changed, [*STANDARD_FIELDS, "standard_updated_at"])
    for spec in PLANS:
        service = services[(spec.agency, spec.service)]
        status = spec.updates[-1][2] if spec.updates else FollowUpPlan.Status.PLANNED
        done = status == FollowUpPlan.Status.DONE
        plan, _ = FollowUpPlan.objects.update_or_create(
            service=service,
            year=spec.year,
            quarter=spec.quarter,
            action=spec.action,
            defaults={
                "unit": spec.unit,
                "due_date": spec.due,
                "status": status,
                "completed_on": spec.updates[-1][0] if done else None,
            },
        )
        for day, text, after in spec.updates:
            update, _ = FollowUpUpdate.objects.update_or_create(
                plan=plan, on=day, text=text, defaults={"status": after}
            )
            # The dates a real plan would carry, not the moment of seeding.
            FollowUpUpdate.objects.filter(pk=update.pk).update(entered_at=_at(day, 14))
        last = spec.updates[-1][0] if spec.updates else spec.made
        FollowUpPlan.objects.filter(pk=plan.pk).update(
            created_at=_at(spec.made), updated_at=_at(last, 14)
        )
    return {
        "standards": Service.objects.exclude(standard_updated_at=None).count(),
        "plans": FollowUpPlan.objects.count(),
    }
