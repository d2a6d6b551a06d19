"""Local fakes of the channels' APIs, served by uvicorn on 127.0.0.1 in a thread:
Telegram's Bot API (python-telegram-bot's `base_url` points at it) and Meta's Graph API
(the WhatsApp client's base URL). Each records what the gateway sent; tests can make a
method fail. No network.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

TELEGRAM_TOKEN = "123456:TEST-token"
GRAPH_TOKEN = "graph-test-token"
PHONE_NUMBER_ID = "1098765432"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Asisten Warga", "username": "asisten_warga_bot"}
# Parameters python-telegram-bot sends JSON-encoded in its form data.
_JSON_PARAMS = {"chat_id", "reply_markup", "allowed_updates", "message_id", "show_alert"}


@contextmanager
def serve(app: Starlette) -> Iterator[str]:
    """Run `app` on a free loopback port; yield its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("fake server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()


_WAMID_NUMBERS = itertools.count(1)

@dataclass
class FakeTelegram:
    """Telegram's Bot API: `calls` holds (method, params) in order."""

    url: str = ""
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # method → (HTTP status, description): that method fails.
    failures: dict[str, tuple[int, str]] = field(default_factory=dict)
    # Served by getUpdates (polling mode), each once.
    updates: list[dict[str, Any]] = field(default_factory=list)
    # Scripted answers of the next send* calls, one each, in order: (HTTP status, retry_after
    # or None) fails that call, None lets it through (tests/connectors/test_outbox.py).
    script: list[tuple[int, int | None] | None] = field(default_factory=list)
    # (monotonic time, method, params, status) of every send* call, failed or not.
    attempts: list[tuple[float, str, dict[str, Any], int]] = field(default_factory=list)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1000))

    @property
    def api_url(self) -> str:
        return f"{self.url}/bot"

    def reset(self) -> None:
        self.calls, self.failures, self.updates = [], {}, []
        self.script, self.attempts = [], []

    def delivered(self, chat_id: int) -> list[str]:
        """The texts a chat received (sends that succeeded), in order."""
        return [
            str(params.get("text", params.get("caption", "")))
            for _, method, params, status in self.attempts
            if status == 200 and method.startswith("send") and params.get("chat_id") == chat_id
        ]

    def sent(self, *methods: str) -> list[dict[str, Any]]:
        """Parameters of the calls to `methods` (default: every send*)."""
        return [
            params
            for method, params in self.calls
            if (method in methods if methods else method.startswith("send"))
        ]

    def app(self) -> Starlette:
        async def bot_api(request: Request) -> Response:
            token, method = request.path_params["token"], request.path_params["method"]
            if token != TELEGRAM_TOKEN:
                return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
            # URL-encoded form data (we only ever send URLs, never uploads).
            form = parse_qsl((await request.body()).decode(), keep_blank_values=True)
            params = {key: json.loads(value) if key in _JSON_PARAMS else value for key, value in form}
            self.calls.append((method, params))
            if method == "getUpdates" and not self.updates:
                await asyncio.sleep(0.2)  # a short long-poll, so a polling bot does not spin
            if method in self.failures:
                code, description = self.failures[method]
                self.attempts.append((time.monotonic(), method, params, code))
                return JSONResponse({"ok": False, "error_code": code, "description": description}, code)
            if method.startswith("send") and self.script and (step := self.script.pop(0)) is not None:
                self.attempts.append((time.monotonic(), method, params, step[0]))
                return _telegram_failure(*step)
            if method.startswith("send"):
                self.attempts.append((time.monotonic(), method, params, 200))
            return JSONResponse({"ok": True, "result": self._result(method, params)})

        return Starlette(routes=[Route("/bot{token}/{method}", bot_api, methods=["GET", "POST"])])

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "getUpdates":
            pending, self.updates = self.updates, []
            return pending
        if method.startswith("send"):
            message: dict[str, Any] = {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "chat": {"id": params.get("chat_id"), "type": "private"},
                "from": BOT_USER,
            }
            if "text" in params:
                message["text"] = params["text"]
            return message
        return True


def _telegram_failure(code: int, retry_after: int | None) -> JSONResponse:
    """A Bot API error as Telegram sends it; a 429 carries `parameters.retry_after`."""
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": f"Error {code}"}
    if retry_after is not None:
        body["description"] = f"Too Many Requests: retry after {retry_after}"
        body["parameters"] = {"retry_after": retry_after}
    return JSONResponse(body, code)


@dataclass
class FakeGraph:
    """Meta's Graph API for WhatsApp: `messages` holds the bodies sent, in order."""

    url: str = ""
    messages: list[dict[str, Any]] = field(default_factory=list)
    # (HTTP status, error object): every send fails.
    failure: tuple[int, dict[str, Any]] | None = None
    # Scripted answers of the next sends, one each: (HTTP status, error object, headers)
    # fails that send, None lets it through (tests/connectors/test_outbox.py).
    script: list[tuple[int, dict[str, Any], dict[str, str]] | None] = field(default_factory=list)
    # (monotonic time, body, status) of every send, failed or not.
    attempts: list[tuple[float, dict[str, Any], int]] = field(default_factory=list)
    # Shared by every fake: message ids stay unique in the tests' session-wide database, as
    # Meta's are, so a status callback never finds another test's message.
    _ids: Iterator[int] = field(default_factory=lambda: _WAMID_NUMBERS)

    @property
    def api_url(self) -> str:
        return f"{self.url}/v21.0"

    def reset(self) -> None:
        self.messages, self.failure, self.script, self.attempts = [], None, [], []

    def delivered(self, number: str) -> list[str]:
        """The texts (or interactive bodies) a number received, in order."""
        return [
            _graph_text(body)
            for _, body, status in self.attempts
            if status == 200 and body.get("to") == number
        ]

    def app(self) -> Starlette:
        async def send(request: Request) -> Response:
            if request.headers.get("authorization") != f"Bearer {GRAPH_TOKEN}":
                return JSONResponse({"error": {"code": 190, "type": "OAuthException"}}, 401)
            if request.path_params["phone_number_id"] != PHONE_NUMBER_ID:
                return JSONResponse({"error": {"code": 100, "type": "GraphMethodException"}}, 400)
            body = await request.json()
            # A number in `to`, or a business-scoped user id in `recipient` (`to` wins).
            to, recipient = body.get("to"), body.get("recipient")
            if not to and not recipient:
                return JSONResponse({"error": {"code": 100, "type": "OAuthException"}}, 400)
            self.messages.append(body)
            if self.failure is not None:
                self.attempts.append((time.monotonic(), body, self.failure[0]))
                return JSONResponse({"error": self.failure[1]}, self.failure[0])
            if self.script and (step := self.script.pop(0)) is not None:
                status, error, headers = step
                self.attempts.append((time.monotonic(), body, status))
                return JSONResponse({"error": error}, status, headers=headers)
            self.attempts.append((time.monotonic(), body, 200))
            wamid = f"wamid.OUT{next(self._ids)}"
            contact = {"input": to, "wa_id": to} if to else {"input": recipient, "user_id": recipient}
            return JSONResponse(
                {"messaging_product": "whatsapp", "contacts": [contact], "messages": [{"id": wamid}]}
            )

        return Starlette(routes=[Route("/v21.0/{phone_number_id}/messages", send, methods=["POST"])])


def _graph_text(body: dict[str, Any]) -> str:
    if body.get("type") == "text":
        return str(body["text"]["body"])
    if body.get("type") == "interactive":
        return str(body["interactive"]["body"]["text"])
    return str(body.get("type"))
