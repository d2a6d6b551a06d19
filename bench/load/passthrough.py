"""The floor of any gateway: a process that only forwards Rasa's REST channel.

`uvicorn bench.load.passthrough:app` (gateway runtime, `PASSTHROUGH_TO` = Rasa's URL) takes a
`POST /webhooks/rest/webhook` and sends its body on to Rasa unread, with the gateway's server
(uvicorn on uvloop and httptools) and the gateway's Rasa client library (aiohttp, one kept-alive
session), and answers with Rasa's status and body. It stores nothing and parses nothing, so the
time it adds to a turn is what one more process in the path costs on this machine: the part of
the gateway's overhead that no change inside the gateway can remove. Any other request answers
200 (the readiness check). `python -m bench.load.compare` plays it beside the gateways.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import aiohttp

from api.rasa_client import WEBHOOK_PATH

Scope = MutableMapping[str, Any]
Event = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Event]]
Send = Callable[[Event], Awaitable[None]]

_JSON = [(b"content-type", b"application/json")]


class PassThrough:
    def __init__(self, rasa_url: str) -> None:
        self._webhook = rasa_url.rstrip("/") + WEBHOOK_PATH
        self._http: aiohttp.ClientSession | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http_request(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            event = await receive()
            if event["type"] == "lifespan.startup":
                self._http = aiohttp.ClientSession()
                await send({"type": "lifespan.startup.complete"})
            elif event["type"] == "lifespan.shutdown":
                if self._http is not None:
                    await self._http.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http_request(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await read_body(receive)
        if scope["method"] != "POST" or scope["path"] != WEBHOOK_PATH:
            status, answer = 200, b'{"status": "ok"}'
        else:
            assert self._http is not None, "lifespan not started"
            async with self._http.post(
                self._webhook, data=body, headers={"content-type": "application/json"}
            ) as response:
                status, answer = response.status, await response.read()
        await send({"type": "http.response.start", "status": status, "headers": _JSON})
        await send({"type": "http.response.body", "body": answer})


async def read_body(receive: Receive) -> bytes:
    """The whole body of an ASGI HTTP request."""
    body = b""
    while True:
        event = await receive()
        body += event.get("body", b"")
        if not event.get("more_body"):
            return body


app = PassThrough(os.environ.get("PASSTHROUGH_TO", "http://127.0.0.1:5005"))
