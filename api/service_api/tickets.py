"""Following a call-center ticket or callback (`TKT-YYYY-NNNNNN`) by its number.

The ticket text promises that its status can be asked any time by its number
(api/callcenter/texts.py `ticket_given`). `GET /tickets/{case_number}` answers with the contact
request's status, whether an officer already has it, and the call center's opening hours, so
that the assistant can say when an officer follows up. Nothing personal is returned: not the
callback number, not the conversation.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from api.callcenter.service import CallCenterDep
from api.cases import follow, get_case, normalize_case_number, status_label
from api.db import SessionDep
from api.ministries.base import InvalidInput, NotFound
from api.models import CaseKind, utcnow

router = APIRouter(prefix="/tickets", tags=["tickets"])


class TicketOut(BaseModel):
    case_number: str
    # "callback" (an officer phones back) or "ticket" (an officer answers in the conversation).
    type: str
    # "callback", "ticket" (waiting), "in_progress" (an officer has it), "closed".
    status: str
    status_label: str
    created_at: datetime
    updated_at: datetime
    # The call center's opening hours ("Senin–Jumat 08.00–16.00 WIB") and whether it is open now.
    hours: str
    open_now: bool


@router.get("/{case_number}")
async def follow_ticket(case_number: str, session: SessionDep, callcenter: CallCenterDep) -> TicketOut:
    """The status of a call-center ticket or callback, with the hours it is followed up in."""
    number = normalize_case_number(case_number)
    if number is None or not number.startswith("TKT-"):
        raise InvalidInput("Nomor tiket tidak valid. Contoh: TKT-2026-000123.")
    case = await get_case(session, number)
    if case is None or case.kind is not CaseKind.CONTACT_REQUEST:
        raise NotFound(f"Tiket {number} tidak ditemukan. Mohon periksa kembali nomornya.")
    await follow(session, case)  # a verified conversation hears when the ticket is answered
    hours = callcenter.hours  # the hours the call center itself keeps
    return TicketOut(
        case_number=case.case_number,
        type=str(case.summary.get("type") or "ticket"),
        status=case.status,
        status_label=status_label(case.kind, case.status),
        created_at=case.created_at,
        updated_at=case.updated_at,
        hours=hours.describe(),
        open_now=hours.is_open(utcnow()),
    )
