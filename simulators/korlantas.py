"""Simulated Korlantas Polri (SIM records and the SINAR online renewal rule).

The licences are the seed's (`simulators.seed.licences`).

SINAR renewal: online from `RENEWAL_WINDOW_DAYS` days before the expiry date until that date
(the app's window, fact `sim.sinar.renewal_window`). An expired SIM is not renewed here: without
a Korlantas dispensation (keadaan kahar) a new one is made at a Satpas (with the tests).

API shape (SINAR-like):
- `POST /sinar/v1/sim/cek` `{nik, tanggal_lahir}` → `{"success": true, "data": {"nama",
  "sim": [{"golongan", "nomor", "berlaku_sampai", "perpanjangan": {"dapat_diperpanjang",
  "dibuka_mulai", "status": "dapat_diperpanjang" | "belum_waktunya" | "kedaluwarsa"}}]}}`;
  404 `{"success": false, "message": "NIK tidak terdaftar"}` (no SIM), 403 `{"success":
  false, "message": "Data tidak sesuai"}` (birth date does not match).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from simulators.base import WIB, SimulatorContext, create_simulator
from simulators.seed.licences import RENEWAL_WINDOW_DAYS, licences
from simulators.seed.population import citizen_by_nik

KEY = "korlantas"


@dataclass(frozen=True)
class Renewal:
    status: str  # dapat_diperpanjang | belum_waktunya | kedaluwarsa
    window_opens_on: date

    @property
    def eligible(self) -> bool:
        return self.status == "dapat_diperpanjang"


def renewal(expires_on: date, today: date) -> Renewal:
    """The SINAR rule: renewable online from `RENEWAL_WINDOW_DAYS` before expiry until the expiry date."""
    opens = expires_on - timedelta(days=RENEWAL_WINDOW_DAYS)
    if today > expires_on:
        return Renewal("kedaluwarsa", opens)
    if today < opens:
        return Renewal("belum_waktunya", opens)
    return Renewal("dapat_diperpanjang", opens)


class CheckRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    nik: str
    tanggal_lahir: date


def _error(status: int, message: str) -> dict[str, Any]:
    return {"success": False, "message": message}


def build(context: SimulatorContext) -> FastAPI:
    app = create_simulator(KEY, "Korlantas Polri (SINAR)", context, error_body=_error)

    @app.post("/sinar/v1/sim/cek", response_model=None)
    async def check(request: CheckRequest) -> dict[str, Any] | JSONResponse:
        citizen = citizen_by_nik(request.nik)
        held = licences().get(request.nik)
        if citizen is None or not held:
            return JSONResponse(_error(404, "NIK tidak terdaftar"), status_code=404)
        if citizen.birth_date != request.tanggal_lahir:
            return JSONResponse(_error(403, "Data tidak sesuai"), status_code=403)
        today = context.clock.now().astimezone(WIB).date()
        items = []
        for licence in held:
            state = renewal(licence.expires_on, today)
            items.append({
                "golongan": licence.sim_class,
                "nomor": licence.number,
                "berlaku_sampai": licence.expires_on.isoformat(),
                "perpanjangan": {"dapat_diperpanjang": state.eligible,
                                 "dibuka_mulai": state.window_opens_on.isoformat(), "status": state.status},
            })  # fmt: skip
        return {"success": True, "data": {"nama": citizen.name, "sim": items}}

    return app
