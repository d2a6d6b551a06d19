"""Async client for Rasa's REST channel (`POST /webhooks/rest/webhook`).

It is on every citizen's turn, so it uses aiohttp, whose request costs about a third of
httpx's here (bench/findings.md); the ministry adapters keep httpx.

Bounded admission (`Admission`): at most `concurrency` turns of this replica are in flight to
Rasa; at most `queue_size` more wait, each at most `wait_seconds`, and the client's `on_queued`
hook (the "sedang ramai" notice, api/conversations/admission.py) runs as one starts waiting.
Past either bound `send` raises `RasaBusyError` and the turn keeps the message for the retry
worker, instead of letting a burst pile up inside Rasa."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal
from urllib.parse import quote

import aiohttp
from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from api.metrics import instruments as metrics
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

    @property
    def kind(self) -> str:
        """The reason without its detail: timeout, http, connection, malformed or busy."""
        return self.reason.split(maxsplit=1)[0].rstrip(":") if self.reason else "unknown"


class RasaBusyError(RasaUnavailableError):
    """This replica's turns to Rasa are all in flight and its queue is full, or the wait ran out:
    the message was not sent."""

    def __init__(self) -> None:
        super().__init__("busy")


# Called with the sender when its turn starts waiting for a free slot.
QueuedHook = Callable[[str], Awaitable[None]]


class Admission:
    """At most `concurrency` turns in flight, at most `queue_size` waiting `wait_seconds` each."""

    def __init__(self, concurrency: int = 1024, queue_size: int = 0, wait_seconds: float = 10.0) -> None:
        self.concurrency, self.queue_size, self.wait_seconds = concurrency, queue_size, wait_seconds
        self._slots = asyncio.Semaphore(concurrency)
        self.in_flight = 0
        self.waiting = 0
        self.peak_in_flight = 0  # the most turns in flight at once (measurements)
        self.queued_total = 0  # turns that waited
        self.refused_total = 0  # turns kept for the retry worker

    def has_room(self) -> bool:
        """Whether a turn would start now without waiting (the retry worker yields otherwise)."""
        return self.in_flight < self.concurrency and not self.waiting

    async def enter(self, sender: str, on_queued: QueuedHook | None) -> None:
        """Take a slot, waiting in the bounded queue if need be; `RasaBusyError` past a bound."""
        if not self._slots.locked() and not self.waiting:
            await self._slots.acquire()
        else:
            if self.waiting >= self.queue_size:
                self.refused_total += 1
                raise RasaBusyError()
            self.waiting += 1
            self.queued_total += 1
            try:
                if on_queued is not None:
                    try:
                        await on_queued(sender)
                    except Exception:  # the notice is a courtesy: the turn goes on without it
                        logger.exception("busy notice failed")
                await asyncio.wait_for(self._slots.acquire(), self.wait_seconds)
            except TimeoutError:
                self.refused_total += 1
                raise RasaBusyError() from None
            finally:
                self.waiting -= 1
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def leave(self) -> None:
        self.in_flight -= 1
        self._slots.release()


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
    def __init__(
        self, base_url: str, timeout: float, token: str = "", admission: Admission | None = None
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._token = token
        self._session: aiohttp.ClientSession | None = None
        self.admission = admission or Admission()
        # The "sedang ramai" notice as a turn starts waiting (set by the composition root).
        self.on_queued: QueuedHook | None = None
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
        self,
        sender: str,
        message: str,
        input_channel: str,
        metadata: dict[str, Any],
        *,
        notice: bool = True,
    ) -> list[BotReply]:
        """Send one user message through the admission bound; return the bot's replies. Raises
        RasaUnavailableError (`RasaBusyError` when not admitted). `notice`: run `on_queued`
        if it waits."""
        try:
            await self.admission.enter(sender, self.on_queued if notice else None)
        except RasaBusyError:
            metrics.rasa_refused()
            raise
        started, outcome = time.perf_counter(), "cancelled"
        try:
            replies = await self._send(sender, message, input_channel, metadata)
            outcome = "ok"
            return replies
        except RasaUnavailableError as error:
            outcome = error.kind
            raise
        finally:
            self.admission.leave()
            metrics.rasa_request(outcome, time.perf_counter() - started)

    async def _send(
        self, sender: str, message: str, input_channel: str, metadata: dict[str, Any]
    ) -> list[BotReply]:
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

    async def replies_of_turn(self, sender: str, turn_id: str) -> list[BotReply] | None:
        """What Rasa answered to the user message that carried `turn_id` in its metadata (the
        gateway's `TURN_ID_KEY`), from the tracker's events (Rasa's HTTP API): the bot's
        utterances between it and the next user message. None when the tracker holds no such
        message (it never reached Rasa, or its turn is still running) or the API is off or
        does not answer: the caller sends the message then."""
        if not self._token:
            return None
        url = f"{self._base_url}/conversations/{quote(sender, safe='')}/tracker"
        try:
            async with self._http().get(
                url, params={"include_events": "ALL", "token": self._token}
            ) as response:
                tracker = await response.json(content_type=None)
            events = tracker.get("events") or []
            return _replies_after(events, turn_id)
        except (
            TimeoutError,
            aiohttp.ClientError,
            ValueError,
            AttributeError,
            TypeError,
            ValidationError,
        ) as error:
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


# The metadata key that names a citizen message's turn: the gateway's message id (and the part
# of a message of two questions). The actions key their service calls by it (actions/conversation.py),
# so a turn played again never opens a second case; and a retry finds its answer by it.
TURN_ID_KEY = "turn_id"


def _replies_after(events: list[dict[str, Any]], turn_id: str) -> list[BotReply] | None:
    """The bot's utterances after the (last) user event with `turn_id`; None without one."""
    start = None
    for index, event in enumerate(events):
        metadata = event.get("metadata") if event.get("event") == "user" else None
        if isinstance(metadata, dict) and metadata.get(TURN_ID_KEY) == turn_id:
            start = index
    if start is None:
        return None
    replies = []
    for event in events[start + 1 :]:
        if event.get("event") == "user":
            break
        if event.get("event") == "bot":
            data = event.get("data") or {}
            replies.append(
                BotReply(
                    text=event.get("text"),
                    buttons=data.get("buttons") or [],
                    image=data.get("image"),
                    attachment=data.get("attachment"),
                    custom=data.get("custom"),
                )
            )
    return replies


async def _rasa_client(request: Request) -> RasaClient:
    client: RasaClient = request.app.state.rasa
    return client


RasaDep = Annotated[RasaClient, Depends(_rasa_client)]
