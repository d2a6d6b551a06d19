"""The console's history: a queued conversation previewed before it is claimed, hand-offs
searched by ticket or case number, phone or verified NIK, date, team and disposition, a past
conversation read back, and a citizen's earlier contacts beside the open conversation
(docs/call-center.md#history-and-search).

People are found by keyed hashes (api/callcenter/lookup_keys.py): a NIK or a phone number is
hashed as soon as it arrives and never reaches a query, a log line or the audit log in clear.
What an agent may see follows the queue's rule (`can_see`): their teams' hand-offs and their
own; supervisors see every team's.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.callcenter import handoff as machine
from api.callcenter import queries
from api.callcenter.lookup_keys import callback_key, nik_key, phone_e164, whatsapp_key
from api.callcenter.service import can_see
from api.callcenter.teams import TEAMS
from api.cases import normalize_case_number
from api.conversations import store
from api.models import (
    Agent,
    AgentRole,
    Case,
    ChannelThread,
    Conversation,
    Direction,
    Handoff,
    Message,
    VerifiedIdentity,
    VerifiedSession,
    WhatsAppIdentity,
)
from api.schemas import MessageOut

PAGE_SIZE = 20
EARLIER_LIMIT = 20
# Without a number or dates, a search covers this many days back.
DEFAULT_DAYS = 30
# The dispositions an agent closes with, and the one the idle timeout gives.
DISPOSITIONS = (*machine.DISPOSITIONS, "abandoned")
DISPOSITION_NAMES = {
    "resolved": "Selesai",
    "unresolved": "Belum terselesaikan",
    "follow_up": "Perlu tindak lanjut",
    "abusive": "Kasar / penyalahgunaan",
    "abandoned": "Ditinggalkan warga",
}
_NIK = re.compile(r"[0-9]{16}")

Kind = Literal["case", "phone", "nik"]


class NotRecognised(ValueError):
    """The number typed is no ticket or case number, phone number or NIK."""


@dataclass(frozen=True)
class Identifier:
    kind: Kind
    value: str  # normalised: the case number in capitals, the phone as E.164, the NIK's digits


def identify(text: str) -> Identifier:
    """What an agent typed in the search box: a ticket or case number (TKT-2026-000012), a NIK
    (16 digits) or a phone number (0812..., +62...), full-width digits too. `NotRecognised`
    otherwise."""
    text = unicodedata.normalize("NFKC", text)
    case_number = normalize_case_number(text)
    if case_number is not None:
        return Identifier("case", case_number)
    compact = re.sub(r"[\s.()\-]", "", text)
    if _NIK.fullmatch(compact):
        return Identifier("nik", compact)
    phone = phone_e164(compact) if compact else None
    if phone is not None:
        return Identifier("phone", phone)
    raise NotRecognised(text)


@dataclass(frozen=True)
class Search:
    identifier: Identifier | None = None
    date_from: date | None = None
    date_to: date | None = None
    team: str | None = None
    disposition: str | None = None
    page: int = 1


class SearchPage(BaseModel):
    items: list[queries.HandoffSummary]
    total: int
    page: int
    pages: int
    page_size: int


class HandoffPreview(queries.HandoffSummary):
    """A waiting hand-off, read only: what the citizen wrote so far, no identity, no notes."""

    transcript: list[MessageOut]


class PastHandoff(queries.HandoffSummary):
    notes: list[queries.NoteOut]
    events: list[queries.EventOut]


class ConversationRecord(BaseModel):
    """A conversation read back from the history: its messages, its hand-offs and its cases."""

    conversation_id: uuid.UUID
    channel: str
    started_at: datetime
    transcript: list[MessageOut]
    handoffs: list[PastHandoff]
    cases: list[queries.CaseRef]


class EarlierContact(BaseModel):
    conversation_id: uuid.UUID
    channel: str
    started_at: datetime
    last_message_at: datetime | None
    # How it is the same citizen: the same channel account, or the same verified person.
    link: Literal["channel", "person"]
    preview: str
    handoffs: int
    team_name: str | None
    disposition: str | None
    case_numbers: list[str]


# --- Who may see what ---------------------------------------------------------------------------


def visible(agent: Agent) -> ColumnElement[bool]:
    """`can_see` as SQL: the hand-offs an agent may find in the history."""
    if agent.role is AgentRole.SUPERVISOR:
        return Handoff.id.is_not(None)
    return or_(Handoff.team.in_(list(agent.teams or [])), Handoff.agent_id == agent.id)


async def may_read(
    session: AsyncSession, agent: Agent, conversation_id: uuid.UUID, via: Handoff | None = None
) -> bool:
    """Whether `agent` may read a past conversation: a supervisor; an agent who can see one of
    its hand-offs; or the agent holding `via`, when it is one of that citizen's earlier contacts."""
    if agent.role is AgentRole.SUPERVISOR:
        return True
    found = await session.scalar(
        select(Handoff.id).where(Handoff.conversation_id == conversation_id, visible(agent)).limit(1)
    )
    if found is not None:
        return True
    if via is None or not may_list_earlier(agent, via):
        return False
    return conversation_id in {contact.conversation_id for contact in await earlier_contacts(session, via)}


