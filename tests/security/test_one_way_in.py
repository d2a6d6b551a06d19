"""One way in for each caller (issue #16, section 1): the service API only on its internal
listener and only with its token; the conversation header only behind the token; test-only
routes only with the simulators; the public API opens web conversations only."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError
from sqlalchemy import func, select

from api.identity import sessions
from api.main import create_app, create_service_app
from api.models import AuditEntry, Conversation, VerifiedIdentity
from simulators.seed import sample
from tests.api.callcenter.support import ALWAYS_OPEN, add_agent, console
from tests.api.support import GatewayFactory, make_settings, new_conversation, service_client

pytestmark = pytest.mark.asyncio

TOKEN = "token-layanan-yang-cukup-panjang"
# What issue #16 read with plain HTTP requests on the public port.
PERSONAL_ROUTES = [
    ("POST", "/api/v1/health/bpjs/membership"),
    ("POST", "/api/v1/social/recipients/by-nik"),
    ("POST", "/api/v1/health/immunizations"),
    ("POST", "/api/v1/police/sim"),
    ("POST", "/api/v1/population/verify"),
    ("POST", "/api/v1/payments/billings/820260000000001/payments"),
]


def _identity(persona_name: str = "adult") -> dict[str, str]:
    persona = sample(persona_name)
    return {"nik": persona["nik"], "birth_date": persona["birth_date"]}


async def _prove(app: FastAPI, conversation_id: str, nik: str) -> None:
    """The conversation's citizen proved `nik` (what an OTP leaves behind): the personal-data
    routes answer it (api/identity/guard.py)."""
    async with app.state.sessionmaker() as session:
        await sessions.bind(session, uuid.UUID(conversation_id), nik, "otp")


async def _verified(app: FastAPI, conversation_id: str) -> VerifiedIdentity | None:
    async with app.state.sessionmaker() as session:
        return await session.get(VerifiedIdentity, uuid.UUID(conversation_id))


@pytest.mark.parametrize(("method", "path"), PERSONAL_ROUTES)
async def test_the_public_port_serves_no_service_route(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await client.request(method, path, json=_identity())
    assert response.status_code == 404
    assert "card_number" not in response.text


async def test_the_public_openapi_lists_no_service_route(client: httpx.AsyncClient) -> None:
    paths = set((await client.get("/openapi.json")).json()["paths"])
    assert not {path for path in paths if path.startswith(("/api/v1/health", "/api/v1/population"))}


async def test_the_internal_listener_wants_the_token(gateway: GatewayFactory) -> None:
    identity = _identity()
    async with gateway(service_token=TOKEN) as (app, client):
        # A conversation verified as the citizen: only the token stands in the way.
        conversation = await new_conversation(client)
        await _prove(app, conversation, identity["nik"])
        header = {"X-Conversation-ID": conversation}
        async with service_client(app) as anonymous:
            missing = await anonymous.post("/api/v1/health/bpjs/membership", json=identity, headers=header)
        async with service_client(app, "salah") as wrong:
            bad = await wrong.post("/api/v1/health/bpjs/membership", json=identity, headers=header)
        async with service_client(app, TOKEN) as actions:
            right = await actions.post("/api/v1/health/bpjs/membership", json=identity, headers=header)
    for refused in (missing, bad):
        assert refused.status_code == 401 and refused.json()["code"] == "unauthorized"
        assert "card_number" not in refused.text
    assert right.status_code == 200 and right.json()["card_number"]


async def test_a_forged_conversation_header_writes_no_identity(gateway: GatewayFactory) -> None:
    """Anyone could write a 'verified identity' into any conversation with X-Conversation-ID."""
    async with gateway(service_token=TOKEN) as (app, client):
        conversation = await new_conversation(client)
        await _prove(app, conversation, _identity()["nik"])  # its citizen is verified (an OTP)
        header = {"X-Conversation-ID": conversation}
        # On the public port: not there at all.
        public = await client.post("/api/v1/population/verify", json=_identity(), headers=header)
        # On the internal listener without the token: refused before the header is read.
        async with service_client(app) as anonymous:
            internal = await anonymous.post("/api/v1/population/verify", json=_identity(), headers=header)
        assert (public.status_code, internal.status_code) == (404, 401)
        assert await _verified(app, conversation) is None
        # The action server, with the token: recorded (the check above can fail).
        async with service_client(app, TOKEN) as actions:
            ok = await actions.post("/api/v1/population/verify", json=_identity(), headers=header)
        assert ok.status_code == 200
        assert (await _verified(app, conversation)) is not None


@pytest.mark.parametrize("token", ["", "pendek"])
async def test_production_refuses_an_empty_or_short_token(token: str) -> None:
    with pytest.raises(ValidationError, match="AW_SERVICE_TOKEN"):
        make_settings(_database(), "http://127.0.0.1:9", environment="production", service_token=token)


def _database() -> Any:
    from tests.api.support import Database

    return Database("sqlite+aiosqlite:///:memory:")


def _routes(settings_overrides: dict[str, Any]) -> set[str]:
    settings = make_settings(_database(), "http://127.0.0.1:9", **settings_overrides)
    app = create_service_app(create_app(settings))
    return set(app.openapi()["paths"])


async def test_the_simulated_bank_exists_only_with_the_simulators() -> None:
    confirmation = "/api/v1/payments/billings/{billing_code}/payments"
    urls: dict[str, Any] = {f"{key}_url": "http://127.0.0.1:9" for key in _ministries()}
    urls["inapas_client_secret"] = "rahasia-uji"  # a real INApas needs the client secret
    assert confirmation in _routes({"simulators": "embedded"})
    off = _routes({"simulators": "off", **urls})
    assert confirmation not in off and "/api/v1/payments/billings/{billing_code}" in off


def _ministries() -> list[str]:
    from simulators.backends import FACTORIES

    return list(FACTORIES)


@pytest.mark.parametrize(
    "body",
    [
        {"channel": "telegram", "channel_user_id": "9876543210"},
        {"channel": "whatsapp", "channel_user_id": "6289999000111"},
    ],
)
async def test_a_telegram_or_whatsapp_conversation_cannot_be_opened_by_the_public_api(
    app: FastAPI, client: httpx.AsyncClient, body: dict[str, str]
) -> None:
    response = await client.post("/api/v1/conversations", json=body)
    assert response.status_code == 422
    async with app.state.sessionmaker() as session:
        spoofed = await session.scalar(
            select(func.count())
            .select_from(Conversation)
            .where(
                Conversation.channel_user_id == body["channel_user_id"],
                Conversation.channel == body["channel"],
            )
        )
    assert spoofed == 0


async def test_a_caller_without_the_token_writes_nothing_to_the_audit_log(gateway: GatewayFactory) -> None:
    """The conversation header is read after the token check, not before: naming an agent's
    assist session without the token leaves no entry (not even a refused one) in its log."""
    async with gateway(service_token=TOKEN, **ALWAYS_OPEN) as (app, _):
        agent = await add_agent(app)
        async with console(app, agent) as desk:
            assist = (
                await desk.post("/console/api/assist", json={"reason": "Penelepon minta cek data"})
            ).json()
        # A citizen of its own: the audit log is shared with tests/security/test_personal_data.py,
        # which finds its own caller's entries by NIK.
        identity = _identity("bpjs_active")
        await _prove(app, assist["id"], identity["nik"])  # the caller read out their OTP
        header = {"X-Conversation-ID": assist["id"]}
        async with service_client(app) as anonymous:
            refused = await anonymous.post("/api/v1/population/verify", json=identity, headers=header)
        assert refused.status_code == 401
        assert await _audit_entries(app, assist["id"]) == 0
        async with service_client(app, TOKEN) as actions:  # the control: the action server's call is logged
            assert (
                await actions.post("/api/v1/population/verify", json=identity, headers=header)
            ).is_success
        assert await _audit_entries(app, assist["id"]) == 1


async def _audit_entries(app: FastAPI, conversation_id: str) -> int:
    async with app.state.sessionmaker() as session:
        query = (
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.conversation_id == uuid.UUID(conversation_id))
        )
        return int(await session.scalar(query) or 0)
