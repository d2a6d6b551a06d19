"""Case updates the citizen receives (api/notifications): which cases the conversation is
told about, and "berhenti kabari saya" (stop them: all, or one case by its number)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.cases import current_conversation, get_case, normalize_case_number
from api.db import SessionDep
from api.ministries.base import InvalidInput, NotFound
from api.notifications import subscriptions

router = APIRouter(prefix="/notifications", tags=["notifications"])


class StopIn(BaseModel):
    # One case (its number); none: every case the conversation follows.
    case_number: str | None = Field(default=None, max_length=64)


class SubscriptionsOut(BaseModel):
    # The case numbers the conversation is still told about.
    case_numbers: list[str]
    # How many subscriptions this request ended (0 for a read).
    stopped: int = 0


@router.get("/subscriptions")
async def list_subscriptions(session: SessionDep) -> SubscriptionsOut:
    """The cases whose changes this conversation (`X-Conversation-ID`) is told about."""
    conversation_id = current_conversation.get()
    if conversation_id is None:
        raise InvalidInput("Percakapan tidak dikenal.")
    return SubscriptionsOut(case_numbers=await subscriptions.active_cases(session, conversation_id))


@router.post("/stop")
async def stop_updates(body: StopIn, session: SessionDep) -> SubscriptionsOut:
    """Stop this conversation's case updates: of one case, or all of them."""
    conversation_id = current_conversation.get()
    if conversation_id is None:
        raise InvalidInput("Percakapan tidak dikenal.")
    case_id: int | None = None
    if body.case_number is not None:
        number = normalize_case_number(body.case_number)
        case = await get_case(session, number) if number is not None else None
        if case is None:
            raise NotFound("Nomor kasus tidak ditemukan. Mohon periksa kembali nomornya.")
        case_id = case.id
    stopped = await subscriptions.stop(session, conversation_id, case_id)
    return SubscriptionsOut(
        case_numbers=await subscriptions.active_cases(session, conversation_id), stopped=stopped
    )
