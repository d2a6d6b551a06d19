"""SIM and police services: a citizen's licences with their SINAR renewal state (Korlantas),
the PNBP fees, and SKCK requests (SKCK online + a SIMPONI billing; SKCK and BIL cases)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.cases import WIB, open_case, register_case_type
from api.db import SessionDep
from api.identifiers import BirthDate, Nik, invalid, mask_name
from api.identity.guard import Verified
from api.ministries.korlantas import KorlantasAdapter, Licence
from api.ministries.polri import PolriAdapter
from api.ministries.registry import Ministries, adapter
from api.ministries.simponi import SimponiAdapter
from api.models import Case, CaseKind
from api.service_api.payments import SIMPONI
from api.text import clean_text
from knowledge import facts

router = APIRouter(prefix="/police", tags=["police"])
Korlantas = Annotated[KorlantasAdapter, Depends(adapter(KorlantasAdapter))]
Polri = Annotated[PolriAdapter, Depends(adapter(PolriAdapter))]
Simponi = Annotated[SimponiAdapter, Depends(adapter(SimponiAdapter))]

FEES_BASIS = facts.get("sim.fee.new.a").basis
SKCK_SERVICE = "skck"
SKCK_VALID_MONTHS = int(facts.get("skck.validity").number)
STATUS_LABELS = {
    "terdaftar": "Terdaftar: silakan bayar PNBP dan datang ke Polres",
    "diproses": "Sedang diproses di Polres",
    "siap_diambil": "SKCK siap diambil",
    "kedaluwarsa": "Pendaftaran kedaluwarsa",
}
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
          "Oktober", "November", "Desember")  # fmt: skip


def tanggal(day: date) -> str:
    """`2027-01-17` → `17 Januari 2027`."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


class IdentityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nik: Nik
    birth_date: BirthDate


class RenewalOut(BaseModel):
    eligible: bool
    window_opens_on: date
    reason: str


class LicenceOut(BaseModel):
    class_: str = Field(serialization_alias="class")
    number: str
    expires_on: date
    renewal: RenewalOut


class LicencesOut(BaseModel):
    name: str
    licences: list[LicenceOut]


class FeeOut(BaseModel):
    service: str
    label: str
    amount: int


class FeesOut(BaseModel):
    items: list[FeeOut]
    legal_basis: str


class SkckIn(IdentityIn):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [
            {"nik": "3273014508950001", "birth_date": "1995-08-05", "purpose": "Melamar pekerjaan"}
        ]},
    )  # fmt: skip
    purpose: str = Field(min_length=1, max_length=200)

    @field_validator("purpose")
    @classmethod
    def _clean(cls, value: str) -> str:
        value = clean_text(value)
        if len(value) < 3:
            raise invalid("Keperluan SKCK wajib diisi, misalnya: melamar pekerjaan.")
        return value


class SkckBillingOut(BaseModel):
    billing_code: str
    case_number: str
    amount: int
    expires_at: datetime


class SkckOut(BaseModel):
    case_number: str
    billing: SkckBillingOut
    valid_months: int
    next_steps: list[str]
    legal_basis: str


def renewal_reason(licence: Licence) -> str:
    if licence.renewal_state == "dapat_diperpanjang":
        return f"Dapat diperpanjang secara online lewat aplikasi SINAR sampai {tanggal(licence.expires_on)}."
    if licence.renewal_state == "belum_waktunya":
        return (
            f"Perpanjangan online baru dibuka mulai {tanggal(licence.window_opens_on)}, "
            f"yaitu {facts.get('sim.sinar.renewal_window').text} sebelum masa berlaku habis."
        )
    return (
        f"Masa berlaku SIM sudah habis sejak {tanggal(licence.expires_on)}, jadi tidak dapat diperpanjang "
        "kecuali Korlantas menetapkan dispensasi. Silakan membuat SIM baru di Satpas terdekat."
    )


