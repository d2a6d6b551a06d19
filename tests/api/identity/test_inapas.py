"""Login with INApas (OpenID Connect, authorization code + PKCE) against the simulated
provider, end to end through the gateway's routes: the browser's steps are plain HTTP calls
of one client (its cookie jar is the browser's); the provider's pages are the embedded
simulator's under /simulasi/inapas."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from joserfc.jwk import RSAKey
from sqlalchemy import select

from api.identity.inapas import COOKIE, Inapas
from api.identity.sessions import verified_nik
from api.ministries.registry import SimulatedBackendRefused
from api.models import Conversation, HandledBy, InapasLogin
from simulators.seed import sample
from tests.api.support import GatewayFactory, new_conversation

NIK = sample("bpjs_active")["nik"]


def _query(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


async def _login_page(client: httpx.AsyncClient, conversation: str) -> tuple[str, dict[str, str]]:
    """Start the login; the provider's page URL and its form's hidden fields."""
    started = await client.get("/auth/inapas/start", params={"conversation": conversation})
    assert started.status_code == 303, started.text
    authorize = started.headers["location"]
    assert authorize.startswith("http://gateway.test/simulasi/inapas/authorize?")
    assert _query(authorize)["code_challenge_method"] == "S256"
    page = await client.get(authorize)
    assert page.status_code == 200
    assert "Setuju dan masuk" in page.text
    hidden = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">', page.text))
    return authorize, {name: unescape(value) for name, value in hidden.items()}


async def _consent(client: httpx.AsyncClient, conversation: str, nik: str = NIK) -> str:
    """Start, pick `nik` and agree: the callback URL the provider sends the browser to."""
    authorize, form = await _login_page(client, conversation)
    answer = await client.post(authorize.split("?")[0], data={**form, "nik": nik, "decision": "allow"})
    assert answer.status_code == 303, answer.text
    callback = answer.headers["location"]
    assert callback.startswith("http://gateway.test/auth/inapas/callback?")
    return callback


async def _bound(app: FastAPI, conversation: str) -> str | None:
    async with app.state.sessionmaker() as session:
        return await verified_nik(session, uuid.UUID(conversation))


def _provider(app: FastAPI) -> Any:
    """The simulated provider's state (built on its first request)."""
    return app.state.inapas.provider_app._app.state.provider


async def test_a_login_binds_the_conversation_to_the_nik(gateway: GatewayFactory) -> None:
    async with gateway() as (app, client):
        conversation = await new_conversation(client)
        callback = await _consent(client, conversation)
        assert await _bound(app, conversation) is None
        done = await client.get(callback)
        assert done.status_code == 200
        assert "Anda berhasil masuk dengan INApas" in done.text
        assert 'data-status="ok"' in done.text
        assert NIK not in done.text
        assert await _bound(app, conversation) == NIK
        assert COOKIE not in client.cookies  # spent


async def test_a_replayed_state_is_refused(gateway: GatewayFactory, caplog: pytest.LogCaptureFixture) -> None:
    async with gateway() as (app, client):
        conversation = await new_conversation(client)
        callback = await _consent(client, conversation)
        browser = client.cookies[COOKIE]
        assert (await client.get(callback)).status_code == 200
        client.cookies.set(COOKIE, browser, domain="gateway.test", path="/auth/inapas")
        caplog.clear()
        again = await client.get(callback)
        assert again.status_code == 400
        assert 'data-status="failed"' in again.text
        # Refused by the gateway's own check, before the provider's code is tried again.
        assert "reason=unknown_state" in caplog.text
        assert NIK not in caplog.text and _query(callback)["code"] not in caplog.text


async def test_an_id_token_with_another_nonce_is_refused(gateway: GatewayFactory) -> None:
    async with gateway() as (app, client):
        conversation = await new_conversation(client)
        callback = await _consent(client, conversation)
        async with app.state.sessionmaker() as session:
            mine = select(InapasLogin).where(InapasLogin.conversation_id == uuid.UUID(conversation))
            login = (await session.execute(mine)).scalar_one()
            login.nonce = "another-nonce"  # as if the ID token came from another login
            await session.commit()
        assert (await client.get(callback)).status_code == 400
        assert await _bound(app, conversation) is None


