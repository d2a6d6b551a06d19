"""No NIK, phone number or birth date in clear in the gateway's database file, nor in its
write-ahead log, after a verification (api/privacy/sealing.py): the verified session's NIK,
the proved number, the number of a pending code (OTP and callback) and a birth date an agent
checked are sealed; a used code's number is gone. SQLite only: the test reads the files."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Uuid, bindparam, func, select, text
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.sql.elements import TextClause

from api.db import create_engine, migrate
from api.identity import sessions
from api.identity.keys import normalize_phone
from api.identity.sessions import verified_nik
from api.identity.verifier import Verifier
from api.models import (
    Conversation,
    OtpChallenge,
    ProvenPhone,
    UTCDateTime,
    VerifiedIdentity,
    VerifiedSession,
    utcnow,
)
from api.privacy.retention import prune
from simulators.seed.population import Citizen, own_phone, population
from tests.api.identity_support import HEADER, last_code, new_conversation
from tests.api.support import Database, add_rows, make_settings, running, service_client

pytestmark = pytest.mark.asyncio

CALLBACK = "0813-7777-1234"


def _adults(count: int) -> list[Citizen]:
    found: Iterator[Citizen] = (c for c in population().citizens if own_phone(c) is not None)
    return [next(found) for _ in range(count)]


def _spellings(citizen: Citizen) -> list[bytes]:
    phone = own_phone(citizen) or ""
    return [
        citizen.nik.encode(),
        phone.encode(),
        (normalize_phone(phone) or "").encode(),
        citizen.birth_date.isoformat().encode(),
    ]


def _files(database: Path) -> bytes:
    return b"".join(
        path.read_bytes() for path in (database, database.with_name(database.name + "-wal")) if path.exists()
    )


async def _verify(app: FastAPI, citizen: Citizen, *, use_code: bool) -> uuid.UUID:
    conversation = await new_conversation(app)
    headers = {HEADER: str(conversation)}
    async with service_client(app) as service:
        sent = await service.post("/api/v1/identity/otp", json={"nik": citizen.nik}, headers=headers)
        assert sent.status_code == 200 and sent.json()["code_sent"] is True
        if use_code:
            code = await last_code(app, own_phone(citizen) or "")
            body = {"nik": citizen.nik, "code": code}
            verified = await service.post("/api/v1/identity/otp/verify", json=body, headers=headers)
            assert verified.status_code == 200 and verified.json()["verified"] is True
    if use_code:  # an agent checked this citizen's birth date in the same conversation
        async with app.state.sessionmaker() as session:
            session.add(
                VerifiedIdentity(
                    conversation_id=conversation, nik="0001234567890123",
                    birth_date=citizen.birth_date.isoformat(), service="health",
                )
            )  # fmt: skip
            await session.commit()
    return conversation


async def test_no_identifier_in_clear_in_the_database_file_or_its_wal(tmp_path: Path) -> None:
    verified, pending = _adults(2)
    database = tmp_path / "gateway.db"
    settings = make_settings(Database(url=f"sqlite+aiosqlite:///{database}"), "http://127.0.0.1:9")
    async with running(settings) as (app, _):
        conversation = await _verify(app, verified, use_code=True)
        await _verify(app, pending, use_code=False)
        verifier: Verifier = app.state.verifier
        async with app.state.sessionmaker() as session:
            assert await verifier.send_phone_code(session, await new_conversation(app), CALLBACK)
        # What the gateway reads back is intact.
        async with app.state.sessionmaker() as session:
            assert await verified_nik(session, conversation) == verified.nik
            assert await verifier.proven_phone(session, conversation) == normalize_phone(own_phone(verified))
            identity = await session.get(VerifiedIdentity, conversation)
            assert identity is not None and identity.birth_date == verified.birth_date.isoformat()
        live = _files(database)
    closed = _files(database)

    callback = [b"081377771234", b"6281377771234"]
    for stored in (live, closed):
        for secret in _spellings(verified) + _spellings(pending) + callback:
            assert secret not in stored, secret


async def test_retention_clears_expired_numbers_and_prunes_identity_rows(tmp_path: Path) -> None:
    verified, pending = _adults(2)
    database = Database(url=f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}")
    settings = make_settings(database, "http://127.0.0.1:9")
    async with running(settings) as (app, _):
        await _verify(app, verified, use_code=True)
        await _verify(app, pending, use_code=False)

        async def count(model: type[Any], *where: Any) -> int:
            async with app.state.sessionmaker() as session:
                return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

        assert await count(OtpChallenge, OtpChallenge.phone.is_not(None)) == 1  # the pending code's
        async with app.state.sessionmaker() as session:
            await prune(session, None, 90, utcnow() + timedelta(minutes=10))  # the code expired
        assert await count(OtpChallenge, OtpChallenge.phone.is_not(None)) == 0
        assert await count(OtpChallenge) == 2

        async with app.state.sessionmaker() as session:
            await prune(session, None, 90, utcnow() + timedelta(days=100))
        assert [await count(model) for model in (OtpChallenge, ProvenPhone, VerifiedSession)] == [0, 0, 0]


def _insert(table: str, values: dict[str, Any]) -> TextClause:
    """A plain INSERT (the models are at head, the table at 0014), typed as the models type."""
    columns = ", ".join(values)
    statement = text(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(':' + name for name in values)})")
    typed = [
        bindparam(name, type_=Uuid() if isinstance(value, uuid.UUID) else UTCDateTime())
        for name, value in values.items()
        if isinstance(value, uuid.UUID | datetime)
    ]
    return statement.bindparams(*typed)


async def test_migration_0017_seals_the_rows_it_finds(tmp_path: Path) -> None:
    nik, phone, other_phone, birth = "3273014508950001", "6281234567890", "6281298765432", "1984-08-31"
    path = tmp_path / "gateway.db"
    engine = create_engine(make_settings(Database(url=f"sqlite+aiosqlite:///{path}"), "http://127.0.0.1:9"))
    try:
        await migrate(engine, "0014")
        conversation_id = uuid.uuid4()
        await add_rows(engine, Conversation(id=conversation_id, channel="web"))
        now, cid = utcnow(), conversation_id
        rows: list[tuple[str, dict[str, Any]]] = [
            ("verified_sessions", {"conversation_id": cid, "nik": nik, "method": "otp", "verified_at": now,
                                   "expires_at": now + timedelta(minutes=30)}),
            ("proven_phones", {"conversation_id": cid, "phone": phone, "method": "otp", "proven_at": now}),
            ("verified_identities", {"conversation_id": cid, "nik": "0001234567890123", "birth_date": birth,
                                     "service": "health", "verified_at": now}),
            ("otp_challenges", {"nik_hash": "live", "code_hash": "x", "conversation_id": cid, "phone": phone,
                                "sent_at": now, "expires_at": now + timedelta(minutes=5), "failures": 0}),
            ("otp_challenges", {"nik_hash": "expired", "code_hash": "x", "conversation_id": cid,
                                "phone": other_phone, "sent_at": now - timedelta(hours=1),
                                "expires_at": now - timedelta(minutes=55), "failures": 0}),
        ]  # fmt: skip
        async with engine.begin() as connection:
            for table, values in rows:
                await connection.execute(_insert(table, values), values)
        await migrate(engine)
        async with async_sessionmaker(engine)() as session:
            assert await verified_nik(session, conversation_id) == nik
            binding = await session.get(VerifiedSession, conversation_id)
            assert binding is not None and binding.nik_hash == sessions.nik_hash(nik)
            proven = await session.get(ProvenPhone, conversation_id)
            assert proven is not None and proven.phone == phone
            identity = await session.get(VerifiedIdentity, conversation_id)
            assert identity is not None and identity.birth_date == birth
            codes = {row.nik_hash: row.phone for row in await session.scalars(select(OtpChallenge))}
            assert codes == {"live": phone, "expired": None}
    finally:
        await engine.dispose()
    stored = _files(path)
    for secret in (nik, phone, other_phone, birth):
        assert secret.encode() not in stored, secret
