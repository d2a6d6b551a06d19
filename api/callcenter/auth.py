"""Console logins: Argon2id password hashes, server-side sessions behind an HttpOnly cookie,
and the dependencies every console route uses (`CurrentAgent`, `Supervisor`).

A session expires `console_session_hours` after login, or after `console_idle_minutes`
without a request; logging out deletes it. The cookie holds a random token; the database
keeps only its SHA-256, so a leaked table opens no session.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Response, status
from pwdlib import PasswordHash
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.core.config import Settings, SettingsDep
from api.db import SessionDep
from api.models import Agent, AgentRole, AgentSession, utcnow

COOKIE = "aw_console"
NOT_LOGGED_IN = "Sesi Anda telah berakhir. Silakan masuk kembali."
SUPERVISORS_ONLY = "Halaman ini hanya untuk supervisor."
BAD_LOGIN = "Nama pengguna atau kata sandi salah."

_hasher = PasswordHash.recommended()  # Argon2id
# Verified against when the username is unknown, so both cases take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def authenticate(session: AsyncSession, username: str, password: str) -> Agent | None:
    agent = await session.scalar(select(Agent).where(Agent.username == username))
    if agent is None or not agent.enabled:
        _hasher.verify(password, _DUMMY_HASH)
        return None
    valid, new_hash = _hasher.verify_and_update(password, agent.password_hash)
    if not valid:
        return None
    if new_hash is not None:  # parameters got stronger since it was hashed
        agent.password_hash = new_hash
    return agent


async def open_session(session: AsyncSession, agent: Agent, settings: Settings) -> str:
    """A new login session for `agent`; returns the cookie token. Commits."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        AgentSession(
            token_hash=_token_hash(token),
            agent_id=agent.id,
            created_at=now,
            last_used_at=now,
            expires_at=now + timedelta(hours=settings.console_session_hours),
        )
    )
    # Expired sessions of anyone are removed now and then: at each login.
    await session.execute(delete(AgentSession).where(AgentSession.expires_at < now))
    await session.commit()
    return token


def set_cookie(response: Response, token: str, settings: Settings) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=settings.console_session_hours * 3600,
        httponly=True,
        samesite="strict",
        secure=settings.environment == "production",
        path="/console",
    )


async def close_session(session: AsyncSession, token: str | None) -> None:
    if token:
        await session.execute(delete(AgentSession).where(AgentSession.token_hash == _token_hash(token)))
        await session.commit()


async def agent_for_token(session: AsyncSession, token: str | None, settings: Settings) -> Agent | None:
    """The agent of a live session (and the session's idle clock reset), or None."""
    if not token:
        return None
    found = await session.scalar(select(AgentSession).where(AgentSession.token_hash == _token_hash(token)))
    now = utcnow()
    if found is None:
        return None
    idle_deadline = found.last_used_at + timedelta(minutes=settings.console_idle_minutes)
    if found.expires_at <= now or idle_deadline <= now:
        await session.delete(found)
        await session.commit()
        return None
    agent = await session.get(Agent, found.agent_id)
    if agent is None or not agent.enabled:
        return None
    found.last_used_at = now
    await session.commit()
    return agent


async def _current_agent(request: Request, session: SessionDep, settings: SettingsDep) -> Agent:
    agent = await agent_for_token(session, request.cookies.get(COOKIE), settings)
    if agent is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, NOT_LOGGED_IN)
    return agent


CurrentAgent = Annotated[Agent, Depends(_current_agent)]


async def _supervisor(agent: CurrentAgent) -> Agent:
    if agent.role is not AgentRole.SUPERVISOR:
        raise HTTPException(status.HTTP_403_FORBIDDEN, SUPERVISORS_ONLY)
    return agent


Supervisor = Annotated[Agent, Depends(_supervisor)]
