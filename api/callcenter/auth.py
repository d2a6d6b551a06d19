"""Console logins: Argon2id password hashes, server-side sessions behind an HttpOnly cookie,
and the dependencies every console route uses (`CurrentAgent`, `Supervisor`).

A session expires `console_session_hours` after login, or after `console_idle_minutes`
without an action of the agent (a request that changes something: reads and the console's
background polling do not count); logging out deletes it. The cookie holds a random token;
the database keeps only its SHA-256, so a leaked table opens no session.

Argon2 runs in worker threads, at most `password_hash_concurrency` at once, so a flood of
logins never stalls the event loop; past `password_hash_queue` waiting logins, `Busy`.
One `normalize_username` serves the login limits, the check and account creation.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from datetime import timedelta
from typing import Annotated

import anyio
import anyio.to_thread
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


def normalize_username(username: str) -> str:
    """The one form of a username: Unicode NFKC, no surrounding space, lower case."""
    return unicodedata.normalize("NFKC", username).strip().lower()


class Busy(Exception):
    """Too many logins are already waiting for a password check."""


class PasswordChecks:
    """Argon2 checks off the event loop: at most `concurrency` threads at once, at most
    `queue` more callers waiting (the rest get `Busy` at once)."""

    def __init__(self, concurrency: int, queue: int) -> None:
        self._limiter = anyio.CapacityLimiter(concurrency)
        self._admitted, self._max = 0, concurrency + queue

    async def verify(self, password: str, password_hash: str) -> tuple[bool, str | None]:
        if self._admitted >= self._max:
            raise Busy()
        self._admitted += 1
        try:
            return await anyio.to_thread.run_sync(
                _hasher.verify_and_update, password, password_hash, limiter=self._limiter
            )
        finally:
            self._admitted -= 1


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def authenticate(
    session: AsyncSession, username: str, password: str, checks: PasswordChecks | None = None
) -> Agent | None:
    """The agent whose (normalised) username and password these are, or None. Raises `Busy`."""
    checks = checks or PasswordChecks(1, 0)
    agent = await session.scalar(select(Agent).where(Agent.username == normalize_username(username)))
    # End the read before hashing: no database connection is held while a login waits for
    # its turn (expire_on_commit is off, so `agent` keeps its loaded state).
    await session.commit()
    if agent is None or not agent.enabled:
        await checks.verify(password, _DUMMY_HASH)
        return None
    valid, new_hash = await checks.verify(password, agent.password_hash)
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


async def agent_for_token(
    session: AsyncSession, token: str | None, settings: Settings, *, activity: bool = True
) -> Agent | None:
    """The agent of a live session, or None; with `activity` the session's idle clock is reset."""
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
    if activity:
        found.last_used_at = now
        await session.commit()
    return agent


# Reads (the console's lists, refetched in the background) are not the agent's activity.
_NOT_ACTIVITY = frozenset({"GET", "HEAD", "OPTIONS"})


async def _current_agent(request: Request, session: SessionDep, settings: SettingsDep) -> Agent:
    activity = request.method not in _NOT_ACTIVITY
    agent = await agent_for_token(session, request.cookies.get(COOKIE), settings, activity=activity)
    if agent is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, NOT_LOGGED_IN)
    return agent


CurrentAgent = Annotated[Agent, Depends(_current_agent)]


async def _supervisor(agent: CurrentAgent) -> Agent:
    if agent.role is not AgentRole.SUPERVISOR:
        raise HTTPException(status.HTTP_403_FORBIDDEN, SUPERVISORS_ONLY)
    return agent


Supervisor = Annotated[Agent, Depends(_supervisor)]