def may_list_earlier(agent: Agent, handoff: Handoff) -> bool:
    """Whether `agent` may see the earlier contacts of `handoff`: they reach into other teams'
    conversations, so only a supervisor or the agent holding it now."""
    if agent.role is AgentRole.SUPERVISOR:
        return True
    return handoff.state is machine.ACTIVE and handoff.agent_id == agent.id


# --- Search -------------------------------------------------------------------------------------


def day_range(search: Search, zone: tzinfo, today: date) -> tuple[datetime | None, datetime | None]:
    """The searched days as instants in the call center's time zone; `DEFAULT_DAYS` back from
    `today` when neither a number nor a date narrows the search."""
    start_day, end_day = search.date_from, search.date_to
    if search.identifier is None and start_day is None and end_day is None:
        start_day = today - timedelta(days=DEFAULT_DAYS - 1)
    start = datetime.combine(start_day, time.min, zone) if start_day else None
    end = datetime.combine(end_day + timedelta(days=1), time.min, zone) if end_day else None
    return start, end


async def _conversations_of(session: AsyncSession, identifier: Identifier) -> ColumnElement[bool]:
    """The hand-offs the identifier names, as a condition."""
    if identifier.kind == "case":
        opened_in = select(Case.conversation_id).where(
            Case.case_number == identifier.value, Case.conversation_id.is_not(None)
        )
        return or_(Handoff.case_number == identifier.value, Handoff.conversation_id.in_(opened_in))
    if identifier.kind == "nik":
        key = nik_key(identifier.value)
        return Handoff.conversation_id.in_(
            select(VerifiedIdentity.conversation_id)
            .where(VerifiedIdentity.nik_hash == key)
            .union(select(VerifiedSession.conversation_id).where(VerifiedSession.nik_hash == key))
        )
    # A phone: the number a callback was booked to, or the WhatsApp account writing from it
    # (its BSUID thread, or the number itself for accounts from before BSUIDs).
    users = list(
        await session.scalars(
            select(ChannelThread.channel_user_id)
            .join(WhatsAppIdentity, WhatsAppIdentity.thread_id == ChannelThread.id)
            .where(WhatsAppIdentity.phone_hash == whatsapp_key(identifier.value))
        )
    )
    users.append(identifier.value.lstrip("+"))
    on_whatsapp = select(Conversation.id).where(
        Conversation.channel == "whatsapp", Conversation.channel_user_id.in_(users)
    )
    return or_(
        Handoff.callback_phone_hash == callback_key(identifier.value),
        Handoff.conversation_id.in_(on_whatsapp),
    )