def mask_number(number: str) -> str:
    """All but the last four digits hidden: `************0019`."""
    return "*" * max(0, len(number) - 4) + number[-4:]


@router.post("/sim")
async def licences(body: IdentityIn, korlantas: Korlantas, caller: Verified) -> LicencesOut:
    """The verified citizen's driving licences, each with whether it can be renewed online
    (SINAR: from 90 days before the expiry date until that date)."""
    await caller.require(body.nik)
    holder = await korlantas.licences(body.nik, body.birth_date)
    return LicencesOut(
        name=mask_name(holder.name),
        licences=[
            LicenceOut(
                class_=licence.sim_class,
                number=mask_number(licence.number),
                expires_on=licence.expires_on,
                renewal=RenewalOut(
                    eligible=licence.eligible,
                    window_opens_on=licence.window_opens_on,
                    reason=renewal_reason(licence),
                ),  # fmt: skip
            )
            for licence in holder.licences
        ],
    )


@router.get("/fees")
async def fees(simponi: Simponi) -> FeesOut:
    """SIM and SKCK fees (PNBP), from the SIMPONI tariffs."""
    items = [
        FeeOut(service=tariff.service, label=tariff.label, amount=tariff.amount)
        for tariff in await simponi.tariffs()
        if tariff.service.startswith("sim_") or tariff.service == SKCK_SERVICE
    ]
    return FeesOut(items=items, legal_basis=FEES_BASIS)


@router.post("/skck", status_code=status.HTTP_201_CREATED)
async def request_skck(
    body: SkckIn, polri: Polri, simponi: Simponi, session: SessionDep, caller: Verified
) -> SkckOut:
    """Register an SKCK request of the verified citizen and its PNBP billing (fact `skck.fee`);
    opens an SKCK case and a BIL case."""
    await caller.require(body.nik)
    registration = await polri.register_skck(body.nik, body.birth_date, body.purpose)
    billing = await simponi.create_billing(SKCK_SERVICE, body.nik)
    billing_case = await open_case(
        session,
        CaseKind.BILLING,
        status=billing.status,
        reference=billing.code,
        summary={
            "ministry": SIMPONI,
            "service": SKCK_SERVICE,
            "billing_code": billing.code,
            "description": billing.description,
            "amount": billing.amount,
        },  # fmt: skip
        at=billing.issued_at,
    )
    case = await open_case(
        session,
        CaseKind.SKCK,
        status="terdaftar",
        reference=registration.number,
        summary={
            "purpose": body.purpose,
            "police_station": registration.police_station,
            "billing_code": billing.code,
            "billing_case_number": billing_case.case_number,
        },  # fmt: skip
        at=registration.registered_at,
    )
    expires = billing.expires_at.astimezone(WIB)
    return SkckOut(
        case_number=case.case_number,
        billing=SkckBillingOut(
            billing_code=billing.code,
            case_number=billing_case.case_number,
            amount=billing.amount,
            expires_at=billing.expires_at,
        ),  # fmt: skip
        valid_months=registration.valid_months,
        next_steps=[
            f"Bayar PNBP SKCK Rp{billing.amount:,}".replace(",", ".")
            + f" dengan kode billing {billing.code} sebelum {tanggal(expires.date())} pukul "
            f"{expires:%H.%M} WIB, lewat bank, kantor pos, atau aplikasi pembayaran.",
            f"Datang ke {registration.police_station} dengan membawa KTP-el, Kartu Keluarga, fotokopi "
            "akta kelahiran, pas foto 4×6, dan bukti pembayaran.",
            f"SKCK berlaku {registration.valid_months} bulan sejak diterbitkan. "
            f"Pantau permohonan dengan nomor {case.case_number}.",
        ],
        legal_basis=FEES_BASIS,
    )


async def _track(ministries: Ministries, case: Case) -> list[tuple[str, datetime]]:
    if case.reference is None:
        return []
    return await ministries.get(PolriAdapter).history(case.reference)


register_case_type(CaseKind.SKCK, STATUS_LABELS, _track)
