"""Issue 16, part 3: personal data stops at the gateway.

The identifiers a citizen types (NIK, KK, BPJS card, NISN, CASN number, phone) reach Rasa
only as tokens of their conversation; the gateway alone resolves them (the service API, for
the conversation in X-Conversation-ID), keeps the originals encrypted, stores and shows the
citizen's messages masked, answers the action server with tokens, and audits by keyed hash.
Each test runs on SQLite and on PostgreSQL (tests/api/fixtures.py).
"""

from __future__ import annotations

import base64
import random
import stat
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta

import httpx
import pytest
import pytest_asyncio
from fastapi import APIRouter, FastAPI
from pydantic import ValidationError
from sqlalchemy import select, text

from api.core.config import Settings
from api.identity import sessions
from api.models import AuditEntry, VaultEntry
from api.privacy import shapes
from api.privacy import vault as privacy
from api.privacy.boundary import tokenizing
from bot import identifiers as bot_identifiers
from simulators.seed import sample
from tests.api.callcenter.support import ALWAYS_OPEN, add_agent, console, fresh_call_center, handoff_bot
from tests.api.fake_rasa import FakeRasa
from tests.api.support import GatewayFactory, new_conversation, service_client, stored_messages

pytestmark = pytest.mark.asyncio

MEMBERSHIP = "/api/v1/health/bpjs/membership"


def fresh_nik() -> str:
    """A valid NIK that no other test typed (Jakarta Selatan, a random birth date and serial)."""
    born = date(1960, 1, 1) + timedelta(days=random.randrange(15_000))
    return f"317401{born.day + 40:02d}{born.month:02d}{born.year % 100:02d}{random.randrange(1, 10_000):04d}"


def echo(body: dict) -> list[dict]:
    """A bot that repeats what it got, as a form's summary repeats a slot."""
    return [{"text": f"Anda mengirim: {body['message']}"}]