async def search(
    session: AsyncSession, agent: Agent, request: Search, zone: tzinfo, today: date
) -> SearchPage:
    """The hand-offs matching `request` that `agent` may see, newest first, one page."""
    conditions: list[ColumnElement[bool]] = [visible(agent)]
    if request.identifier is not None:
        conditions.append(await _conversations_of(session, request.identifier))
    start, end = day_range(request, zone, today)
    if start is not None:
        conditions.append(Handoff.requested_at >= start)
    if end is not None:
        conditions.append(Handoff.requested_at < end)
    if request.team is not None:
        conditions.append(Handoff.team == request.team)
    if request.disposition is not None:
        conditions.append(Handoff.disposition == request.disposition)
    if start is not None and end is not None and end <= start:
        conditions.append(false())
    total = int(await session.scalar(select(func.count()).select_from(Handoff).where(*conditions)) or 0)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(request.page, pages)
    rows = (
        select(Handoff)
        .where(*conditions)
        .order_by(Handoff.requested_at.desc(), Handoff.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    items = [await queries.summary(session, handoff) for handoff in await session.scalars(rows)]
    return SearchPage(items=items, total=total, page=page, pages=pages, page_size=PAGE_SIZE)


# --- Preview and past conversations ---------------------------------------------------------------


async def preview(session: AsyncSession, handoff: Handoff) -> HandoffPreview:
    transcript = await store.history(session, handoff.conversation_id, queries.TRANSCRIPT_LIMIT)
    return HandoffPreview(
        **(await queries.summary(session, handoff)).model_dump(),
        transcript=[MessageOut.model_validate(message) for message in transcript],
    )


async def record(session: AsyncSession, conversation: Conversation, agent: Agent) -> ConversationRecord:
    """A past conversation as `agent` may read it: the hand-offs of it they may see (every one
    for a supervisor), with their notes and events."""
    transcript = await store.history(session, conversation.id, queries.TRANSCRIPT_LIMIT)
    handoffs = await session.scalars(
        select(Handoff).where(Handoff.conversation_id == conversation.id).order_by(Handoff.id.desc())
    )
    past: list[PastHandoff] = []
    for handoff in handoffs:
        if not can_see(agent, handoff):
            continue
        notes, events = await queries.notes_and_events(session, handoff)
        past.append(
            PastHandoff(**(await queries.summary(session, handoff)).model_dump(), notes=notes, events=events)
        )
    return ConversationRecord(
        conversation_id=conversation.id,
        channel=conversation.channel,
        started_at=conversation.created_at,
        transcript=[MessageOut.model_validate(message) for message in transcript],
        handoffs=past,
        cases=await queries.open_cases(session, conversation.id),
    )


# --- Earlier contacts -------------------------------------------------------------------------------


async def _person_keys(session: AsyncSession, conversation_id: uuid.UUID) -> set[str]:
    """The keyed hash of the NIK the citizen proved in a conversation (a verified session: OTP
    or the channel). Never the NIK of a look-up (`VerifiedIdentity`): that may be a relative's
    (a family card's immunisations, a mother's BPJS), and linking by it would show one person's
    conversations as another's."""
    bound = await session.scalar(
        select(VerifiedSession.nik_hash).where(VerifiedSession.conversation_id == conversation_id)
    )
    return {bound} if bound else set()


async def earlier_contacts(session: AsyncSession, handoff: Handoff) -> list[EarlierContact]:
    """The citizen's other conversations, newest first: on the same channel account, or
    verified with the same NIK (on any channel). Agent-assist sessions are not contacts."""
    conversation = await session.get(Conversation, handoff.conversation_id)
    if conversation is None:
        return []
    links: dict[uuid.UUID, Literal["channel", "person"]] = {}
    if conversation.channel_user_id:
        same_account = await session.scalars(
            select(Conversation.id).where(
                Conversation.channel == conversation.channel,
                Conversation.channel_user_id == conversation.channel_user_id,
            )
        )
        links.update(dict.fromkeys(same_account, "channel"))
    keys = await _person_keys(session, conversation.id)
    if keys:
        same_person = await session.scalars(
            select(VerifiedSession.conversation_id).where(VerifiedSession.nik_hash.in_(keys))
        )
        for conversation_id in same_person:
            links.setdefault(conversation_id, "person")
    links.pop(conversation.id, None)
    if not links:
        return []
    others = await session.scalars(
        select(Conversation)
        .where(Conversation.id.in_(list(links)), Conversation.channel != "assist")
        .order_by(Conversation.created_at.desc())
        .limit(EARLIER_LIMIT)
    )
    return [await _contact(session, other, links[other.id]) for other in others]


async def _contact(
    session: AsyncSession, conversation: Conversation, link: Literal["channel", "person"]
) -> EarlierContact:
    latest = (
        await session.execute(
            select(Message.text, Message.created_at)
            .where(Message.conversation_id == conversation.id)
            .order_by(Message.id.desc())
            .limit(1)
        )
    ).first()
    first_words = await session.scalar(
        select(Message.text)
        .where(Message.conversation_id == conversation.id, Message.direction == Direction.IN)
        .order_by(Message.id)
        .limit(1)
    )
    handoffs = list(
        await session.scalars(
            select(Handoff).where(Handoff.conversation_id == conversation.id).order_by(Handoff.id.desc())
        )
    )
    cases = await session.scalars(
        select(Case.case_number)
        .where(Case.conversation_id == conversation.id)
        .order_by(Case.id.desc())
        .limit(5)
    )
    # A ticket or callback's number is a case too (api/callcenter/service.py `_book`).
    numbers = list(dict.fromkeys([*(h.case_number for h in handoffs if h.case_number), *cases]))
    last = handoffs[0] if handoffs else None
    return EarlierContact(
        conversation_id=conversation.id,
        channel=conversation.channel,
        started_at=conversation.created_at,
        last_message_at=latest.created_at if latest else None,
        link=link,
        preview=(first_words or "")[: queries.PREVIEW_CHARS],
        handoffs=len(handoffs),
        team_name=TEAMS.get(last.team, last.team) if last else None,
        disposition=last.disposition if last else None,
        case_numbers=numbers[:5],
    )


def describe(request: Search, team_names: dict[str, str] = TEAMS) -> str:
    """A search in words for the audit log, without the number searched (the log keeps its hash)."""
    parts = []
    if request.identifier is not None:
        parts.append(
            {"case": "Nomor tiket/kasus", "phone": "Nomor telepon", "nik": "NIK"}[request.identifier.kind]
        )
    if request.date_from or request.date_to:
        start = request.date_from.strftime("%d-%m-%Y") if request.date_from else "awal"
        end = request.date_to.strftime("%d-%m-%Y") if request.date_to else "hari ini"
        parts.append(f"tanggal {start} s.d. {end}")
    if request.team:
        parts.append(f"tim {team_names.get(request.team, request.team)}")
    if request.disposition:
        parts.append(f"hasil {DISPOSITION_NAMES.get(request.disposition, request.disposition)}")
    return "Pencarian riwayat: " + (", ".join(parts) if parts else f"{DEFAULT_DAYS} hari terakhir")
