"""Simulated Puslapdik (Pusat Layanan Pembiayaan Pendidikan, Kemendikdasmen): PIP, KIP
Kuliah, and the SPMB admission rules. Answers `{"status": bool, "message", "data"}` with
HTTP status codes (404 not found, 403 birth date does not match).

- `POST /pip/cek-penerima` `{nisn, tanggal_lahir}` → PIP status of a student
- `GET /kip-kuliah/informasi` → requirements of this year's KIP Kuliah, and its schedule only
  when the fact registry holds a confirmed one (`kipk.schedule.<year>`): an invented or
  unconfirmed schedule is never published
- `POST /kip-kuliah/status` `{nik, tanggal_lahir}` → a registration's status
- `GET /spmb/ketentuan/{jenjang}` → admission routes and quotas (`spmb.quota.*`)

Amounts, quotas, rules and legal bases come from the fact registry (knowledge/facts/education.yml).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from knowledge import facts
from simulators.base import SimulatorContext, create_simulator
from simulators.seed import education
from simulators.seed.population import citizen_by_nik

KEY = "puslapdik"
# Each level's routes, and whether the registry's share is a minimum or a maximum.
SPMB_ROUTES = {
    "sd": [("domisili", "min."), ("afirmasi", "min."), ("mutasi", "maks.")],
    "smp": [("domisili", "min."), ("afirmasi", "min."), ("prestasi", "min."), ("mutasi", "maks.")],
    "sma": [("domisili", "min."), ("afirmasi", "min."), ("prestasi", "min."), ("mutasi", "maks.")],
}


def whole_number(fact_id: str) -> int:
    """A registry fact whose value is a whole number (an amount, an age, a count)."""
    value = facts.get(fact_id).value
    if not isinstance(value, int):
        raise TypeError(f"{fact_id} is not a whole number")
    return value


def pip_basis() -> str:
    """PIP's implementing guideline, as the registry cites it."""
    return f"{facts.get('pip.juknis').basis} tentang Juknis PIP"


def spmb_quotas(level: str) -> list[tuple[str, str]] | None:
    """(route, "min. <share>") for each route of the level; None for an unknown level."""
    routes = SPMB_ROUTES.get(level)
    if routes is None:
        return None
    quota = facts.get(f"spmb.quota.{level}")
    return [(route, f"{bound} {quota.text_of(route)}") for route, bound in routes]


def kip_kuliah_requirements(year: int) -> list[str]:
    before = whole_number("kipk.eligibility.graduation_years_before")
    economic = facts.get("kipk.economic_criterion").text
    return [
        f"Lulusan SMA/SMK/MA atau sederajat tahun berjalan atau paling lama {before} tahun sebelumnya "
        f"(untuk {year}: lulusan {year - before}–{year}).",
        "Memiliki NIK, NISN, NPSN sekolah asal, dan alamat e-mail aktif untuk mendaftar akun.",
        f"Berasal dari keluarga dengan keterbatasan ekonomi: {economic}.",
        "Diterima di perguruan tinggi dan program studi terakreditasi melalui SNBP, SNBT, "
        "atau seleksi mandiri.",
    ]


def kip_kuliah_schedule(year: int) -> list[tuple[str, date, date]]:
    """The year's schedule, only when the registry holds it as confirmed; else none."""
    fact_id = f"kipk.schedule.{year}"
    if fact_id not in facts or not facts.get(fact_id).confirmed:
        return []
    schedule = facts.get(fact_id)
    return [
        (
            "Pendaftaran akun KIP Kuliah",
            schedule.value_of("account_opens"),
            schedule.value_of("account_closes"),
        )
    ]


_DISBURSEMENT = {"sudah_cair": "SUDAH CAIR", "proses": "PROSES", "belum_cair": "BELUM CAIR"}


def _answer(data: Any, message: str = "Data ditemukan") -> dict[str, Any]:
    return {"status": True, "message": message, "data": data}


def _refuse(status_code: int, message: str) -> JSONResponse:
    return JSONResponse({"status": False, "message": message, "data": None}, status_code=status_code)


def _error_body(status_code: int, message: str) -> dict[str, Any]:
    return {"status": False, "message": message, "data": None}


class CekPip(BaseModel):
    nisn: str
    tanggal_lahir: str


class CekKipKuliah(BaseModel):
    nik: str
    tanggal_lahir: str


def build(context: SimulatorContext) -> FastAPI:
    app = create_simulator(KEY, "Puslapdik Kemendikdasmen", context, error_body=_error_body)

    @app.post("/pip/cek-penerima", response_model=None)
    async def pip(body: CekPip) -> dict[str, Any] | JSONResponse:
        student = education.students_by_nisn().get(body.nisn)
        if student is None:
            return _refuse(404, "Data siswa dengan NISN tersebut tidak ditemukan")
        citizen = citizen_by_nik(student.nik)
        if citizen is None or citizen.birth_date.isoformat() != body.tanggal_lahir:
            return _refuse(403, "Tanggal lahir tidak sesuai dengan data siswa")
        return _answer(
            {
                "nisn": student.nisn,
                "nama_siswa": citizen.name.upper(),
                "nik": citizen.nik,
                "nama_sekolah": student.school.upper(),
                "npsn": student.npsn,
                "jenjang": student.level,
                "kelas": str(student.grade),
                "penerima": student.pip_recipient,
                "tahun": education.PIP_YEAR,
                "nominal": student.pip_amount,
                "status_pencairan": _DISBURSEMENT.get(student.disbursement or ""),
                "dasar_hukum": pip_basis(),
            }
        )

    @app.get("/kip-kuliah/informasi")
    async def kip_kuliah() -> dict[str, Any]:
        return _answer(
            {
                "tahun": education.KIP_KULIAH_YEAR,
                "persyaratan": kip_kuliah_requirements(education.KIP_KULIAH_YEAR),
                "jadwal": [
                    {"tahap": stage, "mulai": start.isoformat(), "selesai": end.isoformat()}
                    for stage, start, end in kip_kuliah_schedule(education.KIP_KULIAH_YEAR)
                ],
                "dasar_hukum": "",  # no confirmed legal basis of KIP Kuliah in the registry
            }
        )

    @app.post("/kip-kuliah/status", response_model=None)
    async def kip_kuliah_status(body: CekKipKuliah) -> dict[str, Any] | JSONResponse:
        citizen = citizen_by_nik(body.nik)
        registration = education.kip_kuliah_registrations().get(body.nik)
        if citizen is None or registration is None:
            return _refuse(404, "Pendaftaran KIP Kuliah dengan NIK tersebut tidak ditemukan")
        if citizen.birth_date.isoformat() != body.tanggal_lahir:
            return _refuse(403, "Tanggal lahir tidak sesuai")
        return _answer(
            {
                "nomor_pendaftaran": registration.registration_number,
                "status": registration.status.upper(),
                "tahap": registration.stage,
                "diperbarui": registration.updated_at.isoformat(),
            }
        )

    @app.get("/spmb/ketentuan/{jenjang}", response_model=None)
    async def spmb(jenjang: str) -> dict[str, Any] | JSONResponse:
        routes = spmb_quotas(jenjang.lower())
        if routes is None:
            return _refuse(400, "Jenjang harus SD, SMP, atau SMA")
        return _answer(
            {
                "jenjang": jenjang.upper(),
                "jalur": [{"nama": name, "kuota": quota} for name, quota in routes],
                "dasar_hukum": facts.get("spmb.legal_basis").basis,
            }
        )

    return app
