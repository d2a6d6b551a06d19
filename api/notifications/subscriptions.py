"""Who is told of a case's changes: the conversations subscribed to it.

A conversation is subscribed when its verified citizen opens the case (api/cases.py
`open_case`) or follows it by its number (api/service_api/cases.py and tickets.py), on the
conversation's own channel. Only the case's events after the subscription are news to it.
"berhenti kabari saya" ends the conversation's subscriptions (`stop`); following the case
again later subscribes it anew.

Imports only the models and the verified sessions, so that api/cases.py can call it.
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.identity import sessions
from api.models import Case, CaseEvent, CaseNotification, CaseSubscription, UpdateEmail, utcnow


async def verified(session: AsyncSession, conversation_id: uuid.UUID) -> bool:
    """Whether the conversation holds a live verified session (OTP, the channel's own
    number or INApas: api/identity/sessions.py)."""
    return await sessions.verified_nik(session, conversation_id) is not None


async def subscribe(session: AsyncSession, case: Case, conversation_id: uuid.UUID) -> bool:
    """Subscribe the conversation to the case's changes from now on, if its citizen is
    verified; a stopped subscription starts again. The case must be flushed. Does not commit;
    True when the conversation is (now) subscribed."""
    if not await verified(session, conversation_id):
        return False
    latest = await session.scalar(select(func.max(CaseEvent.id)).where(CaseEvent.case_id == case.id))
    existing = await session.scalar(
        select(CaseSubscription).where(
            CaseSubscription.case_id == case.id, CaseSubscription.conversation_id == conversation_id
        )
    )
    if existing is None:
        session.add(
            CaseSubscription(case_id=case.id, conversation_id=conversation_id, since_event_id=latest or 0)
        )
    elif existing.stopped_at is not None:
        existing.stopped_at = None
        existing.since_event_id = latest or 0
    return True


async def stop(session: AsyncSession, conversation_id: uuid.UUID, case_id: int | None = None) -> int:
    """End the conversation's subscriptions (to one case, or all); updates not yet sent are
    dropped. Ending all also withdraws the consent to updates by e-mail and forgets the
    address (emails.py). Commits; returns how many subscriptions ended."""
    condition = [CaseSubscription.conversation_id == conversation_id, CaseSubscription.stopped_at.is_(None)]
    if case_id is not None:
        condition.append(CaseSubscription.case_id == case_id)
    ended = list((await session.scalars(select(CaseSubscription.id).where(*condition))).all())
    if ended:
        await session.execute(
            update(CaseSubscription).where(CaseSubscription.id.in_(ended)).values(stopped_at=utcnow())
        )
        await session.execute(
            delete(CaseNotification).where(
                CaseNotification.subscription_id.in_(ended), CaseNotification.recorded_at.is_(None)
            )
        )
    if case_id is None:
        await session.execute(
            update(UpdateEmail)
            .where(UpdateEmail.conversation_id == conversation_id, UpdateEmail.state != "withdrawn")
            .values(state="withdrawn", address=None, decided_at=utcnow())
        )
    await session.commit()
    return len(ended)


async def active_cases(session: AsyncSession, conversation_id: uuid.UUID) -> list[str]:
    """The case numbers the conversation is told about."""
    query = (
        select(Case.case_number)
        .join(CaseSubscription, CaseSubscription.case_id == Case.id)
        .where(CaseSubscription.conversation_id == conversation_id, CaseSubscription.stopped_at.is_(None))
        .order_by(Case.id)
    )
    return list((await session.scalars(query)).all())
