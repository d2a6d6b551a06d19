"""Following any case the assistant opened (application, complaint, SKCK, billing)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from api.cases import follow, get_case, normalize_case_number, refresh, status_label
from api.db import SessionDep
from api.ministries.base import InvalidInput, NotFound
from api.ministries.registry import Ministries, ministries_of
from api.models import CaseKind

router = APIRouter(prefix="/cases", tags=["cases"])


class CaseEventOut(BaseModel):
    status: str
    status_label: str
    at: datetime


class CaseOut(BaseModel):
    case_number: str
    kind: CaseKind
    status: str
    status_label: str
    created_at: datetime
    updated_at: datetime
    history: list[CaseEventOut]
    summary: dict[str, Any]


@router.get("/{case_number}")
async def follow_case(
    case_number: str, session: SessionDep, ministries: Annotated[Ministries, Depends(ministries_of)]
) -> CaseOut:
    """The case's current status and history, refreshed from its ministry when it can answer."""
    number = normalize_case_number(case_number)
    if number is None:
        raise InvalidInput(
            "Nomor kasus tidak valid. Contoh: ADM-2026-000123, LPR-2026-00042, "
            "SKCK-2026-000123, BIL-2026-000123."
        )
    case = await get_case(session, number)
    if case is None:
        raise NotFound(f"Nomor {number} tidak ditemukan. Mohon periksa kembali nomornya.")
    case = await refresh(session, case, ministries)
    await follow(session, case)
    return CaseOut(
        case_number=case.case_number,
        kind=case.kind,
        status=case.status,
        status_label=status_label(case.kind, case.status),
        created_at=case.created_at,
        updated_at=case.updated_at,
        history=[
            CaseEventOut(status=event.status, status_label=status_label(case.kind, event.status), at=event.at)
            for event in case.events
        ],
        summary=case.summary,
    )