async def test_an_unknown_state_is_refused(gateway: GatewayFactory) -> None:
    async with gateway() as (app, client):
        conversation = await new_conversation(client)
        callback = await _consent(client, conversation)
        forged = callback.replace("state=", "state=x")
        assert (await client.get(forged)).status_code == 400
        assert (await client.get("/auth/inapas/callback", params={"code": "abc"})).status_code == 400
        assert await _bound(app, conversation) is None


async def test_a_state_started_in_another_browser_is_refused(gateway: GatewayFactory) -> None:
    """Login CSRF: a callback URL from the attacker's own login, opened in the victim's
    browser (which lacks the start's cookie), binds nothing."""
    async with gateway() as (app, client):
        conversation = await new_conversation(client)
        callback = await _consent(client, conversation)
        client.cookies.clear()
        refused = await client.get(callback)
        assert refused.status_code == 400
        assert await _bound(app, conversation) is None


async def test_a_wrong_pkce_verifier_is_refused(gateway: GatewayFactory) -> None:
    async with gateway() as (app, client):
        conversation = await new_conversation(client)
        callback = await _consent(client, conversation)
        async with app.state.sessionmaker() as session:
            mine = select(InapasLogin).where(InapasLogin.conversation_id == uuid.UUID(conversation))
            login = (await session.execute(mine)).scalar_one()
            login.code_verifier = "x" * 64  # not the verifier of the code_challenge sent
            await session.commit()
        refused = await client.get(callback)
        assert refused.status_code == 400
        assert await _bound(app, conversation) is None


async def test_an_expired_id_token_is_refused(gateway: GatewayFactory) -> None:
    async with gateway() as (app, client):
        conversation = await new_conversation(client)
        callback = await _consent(client, conversation)
        # The provider's clock an hour behind: its ID token expired 55 minutes ago.
        app.state.ministries.simulators.clock.offset = -timedelta(hours=1)
        refused = await client.get(callback)
        assert refused.status_code == 400
        assert await _bound(app, conversation) is None


async def test_an_id_token_signed_with_another_key_is_refused(gateway: GatewayFactory) -> None:
    async with gateway() as (app, client):
        conversation = await new_conversation(client)
        callback = await _consent(client, conversation)
        provider = _provider(app)
        published = provider.jwks()
        # Same key id as the published one, another private key: the signature cannot verify.
        provider.key = RSAKey.generate_key(2048, parameters={"kid": provider.key.kid, "use": "sig"})
        provider.jwks = lambda: published
        refused = await client.get(callback)
        assert refused.status_code == 400
        assert await _bound(app, conversation) is None


async def test_an_id_token_for_another_client_is_refused(gateway: GatewayFactory) -> None:
    async with gateway() as (app, client):
        conversation = await new_conversation(client)
        callback = await _consent(client, conversation)
        provider = _provider(app)
        original = provider.id_token

        def other_audience(issuer: str, grant: Any, access_token: str) -> str:
            provider.client_id = "another-client"
            try:
                return str(original(issuer, grant, access_token))
            finally:
                provider.client_id = app.state.settings.inapas_client_id

        provider.id_token = other_audience
        assert (await client.get(callback)).status_code == 400
        assert await _bound(app, conversation) is None


async def test_only_a_web_conversation_starts_a_login(gateway: GatewayFactory) -> None:
    async with gateway() as (app, client):
        async with app.state.sessionmaker() as session:
            telegram = Conversation(channel="telegram", channel_user_id="12345", handled_by=HandledBy.BOT)
            session.add(telegram)
            await session.commit()
            telegram_id = str(telegram.id)
        for conversation in (telegram_id, str(uuid.uuid4()), "not-a-uuid"):
            refused = await client.get("/auth/inapas/start", params={"conversation": conversation})
            assert refused.status_code == 404
            assert COOKIE not in refused.headers.get("set-cookie", "")
        async with app.state.sessionmaker() as session:
            started = select(InapasLogin).where(InapasLogin.conversation_id == uuid.UUID(telegram_id))
            assert (await session.execute(started)).first() is None


