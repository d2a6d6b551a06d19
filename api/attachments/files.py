"""A conversation's attachments: check a file (size, then kind by content), keep it (bytes in
the storage, a row with its message) and find it again for someone allowed to see it."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.attachments import kinds, limits, metadata, names
from api.attachments.kinds import Kind
from api.attachments.storage import Storage
from api.conversations.model import AttachmentReply
from api.models import Attachment, Author, Direction, Message

logger = logging.getLogger(__name__)

EMPTY_TEXT = "Berkas yang Anda kirim kosong. Silakan kirim ulang."
UNSUPPORTED_TEXT = "Mohon maaf, kami hanya dapat menerima foto (JPG, PNG, WebP) atau dokumen PDF."
TOO_LARGE_MIB_TEXT = "Mohon maaf, berkas terlalu besar. Ukuran paling besar {mib} MB."
RECEIVED_TEXT = (
    "Terima kasih, berkas Anda sudah kami terima dan disimpan bersama percakapan ini. "
    "Petugas dapat melihatnya bila percakapan Anda diteruskan ke petugas."
)
UNAVAILABLE_TEXT = "Mohon maaf, berkas Anda belum dapat kami terima. Silakan kirim ulang beberapa saat lagi."
MAX_CAPTION = 1000


class Rejected(Exception):
    """A file refused: `text` tells the person why, in Bahasa Indonesia; `reason` is the log's."""

    def __init__(self, reason: str, text: str) -> None:
        super().__init__(reason)
        self.reason, self.text = reason, text


@dataclass(frozen=True)
class Checked:
    data: bytes
    kind: Kind
    filename: str

    @property
    def content_type(self) -> str:
        return kinds.CONTENT_TYPES[self.kind]


def too_large(channel: str) -> Rejected:
    return Rejected("too_large", TOO_LARGE_MIB_TEXT.format(mib=limits.max_bytes(channel) // limits.MIB))


async def check(data: bytes, declared_name: str | None, channel: str) -> Checked:
    """The file if it may be kept: within the channel's limit and one of the accepted kinds
    by its content; a photo without its hidden metadata (GPS position…). Raises `Rejected`.
    Read in a worker thread: a file of up to the channel's limit never stalls the event loop."""
    return await asyncio.to_thread(_check, data, declared_name, channel)


def _check(data: bytes, declared_name: str | None, channel: str) -> Checked:
    if not data:
        raise Rejected("empty", EMPTY_TEXT)
    if len(data) > limits.max_bytes(channel):
        raise too_large(channel)
    kind = kinds.sniff(data[: kinds.HEAD_BYTES])
    if kind is None:
        raise Rejected("unsupported", UNSUPPORTED_TEXT)
    return Checked(metadata.strip(kind, data), kind, names.sanitise(declared_name, kind))


def clean_caption(caption: str | None) -> str | None:
    text = " ".join((caption or "").split())[:MAX_CAPTION]
    return text or None


async def keep(
    session: AsyncSession,
    storage: Storage,
    conversation_id: uuid.UUID,
    checked: Checked,
    *,
    author: Author,
    channel: str,
    caption: str | None = None,
) -> tuple[Message, Attachment]:
    """Store the bytes, then add (not commit) the message that carries the file and its row.
    An agent's file is an outgoing message (the outbox sends it on Telegram and WhatsApp); a
    citizen's an incoming one that is not for the bot (`rasa_status` None)."""
    attachment_id = uuid.uuid4()
    key = storage_key(attachment_id)
    await storage.put(key, checked.data)
    attachment = Attachment(
        id=attachment_id,
        conversation_id=conversation_id,
        author=author,
        channel=channel,
        kind=checked.kind.value,
        filename=checked.filename,
        size=len(checked.data),
        sha256=hashlib.sha256(checked.data).hexdigest(),
        storage_key=key,
    )
    reply = content_of(attachment, clean_caption(caption))
    message = Message(
        conversation_id=conversation_id,
        direction=Direction.OUT if author is Author.AGENT else Direction.IN,
        author=author,
        # A citizen's file without a caption still says something in the agents' queue.
        text=reply.caption or (f"📎 {reply.filename}" if author is Author.CITIZEN else ""),
        content=reply.model_dump(mode="json", exclude_none=True),
    )
    attachment.message = message
    session.add_all([message, attachment])
    logger.info(
        "attachment kept conversation=%s kind=%s size=%d author=%s",
        conversation_id,
        checked.kind.value,
        attachment.size,
        author.value,
    )
    return message, attachment


def content_of(attachment: Attachment, caption: str | None = None) -> AttachmentReply:
    kind = Kind(attachment.kind)
    return AttachmentReply(
        id=str(attachment.id),
        filename=attachment.filename or names.sanitise(None, kind),
        content_type=kinds.CONTENT_TYPES[kind],
        size=attachment.size,
        caption=caption,
    )


async def find(
    session: AsyncSession, conversation_id: uuid.UUID, attachment_id: uuid.UUID
) -> Attachment | None:
    """The attachment if it belongs to that conversation (an id alone opens nothing)."""
    return await session.scalar(
        select(Attachment).where(
            Attachment.id == attachment_id, Attachment.conversation_id == conversation_id
        )
    )


def storage_key(attachment_id: uuid.UUID) -> str:
    """An attachment's bytes are kept under its id: the outbox reads an agent's file from the
    stored reply alone, with no database look-up."""
    return attachment_id.hex


async def read(storage: Storage, reply: AttachmentReply) -> bytes | None:
    """The bytes of the file a stored reply carries; None when they are gone."""
    try:
        key = storage_key(uuid.UUID(reply.id))
    except ValueError:
        return None
    return await storage.get(key)


# A file younger than this is never swept: its row may be in a transaction still.
SWEEP_GRACE_SECONDS = 3600.0


async def sweep(session: AsyncSession, storage: Storage, grace_seconds: float = SWEEP_GRACE_SECONDS) -> int:
    """Delete the bytes whose row is gone (its conversation erased or past retention): the
    number deleted. Rows go with their conversation and messages by cascade."""
    held = set(await storage.keys(grace_seconds))
    if not held:
        return 0
    kept = set((await session.scalars(select(Attachment.storage_key))).all())
    orphans = held - kept
    for key in orphans:
        await storage.delete(key)
    if orphans:
        logger.info("attachment bytes swept count=%d", len(orphans))
    return len(orphans)
