"""Async client for Rasa's REST channel (`POST /webhooks/rest/webhook`)."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated, Any

import httpx
from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/rest/webhook"
HEALTH_PATH = "/webhooks/rest/"  # the REST channel answers {"status": "ok"}


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
    """One item of Rasa's reply list; connectors.model.from_rasa maps it to replies."""

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
        self._timeout = timeout
        self._token = token
        self._http = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout)

    async def aclose(self) -> None:
        await self._http.aclose()

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
            # Overall deadline: httpx's timeout applies to each phase, not to the whole call.
            async with asyncio.timeout(self._timeout):
                response = await self._http.post(WEBHOOK_PATH, json=body)
                response.raise_for_status()
                return _REPLIES.validate_json(response.content)
        except (TimeoutError, httpx.TimeoutException) as error:
            raise RasaUnavailableError("timeout") from error
        except httpx.HTTPStatusError as error:
            raise RasaUnavailableError(f"http {error.response.status_code}") from error
        except httpx.HTTPError as error:
            raise RasaUnavailableError(f"connection: {type(error).__name__}") from error
        except ValidationError as error:
            raise RasaUnavailableError("malformed response") from error

    async def understanding(self, sender: str) -> Understanding | None:
        """The parse of `sender`'s latest message, from Rasa's HTTP API (`rasa run
        --enable-api --auth-token`); None when the API is off or does not answer."""
        if not self._token:
            return None
        try:
            async with asyncio.timeout(self._timeout):
                response = await self._http.get(
                    f"/conversations/{sender}/tracker",
                    params={"include_events": "NONE", "token": self._token},
                )
                response.raise_for_status()
                return Understanding.model_validate(response.json().get("latest_message") or {})
        except (TimeoutError, httpx.HTTPError, ValueError, AttributeError) as error:
            logger.warning("rasa tracker not read reason=%s", type(error).__name__)
            return None

    async def is_up(self, timeout: float) -> bool:
        try:
            async with asyncio.timeout(timeout):
                response = await self._http.get(HEALTH_PATH, timeout=timeout)
            return response.status_code == 200
        except (TimeoutError, httpx.HTTPError):
            return False


async def _rasa_client(request: Request) -> RasaClient:
    client: RasaClient = request.app.state.rasa
    return client


RasaDep = Annotated[RasaClient, Depends(_rasa_client)]
