"""Migrations on a database that holds rows: the data steps do what their migrations say, and
the rows outlive a trip down and back up (SQLite and PostgreSQL).

The data steps: 0004's downgrade turns `rate_limited` messages into `failed`; 0005's deletes
contact-request cases (a kind unknown before it); 0006's fills `conversations.last_message_at`
again from each conversation's latest message; 0015 encrypts stored phone numbers (its
downgrade decrypts them); 0016 replaces identifiers in clear in the audit log by their keyed
hash (its downgrade keeps the hashes); 0017 seals a NIK and a birth date and moves 0015's
numbers to the `Sealed` format, each value encrypted once (its downgrade goes back to 0015's).
Rows are written with the models (at head, or at 0005, whose tables the models can still
fill), or with plain SQL where the models seal or have columns added since, then read back
with plain SQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Uuid, bindparam, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlalchemy.types import TypeEngine

from api.callcenter.access import citizen_hash
from api.callcenter.lookup_keys import callback_key, nik_key
from api.db import create_engine, downgrade, migrate
from api.identity.sessions import nik_hash
from api.models import (
    Agent,
    AgentRole,
    AuditEntry,
    Author,
    Case,
    CaseEvent,
    CaseKind,
    ChannelThread,
    Conversation,
    Direction,
    Handoff,
    Message,
    OtpChallenge,
    ProvenPhone,
    RasaStatus,
    UTCDateTime,
    VerifiedIdentity,
    VerifiedSession,
)
from api.privacy import sealing
from api.privacy import vault as privacy
from tests.api.support import Database, add_rows, make_settings, new_database

pytestmark = pytest.mark.asyncio

T0 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


@pytest.fixture
def empty_database(database: Database, tmp_path: Path) -> Iterator[Database]:
    """A new, empty database of the same backend as `database`."""
    yield from new_database(database.backend, tmp_path)


async def _migrated(database: Database, revision: str = "head") -> AsyncEngine:
    engine = create_engine(make_settings(database, "http://127.0.0.1:9"))
    await migrate(engine, revision)
    return engine


_add = add_rows


async def _select(engine: AsyncEngine, sql: str, **types: TypeEngine[Any]) -> list[tuple[Any, ...]]:
    async with engine.connect() as connection:
        result = await connection.execute(text(sql).columns(**types) if types else text(sql))
        return [tuple(row) for row in result]


def _conversation(channel: str, channel_user_id: str | None = None) -> Conversation:
    """With its id set now, so rows built before the insert can point at it."""
    return Conversation(id=uuid.uuid4(), channel=channel, channel_user_id=channel_user_id)


def _message(conversation: Conversation, text_: str, at: datetime, **values: Any) -> Message:
    return Message(
        conversation_id=conversation.id,
        direction=Direction.IN,
        author=Author.CITIZEN,
        text=text_,
        created_at=at,
        **values,
    )


async def test_downgrading_0006_sets_last_message_at_to_the_latest_message(
    empty_database: Database,
) -> None:
    engine = await _migrated(empty_database)
    try:
        talked, silent = _conversation("web"), _conversation("web")
        await _add(
            engine,
            talked,
            silent,
            _message(talked, "halo", T0),
            _message(talked, "terima kasih", T0 + timedelta(minutes=7)),
            _message(talked, "cek bansos", T0 + timedelta(minutes=3)),  # stored last, yet older
        )
        await downgrade(engine, "0005")
        found = dict(
            await _select(
                engine,
                "SELECT id, last_message_at FROM conversations",
                id=Uuid(),
                last_message_at=UTCDateTime(),
            )
        )
        assert found == {talked.id: T0 + timedelta(minutes=7), silent.id: None}
    finally:
        await engine.dispose()


async def test_downgrading_0005_deletes_contact_requests_and_keeps_other_cases(
    empty_database: Database,
) -> None:
    engine = await _migrated(empty_database)
    try:
        conversation = _conversation("whatsapp", "6281100000001")
        linked = {"status": "open", "conversation_id": conversation.id}
        await _add(
            engine,
            conversation,
            Case(case_number="ADU-2026-000001", kind=CaseKind.COMPLAINT, **linked),
            Case(case_number="KTK-2026-000001", kind=CaseKind.CONTACT_REQUEST, **linked),
            Case(case_number="SKCK-2026-000001", kind=CaseKind.SKCK, status="done"),
            _message(conversation, "halo", T0),
        )
        await downgrade(engine, "0004")
        assert await _select(engine, "SELECT case_number, kind, status FROM cases ORDER BY case_number") == [
            ("ADU-2026-000001", "complaint", "open"),
            ("SKCK-2026-000001", "skck", "done"),
        ]
        assert await _select(engine, "SELECT text FROM messages") == [("halo",)]
    finally:
        await engine.dispose()


async def test_downgrading_0004_marks_rate_limited_messages_failed(empty_database: Database) -> None:
    engine = await _migrated(empty_database)
    try:
        conversation = _conversation("telegram", "777")
        messages = [
            _message(conversation, status.value, T0 + timedelta(seconds=n), rasa_status=status)
            for n, status in enumerate(RasaStatus)
        ]
        await _add(engine, conversation, *messages)
        await downgrade(engine, "0003")
        # 0018's statuses (a retried turn's) are `failed` before it, as 0004's is before it.
        later = (RasaStatus.RATE_LIMITED, RasaStatus.QUEUED, RasaStatus.EXPIRED)
        assert await _select(engine, "SELECT text, rasa_status FROM messages ORDER BY id") == [
            (status.value, "failed" if status in later else status.value) for status in RasaStatus
        ]
    finally:
        await engine.dispose()


async def test_rows_outlive_a_downgrade_to_0003_and_the_upgrade_back(
    empty_database: Database,
) -> None:
    engine = await _migrated(empty_database)
    try:
        conversation = _conversation("telegram", "777")
        case = Case(
            case_number="ADU-2026-000002",
            kind=CaseKind.COMPLAINT,
            status="open",
            conversation_id=conversation.id,
        )
        thread = ChannelThread(
            channel="telegram", channel_user_id="777", conversation_id=conversation.id, last_inbound_at=T0
        )
        later = T0 + timedelta(seconds=1)
        await _add(
            engine,
            conversation,
            case,
            CaseEvent(case=case, status="open", at=T0),
            thread,
            _message(conversation, "halo", T0, rasa_status=RasaStatus.DELIVERED),
            _message(conversation, "halo lagi", later, rasa_status=RasaStatus.RATE_LIMITED),
        )
        expected = {
            "conversations": [("telegram", "777")],
            "messages": [("halo", "delivered"), ("halo lagi", "failed")],
            "channel_threads": [("777",)],
            "cases": [("ADU-2026-000002",)],
            "case_events": [("open",)],
        }
        await downgrade(engine, "0003")
        assert await _snapshot(engine) == expected, "after the downgrade to 0003"
        await migrate(engine)
        assert await _snapshot(engine) == expected, "after the upgrade back to head"
    finally:
        await engine.dispose()


async def test_upgrading_from_0005_keeps_every_conversations_messages(
    empty_database: Database,
) -> None:
    """The upgrade every SQLite installation at 0005 meets: 0006 drops a column of
    `conversations`, which must not take the conversations' messages with it."""
    engine = await _migrated(empty_database, "0005")
    try:
        conversation = _conversation("whatsapp", "6281100000002")
        thread = ChannelThread(
            channel="whatsapp", channel_user_id="6281100000002", conversation_id=conversation.id
        )
        # The conversation as 0005 knew it: the model has columns added since (0014).
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO conversations (id, channel, channel_user_id, handled_by, created_at, "
                    "updated_at) VALUES (:id, 'whatsapp', '6281100000002', 'bot', :at, :at)"
                ),
                {"id": conversation.id.hex if engine.dialect.name == "sqlite" else conversation.id, "at": T0},
            )
        await _add(engine, thread)
        async with engine.begin() as connection:  # the message as 0005 knew it, too (0022)
            await connection.execute(
                text(
                    "INSERT INTO messages (conversation_id, direction, author, text, buttons, "
                    "created_at) VALUES (:c, 'in', 'citizen', 'halo', '[]', :at)"
                ),
                {"c": conversation.id.hex if engine.dialect.name == "sqlite" else conversation.id, "at": T0},
            )
        await migrate(engine)
        assert await _select(engine, "SELECT text FROM messages") == [("halo",)]
        assert await _select(engine, "SELECT channel_user_id FROM channel_threads") == [("6281100000002",)]
    finally:
        await engine.dispose()


