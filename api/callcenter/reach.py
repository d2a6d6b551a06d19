"""How an out-of-hours ticket from the web reaches the citizen (issue 21 §2).

A web citizen who takes a ticket is usually gone when the agent answers, so the gateway asks
where the answer should also go: a WhatsApp number, proved like a callback number (the SMS code
of api/identity/verifier.py, or the number the citizen already proved in this conversation);
an e-mail address (offered only when the gateway can send e-mail, `AW_SMTP_HOST`); or nowhere
("cek sendiri dengan nomor tiket": the ticket's status is asked by its number on any channel).
The choice is kept on the hand-off (`reach_channel`, `reach_address`, sealed).

A WhatsApp number can also be proved without SMS: when the service's own WhatsApp number is
configured (`AW_WHATSAPP_DISPLAY_NUMBER`), the citizen is offered to send it a message with a
short code ("TIKET 123456", valid `CODE_TTL`, kept only as a hash on the hand-off). The number
(or the BSUID) that sends it is the one that receives the answer: WhatsApp vouches that the
sender holds it (connectors/whatsapp/channel.py hands the code to the call center).

When the agent answers, the answer is stored in the ticket's own conversation as always, and
relayed (`relay`): to WhatsApp as a message of that number's conversation, through the outbox
(outside WhatsApp's 24-hour window as the approved template `AW_WHATSAPP_ANSWER_TEMPLATE`), or
by e-mail through the `Mailer` port.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from datetime import timedelta
from typing import Protocol
from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncSession

from api.callcenter import texts
from api.conversations.delivery import Outbound
from api.conversations.model import Choice, Reply, TemplateReply, TextReply
from api.conversations.store import channel_thread, outgoing_message, within
from api.models import Author, Handoff
from api.notifications.addresses import mask_email as mask_email  # the service's too
from api.notifications.addresses import parse_email as parse_email

logger = logging.getLogger(__name__)

WHATSAPP, EMAIL, SELF = "whatsapp", "email", "self"
WHATSAPP_WINDOW = timedelta(hours=24)  # Meta's customer-service window
# A template parameter is one line of at most 1024 characters (Meta).
TEMPLATE_PARAMETER_LIMIT = 1024


class Mailer(Protocol):
    """Sends one plain-text e-mail (connectors/email.py)."""

    async def send(self, to: str, subject: str, body: str) -> None: ...


def ask_reach(*, email: bool) -> TextReply:
    options = [Choice(title="WhatsApp", payload=texts.REACH_WHATSAPP)]
    if email:
        options.append(Choice(title="E-mail", payload=texts.REACH_EMAIL))
    options.append(Choice(title="Cek sendiri", payload=texts.REACH_SELF))
    where = "WhatsApp atau e-mail" if email else "WhatsApp"
    return TextReply(
        text="Ke mana jawaban petugas sebaiknya juga kami kirim? Pilih "
        f"{where}, atau pilih cek sendiri dengan nomor tiket.",
        buttons=options,
    )


ASK_WHATSAPP = TextReply(
    text="Silakan tulis nomor WhatsApp Anda, misalnya 081234567890. Kami akan mengirim kode lewat "
    "SMS untuk memastikan nomor itu milik Bapak/Ibu.",
    buttons=[texts.BACK_TO_BOT],
)
ASK_EMAIL = TextReply(
    text="Silakan tulis alamat e-mail Anda, misalnya nama@contoh.id.", buttons=[texts.BACK_TO_BOT]
)
CODE_TTL = timedelta(minutes=30)
# "TIKET 123456" as the citizen sends it (any case, a dash or colon, a short message).
_CODE_MESSAGE = re.compile(r"^\W*tiket\W{0,3}([0-9]{6})\W*$", re.IGNORECASE | re.ASCII)
UNKNOWN_CODE = (
    "Maaf, kode tiket tersebut tidak dikenal atau sudah kedaluwarsa. Silakan minta kode baru di "
    "percakapan web Asisten Warga."
)


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def code_hash(code: str) -> str:
    return hashlib.sha256(f"reach-code:{code}".encode()).hexdigest()


def code_in(text: str) -> str | None:
    """The code of a "TIKET 123456" message; None for anything else."""
    found = _CODE_MESSAGE.fullmatch(text.strip()) if len(text) <= 64 else None
    return found.group(1) if found else None


def ask_whatsapp(code: str | None, service_number: str) -> TextReply:
    """The number to type (proved by SMS), or, with the service's number, the message to send."""
    if code is None or not service_number:
        return ASK_WHATSAPP
    link = f"https://wa.me/{service_number}?text={quote(f'TIKET {code}')}"
    return TextReply(
        text=f"Kirim pesan TIKET {code} dari WhatsApp Anda ke nomor WhatsApp kami "
        f"+{service_number} dalam 30 menit ({link}). Nomor yang mengirim pesan itu yang akan "
        "menerima jawaban petugas. Atau tulis nomor WhatsApp Anda di sini, misalnya 081234567890; "
        "kami akan mengirim kode lewat SMS.",
        buttons=[texts.BACK_TO_BOT],
    )


