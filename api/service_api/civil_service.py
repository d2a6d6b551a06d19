"""Civil service (SSCASN, BKN): the CASN selection's requirements and schedule, and a
participant's results (participant number + birth date).

A verified participant who checks their result follows it as a case (`CASN-YYYY-NNNNNN`,
reference: the participant number): each new BKN announcement naming them (administration,
SKD, final results; public lists by participant number) becomes a case event, and the
conversation is told (api/notifications, docs/notifications.md)."""

from __future__ import annotations

import logging
import re
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, BeforeValidator, ConfigDict
from sqlalchemy import select

from api.cases import follow, open_case, record_statuses, register_case_type
from api.db import SessionDep
from api.identifiers import BirthDate, invalid, mask_name
from api.identity.guard import Unverified, Verified
from api.ministries.base import IdentityMismatch, NotFound, ServiceError
from api.ministries.bkn import BknAdapter
from api.ministries.registry import Ministries, adapter
from api.models import Case, CaseKind, utcnow

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/civil-service", tags=["civil-service"])

# A followed result's statuses: what the latest announcement naming the participant says.
REGISTERED = "terdaftar"
STATUS_LABELS = {
    REGISTERED: "Terdaftar, menunggu pengumuman",
    "lulus_administrasi": "Lulus seleksi administrasi",
    "lulus_skd": "Lulus SKD, berhak mengikuti SKB",
    "lulus": "Lulus seleksi",
    "tidak_lulus": "Tidak lulus",
}
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
    # The case the conversation follows: new announcements are told to a verified citizen.
    case_number: str | None = None


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
async def results(body: ResultIn, bkn: Bkn, caller: Verified, session: SessionDep) -> ResultOut:
    """The verified participant's SKD and SKB scores against the passing grades, and the final
    result. Someone else's number, an unknown number and a wrong birth date answer alike."""
    caller.require_session()
    try:
        found = await bkn.result(body.participant_number, body.birth_date)
    except (NotFound, IdentityMismatch):
        raise Unverified() from None
    await caller.require(found.nik)
    try:
        case: Case | None = await _followed(
            session, bkn, body.participant_number, found.position, found.agency
        )
    except ServiceError as error:  # the result is answered all the same; following waits
        logger.warning("casn result not followed: %s", error.error_code)
        case = None
    return ResultOut(
        name=mask_name(found.name),
        position=found.position,
        agency=found.agency,
        stages=[ResultStageOut(**stage.__dict__) for stage in found.stages],
        final=found.final,  # type: ignore[arg-type]
        case_number=case.case_number if case is not None else None,
    )


async def _followed(session: SessionDep, bkn: BknAdapter, number: str, position: str, agency: str) -> Case:
    """The participant's result case, opened at the first check (with the announcements
    already published, no news) or brought up to date; the conversation follows it."""
    history = [(item.status, item.at) for item in await bkn.announcements(number)]
    case = await session.scalar(
        select(Case).where(Case.kind == CaseKind.CASN_RESULT, Case.reference == number).order_by(Case.id)
    )
    if case is None:
        status, at = history[-1] if history else (REGISTERED, utcnow())
        return await open_case(
            session, CaseKind.CASN_RESULT, status=status, at=at, reference=number,
            summary={"position": position, "agency": agency}, earlier=history[:-1],
        )  # fmt: skip
    await session.refresh(case, ["events"])
    if record_statuses(case, history):
        await session.commit()
    await follow(session, case)
    return case


async def _track(ministries: Ministries, case: Case) -> list[tuple[str, datetime]]:
    if case.reference is None:
        return []
    return [(item.status, item.at) for item in await ministries.get(BknAdapter).announcements(case.reference)]


register_case_type(CaseKind.CASN_RESULT, STATUS_LABELS, _track)
