"""WhatsApp files both ways, through the Graph API client (connectors/whatsapp/client.py):

- in: an image or document message carries a media id; the client fetches its URL and
  downloads it (bounded by the channel's limit), then the content is checked;
- out: an agent's file (`AttachmentReply`) is uploaded (`POST /{phone-number-id}/media`)
  and sent as an image, or as a document for a PDF, a WebP image (a sticker on WhatsApp) and
  an image over Meta's 5 MB.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.attachments import files, limits
from api.conversations.model import AttachmentReply
from connectors.whatsapp.client import GraphClient, MediaTooLarge, MediaUnavailable
from connectors.whatsapp.payload import WhatsAppMessage

CHANNEL = "whatsapp"
IMAGE_LIMIT = 5 * 1000 * 1000  # Meta's limit for an image message
IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})  # a WebP image is a sticker on WhatsApp
CAPTION_LIMIT = 1024


@dataclass(frozen=True)
class IncomingFile:
    media_id: str
    name: str | None
    caption: str | None


def incoming(message: WhatsAppMessage) -> IncomingFile | None:
    if message.type == "image" and message.image is not None:
        return IncomingFile(message.image.id, "foto.jpg", message.image.caption)
    if message.type == "document" and message.document is not None:
        document = message.document
        return IncomingFile(document.id, document.filename, document.caption)
    return None


async def download(client: GraphClient, wanted: IncomingFile) -> files.Checked:
    """The file, checked. Raises `files.Rejected` (too large, a kind we do not take, or Meta
    could not give it: then the citizen is asked to send it again)."""
    try:
        data = await client.download_media(wanted.media_id, limits.max_bytes(CHANNEL))
    except MediaTooLarge as error:
        raise files.too_large(CHANNEL) from error
    except MediaUnavailable as error:
        raise files.Rejected(f"unavailable: {error}", files.UNAVAILABLE_TEXT) from error
    return await files.check(data, wanted.name, CHANNEL)


async def send(client: GraphClient, to: str, reply: AttachmentReply, data: bytes) -> str:
    """Upload an agent's file, then send it; the wamid. Raises DeliveryFailed."""
    media_id = await client.upload_media(data, reply.content_type, reply.filename)
    caption = (reply.caption or "")[:CAPTION_LIMIT]
    body: dict[str, Any]
    if reply.content_type in IMAGE_TYPES and len(data) <= IMAGE_LIMIT:
        body = {"type": "image", "image": {"id": media_id, **({"caption": caption} if caption else {})}}
    else:
        document = {"id": media_id, "filename": reply.filename, **({"caption": caption} if caption else {})}
        body = {"type": "document", "document": document}
    return await client.send(to, body)
