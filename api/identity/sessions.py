"""The verified session contract: the NIK a conversation is verified for, if any.

Placeholder implementation over today's `verified_identities` table (a NIK whose birth date a
ministry accepted in the conversation, within the last 30 minutes); the identity part of
issue #16 replaces it with real verification behind the same signature.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from api.models import VerifiedIdentity, utcnow

SESSION = timedelta(minutes=30)


async def verified_nik(session: AsyncSession, conversation_id: uuid.UUID) -> str | None:
    """The NIK `conversation_id` is verified for now, or None."""
    identity = await session.get(VerifiedIdentity, conversation_id)
    if identity is None or utcnow() - identity.verified_at > SESSION:
        return None
    return identity.nik
