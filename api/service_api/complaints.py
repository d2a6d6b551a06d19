"""Complaints (LAPOR! SP4N): categories, filing a report (an LPR case), following it.

Deadlines count working days (`api.working_days`): LAPOR! verifies a report, then the agency
it is passed to follows it up, within LAPOR!'s published days (facts `lapor.*_working_days`).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, status
from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.cases import (
    WIB,
    follow,
    get_case,
    normalize_case_number,
    open_case,
    record_statuses,
    register_case_type,
)
from api.db import SessionDep
from api.identifiers import Nik, invalid
from api.ministries.base import InvalidInput, NotFound
from api.ministries.lapor import LaporAdapter, Report
from api.ministries.registry import Ministries, adapter
from api.models import Case, CaseKind
from api.text import clean_text
from api.working_days import add_working_days
from knowledge import facts

router = APIRouter(prefix="/complaints", tags=["complaints"])
Lapor = Annotated[LaporAdapter, Depends(adapter(LaporAdapter))]

# LAPOR!'s basis; the days are its published procedure (which regulation sets them is unverified).
LEGAL_BASIS = facts.get("lapor.system").basis
VERIFY_WORKING_DAYS = int(facts.get("lapor.verify_working_days").number)
FOLLOW_UP_WORKING_DAYS = int(facts.get("lapor.follow_up_working_days").number)
STATUS_LABELS = {
    "diterima": "Laporan diterima, menunggu verifikasi",
    "terverifikasi": "Laporan sudah diverifikasi",
    "diteruskan": "Diteruskan ke instansi berwenang",
    "ditindaklanjuti": "Sedang ditindaklanjuti instansi",
    "selesai": "Selesai ditindaklanjuti",
    "bukan_kewenangan": "Bukan kewenangan instansi pelayanan publik yang dituju",
    "diarsipkan": "Diarsipkan",
}
_TRACKING_ID = re.compile(r"^#?\d{7}$")


class CategoryOut(BaseModel):
    key: str
    label: str


class CategoriesOut(BaseModel):
    items: list[CategoryOut]


class ComplaintIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{
            "category": "infrastruktur", "location": "Jl. Merdeka dekat SDN 2, Kota Bandung",
            "description": "Jalan berlubang besar sejak dua minggu dan membahayakan pengendara motor.",
        }]},
    )  # fmt: skip
    category: str = Field(min_length=1, max_length=50)
    location: str = Field(min_length=1, max_length=300)
    description: str = Field(min_length=1, max_length=4000)
    nik: Nik | None = None

    @field_validator("location")
    @classmethod
    def _location(cls, value: str) -> str:
        value = clean_text(value)
        if len(value) < 3:
            raise invalid("Lokasi kejadian wajib diisi, misalnya nama jalan dan kota.")
        return value

    @field_validator("description")
    @classmethod
    def _description(cls, value: str) -> str:
        value = clean_text(value)
        if len(value) < 15:
            raise invalid("Isi laporan terlalu singkat. Ceritakan apa yang terjadi, kapan, dan di mana.")
        return value


class ComplaintCreated(BaseModel):
    case_number: str
    tracking_id: str
    status: str
    verify_by: date
    follow_up_by: date
    legal_basis: str


class EventOut(BaseModel):
    status: str
    status_label: str
    at: datetime


class ComplaintOut(BaseModel):
    case_number: str | None
    tracking_id: str
    category: str
    status: str
    status_label: str
    agency: str | None
    history: list[EventOut]
    verify_by: date
    follow_up_by: date | None
    legal_basis: str


def deadlines(report: Report) -> tuple[date, date | None]:
    """Verification due 3 working days after filing; follow-up due 5 working days after the
    report was passed on (or after the verification deadline while it is not yet). No
    follow-up deadline for a report closed at verification."""
    verify_by = add_working_days(report.filed_at.astimezone(WIB).date(), VERIFY_WORKING_DAYS)
    if report.reached_at("bukan_kewenangan") or report.reached_at("diarsipkan"):
        return verify_by, None
    passed_on = report.reached_at("diteruskan")
    start = passed_on.astimezone(WIB).date() if passed_on else verify_by
    return verify_by, add_working_days(start, FOLLOW_UP_WORKING_DAYS)


@router.get("/categories")
async def categories(lapor: Lapor) -> CategoriesOut:
    return CategoriesOut(items=[CategoryOut(key=c.key, label=c.label) for c in await lapor.categories()])


@router.post("", status_code=status.HTTP_201_CREATED)
async def file_complaint(body: ComplaintIn, lapor: Lapor, session: SessionDep) -> ComplaintCreated:
    """File a report with LAPOR!; opens an LPR case. The NIK is optional (anonymous reports)."""
    labels = {category.key: category.label for category in await lapor.categories()}
    if body.category not in labels:
        raise InvalidInput(f"Kategori tidak dikenal. Pilih salah satu: {', '.join(labels)}.")
    report = await lapor.file(body.category, body.description, body.location, body.nik)
    case = await open_case(
        session,
        CaseKind.COMPLAINT,
        status=report.status,
        reference=report.tracking_id,
        summary={
            "category": body.category,
            "category_label": labels[body.category],
            "tracking_id": report.tracking_id,
        },  # fmt: skip
        at=report.filed_at,
    )
    verify_by, follow_up_by = deadlines(report)
    assert follow_up_by is not None
    return ComplaintCreated(
        case_number=case.case_number,
        tracking_id=report.tracking_id,
        status=report.status,
        verify_by=verify_by,
        follow_up_by=follow_up_by,
        legal_basis=LEGAL_BASIS,
    )


@router.get("/{case_number}")
async def follow_complaint(
    case_number: Annotated[
        str, Path(description="Nomor kasus LPR-YYYY-NNNNN, atau nomor pelacakan LAPOR! (7 digit)")
    ],
    lapor: Lapor,
    session: SessionDep,
) -> ComplaintOut:
    """A complaint's status and history, from LAPOR!. Takes the assistant's LPR case number or
    the 7-digit tracking number of a report filed on lapor.go.id."""
    text = case_number.strip()
    case: Case | None = None
    number = normalize_case_number(text)
    if number is not None and number.startswith("LPR-"):
        case = await get_case(session, number)
        if case is None or case.reference is None:
            raise NotFound(f"Nomor {number} tidak ditemukan. Mohon periksa kembali nomornya.")
        tracking_id = case.reference
    elif _TRACKING_ID.fullmatch(text):
        tracking_id = text.lstrip("#")
    else:
        raise InvalidInput(
            "Nomor laporan tidak valid. Contoh: LPR-2026-00042, atau nomor pelacakan LAPOR! 7 digit."
        )
    report = await lapor.report(tracking_id)
    if case is not None and record_statuses(case, report.history):
        await session.commit()
    if case is not None:
        await follow(session, case)
    verify_by, follow_up_by = deadlines(report)
    return ComplaintOut(
        case_number=case.case_number if case else None,
        tracking_id=report.tracking_id,
        category=report.category,
        status=report.status,
        status_label=STATUS_LABELS[report.status],
        agency=report.agency,
        history=[EventOut(status=s, status_label=STATUS_LABELS[s], at=at) for s, at in report.history],
        verify_by=verify_by,
        follow_up_by=follow_up_by,
        legal_basis=LEGAL_BASIS,
    )


async def _track(ministries: Ministries, case: Case) -> list[tuple[str, datetime]]:
    if case.reference is None:
        return []
    return (await ministries.get(LaporAdapter).report(case.reference)).history


register_case_type(CaseKind.COMPLAINT, STATUS_LABELS, _track)
