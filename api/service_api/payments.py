"""Payments: vehicle tax (Samsat) and PNBP billing codes (SIMPONI), with the simulated bank
confirmation. Every billing the assistant creates opens a BIL case."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, status
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from api.cases import open_case, record_statuses, register_case_type
from api.db import SessionDep
from api.identifiers import Nik
from api.ministries.base import InvalidInput
from api.ministries.registry import Ministries, adapter
from api.ministries.samsat import SamsatAdapter
from api.ministries.simponi import Billing, SimponiAdapter
from api.models import Case, CaseKind
from api.plates import format_plate, parse_plate
from knowledge import facts

router = APIRouter(prefix="/payments", tags=["payments"])
# Test-only: served only while the simulators are on (api/service_api/__init__.py).
simulated_router = APIRouter(prefix="/payments", tags=["payments"])
Samsat = Annotated[SamsatAdapter, Depends(adapter(SamsatAdapter))]
Simponi = Annotated[SimponiAdapter, Depends(adapter(SimponiAdapter))]

# From the fact registry (knowledge/facts/payments.yml).
VEHICLE_TAX_BASIS = (
    f"{facts.get('pkb.tax_law').value} (PKB dan sanksi administratif); "
    f"{facts.get('swdkllj.amount').basis} (SWDKLLJ)"
)
STATUS_LABELS = {"belum_dibayar": "Belum dibayar", "lunas": "Lunas", "kedaluwarsa": "Kedaluwarsa"}
BillingStatus = Literal["belum_dibayar", "lunas", "kedaluwarsa"]
_BILLING_CODE = re.compile(r"^\d{15}$")
SAMSAT, SIMPONI = "samsat", "simponi"


class VehicleOut(BaseModel):
    type: str
    brand: str
    year: int


class VehicleTaxOut(BaseModel):
    plate: str
    vehicle: VehicleOut
    region: str
    pkb: int
    swdkllj: int
    fine: int
    total: int
    due_date: date
    overdue_days: int
    legal_basis: str


class TariffOut(BaseModel):
    service: str
    label: str
    amount: int
    legal_basis: str


class TariffsOut(BaseModel):
    items: list[TariffOut]


class BillingIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"service": "skck", "nik": "3273014508950001"}]}
    )
    service: str
    nik: Nik


class BillingCreated(BaseModel):
    billing_code: str
    case_number: str
    description: str
    amount: int
    status: BillingStatus
    expires_at: datetime
    legal_basis: str


class BillingOut(BaseModel):
    billing_code: str
    case_number: str | None
    description: str
    amount: int
    status: BillingStatus
    paid_at: datetime | None
    expires_at: datetime


class PaymentOut(BaseModel):
    status: Literal["lunas"]
    paid_at: datetime
    ntpn: str


PlateParam = Annotated[str, Path(description="Nomor polisi, mis. `B 1234 XYZ` atau `B1234XYZ`")]
CodeParam = Annotated[str, Path(description="Kode billing 15 digit")]


@router.get("/vehicle-tax/{plate}")
async def vehicle_tax(plate: PlateParam, samsat: Samsat) -> VehicleTaxOut:
    """What a vehicle owes: PKB, SWDKLLJ and late fines, from the Samsat data."""
    tax = await samsat.vehicle_tax(_plate(plate))
    return VehicleTaxOut(
        plate=tax.plate,
        vehicle=VehicleOut(type=tax.vehicle_type, brand=tax.brand, year=tax.year),
        region=tax.region,
        pkb=tax.pkb,
        swdkllj=tax.swdkllj,
        fine=tax.fine,
        total=tax.total,
        due_date=tax.due_date,
        overdue_days=tax.overdue_days,
        legal_basis=VEHICLE_TAX_BASIS,
    )


@router.post("/vehicle-tax/{plate}/billing", status_code=status.HTTP_201_CREATED)
async def vehicle_tax_billing(plate: PlateParam, samsat: Samsat, session: SessionDep) -> BillingCreated:
    """A Samsat payment code for everything the vehicle owes now; opens a BIL case."""
    billing = await samsat.create_payment_code(_plate(plate))
    case = await _open_billing_case(session, billing, SAMSAT, "vehicle_tax")
    return _created(billing, case, VEHICLE_TAX_BASIS)


@router.get("/tariffs")
async def tariffs(simponi: Simponi) -> TariffsOut:
    """PNBP tariffs: SIM (new and renewal per class), SKCK, passports."""
    return TariffsOut(items=[TariffOut(**tariff.__dict__) for tariff in await simponi.tariffs()])


@router.post("/billings", status_code=status.HTTP_201_CREATED)
async def create_billing(body: BillingIn, simponi: Simponi, session: SessionDep) -> BillingCreated:
    """A SIMPONI billing code for a PNBP tariff (`service` from `/payments/tariffs`); opens a BIL case."""
    known = {tariff.service for tariff in await simponi.tariffs()}
    if body.service not in known:
        raise InvalidInput("Jenis layanan tidak dikenal. Lihat daftar layanan di /payments/tariffs.")
    billing = await simponi.create_billing(body.service, body.nik)
    case = await _open_billing_case(session, billing, SIMPONI, body.service)
    return _created(billing, case, billing.legal_basis or "")


@router.get("/billings/{billing_code}")
async def get_billing(
    billing_code: CodeParam, session: SessionDep, samsat: Samsat, simponi: Simponi
) -> BillingOut:
    """A billing's status: belum_dibayar, lunas or kedaluwarsa."""
    code = _code(billing_code)
    case = await billing_case(session, code)
    billing = await (samsat if _ministry(case) == SAMSAT else simponi).billing(code)
    if case is not None:
        await _record(session, case, billing)
    return BillingOut(
        billing_code=billing.code,
        case_number=case.case_number if case else None,
        description=billing.description,
        amount=billing.amount,
        status=billing.status,  # type: ignore[arg-type]
        paid_at=billing.paid_at,
        expires_at=billing.expires_at,
    )