@pytest_asyncio.fixture
async def center(
    gateway: GatewayFactory, fake_rasa: FakeRasa
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    handoff_bot(fake_rasa)
    async with gateway(**ALWAYS_OPEN, rasa_token=fake_rasa.token) as (app, client):
        await fresh_call_center(app)
        yield app, client


async def test_rasa_gets_tokens_the_citizen_sees_the_number_masked(
    app_client: tuple[FastAPI, httpx.AsyncClient], fake_rasa: FakeRasa
) -> None:
    app, client = app_client
    fake_rasa.respond = echo
    member = sample("bpjs_active")
    conversation = await new_conversation(client)
    typed = f"NIK saya {member['nik']}, kartu {member['card_number']}, hp 0812-3456-7890"
    response = await client.post(f"/api/v1/conversations/{conversation}/messages", json={"text": typed})
    assert response.status_code == 200, response.text

    sent = fake_rasa.received[-1]["message"]
    for identifier in (member["nik"], member["card_number"], "081234567890", "0812-3456-7890"):
        assert identifier not in sent
    kinds = [shapes.token_kind(run) for run in sent.replace(",", " ").split() if run.isdigit()]
    assert kinds == ["nik", "bpjs", "phone"], sent
    # The reply echoed the tokens: the citizen reads the masked originals.
    masked_nik = f"{member['nik'][:4]}********{member['nik'][-4:]}"
    [reply] = response.json()["replies"]
    assert masked_nik in reply["text"] and f"*********{member['card_number'][-4:]}" in reply["text"]
    assert member["nik"] not in reply["text"]
    # A custom reply (a list) is revealed too; its payloads keep the token, for Rasa.
    token = sent.split()[2].rstrip(",")
    rows = [{"title": f"NIK {token}", "payload": f'/inform{{"nik":"{token}"}}'}]
    fake_rasa.respond = None
    fake_rasa.reply(
        {"custom": {"type": "list", "text": f"Pilih {token}", "sections": [{"title": "x", "rows": rows}]}}
    )
    listed = await client.post(f"/api/v1/conversations/{conversation}/messages", json={"text": "lanjut"})
    [content] = [reply for reply in listed.json()["replies"]]
    assert (
        member["nik"] not in listed.text
        and token not in str(content.get("text"))
        and masked_nik in listed.text
    )
    assert token in listed.text  # the row's payload
    # Stored (and shown in the history and the console) masked, the citizen's own typing included.
    stored = [message.text for message in await stored_messages(app, conversation)]
    assert stored[0] == f"NIK saya {masked_nik}, kartu *********{member['card_number'][-4:]}, hp ********7890"
    assert all(member["nik"] not in line for line in stored)


async def test_the_same_identifier_keeps_its_token_and_resolves_round_trip(
    app_client: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = app_client
    conversation = uuid.UUID(await new_conversation(client))
    vault = privacy.current()
    originals = {
        "nik": fresh_nik(),
        "bpjs": "0004861326592",
        "nisn": "0166397432",
        "casn": "24112650000000005",
        "phone": "081234567890",
    }
    async with app.state.sessionmaker() as session:
        typed = " dan ".join(originals.values())
        first = await vault.tokenize(session, conversation, typed)
        again = await vault.tokenize(session, conversation, typed)
        await session.commit()
    assert first.text == again.text
    tokens = first.text.split(" dan ")
    assert [shapes.token_kind(token) for token in tokens] == list(originals)
    assert [len(token) for token in tokens] == [16, 13, 10, 17, 12]
    async with app.state.sessionmaker() as session:
        for token, original in zip(tokens, originals.values(), strict=True):
            assert await vault.resolve(session, conversation, token) == original
            # The tokens are of this conversation only.
            assert await vault.resolve(session, uuid.uuid4(), token) is None


async def test_the_service_api_resolves_a_token_for_its_conversation_only(
    app_client: tuple[FastAPI, httpx.AsyncClient], fake_rasa: FakeRasa
) -> None:
    app, client = app_client
    fake_rasa.respond = echo
    member = sample("bpjs_active")
    mine, other = await new_conversation(client), await new_conversation(client)
    await client.post(f"/api/v1/conversations/{mine}/messages", json={"text": member["nik"]})
    token = fake_rasa.received[-1]["message"]
    assert shapes.token_kind(token) == "nik"

    async with app.state.sessionmaker() as session:  # the citizen proved the NIK (an OTP)
        await sessions.bind(session, uuid.UUID(mine), member["nik"], "otp")
    body = {"nik": token, "birth_date": member["birth_date"]}
    async with service_client(app) as service:  # the action server's view: the internal listener
        answer = await service.post(MEMBERSHIP, json=body, headers={"X-Conversation-ID": mine})
        # Another conversation's token is no NIK anywhere: refused as one.
        stolen = await service.post(MEMBERSHIP, json=body, headers={"X-Conversation-ID": other})
    assert answer.status_code == 200, answer.text
    # The card number never goes back to the action server in clear: the membership route
    # masks it (api/identity), so neither the tracker nor the citizen's screen holds it whole.
    card = answer.json()["card_number"]
    assert card.endswith(member["card_number"][-4:]) and member["card_number"] not in answer.text

    assert stolen.status_code == 422, stolen.text
    assert member["card_number"] not in stolen.text


async def test_the_audit_log_keeps_a_keyed_hash_not_the_nik(
    center: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = center
    agent = await add_agent(app, name="Rina")
    persona = sample("adult")
    async with console(app, agent) as desk:
        session_id = (await desk.post("/console/api/assist", json={"reason": "Penelepon minta cek"})).json()[
            "id"
        ]
    async with app.state.sessionmaker() as session:  # the caller read out the OTP
        await sessions.bind(session, uuid.UUID(session_id), persona["nik"], "otp")
    async with service_client(app) as service:  # the action server's view: the internal listener
        verify = await service.post(
            "/api/v1/population/verify",
            json={"nik": persona["nik"], "birth_date": persona["birth_date"]},
            headers={"X-Conversation-ID": session_id},
        )
    assert verify.status_code == 200
    async with app.state.sessionmaker() as session:
        entries = list(
            await session.scalars(
                select(AuditEntry).where(AuditEntry.conversation_id == uuid.UUID(session_id))
            )
        )
    assert len(entries) == 1
    assert entries[0].citizen != persona["nik"] and persona["nik"] not in repr(vars(entries[0]))
    assert entries[0].citizen == privacy.current().keyed_hash(persona["nik"])
    # A supervisor finds the entries about a citizen by the NIK, which the log never holds.
    supervisor = await add_agent(app, role="supervisor")
    async with console(app, supervisor) as desk:
        found = (await desk.get("/console/api/supervisor/audit", params={"citizen": persona["nik"]})).json()
        none = (await desk.get("/console/api/supervisor/audit", params={"citizen": fresh_nik()})).json()
    assert [entry["reason"] for entry in found] == ["Penelepon minta cek"]
    assert none == []
    assert all(persona["nik"] not in str(entry) for entry in found)


async def test_identifiers_are_encrypted_at_rest(
    app_client: tuple[FastAPI, httpx.AsyncClient], fake_rasa: FakeRasa
) -> None:
    app, client = app_client
    fake_rasa.respond = echo
    nik = fresh_nik()
    conversation = await new_conversation(client)
    response = await client.post(
        f"/api/v1/conversations/{conversation}/messages", json={"text": f"NIK {nik}"}
    )
    assert response.status_code == 200
    async with app.state.sessionmaker() as session:
        [entry] = await session.scalars(
            select(VaultEntry).where(VaultEntry.conversation_id == uuid.UUID(conversation))
        )
        assert nik not in entry.ciphertext and nik not in entry.digest and entry.kind == "nik"
        assert nik.encode() not in base64.b64decode(entry.ciphertext)  # not merely encoded
        if app.state.settings.is_sqlite:
            await session.execute(text("PRAGMA wal_checkpoint(FULL)"))
    path = app.state.settings.sqlite_path()
    if path is not None:
        stored = b"".join(
            candidate.read_bytes()
            for candidate in (path, path.with_name(path.name + "-wal"))
            if candidate.exists()
        )
        assert nik.encode() not in stored, "the NIK's digits are in the database file"


# SQLite only: a PostgreSQL database's files are the server's own, not the gateway's.
@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
async def test_the_database_file_is_its_owners_alone(app_client: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, _ = app_client
    path = app.state.settings.sqlite_path()
    assert path is not None
    assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, oct(path.stat().st_mode)


def test_production_refuses_to_start_without_a_data_key() -> None:
    # Everything else production needs (the service token, the identity key, a Rasa deadline
    # beyond an action chain), so that the data key is what is missing.
    others = {
        "service_token": "a-long-enough-service-token",
        "identity_key": "k" * 32,
        "rasa_timeout_seconds": 20,
        "widget_session_key": "a-key-for-the-widget-sessions",
    }
    with pytest.raises(ValidationError, match="AW_DATA_KEY"):
        Settings(_env_file=None, environment="production", **others)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="AW_DATA_KEY"):
        privacy.Vault("short")


def test_the_bot_reads_the_gateway_tokens_as_the_gateway_writes_them() -> None:
    """bot/identifiers.py and api/privacy/shapes.py agree on every shape; a token passes the
    bot's checks as its original did, and is never a valid identifier itself."""
    originals = {
        "nik": [sample("adult")["nik"], "3174013102901234", "3174000101900001", "3174015001900000"],
        "bpjs": ["0004861326592"],
        "nisn": ["0166397432"],
        "casn": ["24112650000000005"],
        "phone": ["081234567890", "6281234567890", "0812345678"],
    }
    for kind, values in originals.items():
        for value in values:
            assert shapes.token_kind(value) is None and bot_identifiers.token_kind(value) is None
            for _ in range(50):
                token = shapes.new_token(kind, value)
                assert len(token) == (12 if kind == "phone" else len(value))
                assert shapes.token_kind(token) == bot_identifiers.token_kind(token) == kind
                assert shapes.find_identifiers(f"nomor {token}") == []  # a token is never re-tokenized
    nik_ok, bad_date, bad_region, bad_serial = originals["nik"]
    assert bot_identifiers.check_nik(shapes.new_token("nik", nik_ok)) is None
    assert "tanggal lahir" in (bot_identifiers.check_nik(shapes.new_token("nik", bad_date)) or "")
    assert "00" in (bot_identifiers.check_nik(shapes.new_token("nik", bad_region)) or "")
    assert "0000" in (bot_identifiers.check_nik(shapes.new_token("nik", bad_serial)) or "")
    for value in originals["nik"]:
        assert bot_identifiers.check_kk_number(shapes.new_token("nik", value)) is None
    assert bot_identifiers.check_bpjs_number(shapes.new_token("bpjs", "0004861326592")) is None
    assert bot_identifiers.check_nisn(shapes.new_token("nisn", "0166397432")) is None


async def test_identifiers_in_a_service_answer_go_back_as_the_conversations_tokens(
    app_client: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    """A ministry's answer that names a citizen (a family member's NIK, a card, a NISN) reaches
    the action server, and so Rasa's tracker, only as tokens of the conversation that asked
    (api/privacy/boundary.py `TokenizingRoute`); a call naming no conversation is untouched."""
    app, client = app_client
    member = sample("bpjs_active")
    answer = {"nik": member["nik"], "family": [{"nisn": "0141234567", "card_number": member["card_number"]}]}
    router = APIRouter()

    @router.get("/answer")
    async def ministry_answer() -> dict:
        return answer

    tokenizing(router.routes)
    ministry = FastAPI()
    ministry.state.sessionmaker = app.state.sessionmaker
    ministry.include_router(router)
    mine = await new_conversation(client)
    transport = httpx.ASGITransport(app=ministry)
    async with httpx.AsyncClient(transport=transport, base_url="http://service.test") as service:
        tokenized = (await service.get("/answer", headers={"X-Conversation-ID": mine})).json()
        untouched = (await service.get("/answer")).json()

    assert untouched == answer
    assert shapes.token_kind(tokenized["nik"]) == "nik"
    assert shapes.token_kind(tokenized["family"][0]["nisn"]) == "nisn"
    assert shapes.token_kind(tokenized["family"][0]["card_number"]) == "bpjs"
    async with app.state.sessionmaker() as session:
        assert await privacy.current().resolve_json(session, uuid.UUID(mine), tokenized) == answer