async def _snapshot(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    """What the tables that exist since 0003 hold."""
    return {
        "conversations": await _select(engine, "SELECT channel, channel_user_id FROM conversations"),
        "messages": await _select(engine, "SELECT text, rasa_status FROM messages ORDER BY id"),
        "channel_threads": await _select(engine, "SELECT channel_user_id FROM channel_threads"),
        "cases": await _select(engine, "SELECT case_number FROM cases"),
        "case_events": await _select(engine, "SELECT status FROM case_events"),
    }


async def _phones_at_0014(
    engine: AsyncEngine, conversation: Conversation, challenge: str
) -> list[tuple[str]]:
    """A hand-off with a callback number, a proved number and a live code's number, stored in
    clear as before 0015 (plain SQL: the models seal and have columns added since)."""
    await _add(engine, conversation)
    cid = conversation.id.hex if engine.dialect.name == "sqlite" else conversation.id
    now = datetime.now(UTC)
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO handoffs (conversation_id, state, reason, team, requested_at, queued_at, "
                "awaiting_phone, updated_at, callback_phone) VALUES (:cid, 'callback', 'citizen_request', "
                "'umum', :at, :at, false, :at, '+6281234500001')"
            ).bindparams(bindparam("at", type_=UTCDateTime())),
            {"cid": cid, "at": now},
        )
        await connection.execute(
            text(
                "INSERT INTO proven_phones (conversation_id, phone, method, proven_at) "
                "VALUES (:cid, '6281234500002', 'otp', :at)"
            ).bindparams(bindparam("at", type_=UTCDateTime())),
            {"cid": cid, "at": now},
        )
        await connection.execute(
            text(
                "INSERT INTO otp_challenges (nik_hash, code_hash, conversation_id, phone, sent_at, "
                "expires_at, failures) VALUES (:key, 'x', :cid, '6281234500003', :at, :live, 0)"
            ).bindparams(bindparam("at", type_=UTCDateTime()), bindparam("live", type_=UTCDateTime())),
            {"key": challenge, "cid": cid, "at": now, "live": now + timedelta(minutes=5)},
        )
    return [("+6281234500001",), ("6281234500002",), ("6281234500003",)]


