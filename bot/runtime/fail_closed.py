"""Rasa fails closed: a turn whose conversation cannot be read, locked or saved is an error,
never an answer from a forgotten conversation.

Rasa 3.6 wraps every tracker store in `FailSafeTrackerStore`: a failed read answers as if the
conversation were new, a failed save keeps it in this process's memory ("Falling back to use
the 'InMemoryTrackerStore'"), lost at restart and invisible to the other replicas. Its REST
channel then answers 200 with whatever replies were collected, so the gateway cannot tell a
failed turn from a quiet one. Here:

- the agent uses the configured tracker store as it is, so its errors reach the turn;
- the REST channel answers 500 when a turn fails (503 when it was cancelled), and the gateway
  marks the citizen's message failed for its retry path (the channel's `?stream=true` mode,
  which the gateway does not use, is not offered);
- the REST channel's health route (`GET /webhooks/rest/`, the gateway's check of Rasa) answers
  503 unless the tracker store answers a query and the lock store a ping, with each store's state.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.lock_store import LockStore, RedisLockStore
from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore, TrackerStore
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

STORE_TIMEOUT_SECONDS = 2.0


def create_tracker_store(store: TrackerStore | None, domain: Any) -> TrackerStore:
    """`Agent._create_tracker_store` without the fail-safe wrapper."""
    if store is None:
        return InMemoryTrackerStore(domain)
    store.domain = domain
    return store


async def _tracker_store_up(store: TrackerStore | None) -> bool:
    engine = getattr(store, "engine", None)
    if not isinstance(store, SQLTrackerStore) or engine is None:
        # In memory: nothing to reach. Rasa's Redis, Mongo and Dynamo stores are not used here.
        return store is not None

    def query() -> None:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))

    return await _within_timeout(query)


async def _lock_store_up(store: LockStore | None) -> bool:
    if isinstance(store, RedisLockStore):
        return await _within_timeout(store.red.ping)
    return store is not None


async def _within_timeout(check: Callable[[], object]) -> bool:
    try:
        await asyncio.wait_for(asyncio.to_thread(check), STORE_TIMEOUT_SECONDS)
        return True
    except Exception:  # any failure means "not usable"; the store's own logs say why
        return False


async def stores_health(agent: Agent | None) -> dict[str, str]:
    """Each store's state, "ok" or "unavailable"."""
    tracker_up, lock_up = await asyncio.gather(
        _tracker_store_up(getattr(agent, "tracker_store", None)),
        _lock_store_up(getattr(agent, "lock_store", None)),
    )
    return {
        "tracker_store": "ok" if tracker_up else "unavailable",
        "lock_store": "ok" if lock_up else "unavailable",
    }


def blueprint(self: RestInput, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
    """`RestInput.blueprint`, answering a failed turn with an error status."""
    module = inspect.getmodule(self)
    webhook = Blueprint(f"custom_webhook_{type(self).__name__}", module.__name__ if module else None)

    @webhook.route("/", methods=["GET"])
    async def health(request: Request) -> HTTPResponse:
        stores = await stores_health(getattr(request.app.ctx, "agent", None))
        up = all(state == "ok" for state in stores.values())
        return response.json({"status": "ok" if up else "unavailable", **stores}, status=200 if up else 503)

    @webhook.route("/webhook", methods=["POST"])
    async def receive(request: Request) -> HTTPResponse:
        sender_id = await self._extract_sender(request)
        text = self._extract_message(request)
        collector = CollectingOutputChannel()
        message = UserMessage(
            text,
            collector,
            sender_id,
            input_channel=self._extract_input_channel(request),
            metadata=self.get_metadata(request),
        )
        try:
            await on_new_message(message)
        except CancelledError:
            logger.error("A turn was cancelled before it ended.")
            return response.json({"error": "turn_cancelled"}, status=503)
        except Exception:
            logger.exception("A turn failed; it is answered 500, not with its partial replies.")
            return response.json({"error": "turn_failed"}, status=500)
        return response.json(collector.messages)

    return webhook


def install() -> None:
    Agent._create_tracker_store = staticmethod(create_tracker_store)  # type: ignore[method-assign]
    RestInput.blueprint = blueprint  # type: ignore[method-assign]
