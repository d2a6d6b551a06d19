"""Simulated Samsat (vehicle tax, the provincial Bapenda with Polri and Jasa Raharja).

The vehicles are the seed's (`simulators.seed.vehicles`): plates with the area letters
of the owner's regency, NJKB, and the annual due date (one in five overdue as of the seed's
reference date).

What a vehicle owes (`assessment`), with every rule from the fact registry (knowledge/facts/payments.yml):
- PKB = NJKB × `PKB_RATE` of the province (the ceiling rate plus the opsen from the registry, a
  simulated rate for DKI Jakarta; the real amount is the Samsat's), per year due;
- SWDKLLJ (Jasa Raharja) per year due, by vehicle kind (`swdkllj.amount`);
- late fines, for each year due: PKB interest per month late up to a number of months
  (`pkb.late_interest.*`, unverified), and the SWDKLLJ fine, a share of that year's SWDKLLJ
  growing with the days late, capped (`swdkllj.late_fine.*`).
Paying a payment code for the vehicle moves its due date on by the years paid.

API shape (e-Samsat-like, `kode` "00" = success):
- `GET /api/v1/kendaraan/{nopol}` → `{"kode": "00", "data": {nopol, jenis, merk, tipe, tahun,
  wilayah, tgl_jatuh_tempo, hari_terlambat, tahun_tertunggak, pokok_pkb, pokok_swdkllj,
  denda_pkb, denda_swdkllj, total}}`; 404 `{"kode": "01"}`
- `POST /api/v1/kendaraan/{nopol}/kode-bayar` → 201 `{"kode": "00", "data": payment code}`
- `GET /api/v1/kode-bayar/{kode}`, `POST /api/v1/kode-bayar/{kode}/bayar` (the bank)
where payment code = `{kode_bayar, nopol, uraian, jumlah, status: "BELUM_BAYAR" | "LUNAS" |
"KEDALUWARSA", tgl_terbit, tgl_kedaluwarsa, tgl_bayar, ntpn}`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from api.plates import plate_key
from knowledge import facts
from simulators.base import WIB, SimulatorContext, create_simulator
from simulators.payment_codes import CodeStatus, PaymentCodes, PaymentRefused, status_of
from simulators.seed.vehicles import CAR, MOTORCYCLE, Vehicle, vehicles

KEY = "samsat"
PAYMENT_CODE_VALID_HOURS = 48
LATE_RATE_PER_MONTH = facts.get("pkb.late_interest.rate").number / 100
MAX_LATE_MONTHS = int(facts.get("pkb.late_interest.max_months").number)
# PKB with the opsen, as a share of the NJKB: elsewhere the legal ceiling for a first vehicle plus the
# regencies' opsen on it (registry); DKI Jakarta, which levies no opsen, a simulated rate.
PKB_RATE = {"31": 0.02}
DEFAULT_PKB_RATE = (
    facts.get("pkb.max_rate.first_vehicle").number / 100 * (1 + facts.get("pkb.opsen.rate").number / 100)
)
_SWDKLLJ = facts.get("swdkllj.amount")
SWDKLLJ = {MOTORCYCLE: int(_SWDKLLJ.value_of("motorcycle")), CAR: int(_SWDKLLJ.value_of("car"))}
# The late fine's tiers: (last day late of the tier, share of the SWDKLLJ); past the last, the final share.
_ENDS, _RATES = facts.get("swdkllj.late_fine.tier_ends").value, facts.get("swdkllj.late_fine.rates").value
if not (isinstance(_ENDS, list) and isinstance(_RATES, list) and len(_RATES) == len(_ENDS) + 1):
    raise ValueError("swdkllj.late_fine: one more rate than tier ends expected")
SWDKLLJ_FINE_TIERS = tuple(zip(_ENDS, _RATES[:-1], strict=True))
SWDKLLJ_FINE_FINAL_RATE = int(_RATES[-1])
SWDKLLJ_FINE_CAP = int(facts.get("swdkllj.late_fine.cap").number)
KIND_LABELS = {MOTORCYCLE: "Sepeda Motor", CAR: "Mobil Penumpang"}


def pkb_rate(vehicle: Vehicle) -> float:
    return PKB_RATE.get(vehicle.region_code[:2], DEFAULT_PKB_RATE)


def annual_pkb(vehicle: Vehicle) -> int:
    """PKB for one year, rounded to hundreds of rupiah."""
    return round(vehicle.njkb * pkb_rate(vehicle) / 100) * 100


def swdkllj_late_fine(swdkllj: int, days_late: int) -> int:
    """The late fine of one year's SWDKLLJ paid `days_late` days after its due date."""
    if days_late <= 0:
        return 0
    rate = next((rate for end, rate in SWDKLLJ_FINE_TIERS if days_late <= end), SWDKLLJ_FINE_FINAL_RATE)
    return min(SWDKLLJ_FINE_CAP, round(swdkllj * rate / 100))


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Assessment:
    due_date: date
    overdue_days: int
    years_due: int
    pkb: int
    swdkllj: int
    pkb_fine: int
    swdkllj_fine: int

    @property
    def total(self) -> int:
        return self.pkb + self.swdkllj + self.pkb_fine + self.swdkllj_fine


