"""Who a WhatsApp conversation belongs to, now that Meta names users by a business-scoped
user id (BSUID) and may leave their number out (docs/channels.md "WhatsApp identity").

- A thread (`channel_threads.channel_user_id`) is keyed by the user's parent BSUID where Meta
  enabled parent BSUIDs, else by their BSUID. The key never changes once given; the BSUIDs,
  the number (sealed) and the username are attributes in `whatsapp_identities`, updated as
  webhooks show them, so a number that appears or disappears does not switch conversation.
- A thread from before (keyed by the number) is found by the number the first time Meta
  names its user by BSUID and number, and re-keyed, with its conversations, to the BSUID.
- A number belongs to one identity: recorded for one user, it is forgotten on any other
  (a number given up and reassigned reaches its new owner under a new BSUID).
- `user_changed_number` brings the new number and the new BSUID: the identity takes both and
  keeps its thread; a proved number of the conversation that was the old one is replaced.
- Replies go to the number when it is known, else to the BSUID (`send_to`, and
  render.addressee for the field Meta wants).
"""

from __future__ import annotations

import logging

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.conversations import store
from api.models import ChannelThread, Conversation, ProvenPhone, WhatsAppIdentity
from api.privacy import sealing
from connectors.whatsapp.payload import Sender, System

logger = logging.getLogger(__name__)

CHANNEL = "whatsapp"
_PHONE_HASH = "whatsapp_identities.phone_hash"


async def resolve(session: AsyncSession, sender: Sender, *, open_thread: bool = True) -> str:
    """The thread key of `sender`'s conversation (the thread is opened on first use unless
    `open_thread` is False), their attributes recorded. Commits."""
    key = await _resolve(session, sender, open_thread=open_thread)
    return key or sender.key


async def learn(session: AsyncSession, sender: Sender) -> None:
    """What a delivery status tells of a user (BSUID next to the number we sent to): recorded
    when the user has a thread, never opening one. Commits."""
    await _resolve(session, sender, open_thread=False)


async def _resolve(session: AsyncSession, sender: Sender, *, open_thread: bool) -> str | None:
    if sender.user_id is None and sender.parent_user_id is None:
        return sender.phone  # a payload without BSUIDs (before April 2026): keyed by number
    for attempt in range(2):
        try:
            return await _resolve_once(session, sender, open_thread=open_thread)
        except IntegrityError:  # two first messages at once: the other request recorded it
            await session.rollback()
            if attempt:
                raise
    return None  # unreachable


async def _resolve_once(session: AsyncSession, sender: Sender, *, open_thread: bool) -> str | None:
    found = await _identity(session, sender.user_id, sender.parent_user_id)
    if found is not None:
        _record(found[0], await _free_ids(session, sender, found[0]))
        await _forget_number_elsewhere(session, found[0])
        await session.commit()
        return found[1].channel_user_id
    thread = await _earlier_thread(session, sender)
    if thread is None:
        if not open_thread:
            return None
        thread, _, _ = await store.channel_thread(session, CHANNEL, sender.key)
    elif sender.phone is not None and thread.channel_user_id == sender.phone:
        await _rekey(session, thread, sender.key)
    identity = WhatsAppIdentity(thread_id=thread.id)
    session.add(identity)
    _record(identity, sender)
    await session.flush()
    await _forget_number_elsewhere(session, identity)
    await session.commit()
    return thread.channel_user_id


async def changed_number(session: AsyncSession, old: Sender, change: System) -> None:
    """`user_changed_number`: the user of `old` now has the number `change.wa_id` and the
    BSUIDs `change.user_id`/`parent_user_id`; their thread stays theirs. Commits."""
    await _resolve(session, old, open_thread=False)
    found = await _identity(session, old.user_id, old.parent_user_id)
    if found is None and old.phone is not None:  # a thread keyed by the number, no BSUID seen
        found = await _identity_of_key(session, old.phone)
        if found is None and (thread := await _thread(session, old.phone)) is not None:
            identity = WhatsAppIdentity(thread_id=thread.id)
            session.add(identity)
            found = identity, thread
    if found is None:
        logger.info("whatsapp number change for an unknown user")
        return
    identity, thread = found
    # Webhooks come in any order: the new BSUID may already have written (and have its own
    # thread). Then it keeps it, and this identity only loses the old number.
    new = await _free_ids(session, Sender(change.user_id, change.parent_user_id), identity)
    identity.user_id = new.user_id or identity.user_id
    identity.parent_user_id = new.parent_user_id or identity.parent_user_id
    taken = (change.user_id, change.parent_user_id) != (new.user_id, new.parent_user_id)
    _set_phone(identity, None if taken else change.wa_id)
    await session.flush()
    await _forget_number_elsewhere(session, identity)
    # The number WhatsApp vouched for is no longer the citizen's: a callback must not reach it.
    proven = await session.get(ProvenPhone, thread.conversation_id)
    if proven is not None and proven.method == CHANNEL:
        if change.wa_id:
            proven.phone = change.wa_id
        else:
            await session.delete(proven)
    await session.commit()
    logger.info("whatsapp user changed number")


