"""Social assistance (Cek Bansos): a citizen's programmes by NIK, and the public search by
name within a village (masked names, as on cekbansos.kemensos.go.id)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict

from api import regions
from api.identifiers import BirthDate, Nik, mask_name
from api.identity.guard import Verified
from api.ministries.base import InvalidInput, NotFound
from api.ministries.kemensos import KemensosAdapter, Recipient
from api.ministries.registry import adapter

router = APIRouter(prefix="/social", tags=["social"])
Kemensos = Annotated[KemensosAdapter, Depends(adapter(KemensosAdapter))]


class ByNikIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nik: Nik
    birth_date: BirthDate


class RegionNames(BaseModel):
    province: str | None
    regency: str | None
    district: str | None
    village: str | None


class ProgrammeOut(BaseModel):
    programme: str
    period: str
    status: str
    amount: int


class RecipientOut(BaseModel):
    name: str
    region: RegionNames
    programmes: list[ProgrammeOut]


class RecipientList(BaseModel):
    items: list[RecipientOut]


def _region(village_code: str) -> RegionNames:
    names = {level.value: region.name for level, region in regions.path(village_code).items()}
    return RegionNames(**{key: names.get(key) for key in ("province", "regency", "district", "village")})


def _out(recipient: Recipient, name: str) -> RecipientOut:
    return RecipientOut(
        name=name,
        region=_region(recipient.village_code),
        programmes=[
            ProgrammeOut(programme=b.programme, period=b.period, status=b.status, amount=b.amount)
            for b in recipient.benefits
        ],
    )


@router.post("/recipients/by-nik")
async def by_nik(body: ByNikIn, kemensos: Kemensos, caller: Verified) -> RecipientOut:
    """The verified citizen's programmes this year; an empty list means not a recipient."""
    await caller.require(body.nik)
    recipient = await kemensos.by_nik(body.nik, body.birth_date)
    return _out(recipient, mask_name(recipient.name))


@router.get("/recipients")
async def search(
    kemensos: Kemensos,
    name: Annotated[str, Query(min_length=3, max_length=100)],
    village: Annotated[str, Query(min_length=10, max_length=13)],
) -> RecipientList:
    """Recipients in a village (kelurahan/desa code) whose name contains `name`."""
    place = regions.get(village)
    if place is None or place.level is not regions.Level.VILLAGE:
        if not regions.is_code(village):
            raise InvalidInput("Kode desa/kelurahan tidak valid. Contoh: 32.73.01.1001.")
        raise NotFound("Desa/kelurahan dengan kode tersebut tidak ditemukan.")
    found = await kemensos.search(name, place.code)
    return RecipientList(items=[_out(recipient, recipient.name) for recipient in found])
