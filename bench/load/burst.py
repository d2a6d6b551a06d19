"""`python -m bench.load.burst` (gateway runtime): a burst of first messages through the gateway,
with and without bounded admission (AW_RASA_CONCURRENCY, docs/deployment.md#failed-turns-and-bursts).

Rasa is modelled, not run (no trained model needed): one process that spends `--rasa-ms` of CPU
per turn, one turn at a time (issue 19 measured about 34 ms), behind its HTTP server, which
accepts every request at once. The gateway runs in-process on a fresh SQLite database. All N
citizens send their first message at the same moment. Per message: when the citizen first
read something (the "sedang ramai" notice or the answer), when the answer came, and how many
turns Rasa held at once. Afterwards the retry worker drains what was kept: lost and doubled
messages are counted from Rasa's log and the store.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.conversations.admission import BUSY_TEXT
from api.core.config import Settings
from api.main import create_app
from api.models import Author, Message, RasaStatus
from bench.load.generator import percentile


class SerialRasa:
    """One Rasa process: each turn costs `cost` seconds of its one core, in arrival order."""

    def __init__(self, cost: float) -> None:
        self.cost = cost
        self.in_flight = 0
        self.peak = 0
        self.received: list[str] = []
        self._core = threading.Lock()

    def app(self) -> Starlette:
        async def webhook(request: Request) -> Response:
            body = await request.json()
            self.received.append(body["metadata"].get("turn_id", ""))
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            try:
                await asyncio.to_thread(self._work)
            finally:
                self.in_flight -= 1
            return JSONResponse([{"recipient_id": body["sender"], "text": "Baik."}])

        async def health(_: Request) -> Response:
            return JSONResponse({"status": "ok"})

        return Starlette(
            routes=[
                Route("/webhooks/rest/webhook", webhook, methods=["POST"]),
                Route("/webhooks/rest/", health),
            ]
        )

    def _work(self) -> None:
        with self._core:
            time.sleep(self.cost)


def serve(app: Starlette) -> tuple[str, uvicorn.Server]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="warning", lifespan="off", limit_concurrency=10_000, backlog=2048)
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    return f"http://127.0.0.1:{sock.getsockname()[1]}", server


async def burst(
    n: int, rasa_ms: float, concurrency: int | None, queue: int, timeout: float
) -> dict[str, Any]:
    rasa = SerialRasa(rasa_ms / 1000)
    url, server = serve(rasa.app())
    database = Path(tempfile.mkdtemp(prefix="aw-burst-")) / "gateway.db"
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{database}",
        simulators_database_url=f"sqlite+aiosqlite:///{database.parent / 'sim.db'}",
        rasa_url=url,
        rasa_timeout_seconds=timeout,
        privacy_notice=False,
        tracker_database_url="",
        rate_limit_conversations_per_ip=0,
        turn_retry=False,  # drained below, after the burst
        rasa_concurrency=concurrency or 1024,
        rasa_queue_size=queue if concurrency else 0,
        rasa_queue_wait_seconds=10,
        log_level="WARNING",
    )
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://gateway.test", timeout=120
            ) as client:
                ids = []
                for _ in range(n):
                    created = await client.post("/api/v1/conversations", json={"channel": "web"})
                    ids.append(created.json()["id"])

                async def first_message(conversation_id: str) -> tuple[float, str]:
                    start = time.monotonic()
                    token = {"X-Session-Token": _token(app, conversation_id)}
                    response = await client.post(
                        f"/api/v1/conversations/{conversation_id}/messages",
                        json={"text": "halo"},
                        headers=token,
                    )
                    return time.monotonic() - start, response.json()["rasa_status"]

                started = time.monotonic()
                results = await asyncio.gather(*(first_message(cid) for cid in ids))
                burst_seconds = time.monotonic() - started
                first_seen = await _first_seen(app, ids, results)
                kept = sum(status != "delivered" for _, status in results)
                from api.conversations.retry import RetryPolicy, TurnRetries

                retries = TurnRetries(
                    RetryPolicy(base_seconds=0.01, max_delay_seconds=0.02),
                    app.state.sessionmaker,
                    app.state.rasa,
                    app.state.callcenter,
                    _NoOutbound(),
                )
                drained = 0
                for _ in range(200):
                    drained += await retries.run_once()
                    if drained >= kept:
                        break
                    await asyncio.sleep(0.05)
                answered = await _answered(app)
        admission = app.state.rasa.admission
    finally:
        server.should_exit = True
    answers = [seconds for seconds, status in results if status == "delivered"]
    per_turn: dict[str, int] = {}
    for turn_id in rasa.received:
        per_turn[turn_id] = per_turn.get(turn_id, 0) + 1
    return {
        "citizens": n,
        "rasa_ms_per_turn": rasa_ms,
        "admission": f"{concurrency} in flight, {queue} waiting" if concurrency else "off",
        "burst_seconds": round(burst_seconds, 2),
        "first_seen_p50_ms": round(percentile(first_seen, 50) * 1000),
        "first_seen_p95_ms": round(percentile(first_seen, 95) * 1000),
        "answer_p50_ms": round(percentile(answers, 50) * 1000) if answers else None,
        "answer_p95_ms": round(percentile(answers, 95) * 1000) if answers else None,
        "answered_in_burst": len(answers),
        "kept_for_retry": kept,
        "busy_notices": admission.queued_total,
        "rasa_peak_in_flight": rasa.peak,
        "answered_after_drain": answered,
        "lost": n - answered,
        "doubled": sum(count > 1 for count in per_turn.values()),
    }


class _NoOutbound:
    async def push(self, *_: Any) -> None:
        return None


def _token(app: Any, conversation_id: str) -> str:
    from connectors.web import session as widget_session

    return widget_session.issue(app.state.settings, uuid.UUID(conversation_id))


async def _first_seen(app: Any, ids: list[str], results: list[tuple[float, str]]) -> list[float]:
    """Per message: the notice's delay after the message when it had one, else the answer's."""
    seen = []
    async with app.state.sessionmaker() as session:
        for conversation_id, (seconds, _) in zip(ids, results, strict=True):
            rows = list(
                await session.scalars(
                    select(Message)
                    .where(Message.conversation_id == uuid.UUID(conversation_id))
                    .order_by(Message.id)
                )
            )
            notice = next((m for m in rows if m.author is Author.SYSTEM and m.text == BUSY_TEXT), None)
            seen.append((notice.created_at - rows[0].created_at).total_seconds() if notice else seconds)
    return seen


async def _answered(app: Any) -> int:
    async with app.state.sessionmaker() as session:
        rows = await session.scalars(
            select(Message).where(
                Message.author == Author.CITIZEN, Message.rasa_status == RasaStatus.DELIVERED
            )
        )
        return len(list(rows))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--citizens", type=int, default=50)
    parser.add_argument("--rasa-ms", type=float, default=34.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--queue", type=int, default=64)
    parser.add_argument("--timeout", type=float, default=16.0, help="AW_RASA_TIMEOUT_SECONDS")
    args = parser.parse_args()
    for concurrency in (None, args.concurrency):
        result = asyncio.run(burst(args.citizens, args.rasa_ms, concurrency, args.queue, args.timeout))
        print(json.dumps(result))


if __name__ == "__main__":
    main()
