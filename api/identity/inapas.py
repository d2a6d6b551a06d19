"""Login with INApas, the national identity: an OpenID Connect client (Authlib).

The web widget opens `GET /auth/inapas/start?conversation=<id>` in a popup (api/routes/
inapas.py). `start` checks that the conversation is a web one, then keeps a login row
(`inapas_logins`): the hash of a fresh `state`, the conversation, the hash of a secret it
also sets as a cookie in the browser, a `nonce` and the PKCE `code_verifier`; and sends the
browser to the provider's authorization endpoint (authorization code flow, PKCE S256).

The provider sends the browser back to `GET /auth/inapas/callback?code&state`. `finish` takes
the login row of that state and deletes it at once (a replayed state finds none), refuses it
when it expired, or when the browser does not hold the cookie of the start (a state started
elsewhere: login CSRF), exchanges the code with the verifier and the client's secret at the
token endpoint, validates the ID token — signature against the provider's JWKS, `iss`, `aud`
(our client id), `exp`/`iat`, `nonce` — and binds the conversation of the state (never one
the request names) to the NIK in the ID token's NIK claim (`AW_INAPAS_NIK_CLAIM`, "nik").

The provider is `AW_INAPAS_URL` (its issuer), or the simulated one (simulators/inapas.py),
refused in production unless `AW_ALLOW_SIMULATED_BACKENDS` like a simulated ministry. The
simulated provider is reached by the browser under the gateway at SIMULATED_PATH and by this
client in-process; its issuer is then the gateway's public URL (`AW_PUBLIC_URL`, or the
address the request came to) followed by SIMULATED_PATH.

Nothing here logs a NIK, a code, a token or a state.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import uuid
from datetime import timedelta
from typing import Any

import httpx
from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp

from api.core.config import Settings
from api.identity.sessions import bind
from api.ministries.registry import EmbeddedSimulators, embed_simulators, simulated_keys
from api.models import Conversation, InapasLogin, utcnow

logger = logging.getLogger(__name__)

KEY = "inapas"
METHOD = "inapas"
SIMULATED_PATH = "/simulasi/inapas"
CALLBACK_PATH = "/auth/inapas/callback"
COOKIE = "aw_inapas"
SCOPE = "openid profile nik"
# A login must come back within this time.
LOGIN_SECONDS = 600
# Clock skew allowed when checking the ID token's times.
LEEWAY_SECONDS = 60
ALGORITHMS = ["RS256", "ES256"]


class LoginRefused(Exception):
    """The login cannot go on; `reason` is a short code for the log and the tests."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def is_nik(value: object) -> bool:
    return isinstance(value, str) and len(value) == 16 and value.isascii() and value.isdigit()