@simulated_router.post("/billings/{billing_code}/payments")
async def pay_billing(
    billing_code: CodeParam, session: SessionDep, samsat: Samsat, simponi: Simponi
) -> PaymentOut:
    """The bank's payment confirmation (simulated): the billing becomes lunas with an NTPN.
    409 when it is already paid or has expired."""
    code = _code(billing_code)
    case = await billing_case(session, code)
    billing = await (samsat if _ministry(case) == SAMSAT else simponi).pay(code)
    if case is not None:
        await _record(session, case, billing)
    assert billing.paid_at is not None and billing.ntpn is not None
    return PaymentOut(status="lunas", paid_at=billing.paid_at, ntpn=billing.ntpn)


def _plate(value: str) -> str:
    parts = parse_plate(value)
    if parts is None:
        raise InvalidInput("Nomor polisi tidak valid. Contoh penulisan yang benar: B 1234 XYZ.")
    return format_plate(*parts)


def _code(value: str) -> str:
    code = re.sub(r"[\s.\-]", "", value)
    if not _BILLING_CODE.fullmatch(code):
        raise InvalidInput("Kode billing harus terdiri dari 15 digit angka.")
    return code


async def billing_case(session: AsyncSession, code: str) -> Case | None:
    """The BIL case of a billing code the assistant created, if any."""
    query = (
        select(Case)
        .where(Case.kind == CaseKind.BILLING, Case.reference == code)
        .options(selectinload(Case.events))
    )
    return await session.scalar(query)


def _ministry(case: Case | None) -> str:
    return str(case.summary.get("ministry", SIMPONI)) if case is not None else SIMPONI


async def _open_billing_case(session: AsyncSession, billing: Billing, ministry: str, service: str) -> Case:
    return await open_case(
        session,
        CaseKind.BILLING,
        status=billing.status,
        reference=billing.code,
        summary={
            "ministry": ministry,
            "service": service,
            "billing_code": billing.code,
            "description": billing.description,
            "amount": billing.amount,
        },  # fmt: skip
        at=billing.issued_at,
    )


def billing_history(billing: Billing) -> list[tuple[str, datetime]]:
    """A billing's statuses with when each was reached, oldest first."""
    history = [("belum_dibayar", billing.issued_at)]
    if billing.status == "lunas" and billing.paid_at is not None:
        history.append(("lunas", billing.paid_at))
    elif billing.status == "kedaluwarsa":
        history.append(("kedaluwarsa", billing.expires_at))
    return history


async def _record(session: AsyncSession, case: Case, billing: Billing) -> None:
    if record_statuses(case, billing_history(billing)):
        await session.commit()


def _created(billing: Billing, case: Case, legal_basis: str) -> BillingCreated:
    return BillingCreated(
        billing_code=billing.code,
        case_number=case.case_number,
        description=billing.description,
        amount=billing.amount,
        status=billing.status,  # type: ignore[arg-type]
        expires_at=billing.expires_at,
        legal_basis=legal_basis,
    )


async def _track(ministries: Ministries, case: Case) -> list[tuple[str, datetime]]:
    if case.reference is None:
        return []
    ministry = ministries.get(SamsatAdapter) if _ministry(case) == SAMSAT else ministries.get(SimponiAdapter)
    return billing_history(await ministry.billing(case.reference))


register_case_type(CaseKind.BILLING, STATUS_LABELS, _track)
