"""The three processes started by scripts/run on free ports, with their own tracker store,
gateway and simulator databases and logs in a folder of the run, and the time each took to
answer: for Rasa, that is the model load time. The benchmarks and the end-to-end tests
(tests/e2e) both start the assistant with `running`."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.common import ROOT
from bench.load.procstat import cmdline, descendants

# scripts/run waits as long for each service (START_WAIT_SECONDS, 180 there).
START_TIMEOUT_SECONDS = int(os.environ.get("START_WAIT_SECONDS", 300))
# How each service's process is told apart in scripts/run's process tree.
SERVICES = {"actions": "-m actions.server ", "rasa": " run --interface ", "gateway": "-m api.serve "}


@dataclass
class Stack:
    gateway_url: str  # the public port
    rasa_url: str
    log_dir: Path
    services: dict[str, list[int]]  # name → pids of its process tree
    ready_seconds: dict[str, float]  # name → seconds from start until it answered
    env: dict[str, str] = field(default_factory=dict)  # what the processes were started with

    @property
    def service_url(self) -> str:
        """The gateway's internal service API (what the actions call), with `service_headers`."""
        return f"http://127.0.0.1:{self.env['SERVICE_API_PORT']}"

    @property
    def service_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.env['AW_SERVICE_TOKEN']}"}

    def logs(self) -> str:
        return _logs(self.log_dir)


def _logs(log_dir: Path) -> str:
    """The end of each service's log, for a failure message."""
    return "\n".join(
        f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}" for log in sorted(log_dir.glob("*.log"))
    )


def _window_keys() -> str:
    """The tracker store's window (bot/tracker_window.py) from BENCH_TRACKER_WINDOW
    ("turns,visible_actions,max_turns,slack"), to play conversations with a small one; else
    the store's defaults."""
    sizes = os.environ.get("BENCH_TRACKER_WINDOW")
    if not sizes:
        return ""
    names = ("window_turns", "window_visible_actions", "window_max_turns", "window_slack")
    return "".join(f"  {name}: {int(value)}\n" for name, value in zip(names, sizes.split(","), strict=True))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running(model: Path, workdir: Path, env: dict[str, str] | None = None) -> Iterator[Stack]:
    """Start the stack with `model`; stop it (the whole process group) on exit."""
    workdir.mkdir(parents=True, exist_ok=True)
    ports = {name: free_port() for name in ("RASA_PORT", "ACTIONS_PORT", "GATEWAY_PORT", "SERVICE_API_PORT")}
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{ports["ACTIONS_PORT"]}/webhook"\n'
        "  token: ${ACTION_SERVER_TOKEN}\n"  # scripts/run generates it
        "tracker_store:\n  type: bot.tracker_store.SQLTrackerStore\n"
        f"  dialect: sqlite\n  db: {workdir / 'tracker.db'}\n{_window_keys()}"
        "lock_store:\n  type: in_memory\n"
        "nlg:\n  type: bot.nlg.FactNaturalLanguageGenerator\n"  # the fact registry (bot/server.py checks)
    )
    for stale in ("tracker.db", "gateway.db", "simulators.db"):
        (workdir / stale).unlink(missing_ok=True)
    log_dir = workdir / "logs"
    urls = {
        "actions": f"http://127.0.0.1:{ports['ACTIONS_PORT']}/health",
        "rasa": f"http://127.0.0.1:{ports['RASA_PORT']}/",
        "gateway": f"http://127.0.0.1:{ports['GATEWAY_PORT']}/health",
    }
    environment = {
        **os.environ,
        **{name: str(port) for name, port in ports.items()},
        "ENDPOINTS": str(endpoints),
        "MODEL": str(model),
        "LOG_DIR": str(log_dir),
        "AW_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'gateway.db'}",
        # Rasa's tracker store above, which the gateway erases and prunes (docs/privacy.md).
        "AW_TRACKER_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'tracker.db'}",
        # The embedded simulators' state (applications, billings), fresh for each run.
        "AW_SIMULATORS_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'simulators.db'}",
        "PYTHONPATH": str(ROOT),
        # Known here too, so that a test or benchmark can read the internal service API.
        "AW_SERVICE_TOKEN": secrets.token_urlsafe(24),
        # Every simulated citizen comes from 127.0.0.1: the per-address limits would refuse
        # a load test's conversations and sockets (the per-sender limit stays on).
        "AW_RATE_LIMIT_CONVERSATIONS_PER_IP": "0",
        "AW_RATE_LIMIT_SOCKETS_PER_IP": "0",
        "AW_RATE_LIMIT_SERVICE_API_PER_IP": "0",
        **(env or {}),
    }
    started = time.monotonic()
    with (workdir / "run.log").open("w") as run_log:
        process = subprocess.Popen(
            [str(ROOT / "scripts" / "run")], cwd=ROOT, env=environment, start_new_session=True,
            stdout=run_log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        ready = wait_until_answering(process, urls, started, log_dir)
        tree = [(pid, cmdline(pid)) for pid in descendants(process.pid)]
        services = {
            name: descendants(next(pid for pid, command in tree if marker in f" {command}"))
            for name, marker in SERVICES.items()
        }
        gateway, rasa = urls["gateway"].removesuffix("/health"), urls["rasa"].rstrip("/")
        yield Stack(gateway, rasa, log_dir, services, ready, environment)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def wait_until_answering(
    process: subprocess.Popen[bytes], urls: dict[str, str], started: float, log_dir: Path
) -> dict[str, float]:
    ready: dict[str, float] = {}
    with httpx.Client(timeout=2) as client:
        while len(ready) < len(urls):
            if process.poll() is not None or time.monotonic() - started > START_TIMEOUT_SECONDS:
                raise RuntimeError(f"the stack did not start (exit code {process.poll()}):\n{_logs(log_dir)}")
            for name, url in urls.items():
                if name in ready:
                    continue
                try:
                    if client.get(url).status_code == 200:
                        ready[name] = round(time.monotonic() - started, 1)
                except httpx.HTTPError:
                    pass
            time.sleep(0.2)
    return ready
