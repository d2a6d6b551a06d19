"""`python -m bench.gateway_cost [--messages N] [--rasa-ms MS]` (gateway runtime): the gateway's
own time per message, without Rasa's noise.

The gateway runs as `make run` starts it (uvicorn, SQLite in a temporary folder) against an
instant stand-in for Rasa's REST channel (`stand_in`, a bare ASGI app answering one text with two
buttons). One client sends N messages to one conversation through the gateway and, alternately,
the same body to the stand-in; the difference of the medians is what the gateway adds: its HTTP
hop, its database work, its call to Rasa and the replies' mapping. Within ±0.3 ms from run to
run here, where a turn through the real stack varies by tens of milliseconds.

`--rasa-ms` makes the stand-in wait that long before it answers, as Rasa's turn does: the
gateway then sits idle for the wait, as in the real stack, and costs about what it costs there
(bench/findings.md, round 5).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.common import ROOT
from bench.load.passthrough import Receive, Scope, Send, read_body
from bench.load.stack import free_port, wait_until_answering

WARM_UP = 50
TEXT = "berapa biaya perpanjang SIM A"
REPLY = [
    {
        "text": "Baik, Bapak/Ibu. Ada lagi yang bisa kami bantu?",
        "buttons": [{"title": "Ya", "payload": "/affirm"}, {"title": "Tidak", "payload": "/deny"}],
    }
]


async def stand_in(scope: Scope, receive: Receive, send: Send) -> None:
    """Rasa's REST channel answering `[{"recipient_id": sender, **REPLY[0]}]` at once, or after
    `STAND_IN_DELAY_MS`."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    body = await read_body(receive)
    await asyncio.sleep(float(os.environ.get("STAND_IN_DELAY_MS", "0")) / 1000)
    sender = json.loads(body or b"{}").get("sender")
    answer = json.dumps([{"recipient_id": sender, **item} for item in REPLY]).encode()
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]}
    )
    await send({"type": "http.response.body", "body": answer})


def measure(messages: int, rasa_ms: float = 0) -> dict[str, float]:
    rasa_port, gateway_port = free_port(), free_port()
    rasa, gateway = f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{gateway_port}"
    uvicorn = str(Path(sys.executable).parent / "uvicorn")
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "AW_RASA_URL": rasa,
            "AW_DATABASE_URL": f"sqlite+aiosqlite:///{folder}/gateway.db",
            "AW_RATE_LIMIT_MESSAGES": "0",  # one conversation sends them all
            "STAND_IN_DELAY_MS": str(rasa_ms),
        }
        quiet = ["--no-access-log", "--log-level", "warning"]
        stand_in = [uvicorn, "bench.gateway_cost:stand_in", "--port", str(rasa_port), *quiet]
        with (Path(folder) / "gateway.log").open("w") as log:
            processes = [
                subprocess.Popen(stand_in, cwd=ROOT, env=env),
                subprocess.Popen(
                    [uvicorn, "api.main:app", "--port", str(gateway_port), *quiet], cwd=ROOT, env=env,
                    stderr=log,
                ),
            ]  # fmt: skip
        try:
            urls = {"stand-in": f"{rasa}/", "gateway": f"{gateway}/health"}
            wait_until_answering(processes[1], urls, time.monotonic(), Path(folder))
            through, alone = asyncio.run(_play(gateway, rasa, messages))
        finally:
            for process in processes:
                process.terminate()
                process.wait()
    gateway_ms, stand_in_ms = statistics.median(through), statistics.median(alone)
    return {
        "gateway_ms": round(gateway_ms, 2),
        "stand_in_ms": round(stand_in_ms, 2),
        "gateway_cost_ms": round(gateway_ms - stand_in_ms, 2),
    }


async def _play(gateway: str, rasa: str, messages: int) -> tuple[list[float], list[float]]:
    """Milliseconds per message through the gateway and to the stand-in alone, after warm-up."""
    through, alone = [], []
    async with httpx.AsyncClient(timeout=10) as http:
        opened = await http.post(f"{gateway}/api/v1/conversations", json={"channel": "web"})
        conversation = opened.json()["id"]
        token = opened.json()["session_token"]
        body = {"sender": conversation, "message": TEXT, "input_channel": "web", "metadata": {}}
        for number in range(WARM_UP + messages):
            started = time.perf_counter()
            answer = await http.post(
                f"{gateway}/api/v1/conversations/{conversation}/messages",
                json={"text": TEXT},
                headers={"X-Session-Token": token},
            )
            token = answer.json().get("session_token") or token
            middle = time.perf_counter()
            await http.post(f"{rasa}/webhooks/rest/webhook", json=body)
            if answer.status_code != 200 or answer.json()["rasa_status"] != "delivered":
                raise RuntimeError(f"the gateway answered {answer.status_code}: {answer.text[:200]}")
            if number >= WARM_UP:
                through.append(1000 * (middle - started))
                alone.append(1000 * (time.perf_counter() - middle))
    return through, alone


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.gateway_cost", description=__doc__)
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--rasa-ms", type=float, default=0, help="the stand-in's wait before answering")
    args = parser.parse_args(argv)
    result = measure(args.messages, args.rasa_ms)
    print(
        f"gateway_cost: {args.messages} messages, the stand-in answering after {args.rasa_ms:g} ms; "
        f"through the gateway {result['gateway_ms']} ms, "
        f"the stand-in alone {result['stand_in_ms']} ms: the gateway adds {result['gateway_cost_ms']} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
