"""The number an agent calls back (`handoffs.callback_phone`): personal data, so it is stored
encrypted under the vault's key (api/privacy/vault.py `seal_field`), bound to its conversation,
and opened only where an agent needs it (the console's hand-off view)."""

from __future__ import annotations

import uuid

from api.models import Handoff
from api.privacy import vault as privacy

FIELD = "handoffs.callback_phone"


def seal(conversation_id: uuid.UUID, phone: str | None) -> str | None:
    """What `handoffs.callback_phone` stores for `phone`."""
    return None if phone is None else privacy.current().seal_field(FIELD, conversation_id, phone)


def opened(handoff: Handoff) -> str | None:
    """The hand-off's callback number in clear (E.164); None without one, or when it does not
    decrypt (the key changed)."""
    if handoff.callback_phone is None:
        return None
    return privacy.current().open_field(FIELD, handoff.conversation_id, handoff.callback_phone)
