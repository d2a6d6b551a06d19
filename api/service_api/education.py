"""Education: PIP status by NISN, KIP Kuliah information and registration status, SPMB rules."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict

from api.identifiers import BirthDate, Nik, Nisn, mask_name
from api.identity.guard import Unverified, Verified
from api.ministries.base import IdentityMismatch, NotFound
from api.ministries.puslapdik import PuslapdikAdapter
from api.ministries.registry import adapter

router = APIRouter(prefix="/education", tags=["education"])
Puslapdik = Annotated[PuslapdikAdapter, Depends(adapter(PuslapdikAdapter))]


class SchoolLevel(StrEnum):
    SD = "sd"
    SMP = "smp"
    SMA = "sma"


class PipIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"nisn": "0141234567", "birth_date": "2014-03-02"}]}
    )
    nisn: Nisn
    birth_date: BirthDate


class PipOut(BaseModel):
    name: str
    school: str
    level: str
    grade: int
    recipient: bool
    year: int
    amount: int
    disbursement: Literal["sudah_cair", "proses", "belum_cair"] | None
    legal_basis: str


class Stage(BaseModel):
    stage: str
    start: date
    end: date


class KipKuliahOut(BaseModel):
    requirements: list[str]
    schedule: list[Stage]
    legal_basis: str


class RegistrationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nik: Nik
    birth_date: BirthDate


class RegistrationOut(BaseModel):
    registration_number: str
    status: str
    stage: str
    updated_at: date


class Route(BaseModel):
    route: str
    quota: str


class SpmbOut(BaseModel):
    level: SchoolLevel
    routes: list[Route]
    legal_basis: str


@router.post("/pip")
async def pip(body: PipIn, puslapdik: Puslapdik, caller: Verified) -> PipOut:
    """Whether a student of the verified citizen's KK (or the citizen) receives PIP this year,
    how much, and whether it has been paid out. Another family's student, an unknown NISN and a
    wrong birth date answer alike."""
    caller.require_session()
    try:
        found = await puslapdik.pip(body.nisn, body.birth_date)
    except (NotFound, IdentityMismatch):
        raise Unverified() from None
    await caller.require(found.nik, family=True)
    return PipOut(
        name=mask_name(found.name),
        school=found.school,
        level=found.level,
        grade=found.grade,
        recipient=found.recipient,
        year=found.year,
        amount=found.amount,
        disbursement=found.disbursement,  # type: ignore[arg-type]
        legal_basis=found.legal_basis,
    )


@router.get("/kip-kuliah")
async def kip_kuliah(puslapdik: Puslapdik) -> KipKuliahOut:
    """KIP Kuliah requirements and this year's schedule."""
    info = await puslapdik.kip_kuliah()
    return KipKuliahOut(
        requirements=info.requirements,
        schedule=[Stage(stage=stage, start=start, end=end) for stage, start, end in info.schedule],
        legal_basis=info.legal_basis,
    )


@router.post("/kip-kuliah/registration")
async def kip_kuliah_registration(
    body: RegistrationIn, puslapdik: Puslapdik, caller: Verified
) -> RegistrationOut:
    """The status of the verified citizen's KIP Kuliah registration."""
    await caller.require(body.nik)
    found = await puslapdik.kip_kuliah_registration(body.nik, body.birth_date)
    return RegistrationOut(
        registration_number=found.registration_number,
        status=found.status,
        stage=found.stage,
        updated_at=found.updated_at,
    )


@router.get("/spmb")
async def spmb(level: SchoolLevel, puslapdik: Puslapdik) -> SpmbOut:
    """School admission (SPMB) routes and quotas for a level."""
    rules = await puslapdik.spmb(level.value)
    return SpmbOut(
        level=level, routes=[Route(route=r, quota=q) for r, q in rules.routes], legal_basis=rules.legal_basis
    )
