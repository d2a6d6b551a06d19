"""Simulated SIMPONI (Kementerian Keuangan): PNBP tariffs, billing codes and the bank's
payment confirmation.

Tariffs are the real ones: SIM and SKCK from the fact registry (`knowledge/facts/police.yml`),
passports from it too (`knowledge/facts/payments.yml`). A billing code is 15 digits starting
with 8 and stays payable for `BILLING_VALID_DAYS` days (a simulation parameter), then expires.

API shape (SIMPONI-like, Indonesian field names, `status` "00" = success):
- `GET /api/tarif` → `{"status": "00", "data": [{"kode_tarif", "uraian", "tarif", "dasar_hukum"}]}`
- `POST /api/billing` `{"kode_tarif", "nik"}` → 201 `{"status": "00", "data": billing}`
- `GET /api/billing/{kode_billing}` → `{"status": "00", "data": billing}`
- `POST /api/billing/{kode_billing}/bayar` (the bank) → `{"status": "00", "data": billing}`,
  then a signed callback to the gateway (simulators/callbacks.py) when one is configured;
  409 `{"status": "31"}` already paid, `{"status": "32"}` expired; 404 `{"status": "14"}` unknown
where billing = `{kode_billing, kode_tarif, uraian, jumlah, status: "BELUM_BAYAR" | "SUDAH_BAYAR"
| "KEDALUWARSA", tgl_billing, tgl_kedaluwarsa, tgl_bayar, ntpn, dasar_hukum}`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from knowledge import facts
from simulators.base import SimulatorContext, create_simulator
from simulators.payment_codes import CodeStatus, PaymentCodes, PaymentRefused, status_of

KEY = "simponi"
BILLING_VALID_DAYS = 7


@dataclass(frozen=True)
class Tariff:
    service: str
    label: str
    amount: int
    legal_basis: str


# SIM class key (the assistant's class names: A, B1, B2, C, C1, C2, D, D1) → (label, the fee
# group in the registry: `sim.fee.new.<group>`, `sim.fee.renewal.<group>`).
_SIM_CLASSES: dict[str, tuple[str, str]] = {
    "a": ("A", "a"), "b1": ("B I", "a"), "b2": ("B II", "a"),
    "c": ("C", "c"), "c1": ("C I", "c"), "c2": ("C II", "c"),
    "d": ("D", "d"), "d1": ("D I", "d"), "international": ("Internasional", "international"),
}  # fmt: skip


def _fact_tariff(service: str, label: str, fact_id: str) -> Tariff:
    fact = facts.get(fact_id)
    return Tariff(service, label, int(fact.number), fact.basis)


def _police_tariffs() -> list[Tariff]:
    """SIM (new and renewal, every class) and SKCK, from the fact registry."""
    tariffs: list[Tariff] = []
    for key, (label, group) in _SIM_CLASSES.items():
        new, renewal = f"sim.fee.new.{group}", f"sim.fee.renewal.{group}"
        tariffs.append(_fact_tariff(f"sim_{key}_new", f"Penerbitan SIM {label} baru", new))
        tariffs.append(_fact_tariff(f"sim_{key}_renewal", f"Perpanjangan SIM {label}", renewal))
    tariffs.append(_fact_tariff("skck", "Penerbitan SKCK", "skck.fee"))
    return tariffs


# Passport service → (label, its entry in the registry's `passport.fee`).
_PASSPORTS = {
    "passport_regular_5y": ("Paspor biasa non-elektronik (5 tahun)", "non_electronic_5y"),
    "passport_regular_10y": ("Paspor biasa non-elektronik (10 tahun)", "non_electronic_10y"),
    "passport_electronic_5y": ("Paspor elektronik (5 tahun)", "electronic_5y"),
    "passport_electronic_10y": ("Paspor elektronik (10 tahun)", "electronic_10y"),
}


def _passport_tariffs() -> list[Tariff]:
    """Passports (Ditjen Imigrasi's PNBP), from the fact registry."""
    fee = facts.get("passport.fee")
    return [
        Tariff(service, label, int(fee.value_of(key)), fee.basis)
        for service, (label, key) in _PASSPORTS.items()
    ]


def _tariffs() -> list[Tariff]:
    return [*_police_tariffs(), *_passport_tariffs()]


TARIFFS: dict[str, Tariff] = {tariff.service: tariff for tariff in _tariffs()}

_STATUS = {
    CodeStatus.UNPAID: "BELUM_BAYAR",
    CodeStatus.PAID: "SUDAH_BAYAR",
    CodeStatus.EXPIRED: "KEDALUWARSA",
}
_REFUSALS = {"not_found": (404, "14", "Kode billing tidak ditemukan"),
             "paid": (409, "31", "Billing sudah dibayar"),
             "expired": (409, "32", "Billing sudah kedaluwarsa")}  # fmt: skip


class BillingRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    kode_tarif: str
    nik: str = Field(pattern=r"^\d{16}$")


def _error(status: int, message: str, code: str = "99") -> dict[str, Any]:
    return {"status": code, "message": message}


def _billing(record: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {
        "kode_billing": record["code"],
        "kode_tarif": record["service"],
        "uraian": record["label"],
        "jumlah": record["amount"],
        "status": _STATUS[status_of(record, now)],
        "tgl_billing": record["issued_at"],
        "tgl_kedaluwarsa": record["expires_at"],
        "tgl_bayar": record["paid_at"],
        "ntpn": record["ntpn"],
        "dasar_hukum": record["legal_basis"],
    }


def build(context: SimulatorContext) -> FastAPI:
    app = create_simulator(KEY, "SIMPONI Kementerian Keuangan", context, error_body=_error)
    codes = PaymentCodes(context.store(KEY), "8", timedelta(days=BILLING_VALID_DAYS))

    @app.get("/api/tarif")
    async def tariffs() -> dict[str, Any]:
        items = [{"kode_tarif": t.service, "uraian": t.label, "tarif": t.amount, "dasar_hukum": t.legal_basis}
                 for t in TARIFFS.values()]  # fmt: skip
        return {"status": "00", "data": items}

    @app.post("/api/billing", status_code=201, response_model=None)
    async def create_billing(request: BillingRequest) -> dict[str, Any] | JSONResponse:
        tariff = TARIFFS.get(request.kode_tarif)
        if tariff is None:
            return JSONResponse(_error(422, "Kode tarif tidak dikenal", "12"), status_code=422)
        now = context.clock.now()
        details = {"service": tariff.service, "label": tariff.label, "amount": tariff.amount,
                   "legal_basis": tariff.legal_basis, "nik": request.nik}  # fmt: skip
        record = await codes.issue(now, details)
        return {"status": "00", "data": _billing(record, now)}

    @app.get("/api/billing/{code}", response_model=None)
    async def get_billing(code: str) -> dict[str, Any] | JSONResponse:
        record = await codes.get(code)
        if record is None:
            return _refusal("not_found")
        return {"status": "00", "data": _billing(record, context.clock.now())}

    @app.post("/api/billing/{code}/bayar", response_model=None)
    async def pay(code: str) -> dict[str, Any] | JSONResponse:
        now = context.clock.now()
        try:
            record = await codes.pay(code, now)
        except PaymentRefused as refused:
            return _refusal(refused.reason)
        context.callbacks.case_changed(KEY, code)  # SIMPONI notifies the biller of a payment
        return {"status": "00", "data": _billing(record, now)}

    return app


def _refusal(reason: str) -> JSONResponse:
    status, code, message = _REFUSALS[reason]
    return JSONResponse(_error(status, message, code), status_code=status)