def assess(vehicle: Vehicle, due_date: date, today: date) -> Assessment:
    """What the vehicle owes on `today`, its first unpaid due date being `due_date`: the
    coming year when not overdue, else every year whose due date has passed."""
    overdue_days = max(0, (today - due_date).days)
    years_due = 1
    pkb_fine = swdkllj_fine = 0
    if overdue_days:
        years_due = 0
        due = due_date
        while due < today:
            years_due += 1
            months_late = min(MAX_LATE_MONTHS, math.ceil((today - due).days / 30))
            pkb_fine += round(annual_pkb(vehicle) * LATE_RATE_PER_MONTH * months_late / 100) * 100
            swdkllj_fine += swdkllj_late_fine(SWDKLLJ[vehicle.model.kind], (today - due).days)
            due = _add_years(due, 1)
    return Assessment(
        due_date=due_date,
        overdue_days=overdue_days,
        years_due=years_due,
        pkb=annual_pkb(vehicle) * years_due,
        swdkllj=SWDKLLJ[vehicle.model.kind] * years_due,
        pkb_fine=pkb_fine,
        swdkllj_fine=swdkllj_fine,
    )


def _vehicle_json(vehicle: Vehicle, assessment: Assessment) -> dict[str, Any]:
    return {
        "nopol": vehicle.plate,
        "jenis": KIND_LABELS[vehicle.model.kind],
        "merk": vehicle.model.brand,
        "tipe": vehicle.model.name,
        "tahun": vehicle.year,
        "wilayah": vehicle.region,
        "tgl_jatuh_tempo": assessment.due_date.isoformat(),
        "hari_terlambat": assessment.overdue_days,
        "tahun_tertunggak": assessment.years_due if assessment.overdue_days else 0,
        "pokok_pkb": assessment.pkb,
        "pokok_swdkllj": assessment.swdkllj,
        "denda_pkb": assessment.pkb_fine,
        "denda_swdkllj": assessment.swdkllj_fine,
        "total": assessment.total,
    }


_STATUS = {CodeStatus.UNPAID: "BELUM_BAYAR", CodeStatus.PAID: "LUNAS", CodeStatus.EXPIRED: "KEDALUWARSA"}


def _code_json(record: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {
        "kode_bayar": record["code"],
        "nopol": record["plate"],
        "uraian": record["label"],
        "jumlah": record["amount"],
        "status": _STATUS[status_of(record, now)],
        "tgl_terbit": record["issued_at"],
        "tgl_kedaluwarsa": record["expires_at"],
        "tgl_bayar": record["paid_at"],
        "ntpn": record["ntpn"],
    }


def _error(status: int, message: str, code: str = "99") -> dict[str, Any]:
    return {"kode": code, "pesan": message}


_REFUSALS = {"not_found": (404, "01", "Kode bayar tidak ditemukan"),
             "paid": (409, "31", "Kode bayar sudah lunas"),
             "expired": (409, "32", "Kode bayar sudah kedaluwarsa")}  # fmt: skip


def build(context: SimulatorContext) -> FastAPI:
    app = create_simulator(KEY, "e-Samsat", context, error_body=_error)
    store = context.store(KEY)
    codes = PaymentCodes(store, "3", timedelta(hours=PAYMENT_CODE_VALID_HOURS))

    async def due_date_of(vehicle: Vehicle) -> date:
        state = await store.get("vehicle", plate_key(vehicle.plate))
        return date.fromisoformat(state["due_date"]) if state else vehicle.due_date

    def not_found() -> JSONResponse:
        return JSONResponse(_error(404, "Data kendaraan tidak ditemukan", "01"), status_code=404)

    @app.get("/api/v1/kendaraan/{plate}", response_model=None)
    async def vehicle_tax(plate: str) -> dict[str, Any] | JSONResponse:
        vehicle = vehicles().get(plate.upper())
        if vehicle is None:
            return not_found()
        assessment = assess(vehicle, await due_date_of(vehicle), context.clock.now().astimezone(WIB).date())
        return {"kode": "00", "data": _vehicle_json(vehicle, assessment)}

    @app.post("/api/v1/kendaraan/{plate}/kode-bayar", status_code=201, response_model=None)
    async def payment_code(plate: str) -> dict[str, Any] | JSONResponse:
        vehicle = vehicles().get(plate.upper())
        if vehicle is None:
            return not_found()
        now = context.clock.now()
        assessment = assess(vehicle, await due_date_of(vehicle), now.astimezone(WIB).date())
        years = "tahun" if assessment.years_due == 1 else f"{assessment.years_due} tahun"
        details = {
            "plate": vehicle.plate,
            "label": f"PKB dan SWDKLLJ {vehicle.plate} ({years})",
            "amount": assessment.total,
            "years_due": assessment.years_due,
            "due_date": assessment.due_date.isoformat(),
        }
        record = await codes.issue(now, details)
        return {"kode": "00", "data": _code_json(record, now)}

    @app.get("/api/v1/kode-bayar/{code}", response_model=None)
    async def get_code(code: str) -> dict[str, Any] | JSONResponse:
        record = await codes.get(code)
        if record is None:
            return _refusal("not_found")
        return {"kode": "00", "data": _code_json(record, context.clock.now())}

    @app.post("/api/v1/kode-bayar/{code}/bayar", response_model=None)
    async def pay(code: str) -> dict[str, Any] | JSONResponse:
        now = context.clock.now()
        try:
            record = await codes.pay(code, now)
        except PaymentRefused as refused:
            return _refusal(refused.reason)
        paid_through = _add_years(date.fromisoformat(record["due_date"]), record["years_due"])
        key = plate_key(record["plate"])
        if await store.update("vehicle", key, {"due_date": paid_through.isoformat()}) is None:
            await store.insert("vehicle", key, {"due_date": paid_through.isoformat()})
        return {"kode": "00", "data": _code_json(record, now)}

    return app


def _refusal(reason: str) -> JSONResponse:
    status, code, message = _REFUSALS[reason]
    return JSONResponse(_error(status, message, code), status_code=status)