async def record_phone(session: AsyncSession, key: str, phone: str) -> None:
    """The number a user shared as their own on WhatsApp's contact request (not committed)."""
    found = await _identity_of_key(session, key)
    if found is not None:
        _set_phone(found[0], phone)
        await session.flush()
        await _forget_number_elsewhere(session, found[0])


async def send_to(session: AsyncSession, key: str, phone: str | None = None) -> str:
    """Where replies to the thread `key` go: the user's number when known, else their BSUID.
    Without an identity: `phone` (the sender's, if the webhook gave it), else the key itself
    (a thread from before, keyed by its number, or a BSUID)."""
    found = await _identity_of_key(session, key)
    if found is None:
        return phone or key
    identity = found[0]
    return identity.phone or identity.user_id or identity.parent_user_id or key


async def _free_ids(session: AsyncSession, sender: Sender, identity: WhatsAppIdentity) -> Sender:
    """`sender` without the BSUIDs another identity already holds (they stay that one's)."""
    user_id, parent = sender.user_id, sender.parent_user_id
    if user_id is not None and user_id != identity.user_id and await _identity(session, user_id, None):
        user_id = None
    if parent is not None and parent != identity.parent_user_id and await _identity(session, None, parent):
        parent = None
    return Sender(user_id, parent, sender.phone, sender.username)


def _record(identity: WhatsAppIdentity, sender: Sender) -> None:
    """Attributes as the latest webhook shows them. A number left out is kept (Meta omits it
    for users with a username; a changed number comes as `user_changed_number`)."""
    identity.user_id = sender.user_id or identity.user_id
    identity.parent_user_id = sender.parent_user_id or identity.parent_user_id
    if sender.phone is not None:
        _set_phone(identity, sender.phone)
    if sender.username is not None and identity.username != sender.username:
        identity.username = sender.username


def _set_phone(identity: WhatsAppIdentity, phone: str | None) -> None:
    digits = phone.lstrip("+") if phone else None
    if digits != identity.phone:
        identity.phone = digits
        identity.phone_hash = sealing.current().digest(_PHONE_HASH, digits) if digits else None


async def _forget_number_elsewhere(session: AsyncSession, identity: WhatsAppIdentity) -> None:
    if identity.phone_hash is None:
        return
    await session.execute(
        update(WhatsAppIdentity)
        .where(WhatsAppIdentity.phone_hash == identity.phone_hash, WhatsAppIdentity.id != identity.id)
        .values(phone=None, phone_hash=None)
    )


async def _identity(
    session: AsyncSession, user_id: str | None, parent_user_id: str | None
) -> tuple[WhatsAppIdentity, ChannelThread] | None:
    conditions = []
    if user_id is not None:
        conditions.append(WhatsAppIdentity.user_id == user_id)
    if parent_user_id is not None:
        conditions.append(WhatsAppIdentity.parent_user_id == parent_user_id)
    if not conditions:
        return None
    row = (
        await session.execute(
            select(WhatsAppIdentity, ChannelThread)
            .join(ChannelThread, ChannelThread.id == WhatsAppIdentity.thread_id)
            .where(or_(*conditions))
            .order_by(WhatsAppIdentity.id)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def _identity_of_key(session: AsyncSession, key: str) -> tuple[WhatsAppIdentity, ChannelThread] | None:
    row = (
        await session.execute(
            select(WhatsAppIdentity, ChannelThread)
            .join(ChannelThread, ChannelThread.id == WhatsAppIdentity.thread_id)
            .where(ChannelThread.channel == CHANNEL, ChannelThread.channel_user_id == key)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def _thread(session: AsyncSession, key: str) -> ChannelThread | None:
    return await session.scalar(
        select(ChannelThread).where(ChannelThread.channel == CHANNEL, ChannelThread.channel_user_id == key)
    )


async def _earlier_thread(session: AsyncSession, sender: Sender) -> ChannelThread | None:
    """A thread with no identity yet that is this user's: keyed by their key or BSUID (opened
    before identities were kept) or by their number (before BSUIDs)."""
    for key in dict.fromkeys(k for k in (sender.key, sender.user_id, sender.phone) if k):
        thread = await _thread(session, key)
        if thread is not None and await _identity_of_key(session, key) is None:
            return thread
    return None


async def _rekey(session: AsyncSession, thread: ChannelThread, key: str) -> None:
    """A thread keyed by a number, and the conversations of that number, keyed by `key`."""
    if key == thread.channel_user_id or await _thread(session, key) is not None:
        return
    old = thread.channel_user_id
    await session.execute(
        update(Conversation)
        .where(Conversation.channel == CHANNEL, Conversation.channel_user_id == old)
        .values(channel_user_id=key)
    )
    thread.channel_user_id = key
    await session.flush()
    logger.info("whatsapp thread re-keyed from a number to a business-scoped user id")