async def test_the_citizen_may_refuse(gateway: GatewayFactory) -> None:
    async with gateway() as (app, client):
        conversation = await new_conversation(client)
        authorize, form = await _login_page(client, conversation)
        answer = await client.post(authorize.split("?")[0], data={**form, "decision": "deny"})
        assert _query(answer.headers["location"])["error"] == "access_denied"
        page = await client.get(answer.headers["location"])
        assert 'data-status="cancelled"' in page.text
        assert await _bound(app, conversation) is None
        async with app.state.sessionmaker() as session:
            left = select(InapasLogin).where(InapasLogin.conversation_id == uuid.UUID(conversation))
            assert (await session.execute(left)).first() is None


async def test_an_unknown_nik_is_asked_again(gateway: GatewayFactory) -> None:
    async with gateway() as (app, client):
        conversation = await new_conversation(client)
        authorize, form = await _login_page(client, conversation)
        answer = await client.post(
            authorize.split("?")[0], data={**form, "nik": "1" * 16, "decision": "allow"}
        )
        assert answer.status_code == 200
        assert "NIK tidak terdaftar" in answer.text


async def test_the_provider_checks_pkce_and_the_client(gateway: GatewayFactory) -> None:
    """The simulated provider itself: a wrong verifier or a wrong secret gets no token, and
    the code is spent by the failed attempt."""
    async with gateway() as (app, client):
        conversation = await new_conversation(client)
        callback = await _consent(client, conversation)
        code = _query(callback)["code"]
        settings = app.state.settings
        token_url = "http://gateway.test/simulasi/inapas/token"
        body = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://gateway.test/auth/inapas/callback",
            "code_verifier": "v" * 64,
        }
        wrong_secret = await client.post(token_url, data=body, auth=(settings.inapas_client_id, "nope"))
        assert wrong_secret.status_code == 401
        secret = settings.inapas_client_secret.get_secret_value()
        wrong_verifier = await client.post(token_url, data=body, auth=(settings.inapas_client_id, secret))
        assert wrong_verifier.json()["error"] == "invalid_grant"
        # The right verifier now comes too late: the code was spent.
        assert (await client.get(callback)).status_code == 400


async def test_the_discovery_document(client: httpx.AsyncClient) -> None:
    document = (await client.get("/simulasi/inapas/.well-known/openid-configuration")).json()
    assert document["issuer"] == "http://gateway.test/simulasi/inapas"
    assert document["code_challenge_methods_supported"] == ["S256"]
    keys = (await client.get("/simulasi/inapas/jwks")).json()["keys"]
    assert [key["kty"] for key in keys] == ["RSA"] and "d" not in keys[0]


async def test_production_refuses_a_simulated_provider(app: FastAPI) -> None:
    settings = app.state.settings.model_copy(update={"environment": "production"})
    with pytest.raises(SimulatedBackendRefused, match="AW_INAPAS_URL"):
        Inapas(settings)
    allowed = Inapas(settings.model_copy(update={"allow_simulated_backends": True}))
    assert allowed.simulated
    await allowed.aclose()


def test_a_real_provider_needs_a_client_secret() -> None:
    from pydantic import ValidationError

    from api.core.config import Settings

    with pytest.raises(ValidationError, match="AW_INAPAS_CLIENT_SECRET"):
        Settings(_env_file=None, inapas_url="https://inapas.example.go.id")  # type: ignore[call-arg]


async def test_the_provider_gives_tokens_and_userinfo_for_the_right_verifier(gateway: GatewayFactory) -> None:
    async with gateway() as (app, client):
        conversation = await new_conversation(client)
        callback = await _consent(client, conversation)
        async with app.state.sessionmaker() as session:
            mine = select(InapasLogin).where(InapasLogin.conversation_id == uuid.UUID(conversation))
            verifier = (await session.execute(mine)).scalar_one().code_verifier
        settings = app.state.settings
        body = {
            "grant_type": "authorization_code",
            "code": _query(callback)["code"],
            "redirect_uri": "http://gateway.test/auth/inapas/callback",
            "code_verifier": verifier,
            "client_id": settings.inapas_client_id,
            "client_secret": settings.inapas_client_secret.get_secret_value(),
        }
        tokens = await client.post("http://gateway.test/simulasi/inapas/token", data=body)
        assert tokens.status_code == 200, tokens.text
        bearer = {"Authorization": f"Bearer {tokens.json()['access_token']}"}
        info = await client.get("/simulasi/inapas/userinfo", headers=bearer)
        assert info.json()["nik"] == NIK
        assert (await client.get("/simulasi/inapas/userinfo")).status_code == 401
