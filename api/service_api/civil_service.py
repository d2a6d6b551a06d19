"""Civil service (SSCASN, BKN): the CASN selection's requirements and schedule, and a
participant's results (participant number + birth date)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, BeforeValidator, ConfigDict

from api.identifiers import BirthDate, invalid, mask_name
from api.identity.guard import Unverified, Verified
from api.ministries.base import IdentityMismatch, NotFound
from api.ministries.bkn import BknAdapter
from api.ministries.registry import adapter

router = APIRouter(prefix="/civil-service", tags=["civil-service"])
Bkn = Annotated[BknAdapter, Depends(adapter(BknAdapter))]


def _participant_number(value: object) -> str:
    digits = re.sub(r"[\s.\-]", "", str(value)) if isinstance(value, str | int) else ""
    if not digits.isdigit() or not 8 <= len(digits) <= 20:
        raise invalid("Nomor peserta harus berupa angka (8–20 digit), sesuai kartu ujian SSCASN.")
    return digits


ParticipantNumber = Annotated[str, BeforeValidator(_participant_number)]


class StageOut(BaseModel):
    stage: str
    start: date
    end: date


class SelectionOut(BaseModel):
    year: int
    requirements: list[str]
    schedule: list[StageOut]
    schedule_note: str
    legal_basis: str


class ResultIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    participant_number: ParticipantNumber
    birth_date: BirthDate


class ResultStageOut(BaseModel):
    stage: str
    score: float | None
    passing_grade: float | None
    passed: bool | None


class ResultOut(BaseModel):
    name: str
    position: str
    agency: str
    stages: list[ResultStageOut]
    final: Literal["lulus", "tidak_lulus", "proses"]


@router.get("/casn")
async def selection(bkn: Bkn) -> SelectionOut:
    """The CASN selection: which year, the requirements, the schedule (as BKN announced it)."""
    found = await bkn.selection()
    return SelectionOut(
        year=found.year,
        requirements=found.requirements,
        schedule=[StageOut(stage=stage, start=start, end=end) for stage, start, end in found.schedule],
        schedule_note=(
            f"Jadwal seleksi CPNS {found.year} sesuai pengumuman resmi BKN/Panselnas. Untuk seleksi "
            "yang sedang berjalan, selalu periksa pengumuman terbaru di sscasn.bkn.go.id."
        ),
        legal_basis=found.legal_basis,
    )


@router.post("/results")
async def results(body: ResultIn, bkn: Bkn, caller: Verified) -> ResultOut:
    """The verified participant's SKD and SKB scores against the passing grades, and the final
    result. Someone else's number, an unknown number and a wrong birth date answer alike."""
    caller.require_session()
    try:
        found = await bkn.result(body.participant_number, body.birth_date)
    except (NotFound, IdentityMismatch):
        raise Unverified() from None
    await caller.require(found.nik)
    return ResultOut(
        name=mask_name(found.name),
        position=found.position,
        agency=found.agency,
        stages=[ResultStageOut(**stage.__dict__) for stage in found.stages],
        final=found.final,  # type: ignore[arg-type]
    )
