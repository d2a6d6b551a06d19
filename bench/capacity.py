"""`python -m bench.capacity` (gateway runtime): the turns per second the production topology
sustains on this machine with p95 ≤ 300 ms (issue 19), through its load balancer.

Starts `make cluster` afresh (2 gateways, 2 Rasa servers, 2 action servers, the analytics
consumer and HAProxy over PostgreSQL, Redis and RabbitMQ; scripts/cluster.py), warms every Rasa
replica, then plays levels of concurrent citizens (bench/load's mix and think times) through the
public URL, more citizens at each level, until a level misses p95 ≤ 300 ms or has errors. Each
level reports turns/s, latency and the CPU each kind of process spent per turn (/proc), beside
what each kind burns idle (15 s before the first level). The
capacity is the highest turns/s of a level that met the latency with no error. Writes
capacity.json. Needs PostgreSQL, Redis and RabbitMQ on 127.0.0.1 (as the kill tests do).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import time
from typing import Any

import httpx

from bench.cluster import LOAD_SETTINGS, cluster, warm_up
from bench.common import tree_hash, write_result
from bench.load.conversations import load_personas, scripts
from bench.load.generator import Gateway, Outbox, Think, run_level, summary
from bench.load.procstat import cpu_seconds, descendants

P95_TARGET_MS = 300.0
READY_SECONDS = 480.0
SEED = 11
IDLE_SECONDS = 15.0
_KIND = re.compile(r"\d+$")  # "rasa2" → "rasa"


def process_cpu(state: dict[str, Any]) -> dict[str, float]:
    """CPU seconds so far of each kind of the cluster's processes (children included)."""
    totals: dict[str, float] = {}
    for name, process in state["processes"].items():
        if process["pid"] is not None:
            kind = _KIND.sub("", name)
            totals[kind] = totals.get(kind, 0.0) + cpu_seconds(descendants(process["pid"]))
    return totals


async def measure(state: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {state['secrets']['AW_SERVICE_TOKEN']}"}
    async with httpx.AsyncClient(timeout=30) as http:
        url = f"{state['service_api_url']}/api/v1/complaints/categories"
        categories = (await http.get(url, headers=headers)).json()["items"]
    roads = next(item["label"] for item in categories if item["key"] == "infrastruktur")
    mix = scripts(load_personas(), roads)
    target = Gateway(state["public_url"], Outbox(state["service_api_url"], headers))
    await warm_up(state, mix, target, args.timeout)
    print("capacity: warmed up", flush=True)
    # What the processes burn with no citizen (workers' polls, health checks, heartbeats): at a
    # low rate it is a large part of each turn's CPU, so it is reported beside it.
    before = process_cpu(cluster.read_state())
    await asyncio.sleep(IDLE_SECONDS)
    idle = {
        kind: round(100 * (seconds - before.get(kind, 0.0)) / IDLE_SECONDS, 1)
        for kind, seconds in process_cpu(cluster.read_state()).items()
    }
    print(f"capacity: idle CPU, % of a core: {idle}", flush=True)
    levels = []
    for citizens in args.levels:
        before, began = process_cpu(cluster.read_state()), time.monotonic()
        level = await run_level(target, mix, citizens, args.seconds, Think(*args.think), args.timeout, SEED)
        after = process_cpu(cluster.read_state())
        row = summary(level, {})
        row["wall_seconds"] = round(time.monotonic() - began, 1)
        row["cpu_ms_per_turn"] = {
            kind: round(1000 * (after[kind] - before.get(kind, 0.0)) / max(row["turns"], 1), 1)
            for kind in after
        }
        row["met"] = row["latency_ms"]["p95"] <= P95_TARGET_MS and not row["errors"]
        levels.append(row)
        print(
            f"capacity: {citizens:4d} citizens  {row['turns_per_second']:6.2f} turns/s  "
            f"p50 {row['latency_ms']['p50']:7.1f} ms  p95 {row['latency_ms']['p95']:7.1f} ms  "
            f"errors {row['errors']}  CPU ms/turn {row['cpu_ms_per_turn']}",
            flush=True,
        )
        if not row["met"]:
            break
    met = [level["turns_per_second"] for level in levels if level["met"]]
    return {
        "settings": {
            "levels": args.levels,
            "seconds": args.seconds,
            "think": args.think,
            "timeout": args.timeout,
            "p95_target_ms": P95_TARGET_MS,
            "topology": "2 gateways, 2 Rasa servers, 2 action servers, HAProxy (scripts/cluster.py)",
        },  # fmt: skip
        "model_data_hash": tree_hash("data", "domain", "config.yml"),
        "idle_cpu_percent": idle,
        "levels": levels,
        "capacity_turns_per_second": max(met) if met else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.capacity", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--levels", type=lambda s: [int(n) for n in s.split(",")], default=[25, 50, 75, 100, 150, 200, 300]
    )
    parser.add_argument("--seconds", type=float, default=30.0, help="seconds of load per level")
    parser.add_argument(
        "--think",
        type=lambda s: [float(n) for n in s.split("-")],
        default=[2.0, 6.0],
        help="LOW-HIGH seconds",
    )
    parser.add_argument("--timeout", type=float, default=25.0)
    args = parser.parse_args(argv)
    if missing := cluster.Servers().missing():
        print(f"capacity: not measured, these servers are not running: {', '.join(missing)}", file=sys.stderr)
        return 2
    with cluster.supervised(LOAD_SETTINGS, READY_SECONDS) as state:
        result = asyncio.run(measure(state, args))
    path = write_result("capacity", result)
    print(f"capacity: {result['capacity_turns_per_second']} turns/s at p95 ≤ {P95_TARGET_MS:.0f} ms ({path})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
