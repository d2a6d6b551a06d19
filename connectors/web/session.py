"""The web widget's session token: with the conversation id, what opens a web conversation's
history, its WebSocket and its deletion (docs/security.md, "The widget's session").

The token is stateless: the conversation id and the time it was issued, signed with HMAC-SHA256
under `AW_WIDGET_SESSION_KEY`. It expires `AW_WIDGET_IDLE_MINUTES` after it was issued; every
answer to the widget carries a fresh one, so a citizen who keeps chatting keeps their session
and one who walks away from a shared computer loses it. It is sent in the `X-Session-Token`
header (HTTP) or in the WebSocket's first frame, never in a URL (URLs end up in logs).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time
import uuid
from enum import Enum

from api.core.config import Settings

HEADER = "X-Session-Token"
_CONTEXT = b"aw-widget-session-v1"
_PAYLOAD = struct.Struct(">16sQ")  # conversation id, issued at (unix seconds)
# A token issued this far in the future (clock skew between replicas) is still accepted.
_SKEW_SECONDS = 60


class Refusal(Enum):
    MISSING = "missing"
    INVALID = "invalid"  # malformed or forged
    EXPIRED = "expired"
    OTHER_CONVERSATION = "other_conversation"


def issue(settings: Settings, conversation_id: uuid.UUID, now: float | None = None) -> str:
    """A fresh token for `conversation_id`."""
    payload = _PAYLOAD.pack(conversation_id.bytes, int(now if now is not None else time.time()))
    return f"{_b64(payload)}.{_b64(_sign(settings, payload))}"


def check(
    settings: Settings, token: str | None, conversation_id: uuid.UUID, now: float | None = None
) -> Refusal | None:
    """None when `token` opens `conversation_id` now; otherwise why not."""
    if not token:
        return Refusal.MISSING
    encoded, _, signature = token.strip().partition(".")
    try:
        payload, given = _unb64(encoded), _unb64(signature)
    except ValueError:
        return Refusal.INVALID
    if len(payload) != _PAYLOAD.size or not hmac.compare_digest(given, _sign(settings, payload)):
        return Refusal.INVALID
    conversation_bytes, issued_at = _PAYLOAD.unpack(payload)
    if conversation_bytes != conversation_id.bytes:
        return Refusal.OTHER_CONVERSATION
    age = (now if now is not None else time.time()) - issued_at
    if age > settings.widget_idle_minutes * 60 or age < -_SKEW_SECONDS:
        return Refusal.EXPIRED
    return None


def _sign(settings: Settings, payload: bytes) -> bytes:
    key = settings.widget_session_key.get_secret_value().encode()
    return hmac.new(key, _CONTEXT + payload, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    if not text or len(text) > 128 or "=" in text:  # issued unpadded: one spelling per token
        raise ValueError("bad token part")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as error:
        raise ValueError("bad token part") from error
