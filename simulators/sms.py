"""Simulated SMS provider (an SMS gateway's HTTP API, as the gateway's `sms` adapter calls it).

- `POST /v1/messages` `{to, text}` → 202 `{id, status: "queued"}`; `to` is E.164 digits
  without "+" (62812...). 400 `{error}` for a number that is not Indonesian mobile.
- `GET /v1/outbox?to=<number>` → `{messages: [{id, to, text, sent_at}]}`, newest last: what was
  "sent", for tests and demos (a real provider has no such route). Kept in memory only, the
  last `OUTBOX_LIMIT` messages; nothing is logged.
"""

from __future__ import annotations

import itertools
import re
from collections import deque
from typing import Any

from fastapi import FastAPI, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from simulators.base import SimulatorContext, create_simulator

KEY = "sms"
OUTBOX_LIMIT = 1000
_MOBILE = re.compile(r"^628[0-9]{7,11}$")


class Outgoing(BaseModel):
    to: str = Field(max_length=20)
    text: str = Field(min_length=1, max_length=480)


def _error_body(status_code: int, message: str) -> dict[str, Any]:
    return {"error": message}


def build(context: SimulatorContext) -> FastAPI:
    app = create_simulator(KEY, "SMS gateway", context, error_body=_error_body)
    outbox: deque[dict[str, Any]] = deque(maxlen=OUTBOX_LIMIT)
    ids = itertools.count(1)
    app.state.outbox = outbox

    @app.post("/v1/messages", status_code=status.HTTP_202_ACCEPTED, response_model=None)
    async def send(body: Outgoing) -> dict[str, Any] | JSONResponse:
        if not _MOBILE.match(body.to):
            return JSONResponse({"error": "invalid destination"}, status_code=400)
        message = {"id": f"SMS{next(ids):08d}", "to": body.to, "text": body.text,
                   "sent_at": context.clock.now().isoformat()}  # fmt: skip
        outbox.append(message)
        return {"id": message["id"], "status": "queued"}

    @app.get("/v1/outbox")
    async def sent(to: str | None = None) -> dict[str, Any]:
        return {"messages": [m for m in outbox if to is None or m["to"] == to]}

    return app
