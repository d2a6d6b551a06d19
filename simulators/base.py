"""What every simulated backend shares: its context, latency, fault injection and clock."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from simulators.callbacks import Callbacks
from simulators.settings import SimulatorSettings
from simulators.store import SimStore, Storage

# Western Indonesian Time: the ministries' dates and office days.
WIB = timezone(timedelta(hours=7), "WIB")
# How long an injected "timeout" fault keeps the request waiting: far beyond any deadline.
_HANG_SECONDS = 3600.0


@dataclass
class Clock:
    """The simulators' notion of now. Tests move it with `offset` (e.g. three days on)."""

    offset: timedelta = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


@dataclass
class SimulatorContext:
    """Handed to each simulator factory: settings, the database for `sim_records`, a clock."""

    settings: SimulatorSettings
    storage: Storage
    clock: Clock = field(default_factory=Clock)
    callbacks: Callbacks = field(default_factory=lambda: Callbacks("", ""))

    def store(self, ministry: str) -> SimStore:
        return SimStore(self.storage, ministry)


SimulatorFactory = Callable[[SimulatorContext], FastAPI]
ErrorBody = Callable[[int, str], dict[str, Any]]


def _plain_error(status: int, message: str) -> dict[str, Any]:
    return {"status": status, "message": message}


def create_simulator(
    key: str, title: str, context: SimulatorContext, *, error_body: ErrorBody = _plain_error
) -> FastAPI:
    """A FastAPI app for ministry `key` with simulated latency and injected faults.

    `error_body(status, message)` is the ministry's own error shape, used for the injected
    "error" fault (a 503)."""
    app = FastAPI(title=f"{title} (simulasi)", openapi_url=None, docs_url=None, redoc_url=None)
    app.state.context = context
    latency = Latency(key, context.settings.simulated_latency_ms)
    fault = context.settings.simulated_fault(key)

    @app.middleware("http")
    async def _simulate(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if fault == "timeout":
            await asyncio.sleep(_HANG_SECONDS)
        await asyncio.sleep(latency.next_seconds())
        if fault == "error":
            return JSONResponse(error_body(503, "Service Unavailable"), status_code=503)
        return await call_next(request)

    return app


class Latency:
    """Deterministic jitter: the same sequence of delays on every run, mean `mean_ms`,
    spread of half the mean either way (40 ms gives 20–60 ms)."""

    def __init__(self, key: str, mean_ms: int) -> None:
        self._random = random.Random(f"latency:{key}")
        self._mean = mean_ms / 1000

    def next_seconds(self) -> float:
        if self._mean <= 0:
            return 0.0
        return self._mean * self._random.uniform(0.5, 1.5)
