"""Case updates by e-mail for web citizens who ask for them (issue 21 §1).

A web citizen is usually gone when a case changes: the update waits in the history until they
return. So the first time a web conversation follows a case (subscriptions.py), the gateway
asks once, after the bot's answer, whether updates should also go by e-mail (`offer`); never
required. "Ya" asks for the address, validated (addresses.py) and sealed at rest
(`UpdateEmail.address`); "Tidak perlu", or writing anything else than an address, leaves it.
The gateway answers these steps itself (`awaits`, `answer`, called by api/conversations/turn.py),
the bot never sees them. "berhenti kabari saya" (subscriptions.stop) withdraws the consent and
clears the address.

The e-mail copy of each update is sent by the notifier (notifier.py `send_emails`) with its
own retries; the update's quiet hours and once-per-change rule are the conversation message's.
Offered only when the gateway can send e-mail (`AW_SMTP_HOST`: `configure`).
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.conversations.model import Choice, Inbound, Reply, TextIn, TextReply
from api.models import CaseSubscription, Conversation, UpdateEmail, utcnow
from api.notifications.addresses import mask_email, parse_email

ASKED, AWAITING_ADDRESS, ACTIVE, DECLINED, WITHDRAWN = (
    "asked", "awaiting_address", "active", "declined", "withdrawn",
)  # fmt: skip
YES, NO = "/kabari_email_ya", "/kabari_email_tidak"  # the buttons' payloads, never sent to Rasa

QUESTION = TextReply(
    text="Apakah Bapak/Ibu ingin kabar terbaru kasus ini juga kami kirim lewat e-mail? Tidak wajib; "
    "kabar tetap kami sampaikan di percakapan ini.",
    buttons=[Choice(title="Ya, lewat e-mail", payload=YES), Choice(title="Tidak perlu", payload=NO)],
)
ASK_ADDRESS = TextReply(
    text="Silakan tulis alamat e-mail Anda, misalnya nama@contoh.id.",
    buttons=[Choice(title="Tidak jadi", payload=NO)],
)
INVALID_ADDRESS = TextReply(
    text="Maaf, alamat e-mail tersebut tidak valid. Mohon tulis seperti nama@contoh.id.",
    buttons=[Choice(title="Tidak jadi", payload=NO)],
)
DECLINED_TEXT = TextReply(text="Baik. Kabar terbaru kasus Anda tetap kami sampaikan di percakapan ini.")
NOTHING_ASKED = TextReply(text="Baik. Ada lagi yang dapat kami bantu?")

_enabled = False


def configure(*, enabled: bool) -> None:
    """Whether the gateway can send e-mail (api/composition.py, `AW_SMTP_HOST`)."""
    global _enabled
    _enabled = enabled


def confirmed(address: str) -> TextReply:
    return TextReply(
        text=f"Terima kasih. Kabar terbaru kasus Anda juga akan kami kirim ke {mask_email(address)}. "
        'Untuk berhenti, tulis "berhenti kabari saya" di percakapan ini.'
    )


async def offer(session: AsyncSession, conversation: Conversation) -> Reply | None:
    """The question, once per web conversation, after a turn that left it following a case.
    Does not commit (the turn does)."""
    if not _enabled or conversation.channel != "web":
        return None
    if await session.get(UpdateEmail, conversation.id) is not None:
        return None
    following = await session.scalar(
        select(CaseSubscription.id)
        .where(CaseSubscription.conversation_id == conversation.id, CaseSubscription.stopped_at.is_(None))
        .limit(1)
    )
    if following is None:
        return None
    session.add(UpdateEmail(conversation_id=conversation.id, state=ASKED, asked_at=utcnow()))
    return QUESTION


async def awaits(session: AsyncSession, conversation: Conversation, event: Inbound) -> bool:
    """Whether the gateway answers this event itself: a button of the question, or the address
    it asked for (a text with an "@"; anything else goes to the bot as usual)."""
    if conversation.channel != "web":
        return False
    message = event.rasa_message()
    if message in (YES, NO):
        return True
    if not isinstance(event, TextIn) or "@" not in event.text:
        return False
    choice = await session.get(UpdateEmail, conversation.id)
    return choice is not None and choice.state == AWAITING_ADDRESS


async def answer(session: AsyncSession, conversation: Conversation, event: Inbound) -> list[Reply]:
    """Answer a step `awaits` took; commits."""
    choice = await session.get(UpdateEmail, conversation.id)
    message = event.rasa_message()
    if choice is None or choice.state not in (ASKED, AWAITING_ADDRESS):
        return [NOTHING_ASKED]  # an old button clicked again
    if message == NO:
        choice.state, choice.decided_at = DECLINED, utcnow()
        await session.commit()
        return [DECLINED_TEXT]
    if message == YES:
        if not _enabled:
            return [DECLINED_TEXT]
        choice.state = AWAITING_ADDRESS
        await session.commit()
        return [ASK_ADDRESS]
    address = parse_email(event.rasa_message()) if isinstance(event, TextIn) else None
    if address is None:
        return [INVALID_ADDRESS]
    choice.state, choice.address, choice.decided_at = ACTIVE, address, utcnow()
    await session.commit()
    return [confirmed(address)]


async def address_for(session: AsyncSession, conversation_id: uuid.UUID) -> str | None:
    """Where the conversation's updates also go by e-mail, while consented."""
    choice = await session.get(UpdateEmail, conversation_id, populate_existing=True)
    return choice.address if choice is not None and choice.state == ACTIVE else None
