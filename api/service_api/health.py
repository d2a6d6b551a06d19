"""Health: BPJS Kesehatan membership and contributions, health facilities, SATUSEHAT
immunisation records."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field, model_validator

from api import regions
from api.identifiers import BirthDate, BpjsCardNumber, Nik, invalid, mask_name
from api.identity.guard import Unverified, Verified
from api.identity.keys import mask_number
from api.ministries.base import IdentityMismatch, NotFound
from api.ministries.bpjs import BpjsAdapter
from api.ministries.registry import adapter
from api.ministries.satusehat import SatuSehatAdapter
from knowledge import facts

router = APIRouter(prefix="/health", tags=["health"])
Bpjs = Annotated[BpjsAdapter, Depends(adapter(BpjsAdapter))]
SatuSehat = Annotated[SatuSehatAdapter, Depends(adapter(SatuSehatAdapter))]

# From the fact registry (knowledge/facts/health.yml).
CONTRIBUTIONS_BASIS = facts.get("bpjs.contribution.class1").basis
_SPLIT = facts.get("bpjs.contribution.class3_split")
CLASS_III_NOTE = (
    f"Iuran kelas III: {_SPLIT.text_of('member')} dibayar peserta dan {_SPLIT.text_of('government')} "
    f"dibantu pemerintah ({_SPLIT.basis})."
)


class FacilityType(StrEnum):
    PUSKESMAS = "puskesmas"
    KLINIK = "klinik"
    RUMAH_SAKIT = "rumah_sakit"


class MembershipIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"nik": "3273014508950001", "birth_date": "1995-08-05"},
                {"card_number": "0001234567890", "birth_date": "1995-08-05"},
            ]
        },
    )
    nik: Nik | None = None
    card_number: BpjsCardNumber | None = None
    birth_date: BirthDate

    @model_validator(mode="after")
    def _one_identifier(self) -> MembershipIn:
        if (self.nik is None) == (self.card_number is None):
            raise invalid("Isi salah satu: NIK atau nomor kartu BPJS Kesehatan.")
        return self


class FacilityOut(BaseModel):
    name: str
    address: str


class ArrearsOut(BaseModel):
    months: int
    amount: int


class MembershipOut(BaseModel):
    card_number: str
    name: str
    status: Literal["aktif", "nonaktif"]
    bpjs_class: int = Field(serialization_alias="class")  # "class" is a Python keyword
    segment: Literal["PBI", "PPU", "PBPU", "BP"]
    facility: FacilityOut
    monthly_contribution: int
    arrears: ArrearsOut
    legal_basis: str


class RateOut(BaseModel):
    bpjs_class: int = Field(serialization_alias="class")
    amount: int
    member_pays: int
    government_pays: int
    note: str | None = None


class RatesOut(BaseModel):
    rates: list[RateOut]
    legal_basis: str


class RegionRef(BaseModel):
    code: str
    name: str


class FacilityItem(BaseModel):
    name: str
    type: FacilityType
    address: str
    hours: str
    phone: str
    bpjs_partner: bool


class FacilitiesOut(BaseModel):
    region: RegionRef
    total: int
    items: list[FacilityItem]


class ImmunizationsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nik: Nik
    birth_date: BirthDate


class ImmunizationOut(BaseModel):
    vaccine: str
    dose: int
    date: date
    facility: str


class ImmunizationsOut(BaseModel):
    name: str
    records: list[ImmunizationOut]


@router.post("/bpjs/membership")
async def membership(body: MembershipIn, bpjs: Bpjs, caller: Verified) -> MembershipOut:
    """BPJS Kesehatan membership of the verified citizen, by NIK or card number (the birth
    date is only a first check); the card number comes back masked."""
    if body.nik is not None:
        await caller.require(body.nik)
        found = await bpjs.membership(body.birth_date, nik=body.nik)
    else:
        caller.require_session()
        # Someone else's card, an unknown card and a wrong birth date answer alike.
        try:
            found = await bpjs.membership(body.birth_date, card_number=body.card_number)
        except (NotFound, IdentityMismatch):
            raise Unverified() from None
        await caller.require(found.nik)
    return MembershipOut(
        card_number=mask_number(found.card_number),
        name=mask_name(found.name),
        status="aktif" if found.active else "nonaktif",
        bpjs_class=found.bpjs_class,
        segment=found.segment,  # type: ignore[arg-type]
        facility=FacilityOut(name=found.facility_name, address=found.facility_address),
        monthly_contribution=found.monthly_contribution,
        arrears=ArrearsOut(months=found.arrears_months, amount=found.arrears_amount),
        legal_basis=CONTRIBUTIONS_BASIS,
    )


@router.get("/bpjs/rates")
async def rates(bpjs: Bpjs) -> RatesOut:
    """Monthly contributions per class for independent members (PBPU/BP)."""
    return RatesOut(
        rates=[
            RateOut(
                bpjs_class=rate.bpjs_class,
                amount=rate.amount,
                member_pays=rate.member_pays,
                government_pays=rate.government_pays,
                note=CLASS_III_NOTE if rate.government_pays else None,
            )
            for rate in await bpjs.rates()
        ],
        legal_basis=CONTRIBUTIONS_BASIS,
    )


@router.get("/facilities")
async def facilities(
    bpjs: Bpjs,
    region: Annotated[str, Query(min_length=2, max_length=100)],
    type: FacilityType | None = None,  # noqa: A002 - the contract's parameter name
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
) -> FacilitiesOut:
    """Puskesmas, clinics and hospitals in a district, regency/city or province (name or code)."""
    place = regions.resolve(
        region, levels=(regions.Level.DISTRICT, regions.Level.REGENCY, regions.Level.PROVINCE)
    )
    if place is None:
        raise NotFound("Wilayah tidak ditemukan. Sebutkan nama kecamatan, kabupaten/kota, atau provinsi.")
    total, items = await bpjs.facilities(place.code, type.value if type else None, offset, limit)
    return FacilitiesOut(
        region=RegionRef(code=place.code, name=place.name),
        total=total,
        items=[
            FacilityItem(
                name=f.name,
                type=FacilityType(f.type),
                address=f.address,
                hours=f.hours,
                phone=f.phone,
                bpjs_partner=f.bpjs_partner,
            )
            for f in items
        ],
    )


@router.post("/immunizations")
async def immunizations(body: ImmunizationsIn, satusehat: SatuSehat, caller: Verified) -> ImmunizationsOut:
    """Immunisation records from SATUSEHAT, oldest first: the verified citizen's own, or a
    member's of the same KK (a child's)."""
    await caller.require(body.nik, family=True)
    history = await satusehat.immunizations(body.nik, body.birth_date)
    return ImmunizationsOut(
        name=mask_name(history.name),
        records=[
            ImmunizationOut(vaccine=r.vaccine, dose=r.dose, date=r.date, facility=r.facility)
            for r in history.records
        ],
    )
