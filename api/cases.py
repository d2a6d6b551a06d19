"""Cases the assistant opens at a ministry, each followed by a case number from any channel.

Numbers: `ADM-YYYY-NNNNNN` (population applications), `LPR-YYYY-NNNNN` (LAPOR! complaints),
`SKCK-YYYY-NNNNNN` (SKCK requests), `BIL-YYYY-NNNNNN` (billings), `TKT-YYYY-NNNNNN` (call-center
callbacks and tickets), `CASN-YYYY-NNNNNN` (CASN results followed), the year in WIB. They are
allocated from `case_counters` inside the transaction that stores the case: the counter row
is written first (insert-if-missing, then `UPDATE ... RETURNING`), which takes PostgreSQL's
row lock or SQLite's write lock, so concurrent allocations queue and never repeat.

Each case kind registers its status labels and, optionally, a tracker that asks the ministry
for the case's current history (`register_case_type`); `refresh` merges that history into
the stored one. A verified conversation that opens or follows a case is subscribed to its
changes (api/notifications/subscriptions.py, docs/notifications.md).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from api.ministries.base import ServiceError
from api.models import Case, CaseCounter, CaseEvent, CaseKind, utcnow
from api.notifications import subscriptions

if TYPE_CHECKING:
    from api.ministries.registry import Ministries

logger = logging.getLogger(__name__)

WIB = timezone(timedelta(hours=7), "WIB")

# Prefix and number of digits of each kind's case numbers.
NUMBER_FORMATS: dict[CaseKind, tuple[str, int]] = {
    CaseKind.POPULATION_APPLICATION: ("ADM", 6),
    CaseKind.COMPLAINT: ("LPR", 5),
    CaseKind.SKCK: ("SKCK", 6),
    CaseKind.BILLING: ("BIL", 6),
    CaseKind.CONTACT_REQUEST: ("TKT", 6),
    CaseKind.CASN_RESULT: ("CASN", 6),
}
CASE_NUMBER = re.compile(
    "|".join(rf"^{prefix}-\d{{4}}-\d{{{width},9}}$" for prefix, width in NUMBER_FORMATS.values())
)

# The conversation a service request comes from (the action server's X-Conversation-ID),
# set by the service API for the length of the request (api/callcenter/access.py).
current_conversation: ContextVar[uuid.UUID | None] = ContextVar("current_conversation", default=None)

StatusAt = tuple[str, datetime]
Tracker = Callable[["Ministries", Case], Awaitable[list[StatusAt]]]
"""Asks the ministry for a case's full status history, oldest first."""


@dataclass(frozen=True)
class CaseType:
    kind: CaseKind
    labels: dict[str, str]  # status → Indonesian label
    tracker: Tracker | None = None


CASE_TYPES: dict[CaseKind, CaseType] = {}


def register_case_type(kind: CaseKind, labels: dict[str, str], tracker: Tracker | None = None) -> None:
    """Declare a kind's status labels and its tracker (called by the routes' modules)."""
    CASE_TYPES[kind] = CaseType(kind, labels, tracker)


def status_label(kind: CaseKind, status: str) -> str:
    case_type = CASE_TYPES.get(kind)
    if case_type is not None and status in case_type.labels:
        return case_type.labels[status]
    return status.replace("_", " ").capitalize()


def normalize_case_number(value: str) -> str | None:
    """`adm-2026-000123 ` → `ADM-2026-000123`; None when it is not a case number."""
    candidate = value.strip().upper()
    return candidate if CASE_NUMBER.fullmatch(candidate) else None


async def allocate_case_number(session: AsyncSession, kind: CaseKind, year: int) -> str:
    """The next free number of `kind` in `year`, inside the session's transaction."""
    prefix, width = NUMBER_FORMATS[kind]
    connection = await session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    await session.execute(
        dialect.insert(CaseCounter)
        .values(prefix=prefix, year=year, value=0)
        .on_conflict_do_nothing(index_elements=["prefix", "year"])
    )
    value = await session.scalar(
        update(CaseCounter)
        .where(CaseCounter.prefix == prefix, CaseCounter.year == year)
        .values(value=CaseCounter.value + 1)
        .returning(CaseCounter.value)
    )
    assert value is not None
    return f"{prefix}-{year}-{value:0{width}d}"


async def open_case(
    session: AsyncSession,
    kind: CaseKind,
    *,
    status: str,
    reference: str | None = None,
    summary: dict[str, Any] | None = None,
    at: datetime | None = None,
    conversation_id: uuid.UUID | None = None,
    earlier: list[StatusAt] | None = None,
) -> Case:
    """Store a new case with a fresh number and its first status (after the `earlier` ones
    the ministry already reached, not news to a subscriber); commits. The case belongs to
    `conversation_id`, or to the conversation whose action server made the request."""
    at = at or utcnow()
    number = await allocate_case_number(session, kind, at.astimezone(WIB).year)
    case = Case(
        case_number=number,
        kind=kind,
        status=status,
        reference=reference,
        summary=summary or {},
        conversation_id=conversation_id or current_conversation.get(),
        created_at=at,
        updated_at=at,
    )
    case.events = [CaseEvent(status=s, at=when.astimezone(UTC)) for s, when in earlier or []]
    case.events.append(CaseEvent(status=status, at=at))
    session.add(case)
    if case.conversation_id is not None and kind is not CaseKind.CONTACT_REQUEST:
        # Its verified citizen hears of its changes (a ticket's answer comes in its own
        # conversation anyway).
        await session.flush()
        await subscriptions.subscribe(session, case, case.conversation_id)
    await session.commit()
    return case


async def follow(session: AsyncSession, case: Case) -> None:
    """The conversation making this request follows the case: a verified one is told of its
    changes from now on (api/notifications). Commits."""
    conversation_id = current_conversation.get()
    if conversation_id is not None and await subscriptions.subscribe(session, case, conversation_id):
        await session.commit()


async def get_case(session: AsyncSession, case_number: str) -> Case | None:
    query = select(Case).where(Case.case_number == case_number).options(selectinload(Case.events))
    return await session.scalar(query)


def record_statuses(case: Case, history: list[StatusAt]) -> bool:
    """Append the statuses of `history` the case has not reached yet; True if any."""
    seen = {event.status for event in case.events}
    added = False
    for status, at in history:
        if status not in seen:
            case.events.append(CaseEvent(status=status, at=at.astimezone(UTC)))
            seen.add(status)
            case.status = status
            added = True
    if added:
        case.updated_at = max(event.at for event in case.events)
    return added


async def refresh(session: AsyncSession, case: Case, ministries: Ministries) -> Case:
    """Bring the case up to date from its ministry. When the ministry cannot answer, the
    stored state is kept (and the failure logged): following a case never fails on it."""
    case_type = CASE_TYPES.get(case.kind)
    if case_type is None or case_type.tracker is None:
        return case
    try:
        history = await case_type.tracker(ministries, case)
    except ServiceError as error:
        logger.warning("case kind=%s not refreshed: %s", case.kind.value, error.error_code)
        return case
    if record_statuses(case, history):
        await session.commit()
    return case
