"""Simulated Dukcapil (Ditjen Kependudukan dan Pencatatan Sipil, Kemendagri).

Speaks a Dukcapil-like API: upper-case field names, dates as DD-MM-YYYY, HTTP 200 with a
`RESPON` text for "not found" or "does not match" (as Dukcapil's web service does), and:

- `POST /dukcapil/get_json/verifikasi` `{NIK, TGL_LHR}` → `{content: [{NIK, NAMA_LGKP, TGL_LHR:
  "Sesuai", PROP_NAME, KAB_NAME, KEC_NAME, KEL_NAME, NO_PROP, NO_KAB, NO_KEC, NO_KEL}]}`;
  a wrong birth date gives only `{NIK, TGL_LHR: "Tidak Sesuai"}`: nothing personal.
- `POST /layanan/permohonan` `{NIK, TGL_LHR, JENIS_LAYANAN, DATA}` → 201 `{RESPON:
  "PERMOHONAN DITERIMA", NO_PERMOHONAN, STATUS, TGL_PERMOHONAN, ESTIMASI_SELESAI}`.
- `POST /dukcapil/get_json/kontak` `{NIK}` → `{content: [{NIK, NO_KK, NO_HP, NIK_PEMILIK_HP}]}`:
  the mobile number registered for the NIK (for a member without one, a child, the number of
  a member of the same KK, whose NIK is `NIK_PEMILIK_HP`); `{RESPON: "Data Tidak Ditemukan"}`.
  Only the gateway's identity verification calls it (an OTP goes to that number).
- `GET /layanan/permohonan/{NO_PERMOHONAN}` → `{NO_PERMOHONAN, JENIS_LAYANAN, STATUS, RIWAYAT:
  [{STATUS, WAKTU}], KETERANGAN}`; 404 `{RESPON: "Permohonan Tidak Ditemukan"}`.

An application moves DITERIMA → DIVERIFIKASI (1 working day) → DIPROSES (2) → SELESAI
(5 working days), or is DITOLAK after verification (about 1 in 12, decided by its number).
These times are simulation parameters: real service times are set by each regency's Dinas
Dukcapil, not by a national rule, so the assistant never states them as a fact.
Applications are stored in `sim_records` without the applicant's data.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from fastapi import FastAPI, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.working_days import add_working_days
from simulators.base import WIB, SimulatorContext, create_simulator
from simulators.seed.population import Citizen, citizen_by_nik, registered_phone
from simulators.store import DuplicateKey

KEY = "dukcapil"
SERVICES = ("PERUBAHAN_KK", "AKTA_KELAHIRAN")
WORKING_DAYS_TO_VERIFY = 1
WORKING_DAYS_TO_PROCESS = 2
WORKING_DAYS_TO_FINISH = 5
_REJECTED_ONE_IN = 12


def _error_body(code: int, message: str) -> dict[str, Any]:
    return {"content": [{"RESPON": message.upper()}], "lastPage": True, "numberOfElements": 1}


def _page(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "content": rows,
        "lastPage": True,
        "numberOfElements": len(rows),
        "sort": None,
        "totalElements": len(rows),
        "firstPage": True,
        "number": 0,
        "size": len(rows),
    }


def dukcapil_date(value: date) -> str:
    return value.strftime("%d-%m-%Y")


def parse_dukcapil_date(value: str) -> date | None:
    try:
        return datetime.strptime(value, "%d-%m-%Y").date()
    except ValueError:
        return None


class Verifikasi(BaseModel):
    NIK: str
    TGL_LHR: str


class Kontak(BaseModel):
    NIK: str


class Permohonan(BaseModel):
    NIK: str
    TGL_LHR: str
    JENIS_LAYANAN: str
    DATA: dict[str, Any] = {}


def _check(nik: str, birth: str) -> tuple[Citizen | None, str | None]:
    """The citizen if NIK and birth date match; else the RESPON text explaining why not."""
    citizen = citizen_by_nik(nik)
    if citizen is None:
        return None, "Data Tidak Ditemukan"
    if parse_dukcapil_date(birth) != citizen.birth_date:
        return None, "Tidak Sesuai"
    return citizen, None


def _identity_row(citizen: Citizen) -> dict[str, Any]:
    a = citizen.address
    return {
        "NIK": citizen.nik,
        "NO_KK": citizen.kk_number,
        "NAMA_LGKP": citizen.name.upper(),
        "TGL_LHR": "Sesuai",
        "TMPT_LHR": citizen.birth_place,
        "JENIS_KLMIN": "LAKI-LAKI" if citizen.sex == "L" else "PEREMPUAN",
        "PROP_NAME": a.province.upper(),
        "KAB_NAME": a.regency.upper(),
        "KEC_NAME": a.district.upper(),
        "KEL_NAME": a.village.upper(),
        "NO_PROP": a.province_code,
        "NO_KAB": a.regency_code,
        "NO_KEC": a.district_code,
        "NO_KEL": a.village_code,
    }


def timeline(number: str, submitted_at: datetime) -> list[tuple[str, datetime]]:
    """Every status of an application with when it is reached, rejected or not."""
    local = submitted_at.astimezone(WIB)

    def after(days: int) -> datetime:
        return datetime.combine(add_working_days(local.date(), days), local.timetz())

    verified = after(WORKING_DAYS_TO_VERIFY)
    steps = [("DITERIMA", submitted_at), ("DIVERIFIKASI", verified)]
    if int(hashlib.sha256(number.encode()).hexdigest(), 16) % _REJECTED_ONE_IN == 0:
        return [*steps, ("DITOLAK", verified + timedelta(hours=3))]
    return [*steps, ("DIPROSES", after(WORKING_DAYS_TO_PROCESS)), ("SELESAI", after(WORKING_DAYS_TO_FINISH))]


def build(context: SimulatorContext) -> FastAPI:
    app = create_simulator(KEY, "Dukcapil Kemendagri", context, error_body=_error_body)
    store = context.store(KEY)

    @app.post("/dukcapil/get_json/verifikasi")
    async def verify(body: Verifikasi) -> dict[str, Any]:
        citizen, reason = _check(body.NIK, body.TGL_LHR)
        if citizen is None:
            row = {"NIK": body.NIK, "TGL_LHR": reason} if reason == "Tidak Sesuai" else {"RESPON": reason}
            return _page([row])
        return _page([_identity_row(citizen)])

    @app.post("/dukcapil/get_json/kontak")
    async def contact(body: Kontak) -> dict[str, Any]:
        citizen = citizen_by_nik(body.NIK)
        found = registered_phone(citizen) if citizen is not None else None
        if citizen is None or found is None:
            return _page([{"RESPON": "Data Tidak Ditemukan"}])
        phone, owner = found
        return _page(
            [{"NIK": citizen.nik, "NO_KK": citizen.kk_number, "NO_HP": phone, "NIK_PEMILIK_HP": owner.nik}]
        )

    @app.post("/layanan/permohonan", status_code=status.HTTP_201_CREATED, response_model=None)
    async def submit(body: Permohonan) -> dict[str, Any] | JSONResponse:
        if body.JENIS_LAYANAN not in SERVICES:
            return JSONResponse({"RESPON": "Jenis Layanan Tidak Dikenal"}, status_code=400)
        citizen, reason = _check(body.NIK, body.TGL_LHR)
        if citizen is None:
            respon = (
                "Data Tidak Ditemukan" if reason == "Data Tidak Ditemukan" else "Tanggal Lahir Tidak Sesuai"
            )
            return JSONResponse({"RESPON": respon.upper()}, status_code=200)
        now = context.clock.now()
        for _ in range(20):
            district = citizen.address.district_code.replace(".", "")
            number = f"{district}-{now:%Y%m%d}-{secrets.randbelow(100_000):05d}"
            try:
                await store.insert(
                    "permohonan",
                    number,
                    {
                        "jenis": body.JENIS_LAYANAN,
                        "submitted_at": now.isoformat(),
                        "kecamatan": citizen.address.district_code,
                    },
                )
                break
            except DuplicateKey:
                continue
        else:
            return JSONResponse(_error_body(503, "Sistem Sibuk"), status_code=503)
        done_by = add_working_days(now.astimezone(WIB).date(), WORKING_DAYS_TO_FINISH)
        return {
            "RESPON": "PERMOHONAN DITERIMA",
            "NO_PERMOHONAN": number,
            "STATUS": "DITERIMA",
            "TGL_PERMOHONAN": now.isoformat(),
            "ESTIMASI_SELESAI": dukcapil_date(done_by),
        }

    @app.get("/layanan/permohonan/{number}", response_model=None)
    async def follow(number: str) -> dict[str, Any] | JSONResponse:
        record = await store.get("permohonan", number)
        if record is None:
            return JSONResponse({"RESPON": "PERMOHONAN TIDAK DITEMUKAN"}, status_code=404)
        now = context.clock.now()
        reached = [
            (s, at) for s, at in timeline(number, datetime.fromisoformat(record["submitted_at"])) if at <= now
        ]
        current = reached[-1][0]
        note = {
            "DITERIMA": "Permohonan menunggu verifikasi petugas.",
            "DIVERIFIKASI": "Berkas sudah diverifikasi.",
            "DIPROSES": "Dokumen sedang dicetak/ditandatangani secara elektronik.",
            "SELESAI": "Dokumen selesai dan dapat diunduh/diambil.",
            "DITOLAK": "Berkas persyaratan tidak lengkap atau tidak terbaca.",
        }[current]
        return {
            "NO_PERMOHONAN": number,
            "JENIS_LAYANAN": record["jenis"],
            "STATUS": current,
            "RIWAYAT": [{"STATUS": s, "WAKTU": at.isoformat()} for s, at in reached],
            "KETERANGAN": note,
        }

    return app