_PHONES = (
    "SELECT callback_phone FROM handoffs UNION ALL SELECT phone FROM proven_phones "
    "UNION ALL SELECT phone FROM otp_challenges"
)


async def test_0015_encrypts_stored_phone_numbers_and_its_downgrade_decrypts_them(
    empty_database: Database,
) -> None:
    engine = await _migrated(empty_database, "0014")
    try:
        conversation, challenge = _conversation("web"), "c" * 64
        clear = await _phones_at_0014(engine, conversation, challenge)
        await migrate(engine, "0015")
        sealed = [value for (value,) in await _select(engine, _PHONES)]
        assert not any("628123450000" in value for value in sealed)
        vault = privacy.current()
        assert [
            vault.open_field("handoffs.callback_phone", conversation.id, sealed[0]),
            vault.open_field("proven_phones.phone", conversation.id, sealed[1]),
            vault.open_field("otp_challenges.phone", challenge, sealed[2]),
        ] == [phone for (phone,) in clear]
        await downgrade(engine, "0014")
        assert await _select(engine, _PHONES) == clear
    finally:
        await engine.dispose()


async def test_0017_seals_every_column_once_with_the_column_type_and_its_downgrade_restores_0015(
    empty_database: Database,
) -> None:
    """0015's numbers are opened and sealed again in the `Sealed` format (not sealed twice); a
    NIK and a birth date in clear are sealed; the models read all of them in clear."""
    engine = await _migrated(empty_database, "0014")
    try:
        conversation, challenge = _conversation("web"), "d" * 64
        clear = await _phones_at_0014(engine, conversation, challenge)
        nik, birth = "3201014101900003", "1990-01-01"
        cid = conversation.id.hex if engine.dialect.name == "sqlite" else conversation.id
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO verified_sessions (conversation_id, nik, method, verified_at, expires_at) "
                    "VALUES (:cid, :nik, 'otp', :at, :at)"
                ).bindparams(bindparam("at", type_=UTCDateTime())),
                {"cid": cid, "nik": nik, "at": T0},
            )
            await connection.execute(
                text(
                    "INSERT INTO verified_identities (conversation_id, nik, birth_date, service, "
                    "verified_at) VALUES (:cid, 'tok', :birth, 'health', :at)"
                ).bindparams(bindparam("at", type_=UTCDateTime())),
                {"cid": cid, "birth": birth, "at": T0},
            )
        personal = "SELECT nik FROM verified_sessions UNION ALL SELECT birth_date FROM verified_identities"
        await migrate(engine, "0016")
        at_0015 = await _select(engine, _PHONES)
        await migrate(engine)
        stored = [value for (value,) in await _select(engine, _PHONES + " UNION ALL " + personal)]
        assert not any(secret in value for value in stored for secret in ("628123450000", nik, birth))
        sealer = sealing.current()
        purposes = ["handoffs.callback_phone", "proven_phones.phone", "otp_challenges.phone",
                    "verified_sessions.nik", "verified_identities.birth_date"]  # fmt: skip
        # Each opens to the clear value at once: encrypted once, in the one format.
        assert [sealer.open(purpose, value) for purpose, value in zip(purposes, stored, strict=True)] == [
            *(phone for (phone,) in clear),
            nik,
            birth,
        ]
        async with async_sessionmaker(engine)() as session:
            handoff = await session.scalar(select(Handoff))
            proven = await session.get(ProvenPhone, conversation.id)
            binding = await session.get(VerifiedSession, conversation.id)
            identity = await session.get(VerifiedIdentity, conversation.id)
            code = await session.get(OtpChallenge, challenge)
        assert handoff is not None and handoff.callback_phone == clear[0][0]
        assert handoff.callback_phone_hash == callback_key(clear[0][0])  # 0023
        assert proven is not None and proven.phone == clear[1][0]
        assert code is not None and code.phone == clear[2][0]
        assert binding is not None and binding.nik == nik and binding.nik_hash == nik_hash(nik)
        assert identity is not None and identity.birth_date == birth

        await downgrade(engine, "0016")
        back = [value for (value,) in await _select(engine, _PHONES)]
        assert back != [value for (value,) in at_0015]  # sealed again, with a new nonce
        vault = privacy.current()
        assert [
            vault.open_field("handoffs.callback_phone", conversation.id, back[0]),
            vault.open_field("proven_phones.phone", conversation.id, back[1]),
            vault.open_field("otp_challenges.phone", challenge, back[2]),
        ] == [phone for (phone,) in clear]
        assert await _select(engine, personal) == [(nik,), (birth,)]
        await downgrade(engine, "0014")
        assert await _select(engine, _PHONES) == clear
    finally:
        await engine.dispose()