def code_accepted(case_number: str) -> str:
    return (
        f"Terima kasih. Nomor ini akan menerima jawaban petugas untuk tiket {case_number}. "
        "Status tiket dapat ditanyakan kapan saja dengan menyebut nomornya."
    )


INVALID_EMAIL = TextReply(
    text="Maaf, alamat e-mail tersebut tidak valid. Mohon tulis seperti nama@contoh.id.",
    buttons=[texts.BACK_TO_BOT],
)


def ticket_given(case_number: str, hours: str, channel: str, shown_address: str) -> TextReply:
    where = "WhatsApp" if channel == WHATSAPP else "e-mail"
    return TextReply(
        text=f"Nomor tiket Anda: {case_number}. Petugas akan menjawab pada jam layanan ({hours}); "
        f"jawabannya juga kami kirim ke {where} {shown_address}. Status tiket dapat ditanyakan "
        "kapan saja dengan menyebut nomornya."
    )


def answer_text(case_number: str, answer: str) -> str:
    return f"Jawaban petugas untuk tiket {case_number}:\n{answer}"


async def relay(
    session: AsyncSession,
    handoff: Handoff,
    answer: str,
    outbound: Outbound,
    mailer: Mailer | None,
    template: str,
    language: str,
) -> None:
    """Send the agent's answer where the citizen asked (nothing for "self" or a live chat)."""
    address, case_number = handoff.reach_address, handoff.case_number or ""
    if handoff.reach_channel == WHATSAPP and address:
        thread, conversation, _ = await channel_thread(session, WHATSAPP, address.lstrip("+"))
        text = answer_text(case_number, answer)
        reply: Reply = TextReply(text=text)
        if not within(thread, WHATSAPP_WINDOW):
            flat = " ".join(answer.split())[:TEMPLATE_PARAMETER_LIMIT]
            reply = TemplateReply(
                text=text, template=template, language=language, parameters=[case_number, flat]
            )
        message = outgoing_message(conversation.id, Author.AGENT, reply)
        session.add(message)
        await session.commit()
        await outbound.push(session, conversation, [message])
        logger.info("ticket answer relayed channel=whatsapp handoff=%s", handoff.id)
    elif handoff.reach_channel == EMAIL and address and mailer is not None:
        try:
            await mailer.send(
                address, f"Jawaban tiket {case_number} - Asisten Warga", answer_text(case_number, answer)
            )
        except Exception as error:  # the answer stays in the conversation and the ticket
            logger.warning("ticket answer not e-mailed handoff=%s error=%s", handoff.id, type(error).__name__)
            return
        logger.info("ticket answer relayed channel=email handoff=%s", handoff.id)
