"""`python -m bench.load.compare [REF]` (gateway runtime): this checkout's gateway against the
gateway of git revision REF (default HEAD) and a bare forwarder, on one stack.

Both gateways talk to the same Rasa and action server (REF's with its own database, checked
out into a temporary git worktree and run with this checkout's environment). The forwarder
(`bench/load/passthrough.py`) passes Rasa's REST webhook on unread: what it adds is the floor,
one more process in the path. One citizen without think time plays every conversation through
the two gateways, through the forwarder and straight to Rasa, step by step in turn (the order
reversed every round), so the four see the same machine. Printed: each target's median turn and,
for the other three, the median of their per-step differences from bare Rasa. The action server
reaches the ministries through this checkout's gateway for all of them. Measure a change of the
gateway like this before claiming it is faster.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx

from bench.common import ROOT, results_dir, write_result
from bench.load.conversations import load_personas, scripts
from bench.load.generator import DirectRasa, Gateway, Reply, Target, next_message
from bench.load.stack import free_port, running, wait_until_answering


def compare(ref: str, worktree: Path, rounds: int, model: Path) -> dict[str, object]:
    with running(model, results_dir() / "compare-stack") as stack:
        ports = {"reference": free_port(), "pass-through": free_port()}
        urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        env = {
            **stack.env,
            "AW_RASA_URL": stack.rasa_url,
            "AW_DATABASE_URL": f"sqlite+aiosqlite:///{worktree / 'gateway.db'}",
            "PASSTHROUGH_TO": stack.rasa_url,
        }
        uvicorn = ROOT / ".venv" / "api" / "bin" / "uvicorn"
        apps = {"reference": ("api.main:app", worktree), "pass-through": ("bench.load.passthrough:app", ROOT)}
        serve = [str(uvicorn), "--host", "127.0.0.1", "--no-access-log"]
        with (worktree / "gateway.log").open("w") as log:
            processes = [
                subprocess.Popen(
                    [*serve, app, "--port", str(ports[name])], cwd=cwd, env={**env, "PYTHONPATH": str(cwd)},
                    stdout=log, stderr=subprocess.STDOUT,
                )
                for name, (app, cwd) in apps.items()
            ]  # fmt: skip
        try:
            for process, name in zip(processes, apps, strict=True):
                wait_until_answering(process, {name: f"{urls[name]}/health"}, time.monotonic(), worktree)
            ours, theirs = Gateway(stack.gateway_url), Gateway(urls["reference"])
            ours.name, theirs.name = "this checkout", ref
            floor = DirectRasa(urls["pass-through"])
            floor.name = "pass-through"
            targets = [ours, theirs, floor, DirectRasa(stack.rasa_url)]
            return asyncio.run(_play(targets, stack.service_url, stack.service_headers, rounds))
        finally:
            for process in processes:
                process.terminate()
                process.wait()


async def _play(
    targets: list[Target], service_url: str, service_headers: dict[str, str], rounds: int
) -> dict[str, object]:
    turns: dict[tuple[int, str, int], dict[str, float]] = defaultdict(dict)
    async with httpx.AsyncClient(timeout=30) as http:
        categories = (
            await http.get(f"{service_url}/api/v1/complaints/categories", headers=service_headers)
        ).json()["items"]
        roads = next(item["label"] for item in categories if item["key"] == "infrastruktur")
        mix = scripts(load_personas(), roads)
        for round_ in range(rounds + 1):  # round 0 warms up
            order = targets if round_ % 2 else targets[::-1]
            for script in mix:
                conversations = {t.name: await t.open(http) for t in order}
                last = {t.name: Reply([]) for t in order}
                said: dict[str, list[str]] = {t.name: [] for t in order}
                for number, step in enumerate(script.steps):
                    for target in order:
                        message = await next_message(target, http, step, last[target.name], said[target.name])
                        if message is None:  # another path, or a code step (no outbox here)
                            continue
                        started = time.perf_counter()
                        last[target.name] = await target.send(http, conversations[target.name], *message)
                        said[target.name].append(last[target.name].text())
                        if round_ and not last[target.name].error:
                            turns[(round_, script.name, number)][target.name] = time.perf_counter() - started
    direct, others = targets[-1].name, [t.name for t in targets[:-1]]
    complete = [step for step in turns.values() if len(step) == len(targets)]
    return {
        "turns": len(complete),
        "median_ms": {
            t.name: round(1000 * statistics.median(s[t.name] for s in complete), 1) for t in targets
        },
        "added_ms": {
            name: round(1000 * statistics.median(s[name] - s[direct] for s in complete), 1) for name in others
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load.compare", description=__doc__)
    parser.add_argument("ref", nargs="?", default="HEAD")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "asisten-warga.tar.gz")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        worktree = Path(folder) / "ref"
        subprocess.run(["git", "worktree", "add", "--detach", str(worktree), args.ref], cwd=ROOT, check=True)
        try:
            result = compare(args.ref, worktree, args.rounds, args.model.resolve())
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT, check=False)
    print(f"compare: {result['turns']} turns each; medians {result['median_ms']}")
    print(f"compare: added to bare Rasa per turn (median of per-step differences): {result['added_ms']}")
    print(f"compare: wrote {write_result('compare', {'ref': args.ref, **result})}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
