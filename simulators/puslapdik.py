"""Simulated Puslapdik (Pusat Layanan Pembiayaan Pendidikan, Kemendikdasmen): PIP, KIP
Kuliah, and the SPMB admission rules. Answers `{"status": bool, "message", "data"}` with
HTTP status codes (404 not found, 403 birth date does not match).

- `POST /pip/cek-penerima` `{nisn, tanggal_lahir}` → PIP status of a student
- `GET /kip-kuliah/informasi` → requirements and schedule of this year's KIP Kuliah
- `POST /kip-kuliah/status` `{nik, tanggal_lahir}` → a registration's status
- `GET /spmb/ketentuan/{jenjang}` → admission routes and quotas (Permendikdasmen 3/2025)
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from simulators.base import SimulatorContext, create_simulator
from simulators.seed import education
from simulators.seed.population import citizen_by_nik

KEY = "puslapdik"
PIP_BASIS = "Permendikbud 10/2020"
SPMB_BASIS = "Permendikdasmen 3/2025"
# Routes and quotas per level (Permendikdasmen 3/2025).
SPMB_QUOTAS = {
    "sd": [("domisili", "min. 70%"), ("afirmasi", "min. 15%"), ("mutasi", "maks. 5%")],
    "smp": [
        ("domisili", "min. 40%"),
        ("afirmasi", "min. 20%"),
        ("prestasi", "min. 25%"),
        ("mutasi", "maks. 5%"),
    ],
    "sma": [
        ("domisili", "min. 30%"),
        ("afirmasi", "min. 30%"),
        ("prestasi", "min. 30%"),
        ("mutasi", "maks. 5%"),
    ],
}
KIP_KULIAH_REQUIREMENTS = [
    f"Lulus SMA/SMK/MA atau sederajat paling lama 3 tahun sebelum {education.KIP_KULIAH_YEAR}.",
    "Memiliki NIK, NISN, NPSN sekolah asal, dan alamat e-mail aktif untuk mendaftar akun.",
    "Berasal dari keluarga dengan keterbatasan ekonomi (misalnya pemegang KIP atau terdaftar di DTSEN).",
    "Diterima di perguruan tinggi dan program studi terakreditasi melalui SNBP, SNBT, atau seleksi mandiri.",
]
KIP_KULIAH_SCHEDULE = [
    (
        "Pendaftaran akun KIP Kuliah",
        date(education.KIP_KULIAH_YEAR, 2, 3),
        date(education.KIP_KULIAH_YEAR, 10, 31),
    ),
    ("Seleksi SNBP", date(education.KIP_KULIAH_YEAR, 2, 4), date(education.KIP_KULIAH_YEAR, 3, 18)),
    ("Seleksi SNBT", date(education.KIP_KULIAH_YEAR, 3, 11), date(education.KIP_KULIAH_YEAR, 5, 28)),
    (
        "Seleksi mandiri PTN/PTS",
        date(education.KIP_KULIAH_YEAR, 6, 1),
        date(education.KIP_KULIAH_YEAR, 9, 30),
    ),
    ("Penetapan penerima", date(education.KIP_KULIAH_YEAR, 7, 1), date(education.KIP_KULIAH_YEAR, 11, 30)),
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
                "dasar_hukum": PIP_BASIS,
            }
        )

    @app.get("/kip-kuliah/informasi")
    async def kip_kuliah() -> dict[str, Any]:
        return _answer(
            {
                "tahun": education.KIP_KULIAH_YEAR,
                "persyaratan": KIP_KULIAH_REQUIREMENTS,
                "jadwal": [
                    {"tahap": stage, "mulai": start.isoformat(), "selesai": end.isoformat()}
                    for stage, start, end in KIP_KULIAH_SCHEDULE
                ],
                "dasar_hukum": PIP_BASIS,
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
        routes = SPMB_QUOTAS.get(jenjang.lower())
        if routes is None:
            return _refuse(400, "Jenjang harus SD, SMP, atau SMA")
        return _answer(
            {
                "jenjang": jenjang.upper(),
                "jalur": [{"nama": name, "kuota": quota} for name, quota in routes],
                "dasar_hukum": SPMB_BASIS,
            }
        )

    return app
