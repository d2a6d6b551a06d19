"""Simulated SKCK online (Baintelkam Polri): registering an SKCK request.

The applicant is checked against the seed population (NIK and birth date). A request is
registered at the Polres of the applicant's regency; the applicant then pays the PNBP
(SIMPONI) and comes to that Polres with the documents to have the SKCK printed. An SKCK is
valid for `VALID_MONTHS` months (fact `skck.validity`). A registration not followed up
within `REGISTRATION_VALID_DAYS` days (a simulation parameter) lapses.

API shape:
- `POST /skck/v1/pendaftaran` `{nik, tanggal_lahir, keperluan}` → 201 `{"status": "success",
  "data": {"nomor_pendaftaran", "tanggal", "polres", "berlaku_bulan", "berlaku_sampai_pendaftaran"}}`;
  404 `{"status": "error", "message": "NIK tidak ditemukan"}`, 403 `{"status": "error",
  "message": "Tanggal lahir tidak sesuai"}`.
- `GET /skck/v1/pendaftaran/{nomor}` → `{"status": "success", "data": {"nomor_pendaftaran",
  "polres", "riwayat": [{"status": "TERDAFTAR" | "DIPROSES" | "SIAP_DIAMBIL" | "KEDALUWARSA",
  "waktu"}]}}`.
- `POST /skck/v1/pendaftaran/{nomor}/kunjungan` (the Polres's desk, simulated: the applicant
  came with the documents and the payment) → `{"status": "success", "data": ...}` as above; 409
  when it lapsed or was already visited. The request is then DIPROSES, and SIAP_DIAMBIL
  `PRINT_WORKING_DAYS` working days later (a simulation parameter): an SKCK ready to collect.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from api.working_days import add_working_days
from knowledge import facts
from simulators.base import WIB, SimulatorContext, create_simulator
from simulators.seed.population import Citizen, citizen_by_nik
from simulators.store import DuplicateKey

KEY = "polri"
VALID_MONTHS = int(facts.get("skck.validity").number)
REGISTRATION_VALID_DAYS = 30
PRINT_WORKING_DAYS = 1


class RegistrationRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    nik: str
    tanggal_lahir: str
    keperluan: str = Field(min_length=1, max_length=200)


def police_station(citizen: Citizen) -> str:
    """The Polres of the citizen's regency or city (Polresta for cities)."""
    regency = citizen.address.regency
    if regency.startswith("Kota Administrasi "):
        return f"Polres Metro {regency.removeprefix('Kota Administrasi ')}"
    if regency.startswith("Kota "):
        return f"Polresta {regency.removeprefix('Kota ')}"
    return f"Polres {regency.removeprefix('Kabupaten ')}"


def _error(status: int, message: str) -> dict[str, Any]:
    return {"status": "error", "message": message}


def history(record: dict[str, Any], now: datetime) -> list[dict[str, str]]:
    registered = datetime.fromisoformat(record["tanggal"])
    steps = [{"status": "TERDAFTAR", "waktu": registered.isoformat()}]
    if record.get("kunjungan"):  # came to the Polres: processed, then ready to collect
        visited = datetime.fromisoformat(record["kunjungan"])
        steps.append({"status": "DIPROSES", "waktu": visited.isoformat()})
        ready_day = add_working_days(visited.astimezone(WIB).date(), PRINT_WORKING_DAYS)
        ready = datetime.combine(ready_day, visited.astimezone(WIB).timetz())
        if now >= ready:
            steps.append({"status": "SIAP_DIAMBIL", "waktu": ready.isoformat()})
        return steps
    lapses = registered + timedelta(days=REGISTRATION_VALID_DAYS)
    if now >= lapses:
        steps.append({"status": "KEDALUWARSA", "waktu": lapses.isoformat()})
    return steps


def build(context: SimulatorContext) -> FastAPI:
    app = create_simulator(KEY, "SKCK Online Polri", context, error_body=_error)
    store = context.store(KEY)

    @app.post("/skck/v1/pendaftaran", status_code=201, response_model=None)
    async def register(request: RegistrationRequest) -> dict[str, Any] | JSONResponse:
        citizen = citizen_by_nik(request.nik)
        if citizen is None:
            return JSONResponse(_error(404, "NIK tidak ditemukan"), status_code=404)
        if citizen.birth_date.isoformat() != request.tanggal_lahir:
            return JSONResponse(_error(403, "Tanggal lahir tidak sesuai"), status_code=403)
        now = context.clock.now()
        record = {"tanggal": now.isoformat(), "polres": police_station(citizen),
                  "keperluan": request.keperluan}  # fmt: skip
        while True:
            number = f"{now.astimezone(WIB):%y%m%d}{secrets.randbelow(10**6):06d}"
            try:
                await store.insert("registration", number, {"nomor_pendaftaran": number, **record})
                break
            except DuplicateKey:
                continue
        return {
            "status": "success",
            "data": {
                "nomor_pendaftaran": number,
                "tanggal": record["tanggal"],
                "polres": record["polres"],
                "berlaku_bulan": VALID_MONTHS,
                "berlaku_sampai_pendaftaran": (now + timedelta(days=REGISTRATION_VALID_DAYS)).isoformat(),
            },
        }

    @app.post("/skck/v1/pendaftaran/{number}/kunjungan", response_model=None)
    async def visit(number: str) -> dict[str, Any] | JSONResponse:
        record = await store.get("registration", number)
        if record is None:
            return JSONResponse(_error(404, "Nomor pendaftaran tidak ditemukan"), status_code=404)
        now = context.clock.now()
        if record.get("kunjungan") or history(record, now)[-1]["status"] == "KEDALUWARSA":
            return JSONResponse(_error(409, "Pendaftaran sudah diproses atau kedaluwarsa"), status_code=409)
        updated = await store.update("registration", number, {"kunjungan": now.isoformat()})
        record = updated or record
        return {
            "status": "success",
            "data": {
                "nomor_pendaftaran": number,
                "polres": record["polres"],
                "riwayat": history(record, now),
            },
        }

    @app.get("/skck/v1/pendaftaran/{number}", response_model=None)
    async def registration(number: str) -> dict[str, Any] | JSONResponse:
        record = await store.get("registration", number)
        if record is None:
            return JSONResponse(_error(404, "Nomor pendaftaran tidak ditemukan"), status_code=404)
        return {
            "status": "success",
            "data": {"nomor_pendaftaran": number, "polres": record["polres"],
                     "riwayat": history(record, context.clock.now())},
        }  # fmt: skip

    return app
