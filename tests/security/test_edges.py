"""Hardening the edges (issue #16, section 5): bounded integers everywhere, per-IP limits on
conversation creation, WebSocket opens and the service API, an idempotency key per turn on
every POST that opens a case or billing, and nested timeouts."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from api.core.config import ACTIONS_CALL_TIMEOUT_SECONDS
from api.identity import sessions
from api.main import create_app, create_service_app
from api.models import Case
from simulators.seed import sample
from tests.api.callcenter.support import ALWAYS_OPEN, add_agent, console
from tests.api.fake_rasa import FakeRasa
from tests.api.identity_support import verified_conversation
from tests.api.support import Database, GatewayFactory, make_settings, new_conversation, service_client
from tests.security.support import web_conversation

pytestmark = pytest.mark.asyncio

HUGE = 2**63
TOKEN = "token-layanan-yang-cukup-panjang"


# --- Bounded integers --------------------------------------------------------------------------


async def test_after_beyond_64_bits_is_422(client: httpx.AsyncClient) -> None:
    conversation, token = await web_conversation(client)
    client.headers["X-Session-Token"] = token  # the history needs the session
    for after in (HUGE, 2**64, 10**30):
        response = await client.get(f"/api/v1/conversations/{conversation}/messages", params={"after": after})
        assert response.status_code == 422, (after, response.text)
    biggest = await client.get(f"/api/v1/conversations/{conversation}/messages", params={"after": HUGE - 1})
    assert biggest.status_code == 200


async def test_console_ids_beyond_64_bits_are_422(gateway: GatewayFactory) -> None:
    async with gateway(**ALWAYS_OPEN) as (app, _):
        agent = await add_agent(app)
        async with console(app, agent) as desk:
            assert (await desk.get(f"/console/api/handoffs/{HUGE}")).status_code == 422
            assert (await desk.post(f"/console/api/handoffs/{HUGE}/claim")).status_code == 422
            transfer = await desk.post("/console/api/handoffs/1/transfer", json={"agent_id": HUGE})
            assert transfer.status_code == 422


def _integers_without_maximum(schema: dict[str, Any]) -> list[str]:
    """Every integer parameter and request-body property of an OpenAPI schema lacking a maximum."""
    components = schema.get("components", {}).get("schemas", {})
    bodies = set()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                yield_ = _unbounded(parameter.get("schema", {}), components)
                if yield_:
                    bodies.add(f"{method.upper()} {path} ?{parameter['name']}")
            content = operation.get("requestBody", {}).get("content", {})
            for media in content.values():
                for name in _unbounded_properties(media.get("schema", {}), components, set()):
                    bodies.add(f"{method.upper()} {path} body.{name}")
    return sorted(bodies)


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _unbounded(schema: dict[str, Any], components: dict[str, Any]) -> bool:
    schema = _resolve(schema, components)
    options = schema.get("anyOf") or schema.get("oneOf") or [schema]
    return any(
        _resolve(option, components).get("type") == "integer"
        and "maximum" not in _resolve(option, components)
        for option in options
    )


def _unbounded_properties(schema: dict[str, Any], components: dict[str, Any], seen: set[str]) -> list[str]:
    schema = _resolve(schema, components)
    found = []
    for name, prop in schema.get("properties", {}).items():
        if _unbounded(prop, components):
            found.append(name)
        ref = prop.get("$ref")
        if ref and ref not in seen:
            seen.add(ref)
            found += [f"{name}.{inner}" for inner in _unbounded_properties(prop, components, seen)]
    return found


def test_every_integer_input_is_bounded(database: Database) -> None:
    public = create_app(make_settings(database, "http://127.0.0.1:9"))
    for app in (public, create_service_app(public)):
        assert _integers_without_maximum(app.openapi()) == [], app.title


# --- Per-IP limits -------------------------------------------------------------------------------


async def test_conversation_creation_is_limited_per_address(gateway: GatewayFactory) -> None:
    async with gateway(rate_limit_conversations_per_ip=3) as (app, _):
        codes = []
        for ip in ("10.1.0.1", "10.1.0.1", "10.1.0.1", "10.1.0.1", "10.1.0.2"):
            transport = httpx.ASGITransport(app=app, client=(ip, 5000))
            async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
                codes.append((await client.post("/api/v1/conversations", json={})).status_code)
    assert codes == [201, 201, 201, 429, 201]


def test_websocket_opens_are_limited_per_address(database: Database, fake_rasa: FakeRasa) -> None:
    settings = make_settings(database, fake_rasa.url, rate_limit_sockets_per_ip=2)
    with TestClient(create_app(settings)) as http:
        created = http.post("/api/v1/conversations", json={}).json()
        path = f"/api/v1/conversations/{created['id']}/ws"
        for _ in range(2):
            with http.websocket_connect(path) as ws:
                # The first frame is the widget's session (connectors/web/session.py).
                ws.send_json({"type": "auth", "token": created["session_token"]})
                assert ws.receive_json() == {"type": "ready"}
                ws.send_json({"type": "text", "text": "halo"})
                assert ws.receive_json()["type"] in ("typing", "result")
        with http.websocket_connect(path) as ws, pytest.raises(WebSocketDisconnect) as closed:
            ws.send_json({"type": "text", "text": "halo"})  # an open socket would answer it
            ws.receive_json()
        assert closed.value.code == 4429


async def test_the_service_api_is_limited_per_address(gateway: GatewayFactory) -> None:
    async with gateway(rate_limit_service_api_per_ip=3) as (app, _), service_client(app) as actions:
        codes = [(await actions.get("/api/v1/health/bpjs/rates")).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


# --- Idempotency ---------------------------------------------------------------------------------


def _application() -> dict[str, Any]:
    persona = sample("adult")
    return {
        "type": "kk_change",
        "nik": persona["nik"],
        "birth_date": persona["birth_date"],
        "details": {"reason": "tambah_anggota"},
    }


async def _verified_header(app: FastAPI) -> dict[str, str]:
    """`X-Conversation-ID` of a conversation whose citizen proved the applicant's NIK (an OTP):
    the population routes answer only such a caller (api/identity/guard.py)."""
    return {"X-Conversation-ID": str(await verified_conversation(app, _application()["nik"]))}


async def _cases(app: FastAPI) -> int:
    async with app.state.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(Case)) or 0)


async def test_a_retried_post_opens_one_case(gateway: GatewayFactory) -> None:
    async with gateway(service_token=TOKEN) as (app, client):
        conversation = await new_conversation(client)
        async with app.state.sessionmaker() as session:  # its citizen proved the NIK (an OTP)
            await sessions.bind(session, uuid.UUID(conversation), _application()["nik"], "otp")
        headers = {"X-Conversation-ID": conversation, "Idempotency-Key": f"{conversation}:turn-1"}
        before = await _cases(app)
        async with service_client(app, TOKEN) as actions:
            first = await actions.post(
                "/api/v1/population/applications", json=_application(), headers=headers
            )
            retried = await actions.post(
                "/api/v1/population/applications", json=_application(), headers=headers
            )
            assert await _cases(app) == before + 1
            assert first.status_code == retried.status_code == 201
            assert retried.json()["case_number"] == first.json()["case_number"]
            assert retried.headers.get("idempotent-replayed") == "true"
            # The next turn is a new request.
            headers["Idempotency-Key"] = f"{conversation}:turn-2"
            later = await actions.post(
                "/api/v1/population/applications", json=_application(), headers=headers
            )
        assert later.status_code == 201 and later.json()["case_number"] != first.json()["case_number"]
        assert await _cases(app) == before + 2


async def test_concurrent_twins_open_one_case(gateway: GatewayFactory) -> None:
    async with gateway(service_token=TOKEN) as (app, _):
        headers = {**await _verified_header(app), "Idempotency-Key": "twins"}
        before = await _cases(app)
        async with service_client(app, TOKEN) as actions:
            answers = await asyncio.gather(
                *(
                    actions.post("/api/v1/population/applications", json=_application(), headers=headers)
                    for _ in range(4)
                )
            )
        assert await _cases(app) == before + 1
        assert {a.status_code for a in answers} <= {201, 409} and 201 in {a.status_code for a in answers}
        assert len({a.json()["case_number"] for a in answers if a.status_code == 201}) == 1


async def test_a_key_without_the_token_is_neither_stored_nor_replayed(gateway: GatewayFactory) -> None:
    async with gateway(service_token=TOKEN) as (app, _):
        headers = {**await _verified_header(app), "Idempotency-Key": "stolen-key"}
        async with service_client(app, TOKEN) as actions:
            assert (
                await actions.post("/api/v1/population/applications", json=_application(), headers=headers)
            ).status_code == 201
        async with service_client(app) as stranger:
            replay = await stranger.post(
                "/api/v1/population/applications", json=_application(), headers=headers
            )
        assert replay.status_code == 401 and "case_number" not in replay.text


async def test_a_failed_post_can_be_retried(gateway: GatewayFactory) -> None:
    async with gateway(simulated_faults="dukcapil=error") as (app, _):
        headers = {**await _verified_header(app), "Idempotency-Key": "after-a-failure"}
        async with service_client(app) as actions:
            failed = await actions.post(
                "/api/v1/population/applications", json=_application(), headers=headers
            )
            again = await actions.post(
                "/api/v1/population/applications", json=_application(), headers=headers
            )
    assert failed.status_code >= 500 and again.status_code >= 500
    assert again.headers.get("idempotent-replayed") is None


# --- Nested timeouts -------------------------------------------------------------------------------


def test_the_gateway_waits_for_rasa_longer_than_an_action_chain(database: Database) -> None:
    settings = make_settings(database, "http://127.0.0.1:9", rasa_timeout_seconds=16.0)
    assert settings.ministry_timeout_seconds < ACTIONS_CALL_TIMEOUT_SECONDS < settings.action_chain_seconds
    defaults = type(settings).model_fields
    assert defaults["rasa_timeout_seconds"].default > settings.action_chain_seconds
    production = {"environment": "production", "service_token": TOKEN, "identity_key": "k" * 32}
    with pytest.raises(ValueError, match="AW_RASA_TIMEOUT_SECONDS"):
        make_settings(database, "http://127.0.0.1:9", rasa_timeout_seconds=4.0, **production)
    assert make_settings(database, "http://127.0.0.1:9", rasa_timeout_seconds=16.0, **production)
