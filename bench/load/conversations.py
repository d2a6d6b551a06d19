"""The conversations the simulated citizens play: info questions and the guided service flows
of tests/e2e/test_services.py, typed the same way and filled from the seed's personas
(`simulators.seed.sample`), so that the flows reach the simulated ministries.

A script is a list of steps: `Say` (typed text; `{case}` is replaced by the last case number
the bot gave in this conversation), `Click` (a button of the last reply, by its title) and
`SmsCode` (the identity check's code, typed as read from the simulated SMS outbox of the number
registered for the NIK: the gateway's service API, `GET /identity/simulated-sms`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Literal

from simulators.seed import citizen_by_nik, population, sample
from simulators.seed.population import own_phone

MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
CASE_NUMBER = re.compile(r"\b(?:ADM|LPR|SKCK|BIL)-20\d\d-\d{5,6}\b")


@dataclass(frozen=True)
class Say:
    text: str


@dataclass(frozen=True)
class Click:
    title: str


@dataclass(frozen=True)
class SmsCode:
    phone: str  # the number the code was sent to


Step = Say | Click | SmsCode


@dataclass(frozen=True)
class Script:
    name: str
    kind: Literal["info", "service"]  # service: the flow calls a ministry through the gateway
    steps: tuple[Step, ...]


def typed_date(iso: str) -> str:
    """ "1984-08-31" → "31 Agustus 1984", as a citizen types it."""
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def dashed_date(iso: str) -> str:
    """ "1984-08-31" → "31-08-1984", the other common way of typing it."""
    return f"{dt.date.fromisoformat(iso):%d-%m-%Y}"


def parent_of(nik: str) -> tuple[str, str]:
    """The first member of `nik`'s KK with a phone number of their own: NIK and number (who
    verifies for a child, as in tests/e2e/test_services.py)."""
    family = citizen_by_nik(nik).kk_number  # type: ignore[union-attr]
    for member in population().citizens:
        if member.kk_number == family and (phone := own_phone(member)):
            return member.nik, phone
    raise LookupError(f"no member of {nik[:4]}…'s KK has a phone")


def scripts(personas: dict[str, dict[str, Any]], complaint_category: str) -> list[Script]:
    """Every conversation of the mix, filled from `personas` (see `load_personas`)."""
    bpjs, pip, bansos = personas["bpjs_active"], personas["pip_recipient"], personas["bansos_pkh"]
    adult, owner = personas["adult"], personas["vehicle_owner_overdue"]
    casn, holder = personas["casn_passed"], personas["sim_renewable"]
    address = citizen_by_nik(bansos["nik"]).address  # type: ignore[union-attr]
    parent_nik, parent_phone = parent_of(pip["nik"])
    service = [
        Script("bpjs_membership", "service", (
            Say("Kartu BPJS Kesehatan saya masih aktif atau tidak ya?"),
            Say(f"NIK saya {bpjs['nik']}"),
            Say(typed_date(bpjs["birth_date"])),
            SmsCode(bpjs["otp_phone"]),
        )),
        Script("pip_status", "service", (
            Say("Saya mau cek apakah anak saya dapat bantuan PIP"),
            Say(f"NISN anak saya {pip['nisn']}"),
            Say(dashed_date(pip["birth_date"])),
            Say(parent_nik),  # the parent verifies: a member of the student's KK
            SmsCode(parent_phone),
        )),
        Script("bansos_by_region", "service", (
            Say("Tolong cek apakah ibu saya terdaftar sebagai penerima bansos"),
            Click("Dengan nama & wilayah"),
            Click(address.province),
            Click(address.regency),
            Click(address.district),
            Click(address.village),
            Say(bansos["name"]),
        )),
        Script("kk_change_then_status", "service", (
            Say("Apa saja syarat untuk mengubah data di kartu keluarga?"),
            Click("Ya, ajukan"),
            Say(adult["nik"]),
            Say(dashed_date(adult["birth_date"])),
            SmsCode(adult["otp_phone"]),
            Click("Perubahan data"),
            Click("Ya, kirim"),
            Say("Permohonan saya dengan nomor {case} sudah sampai mana ya?"),
        )),
        Script("statistic", "service", (
            Say("Saya mau lihat angka statistik resmi"),
            Click("Tingkat pengangguran terbuka"),
            Say("Jawa Barat tahun 2023"),
        )),
        Script("vehicle_tax_billing", "service", (
            Say("Saya mau cek pajak motor saya, sudah telat bayar"),
            Say(owner["plate"]),
            Click("Ya, buat kode bayar"),
            Click("Cek status pembayaran"),
        )),
        Script("complaint_then_status", "service", (
            Say("Saya mau melaporkan jalan rusak di dekat rumah saya"),
            Click(complaint_category),
            Say("Jl. Raya Cibolang, Desa Cibolang, Kabupaten Sukabumi"),
            Say(
                "Jalan di depan SD negeri berlubang besar sejak sebulan lalu, sudah dua pengendara "
                "motor jatuh. Mohon dinas pekerjaan umum segera memperbaikinya."
            ),
            Click("Ya, kirim"),
            Say("Bagaimana perkembangan laporan saya {case}?"),
        )),
        Script("casn_result", "service", (
            Say("Hasil seleksi CPNS saya sudah keluar belum?"),
            Say(f"Nomor peserta saya {casn['participant_number']}"),
            Say(typed_date(casn["birth_date"])),
            Say(casn["nik"]),
            SmsCode(casn["otp_phone"]),
        )),
        Script("sim_renewal_then_skck", "service", (
            Say("SIM saya sebentar lagi habis, bisa diperpanjang online belum ya?"),
            Say(holder["nik"]),
            Say(typed_date(holder["birth_date"])),
            SmsCode(holder["otp_phone"]),
            Say("Saya juga perlu bikin SKCK"),
            Click("Ya, ajukan"),
            Click("Melamar pekerjaan"),
            Click("Ya, kirim"),
        )),
    ]  # fmt: skip
    info = [
        Script("greeting_and_menu", "info", (
            Say("Selamat pagi"),
            Say("Layanan apa saja yang bisa dibantu di sini?"),
            Say("Oke, terima kasih banyak"),
        )),
        Script("fees_and_office_hours", "info", (
            Say("Berapa biaya perpanjang SIM A?"),
            Say("Kantor Samsat buka jam berapa ya?"),
            Say("makasih infonya"),
        )),
        Script("documents_and_contribution", "info", (
            Say("Apa syarat membuat akta kelahiran anak?"),
            Say("Berapa iuran BPJS kelas 3 per bulan?"),
            Say("Sudah cukup, sampai jumpa"),
        )),
        Script("casn_info_and_human", "info", (
            Say("Bagaimana cara mendaftar CPNS tahun ini?"),
            Say("Kamu ini robot atau manusia?"),
            Say("Terima kasih"),
        )),
    ]  # fmt: skip
    return service + info


PERSONAS = (
    "bpjs_active", "pip_recipient", "bansos_pkh", "adult",
    "vehicle_owner_overdue", "casn_passed", "sim_renewable",
)  # fmt: skip


def load_personas() -> dict[str, dict[str, Any]]:
    """The seed's personas the scripts use."""
    return {name: sample(name) for name in PERSONAS}
