"""The verified session: a conversation bound to the NIK its citizen proved, for a limited time.

Every way of proving an identity (an OTP to the number registered with Dukcapil, the
WhatsApp sender's own number, a Telegram contact shared by its own user, the INApas
OpenID Connect login) ends in `bind()`; every personal-data route of the service API asks
`verified_nik()`. The binding lasts `AW_VERIFIED_SESSION_MINUTES` (default 30) from the proof,
so a citizen is not asked again for each service within that time, and is asked again after.
The NIK is sealed at rest (api/privacy/sealing.py), next to a keyed hash of it (`nik_hash`)
by which erasure finds every conversation of the same citizen.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from api.core.config import get_settings
from api.models import VerifiedSession, utcnow
from api.privacy import sealing

METHODS = frozenset({"otp", "whatsapp", "telegram", "inapas"})
_minutes: int | None = None


def configure(minutes: int) -> None:
    """The running app's `verified_session_minutes` (else the environment's settings)."""
    global _minutes
    _minutes = minutes


def _lifetime() -> timedelta:
    return timedelta(minutes=_minutes if _minutes is not None else get_settings().verified_session_minutes)


async def bind(session: AsyncSession, conversation_id: uuid.UUID, nik: str, method: str) -> None:
    """Bind `conversation_id` to `nik`, proved by `method` ("otp", "whatsapp", "telegram",
    "inapas"), from now for the session's lifetime; replaces an earlier binding. Commits."""
    if method not in METHODS:
        raise ValueError(f"unknown verification method: {method}")
    if not (len(nik) == 16 and nik.isdigit()):
        raise ValueError("a NIK is 16 digits")
    now = utcnow()
    row = await session.get(VerifiedSession, conversation_id)
    if row is None:
        row = VerifiedSession(conversation_id=conversation_id, nik=nik, method=method, expires_at=now)
        session.add(row)
    row.nik, row.method, row.verified_at, row.expires_at = nik, method, now, now + _lifetime()
    row.nik_hash = nik_hash(nik)
    await session.commit()


def nik_hash(nik: str) -> str:
    """The keyed hash a session keeps of its NIK (the NIK itself is sealed at rest)."""
    return sealing.current().digest("nik", nik)


async def verified_nik(session: AsyncSession, conversation_id: uuid.UUID) -> str | None:
    """The NIK `conversation_id` is bound to, or None when it is not bound or the binding expired."""
    row = await session.get(VerifiedSession, conversation_id, populate_existing=True)
    if row is None:
        return None
    expires_at = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
    if expires_at <= datetime.now(UTC):
        return None
    return row.nik


async def forget(session: AsyncSession, conversation_id: uuid.UUID) -> None:
    """End the binding of `conversation_id` (if any). Commits."""
    row = await session.get(VerifiedSession, conversation_id)
    if row is not None:
        await session.delete(row)
        await session.commit()