class Inapas:
    """The OpenID Connect client of one running gateway (on `app.state.inapas`)."""

    def __init__(self, settings: Settings, simulators: EmbeddedSimulators | None = None) -> None:
        self._settings = settings
        self.simulated = bool(simulated_keys(settings, [KEY]))  # refused in production
        self._own_simulators: EmbeddedSimulators | None = None
        self.provider_app: ASGIApp | None = None
        if self.simulated:
            if simulators is None:
                simulators = self._own_simulators = embed_simulators(settings)
            self.provider_app = simulators.app(KEY)
        self._metadata: dict[str, dict[str, Any]] = {}
        self._jwks: dict[str, dict[str, Any]] = {}

    # --- The provider ------------------------------------------------------------------------

    def issuer(self, gateway_url: str) -> str:
        url = self._settings.ministry_url(KEY)
        return url if url is not None else gateway_url.rstrip("/") + SIMULATED_PATH

    def _client(self, **kwargs: Any) -> AsyncOAuth2Client:
        settings = self._settings
        transport: httpx.AsyncBaseTransport | None = None
        if self.provider_app is not None:
            transport = httpx.ASGITransport(app=self.provider_app, root_path=SIMULATED_PATH)
        return AsyncOAuth2Client(
            client_id=settings.inapas_client_id,
            client_secret=settings.inapas_client_secret.get_secret_value(),
            token_endpoint_auth_method="client_secret_basic",
            code_challenge_method="S256",
            scope=SCOPE,
            timeout=settings.ministry_timeout_seconds,
            transport=transport,
            **kwargs,
        )

    async def metadata(self, issuer: str) -> dict[str, Any]:
        """The provider's discovery document, whose `issuer` must be `issuer` (cached)."""
        if issuer not in self._metadata:
            document = await self._get_json(f"{issuer}/.well-known/openid-configuration")
            if document.get("issuer") != issuer:
                raise LoginRefused("issuer_mismatch")
            self._metadata[issuer] = document
        return self._metadata[issuer]

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            async with self._client() as client:
                response = await client.request("GET", url, withhold_token=True)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError):
            raise LoginRefused("provider_unreachable") from None
        if not isinstance(document, dict):
            raise LoginRefused("provider_unreachable")
        return document

    async def _key_set(self, issuer: str, *, refresh: bool = False) -> KeySet:
        if refresh or issuer not in self._jwks:
            metadata = await self.metadata(issuer)
            self._jwks[issuer] = await self._get_json(str(metadata["jwks_uri"]))
        return KeySet.import_key_set(self._jwks[issuer])  # type: ignore[arg-type]

    # --- The flow ----------------------------------------------------------------------------

    async def start(
        self, session: AsyncSession, conversation_id: uuid.UUID, gateway_url: str
    ) -> tuple[str, str]:
        """The provider's authorization URL for this conversation, and the browser secret
        to set as the COOKIE. `LoginRefused("not_web")` for a missing or non-web conversation."""
        conversation = await session.get(Conversation, conversation_id)
        if conversation is None or conversation.channel != "web":
            raise LoginRefused("not_web")
        issuer = self.issuer(gateway_url)
        metadata = await self.metadata(issuer)
        redirect_uri = self.redirect_uri(gateway_url)
        state, nonce, browser = (secrets.token_urlsafe(32) for _ in range(3))
        verifier = secrets.token_urlsafe(64)[:96]
        async with self._client(redirect_uri=redirect_uri) as client:
            url, _ = client.create_authorization_url(
                metadata["authorization_endpoint"], state=state, code_verifier=verifier, nonce=nonce
            )
        await session.execute(
            delete(InapasLogin).where(InapasLogin.created_at < utcnow() - timedelta(seconds=LOGIN_SECONDS))
        )
        session.add(
            InapasLogin(
                state_hash=_hash(state),
                conversation_id=conversation_id,
                browser_hash=_hash(browser),
                nonce=nonce,
                code_verifier=verifier,
                issuer=issuer,
                redirect_uri=redirect_uri,
                created_at=utcnow(),
            )
        )
        await session.commit()
        return url, browser

    def redirect_uri(self, gateway_url: str) -> str:
        base = str(self._settings.public_url).rstrip("/") if self._settings.public_url else gateway_url
        return base.rstrip("/") + CALLBACK_PATH

    async def finish(self, session: AsyncSession, state: str, code: str, browser: str | None) -> uuid.UUID:
        """Check the callback, exchange the code, validate the ID token and bind the
        conversation of `state` to its NIK; that conversation's id. `LoginRefused` else."""
        login = await session.get(InapasLogin, _hash(state)) if state else None
        if login is None:
            raise LoginRefused("unknown_state")
        # Used once, whatever follows: of two concurrent callbacks, one deletes the row.
        spent = await session.execute(delete(InapasLogin).where(InapasLogin.state_hash == login.state_hash))
        await session.commit()
        if spent.rowcount != 1:  # type: ignore[attr-defined]
            raise LoginRefused("unknown_state")
        if utcnow() - login.created_at > timedelta(seconds=LOGIN_SECONDS):
            raise LoginRefused("expired_state")
        if browser is None or not hmac.compare_digest(_hash(browser), login.browser_hash):
            raise LoginRefused("foreign_browser")
        if not code:
            raise LoginRefused("no_code")
        claims = await self._exchange(login, code)
        nik = claims.get(self._settings.inapas_nik_claim)
        if not is_nik(nik):
            raise LoginRefused("no_nik")
        assert isinstance(nik, str)
        await bind(session, login.conversation_id, nik, METHOD)
        await session.commit()
        return login.conversation_id

    async def cancel(self, session: AsyncSession, state: str) -> None:
        """The provider reported an error (the citizen refused): the state is spent."""
        if state:
            await session.execute(delete(InapasLogin).where(InapasLogin.state_hash == _hash(state)))
            await session.commit()

    async def _exchange(self, login: InapasLogin, code: str) -> dict[str, Any]:
        metadata = await self.metadata(login.issuer)
        try:
            async with self._client(redirect_uri=login.redirect_uri) as client:
                token = await client.fetch_token(
                    metadata["token_endpoint"], code=code, code_verifier=login.code_verifier
                )
        except OAuthError as error:
            raise LoginRefused(f"token_{error.error}"[:48]) from None
        except (httpx.HTTPError, ValueError):
            raise LoginRefused("token_unreachable") from None
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise LoginRefused("no_id_token")
        return await self.validate_id_token(login, id_token, str(token.get("access_token", "")))

    async def validate_id_token(self, login: InapasLogin, id_token: str, access_token: str) -> dict[str, Any]:
        """The ID token's claims once its signature (the provider's JWKS), issuer,
        audience, times and nonce are checked; `LoginRefused("bad_id_token")` else."""
        metadata = await self.metadata(login.issuer)
        allowed = [
            alg for alg in metadata.get("id_token_signing_alg_values_supported", []) if alg in ALGORITHMS
        ]
        registry = JWSRegistry(algorithms=allowed or ["RS256"])
        try:
            try:
                decoded = jwt.decode(id_token, await self._key_set(login.issuer), registry=registry)
            except JoseError:
                # The provider may have rotated its keys: fetch them once more.
                decoded = jwt.decode(
                    id_token, await self._key_set(login.issuer, refresh=True), registry=registry
                )
            claims = CodeIDToken(
                decoded.claims,
                decoded.header,
                {
                    "iss": {"essential": True, "value": login.issuer},
                    "aud": {"essential": True, "value": self._settings.inapas_client_id},
                    "exp": {"essential": True},
                    "nonce": {"essential": True, "value": login.nonce},
                },
                {"nonce": login.nonce, "client_id": self._settings.inapas_client_id,
                 "access_token": access_token},
            )  # fmt: skip
            claims.validate(leeway=LEEWAY_SECONDS)
        except (JoseError, ValueError) as error:
            logger.warning("inapas id token refused: %s", type(error).__name__)
            raise LoginRefused("bad_id_token") from None
        return dict(claims)

    async def aclose(self) -> None:
        if self._own_simulators is not None:
            await self._own_simulators.aclose()
