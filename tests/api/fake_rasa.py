"""A fake Rasa REST channel on 127.0.0.1, run by uvicorn in a thread.

Real HTTP, so the gateway's timeouts and connection errors are the real ones.
Tests set `replies`, `status`, `body` (raw, e.g. malformed) or `delay`, and read `received`;
or `respond`, a function from the request body to the reply items, for a scripted dialogue.
`latest_message` is what the HTTP API's tracker endpoint reports (agent-assist), for the
token in `token`; with `include_events` it reports `events[sender]` too: the user and bot events
of every turn answered with 200, recorded as Rasa saves a tracker, once the turn is over (also
when the caller gave up waiting: a turn whose answer was lost).
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

STORES_UP = {"tracker_store": "ok", "lock_store": "ok"}  # Rasa's health route (bot/runtime/fail_closed.py)


@dataclass
class FakeRasa:
    url: str = ""
    replies: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    body: bytes | None = None
    delay: float = 0.0
    received: list[dict[str, Any]] = field(default_factory=list)
    stores: dict[str, str] = field(default_factory=lambda: dict(STORES_UP))  # what /webhooks/rest/ reports
    senders_in_header: list[str | None] = field(default_factory=list)  # X-Rasa-Sender per message
    respond: Callable[[dict[str, Any]], list[dict[str, Any]]] | None = None
    latest_message: dict[str, Any] = field(default_factory=dict)
    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    fails: Callable[[dict[str, Any]], bool] | None = None  # a request it answers 500, unsaved
    intents: dict[str, str] = field(default_factory=dict)  # /model/parse: text -> intent (0.9)
    token: str = "rasa-test-token"
    _generation: int = 0  # bumped by reset(): ends the delays of earlier tests

    def reset(self) -> None:
        self.replies, self.status, self.body, self.delay = [], 200, None, 0.0
        self.received, self.respond, self.latest_message = [], None, {}
        self.senders_in_header, self.stores = [], dict(STORES_UP)
        self.events, self.fails, self.intents = {}, None, {}
        self._generation += 1

    def reply(self, *replies: dict[str, Any]) -> None:
        self.replies = [{"recipient_id": "x", **reply} for reply in replies]

    def app(self) -> Starlette:
        async def webhook(request: Request) -> Response:
            body = await request.json()
            self.received.append(body)
            self.senders_in_header.append(request.headers.get("x-rasa-sender"))
            generation, deadline = self._generation, time.monotonic() + self.delay
            while time.monotonic() < deadline and generation == self._generation:
                await asyncio.sleep(0.01)
            if generation != self._generation:
                return JSONResponse([], 200)  # a later test's fake: not this turn's
            if self.fails is not None and self.fails(body):
                return JSONResponse({"error": "boom"}, 500)
            if self.body is not None:
                return Response(self.body, self.status, media_type="application/json")
            if self.respond is not None:
                replies = [{"recipient_id": body["sender"], **item} for item in self.respond(body)]
            else:
                replies = self.replies
            if self.status == 200:
                self._save(body, replies)
            return JSONResponse(replies, self.status)

        async def health(_: Request) -> Response:
            up = all(state == "ok" for state in self.stores.values())
            return JSONResponse({"status": "ok" if up else "unavailable", **self.stores}, 200 if up else 503)

        async def tracker(request: Request) -> Response:
            if request.query_params.get("token") != self.token:
                return JSONResponse({"message": "unauthorized"}, 401)
            sender = request.path_params["sender"]
            tracker: dict[str, Any] = {"sender_id": sender, "latest_message": self.latest_message}
            if request.query_params.get("include_events", "AFTER_RESTART") != "NONE":
                tracker["events"] = self.events.get(sender, [])
            return JSONResponse(tracker)

        async def parse(request: Request) -> Response:
            if request.query_params.get("token") != self.token:
                return JSONResponse({"message": "unauthorized"}, 401)
            text = (await request.json())["text"]
            intent = {"name": self.intents.get(text, "nlu_fallback"), "confidence": 0.9}
            return JSONResponse({"text": text, "intent": intent, "entities": []})

        return Starlette(
            routes=[
                Route("/webhooks/rest/webhook", webhook, methods=["POST"]),
                Route("/model/parse", parse, methods=["POST"]),
                Route("/webhooks/rest/", health),
                Route("/conversations/{sender}/tracker", tracker),
            ]
        )

    def _save(self, body: dict[str, Any], replies: list[dict[str, Any]]) -> None:
        """The turn's events as Rasa's tracker store keeps them."""
        events = self.events.setdefault(body["sender"], [])
        events.append({"event": "user", "text": body["message"], "metadata": body.get("metadata") or {}})
        for reply in replies:
            data = {key: reply[key] for key in ("buttons", "custom", "image", "attachment") if key in reply}
            events.append({"event": "bot", "text": reply.get("text"), "data": data})


class FakeRasaServer:
    def __init__(self) -> None:
        self.fake = FakeRasa()
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        port = self._socket.getsockname()[1]
        self.fake.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(
            self.fake.app(), log_level="warning", lifespan="off", timeout_graceful_shutdown=1
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def __enter__(self) -> FakeRasa:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("fake Rasa did not start")
            time.sleep(0.01)
        return self.fake

    def __exit__(self, *_: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)
        self._socket.close()


def closed_port_url() -> str:
    """A local URL where nothing listens (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
