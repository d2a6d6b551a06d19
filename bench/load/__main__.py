"""`python -m bench.load` (gateway runtime): start the stack, check every conversation once,
then measure the gateway overhead with one citizen without think time, play N concurrent
citizens at each level, through the gateway and straight to Rasa, sampling CPU and memory of
each process, and play N citizens shared out over both targets at once (the mixed levels: the
gateway overhead under load, both targets on the same machine state). Writes load.json.

Both targets run against the same stack: straight to Rasa, the action server still calls
the ministries through the gateway's service API; only the gateway's chat path is skipped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from pathlib import Path
from typing import Any

import httpx

from bench.common import ROOT, results_dir, tree_hash, write_result
from bench.load.conversations import load_personas, scripts
from bench.load.generator import (
    DirectRasa,
    Gateway,
    Outbox,
    Target,
    Think,
    play_once,
    run_level,
    run_mixed,
    run_sequential,
    summary,
)
from bench.load.procstat import Sampler, cpu_seconds, peak_rss_bytes
from bench.load.stack import running

SAMPLE_SECONDS = 0.5
# Concurrent citizens play the same personas: one may type a code that another conversation's
# request replaced (a wrong code, a deviation). Without these, three such collisions would lock
# the persona's NIK for 30 minutes, i.e. for the rest of the run.
STACK_SETTINGS = {"AW_OTP_MAX_ATTEMPTS": "10", "AW_OTP_LOCKOUT_MINUTES": "1"}
SEED = 7


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    personas = load_personas()
    think = Think(*args.think)
    with running(args.model, results_dir() / "stack", env=STACK_SETTINGS) as stack:
        print(f"load: stack up, seconds until answering: {stack.ready_seconds}", flush=True)
        async with httpx.AsyncClient(timeout=60) as http:
            started = time.monotonic()
            first = await DirectRasa(stack.rasa_url).send(http, "bench-first-message", "halo", None)
            first_reply = round(time.monotonic() - started, 2)
            url, headers = f"{stack.service_url}/api/v1/complaints/categories", stack.service_headers
            categories = (await http.get(url, headers=headers)).json()["items"]
        if first.error:
            raise RuntimeError(f"Rasa did not answer the first message: {first.error}")
        roads = next(item["label"] for item in categories if item["key"] == "infrastruktur")
        mix = scripts(personas, roads)
        outbox = Outbox(stack.service_url, stack.service_headers)
        targets: list[Target] = [
            Gateway(stack.gateway_url, outbox),
            DirectRasa(stack.rasa_url, outbox, gateway_url=stack.gateway_url),
        ]

        # Warm-up, and a check that every script follows the bot's path (through the gateway;
        # straight to Rasa once, the same assistant answers).
        problems: dict[str, str] = {}
        for target, checked in ((targets[0], mix), (targets[1], mix[:1])):
            for script in checked:
                _, problem = await play_once(target, script, args.timeout)
                if problem:
                    problems[f"{target.name}:{script.name}"] = problem
        print(f"load: warm-up done, {len(problems)} scripts off their path: {problems}", flush=True)

        # CPU per turn of each service over the sequential run (both targets: Rasa does the same
        # work for a turn either way), from /proc: robust to the machine's other work, unlike wall time.
        cpu_before = {name: cpu_seconds(pids) for name, pids in stack.services.items()}
        sequential = [
            summary(level, {}) for level in await run_sequential(targets, mix, args.rounds, args.timeout)
        ]
        sequential_turns = sum(level["turns"] for level in sequential)
        cpu_ms_per_turn = {
            name: round(1000 * (cpu_seconds(pids) - cpu_before[name]) / max(sequential_turns, 1), 1)
            for name, pids in stack.services.items()
        }
        print(f"load: CPU ms per sequential turn {cpu_ms_per_turn}", flush=True)
        for level in sequential:
            p50 = level["latency_ms"]["p50"]
            print(f"load: {level['target']:7} sequential {level['turns']} turns, p50 {p50} ms", flush=True)

        sampler = Sampler({**stack.services, "load generator": [os.getpid()]})
        stop = asyncio.Event()

        async def sample() -> None:
            while not stop.is_set():
                sampler.sample()
                await asyncio.sleep(SAMPLE_SECONDS)

        sampling = asyncio.create_task(sample())
        levels, windows = [], []
        for citizens in args.levels:
            for target in targets:
                begin = time.monotonic()
                level = await run_level(target, mix, citizens, args.seconds, think, args.timeout, SEED)
                await asyncio.sleep(SAMPLE_SECONDS)
                windows.append((begin, time.monotonic()))
                levels.append(summary(level, sampler.window(*windows[-1])))
                latency = levels[-1]["latency_ms"]
                print(
                    f"load: {target.name:7} x{citizens:<3} {levels[-1]['turns']} turns, "
                    f"p50 {latency['p50']} ms, p95 {latency['p95']} ms, errors {levels[-1]['errors']}",
                    flush=True,
                )
        stop.set()
        await sampling
        mixed = []
        for citizens in args.mixed:
            for level in await run_mixed(targets, mix, citizens, args.seconds, think, args.timeout, SEED):
                mixed.append(summary(level, {}))
                latency = mixed[-1]["latency_ms"]
                print(
                    f"load: {level.target:7} mixed x{citizens:<3} {mixed[-1]['turns']} turns, "
                    f"p50 {latency['p50']} ms, p95 {latency['p95']} ms, errors {mixed[-1]['errors']}",
                    flush=True,
                )
        t0 = sampler.samples[0].at if sampler.samples else time.monotonic()  # no level: no samples
        for level, (begin, end) in zip(levels, windows, strict=True):
            level["window_seconds"] = [round(begin - t0, 2), round(end - t0, 2)]
        series = {
            "t": [round(s.at - t0, 2) for s in sampler.samples],
            "cpu_seconds": {
                name: [round(s.cpu[name], 2) for s in sampler.samples] for name in sampler.services
            },
            "rss_mb": {
                name: [round(s.rss[name] / 2**20, 1) for s in sampler.samples] for name in sampler.services
            },
        }
        peaks = {name: round(peak_rss_bytes(pids) / 2**20, 1) for name, pids in stack.services.items()}
    return {
        "model": str(args.model.relative_to(ROOT) if args.model.is_relative_to(ROOT) else args.model),
        "model_hash": tree_hash(str(args.model.relative_to(ROOT)))
        if args.model.is_relative_to(ROOT)
        else None,
        "settings": {
            "levels": args.levels,
            "mixed_levels": args.mixed,
            "sequential_rounds": args.rounds,
            "seconds_per_level": args.seconds,
            "think_seconds": list(args.think),
            "request_timeout_seconds": args.timeout,
            "gateway_rasa_timeout_seconds": float(os.environ.get("AW_RASA_TIMEOUT_SECONDS", 4.0)),
            "simulated_ministry_latency_ms": int(os.environ.get("AW_SIMULATED_LATENCY_MS", 40)),
            "stores": "SQLite (tracker store and gateway database), in-memory lock store",
            "stack_settings": STACK_SETTINGS,
        },
        "scripts": [{"name": s.name, "kind": s.kind, "turns": len(s.steps)} for s in mix],
        "warmup_problems": problems,
        "startup": {"ready_seconds": stack.ready_seconds, "first_reply_seconds": first_reply},
        "peak_rss_mb_lifetime": peaks,
        "sequential": sequential,
        "sequential_cpu_ms_per_turn": cpu_ms_per_turn,
        "levels": levels,
        "mixed": mixed,
        "series": series,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "asisten-warga.tar.gz")
    parser.add_argument("--levels", type=lambda s: [int(x) for x in s.split(",") if x], default=[10, 50])
    parser.add_argument(
        "--mixed", type=lambda s: [int(x) for x in s.split(",") if x], default=[50],
        help="citizens of each mixed level (half through the gateway, half straight to Rasa); '' for none",
    )  # fmt: skip
    parser.add_argument("--seconds", type=float, default=40.0, help="duration of each level and target")
    parser.add_argument(
        "--think", type=lambda s: tuple(float(x) for x in s.split("-")), default=(2.0, 6.0),
        help="think time before each message, uniform between LOW-HIGH seconds",
    )  # fmt: skip
    parser.add_argument("--timeout", type=float, default=10.0, help="the load generator's request timeout")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the sequential gateway-overhead run")
    args = parser.parse_args(argv)
    args.model = args.model.resolve()
    if not args.model.exists():
        parser.error(f"no model at {args.model}: `make train` first")
    result = asyncio.run(measure(args))
    print(f"load: wrote {write_result('load', result)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
