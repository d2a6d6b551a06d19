"""Simulated Kemensos Cek Bansos (DTSEN). Answers `{"status": "success" | "error",
"message", "data"}`; 404 unknown NIK, 403 birth date does not match, 400 bad query.

- `POST /api/penerima/nik` `{nik, tgl_lahir}` → `data: {nama, kode_desa, bansos: [{program,
  periode, status, nominal}]}` (an empty `bansos`: not a recipient)
- `GET /api/penerima?nama=&kode_desa=` → `data: [{nama (masked, as cekbansos shows it),
  kode_desa, bansos}]`: the public search, recipients only
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.identifiers import mask_name
from simulators.base import SimulatorContext, create_simulator
from simulators.seed import social
from simulators.seed.population import citizen_by_nik

KEY = "kemensos"
_STATUS = {"sudah_salur": "SUDAH SALUR", "proses": "PROSES SALUR", "aktif": "AKTIF", "nonaktif": "NONAKTIF"}


def _error_body(status_code: int, message: str) -> dict[str, Any]:
    return {"status": "error", "message": message, "data": None}


def _refuse(status_code: int, message: str) -> JSONResponse:
    return JSONResponse(_error_body(status_code, message), status_code=status_code)


def _bansos(benefits: tuple[social.Benefit, ...]) -> list[dict[str, Any]]:
    return [
        {"program": b.programme, "periode": b.period, "status": _STATUS[b.status], "nominal": b.amount}
        for b in benefits
    ]


class CekNik(BaseModel):
    nik: str
    tgl_lahir: str


def build(context: SimulatorContext) -> FastAPI:
    app = create_simulator(KEY, "Cek Bansos Kemensos", context, error_body=_error_body)

    @app.post("/api/penerima/nik", response_model=None)
    async def by_nik(body: CekNik) -> dict[str, Any] | JSONResponse:
        citizen = citizen_by_nik(body.nik)
        if citizen is None:
            return _refuse(404, "NIK tidak terdaftar di DTSEN")
        if citizen.birth_date.isoformat() != body.tgl_lahir:
            return _refuse(403, "Tanggal lahir tidak sesuai")
        benefits = social.benefits_by_nik()[citizen.nik]
        data = {
            "nama": citizen.name.upper(),
            "kode_desa": citizen.address.village_code,
            "bansos": _bansos(benefits),
        }
        return {
            "status": "success",
            "message": "OK" if benefits else "TIDAK TERDAPAT PESERTA/PM",
            "data": data,
        }

    @app.get("/api/penerima", response_model=None)
    async def search(nama: str = Query(""), kode_desa: str = Query("")) -> dict[str, Any] | JSONResponse:
        name = " ".join(nama.lower().split())
        if len(name) < 3 or not kode_desa:
            return _refuse(400, "Nama minimal 3 huruf dan kode desa wajib diisi")
        found = [
            {
                "nama": mask_name(citizen.name),
                "kode_desa": citizen.address.village_code,
                "bansos": _bansos(benefits),
            }
            for citizen, benefits in social.recipients_in_village(kode_desa)
            if name in citizen.name.lower()
        ]
        return {"status": "success", "message": "OK" if found else "TIDAK TERDAPAT PESERTA/PM", "data": found}

    return app
