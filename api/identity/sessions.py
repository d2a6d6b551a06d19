"""A verified session: a conversation bound to the NIK its citizen proved, for a while.

The contract the login methods use: `bind(session, conversation_id, nik, method)` after a
method verified the citizen, `verified_nik(session, conversation_id)` before personal data.
This minimal version keeps the binding in today's `verified_identities` table (one row per
conversation); a binding counts for VERIFIED_FOR, and only when a strong method made it (not
the NIK + birth-date pair that the service API records there)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from api.models import VerifiedIdentity, utcnow

VERIFIED_FOR = timedelta(minutes=30)
STRONG_METHODS = frozenset({"inapas", "otp", "whatsapp", "telegram"})


async def bind(session: AsyncSession, conversation_id: uuid.UUID, nik: str, method: str) -> None:
    """Bind the conversation to `nik`, verified now by `method` (flushed, not committed)."""
    identity = await session.get(VerifiedIdentity, conversation_id)
    if identity is None:
        identity = VerifiedIdentity(conversation_id=conversation_id)
        session.add(identity)
    identity.nik, identity.birth_date, identity.service, identity.verified_at = nik, "", method, utcnow()
    await session.flush()


async def verified_nik(session: AsyncSession, conversation_id: uuid.UUID) -> str | None:
    """The NIK the conversation is bound to, or None (never verified, or expired)."""
    identity = await session.get(VerifiedIdentity, conversation_id, populate_existing=True)
    if identity is None or identity.service not in STRONG_METHODS:
        return None
    if utcnow() - identity.verified_at > VERIFIED_FOR:
        return None
    return identity.nik