async def test_0016_hashes_clear_identifiers_in_the_audit_log_and_keeps_it_append_only(
    empty_database: Database,
) -> None:
    engine = await _migrated(empty_database, "0015")
    try:
        agent = Agent(username="sari", display_name="Sari", password_hash="x", role=AgentRole.AGENT, teams=[])
        await _add(engine, agent)
        nik = "3201014101900003"
        entry = {"agent_id": agent.id, "action": "service_lookup", "service": "health", "reason": "r",
                 "outcome": "ok", "at": T0}  # fmt: skip
        hashed_before = citizen_hash("3171020202850004")  # a row written since 0009
        await _add(
            engine,
            AuditEntry(citizen=nik, **entry),  # a row written before 0009: the NIK in clear
            AuditEntry(citizen="B1234XYZ", **entry),  # a plate, as looked up
            AuditEntry(citizen=hashed_before, **entry),
            AuditEntry(citizen=None, **entry),
        )
        query = "SELECT citizen FROM audit_log ORDER BY id"
        await migrate(engine)
        expected = [(citizen_hash(nik),), (citizen_hash("B1234XYZ"),), (hashed_before,), (None,)]
        assert await _select(engine, query) == expected
        # The bot's look-ups have no agent (0016); the log is still append-only.
        await _add(
            engine,
            AuditEntry(citizen=citizen_hash(nik), **{**entry, "agent_id": None, "action": "bot_lookup"}),
        )
        await _refused(engine, "UPDATE audit_log SET citizen = NULL")
        await _refused(engine, "DELETE FROM audit_log")

        await downgrade(engine, "0015")  # the hashes stay; the bot's entries go
        assert await _select(engine, query) == expected
        await _refused(engine, "UPDATE audit_log SET citizen = NULL")
    finally:
        await engine.dispose()


async def test_0023_fills_the_hashes_the_history_searches_by(empty_database: Database) -> None:
    """A verified identity's NIK (opened from the vault entry of its token) and a callback
    number (opened from its sealed column) get their keyed hashes; a token without its vault
    entry gets none."""
    engine = await _migrated(empty_database, "0022")
    try:
        verified, orphan = _conversation("web"), _conversation("web")
        await _add(engine, verified, orphan)
        nik = "3201014101900003"
        async with async_sessionmaker(engine)() as session:
            token = await privacy.current().pseudonym(session, verified.id, "nik", nik)
            await session.commit()
        async with engine.begin() as connection:
            for conversation, identity_token in ((verified, token), (orphan, "9999999999999999")):
                await connection.execute(
                    text(
                        "INSERT INTO verified_identities (conversation_id, nik, birth_date, service, "
                        "verified_at) VALUES (:cid, :token, 'x', 'health', :at)"
                    ).bindparams(bindparam("cid", type_=Uuid()), bindparam("at", type_=UTCDateTime())),
                    {"cid": conversation.id, "token": identity_token, "at": T0},
                )
        await migrate(engine)
        hashes = dict(
            await _select(
                engine,
                "SELECT conversation_id, nik_hash FROM verified_identities",
                conversation_id=Uuid(),
            )
        )
        assert hashes == {verified.id: nik_key(nik), orphan.id: None}
        await downgrade(engine, "0022")
        assert await _select(engine, "SELECT count(*) FROM verified_identities") == [(2,)]
    finally:
        await engine.dispose()


async def _refused(engine: AsyncEngine, statement: str) -> None:
    with pytest.raises(DBAPIError, match="append-only"):
        async with engine.begin() as connection:
            await connection.execute(text(statement))
