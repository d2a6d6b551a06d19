"""Async client for Rasa's REST channel (`POST /webhooks/rest/webhook`).

It is on every citizen's turn, so it uses aiohttp, whose request costs about a third of
httpx's here (bench/findings.md); the ministry adapters keep httpx."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated, Any, Literal
from urllib.parse import quote

import aiohttp
from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from api.privacy import TurnPrivacy

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/rest/webhook"
# Carries the conversation's sender so that a load balancer in front of several Rasa replicas
# can hash on it (deploy/: HAProxy `balance hdr(X-Rasa-Sender)`): one conversation, one replica.
SENDER_HEADER = "X-Rasa-Sender"
HEALTH_PATH = "/webhooks/rest/"  # the REST channel answers {"status": "ok"}


@dataclass(frozen=True)
class RasaHealth:
    up: bool
    stores: dict[str, Literal["ok", "unavailable"]]  # {} when Rasa did not answer


_STORES = TypeAdapter(dict[str, Literal["ok", "unavailable"]])


class RasaUnavailableError(Exception):
    """Rasa did not answer usefully: timeout, connection error, HTTP error or bad JSON."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Button(BaseModel):
    model_config = ConfigDict(extra="ignore")

    title: str
    payload: str


class BotReply(BaseModel):
    """One item of Rasa's reply list; api.conversations.model.from_rasa maps it to replies."""

    model_config = ConfigDict(extra="ignore")

    recipient_id: str | None = None
    text: str | None = None
    buttons: list[Button] = []
    image: str | None = None
    attachment: Any = None
    custom: Any = None


_REPLIES = TypeAdapter(list[BotReply])


class Understanding(BaseModel):
    """What the NLU made of the latest message (Rasa's tracker `latest_message`)."""

    model_config = ConfigDict(extra="ignore")

    intent: dict[str, Any] = {}
    entities: list[dict[str, Any]] = []
    intent_ranking: list[dict[str, Any]] = []


class RasaClient:
    def __init__(self, base_url: str, timeout: float, token: str = "") -> None:
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._token = token
        self._session: aiohttp.ClientSession | None = None
        # What the turn does for the citizen's rights around Rasa (set by the app's lifespan):
        # the notice before the first reply, the tracker store to erase (api/privacy).
        self.privacy = TurnPrivacy()

    def _http(self) -> aiohttp.ClientSession:
        # Created on first use: aiohttp binds a session to the running event loop.
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self._timeout), raise_for_status=True
            )
        return self._session

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send(
        self, sender: str, message: str, input_channel: str, metadata: dict[str, Any]
    ) -> list[BotReply]:
        """Send one user message; return the bot's replies. Raises RasaUnavailableError."""
        body = {
            "sender": sender,
            "message": message,
            "input_channel": input_channel,
            "metadata": metadata,
        }
        try:
            async with self._http().post(
                f"{self._base_url}{WEBHOOK_PATH}", json=body, headers={SENDER_HEADER: sender}
            ) as response:
                return _REPLIES.validate_json(await response.read())
        except TimeoutError as error:
            raise RasaUnavailableError("timeout") from error
        except aiohttp.ClientResponseError as error:
            raise RasaUnavailableError(f"http {error.status}") from error
        except aiohttp.ClientError as error:
            raise RasaUnavailableError(f"connection: {type(error).__name__}") from error
        except ValidationError as error:
            raise RasaUnavailableError("malformed response") from error

    async def understanding(self, sender: str) -> Understanding | None:
        """The parse of `sender`'s latest message, from Rasa's HTTP API (`rasa run
        --enable-api --auth-token`); None when the API is off or does not answer."""
        if not self._token:
            return None
        url = f"{self._base_url}/conversations/{quote(sender, safe='')}/tracker"
        try:
            async with self._http().get(
                url, params={"include_events": "NONE", "token": self._token}
            ) as response:
                tracker = await response.json(content_type=None)
            return Understanding.model_validate(tracker.get("latest_message") or {})
        except (TimeoutError, aiohttp.ClientError, ValueError, AttributeError) as error:
            logger.warning("rasa tracker not read reason=%s", type(error).__name__)
            return None

    async def parse(self, text: str) -> Understanding | None:
        """What the NLU makes of `text` alone, without a turn (`POST /model/parse` of Rasa's HTTP
        API); None when the API is off or does not answer."""
        if not self._token:
            return None
        url = f"{self._base_url}/model/parse"
        try:
            async with self._http().post(url, params={"token": self._token}, json={"text": text}) as response:
                return Understanding.model_validate(await response.json(content_type=None))
        except (TimeoutError, aiohttp.ClientError, ValueError, AttributeError) as error:
            logger.warning("rasa parse failed reason=%s", type(error).__name__)
            return None

    async def health(self, timeout: float) -> RasaHealth:
        """Whether Rasa can take turns, and the state of its stores as it reports them
        (bot/runtime/fail_closed.py: 503 while its tracker or lock store is unreachable)."""
        try:
            async with self._http().get(
                f"{self._base_url}{HEALTH_PATH}",
                timeout=aiohttp.ClientTimeout(total=timeout),
                raise_for_status=False,
            ) as response:
                body = await response.json(content_type=None)
                stores = _STORES.validate_python(
                    {key: value for key, value in body.items() if key.endswith("_store")}
                )
                return RasaHealth(up=response.status == 200, stores=stores)
        except (TimeoutError, aiohttp.ClientError, ValueError, AttributeError, ValidationError):
            return RasaHealth(up=False, stores={})

    async def is_up(self, timeout: float) -> bool:
        return (await self.health(timeout)).up


async def _rasa_client(request: Request) -> RasaClient:
    client: RasaClient = request.app.state.rasa
    return client


RasaDep = Annotated[RasaClient, Depends(_rasa_client)]
