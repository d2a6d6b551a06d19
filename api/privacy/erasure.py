""" "Hapus data saya": a citizen's conversations, messages and Rasa trackers erased, across
the gateway and Rasa.

Two ways in:
- in the chat, on every channel: the citizen confirms, the action asks the service API
  (api/service_api/privacy.py), which marks the conversation (`erasure_requested_at`); the
  action's reply carries the erase signal, and the turn erases once Rasa has answered
  (`after_turn`) — not earlier, because Rasa saves the tracker at the end of the turn and
  would write back every event of it. The conversation stays, holding only the reply that
  says the data is gone; the citizen's other conversations go whole (`citizen_conversations`):
  when the conversation is verified, every conversation bound to the same NIK (found by its
  keyed hash, on any channel, web included); always, the channel user's conversations on the
  channel (of this conversation and of those).
- in the web widget, "Hapus percakapan": the conversation goes whole (`erase`).

What stays: the append-only audit log (who looked up which citizen, with the citizen as the
audit keeps them), the cases opened at a ministry (their summary holds no personal data; the
link to the conversation is cut), and the channel's update ids (no content).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import (
    Case,
    CaseSubscription,
    Conversation,
    Handoff,
    InapasLogin,
    Message,
    OtpChallenge,
    ProvenPhone,
    UpdateEmail,
    VaultEntry,
    VerifiedIdentity,
    VerifiedSession,
    utcnow,
)
from api.privacy.tracker_db import TrackerDatabase

logger = logging.getLogger(__name__)

# What else a conversation holds about its citizen (identity verification, the identifier
# vault): erased with the conversation's messages when the conversation itself stays.
# Its case subscriptions go too: an erased conversation hears of no case any more.
_CONVERSATION_ROWS = (
    Handoff, VerifiedIdentity, VerifiedSession, ProvenPhone, VaultEntry, InapasLogin, CaseSubscription,
    UpdateEmail,
)  # fmt: skip

# The custom reply of action_erase_my_data (actions/privacy.py); never shown to the citizen.
ERASE_SIGNAL = "erase"


async def citizen_conversations(session: AsyncSession, conversation: Conversation) -> list[uuid.UUID]:
    """The citizen's conversations: this one; when it is verified now, every conversation ever
    bound to the same NIK (its keyed hash); and the channel users' conversations of those on
    their channel. Unverified, a web conversation is only itself."""
    ids = {conversation.id}
    binding = await session.get(VerifiedSession, conversation.id, populate_existing=True)
    if binding is not None and binding.nik_hash is not None and binding.expires_at > utcnow():
        bound = select(VerifiedSession.conversation_id).where(VerifiedSession.nik_hash == binding.nik_hash)
        ids.update((await session.scalars(bound)).all())
    users = (
        await session.execute(
            select(Conversation.channel, Conversation.channel_user_id)
            .where(Conversation.id.in_(ids), Conversation.channel_user_id.is_not(None))
            .distinct()
        )
    ).all()
    if users:
        same_user = or_(
            *(
                (Conversation.channel == channel) & (Conversation.channel_user_id == user)
                for channel, user in users
            )
        )
        ids.update((await session.scalars(select(Conversation.id).where(same_user))).all())
    return sorted(ids, key=lambda i: i != conversation.id)


async def erase(
    session: AsyncSession, tracker: TrackerDatabase | None, conversation_ids: Iterable[uuid.UUID]
) -> int:
    """Delete these conversations whole (messages, hand-offs, verified identities, channel
    threads go with them) and their Rasa trackers; commits. How many conversations."""
    ids = list(conversation_ids)
    if not ids:
        return 0
    await session.execute(update(Case).where(Case.conversation_id.in_(ids)).values(conversation_id=None))
    result = await session.execute(delete(Conversation).where(Conversation.id.in_(ids)))
    await session.commit()
    events = await tracker.delete_conversations([str(i) for i in ids]) if tracker else 0
    logger.info("erased conversations=%d tracker_events=%d", len(ids), events)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def after_turn(
    session: AsyncSession,
    tracker: TrackerDatabase | None,
    conversation: Conversation,
    keep: Iterable[int],
) -> bool:
    """The erase signal came back from Rasa: if the citizen's request was recorded, erase the
    channel user's other conversations and everything of this one but the messages `keep`
    (the reply saying so). False when no request was recorded (a stray signal)."""
    requested = await session.scalar(
        select(Conversation.erasure_requested_at).where(Conversation.id == conversation.id)
    )
    if requested is None:
        logger.warning("erase signal without a request conversation=%s", conversation.id)
        return False
    ids = await citizen_conversations(session, conversation)
    others = [i for i in ids if i != conversation.id]
    kept = list(keep)
    await session.execute(
        delete(Message).where(Message.conversation_id == conversation.id, Message.id.not_in(kept))
    )
    for model in _CONVERSATION_ROWS:
        await session.execute(delete(model).where(model.conversation_id == conversation.id))
    # A pending one-time code names its conversation without a foreign key.
    await session.execute(delete(OtpChallenge).where(OtpChallenge.conversation_id.in_(ids)))
    await session.execute(
        update(Case).where(Case.conversation_id == conversation.id).values(conversation_id=None)
    )
    await session.execute(
        update(Conversation).where(Conversation.id == conversation.id).values(erasure_requested_at=None)
    )
    conversation.erasure_requested_at = None
    await session.commit()
    await erase(session, None, others)
    events = await tracker.delete_conversations([str(i) for i in ids]) if tracker else 0
    logger.info(
        "erased on request conversation=%s others=%d tracker_events=%d", conversation.id, len(others), events
    )
    return True
