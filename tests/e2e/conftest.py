"""The whole assistant running as in production: action server, Rasa server and gateway,
started by `scripts/run` on free ports with their own databases and logs in a temp dir.

The tests talk to the gateway only, as a channel does. Starting takes about a minute (Rasa
loads its model), so the stack is shared by the whole session.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "asisten-warga.tar.gz"
START_TIMEOUT_SECONDS = 300


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Stack:
    gateway_url: str
    log_dir: Path
    env: dict[str, str] = field(default_factory=dict)  # what the processes were started with

    def logs(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}"
            for log in sorted(self.log_dir.glob("*.log"))
        )


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not MODEL.exists():
        if os.getenv("CI") == "true":
            pytest.fail(f"no trained model at {MODEL}: `make test` trains it first")
        pytest.skip(f"no trained model at {MODEL}: run `make train` first")
    tmp = tmp_path_factory.mktemp("stack")
    ports = {name: _free_port() for name in ("RASA_PORT", "ACTIONS_PORT", "GATEWAY_PORT")}
    endpoints = tmp / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{ports["ACTIONS_PORT"]}/webhook"\n'
        f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {tmp / 'tracker.db'}\n"
        "lock_store:\n  type: in_memory\n"
    )
    env = {
        **os.environ,
        **{name: str(port) for name, port in ports.items()},
        "ENDPOINTS": str(endpoints),
        "LOG_DIR": str(tmp / "logs"),
        "AW_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'gateway.db'}",
        # A loaded 2-core CI machine can make Rasa slower than the interactive default (4 s).
        "AW_RASA_TIMEOUT_SECONDS": "15",
        # The call center is open, so a hand-off queues when an agent is online.
        "AW_CALL_CENTER_HOURS": "mon-sun 00:00-24:00",
        "AW_CALL_CENTER_CLOSED_ON_HOLIDAYS": "false",
        "PYTHONPATH": str(ROOT),
    }
    process = subprocess.Popen(
        [str(ROOT / "scripts" / "run")], cwd=ROOT, env=env, start_new_session=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    result = Stack(f"http://127.0.0.1:{ports['GATEWAY_PORT']}", tmp / "logs", env)
    try:
        _wait_until_running(process, result)
        yield result
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _wait_until_running(process: subprocess.Popen[str], stack: Stack) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    assert process.stdout is not None
    for line in process.stdout:
        if "Asisten Warga is running" in line:
            return
        if time.monotonic() > deadline:
            break
    pytest.fail(f"the stack did not start (exit code {process.poll()}):\n{stack.logs()}")


@dataclass
class Conversation:
    """One citizen chatting through the gateway, as the web widget does."""

    client: httpx.Client
    id: str
    replies: list[dict[str, Any]] = field(default_factory=list)

    def say(self, text: str, title: str | None = None) -> str:
        """Send a message (or a button payload with its title); returns the replies' text."""
        body: dict[str, Any] = {"text": text}
        if title:
            body["metadata"] = {"button_title": title}
        response = self.client.post(f"/api/v1/conversations/{self.id}/messages", json=body)
        response.raise_for_status()
        self.replies = response.json()["replies"]
        return "\n".join(reply.get("text") or "" for reply in self.replies)

    def buttons(self) -> dict[str, str]:
        """The last replies' buttons, title → payload."""
        return {
            button["title"]: button["payload"]
            for reply in self.replies
            for button in reply.get("buttons") or []
        }

    def click(self, title: str) -> str:
        buttons = self.buttons()
        assert title in buttons, f"no button {title!r} in {sorted(buttons)}"
        return self.say(buttons[title], title=title)


@pytest.fixture
def citizen(stack: Stack) -> Iterator[Conversation]:
    with httpx.Client(base_url=stack.gateway_url, timeout=30) as client:
        response = client.post("/api/v1/conversations", json={"channel": "web"})
        response.raise_for_status()
        yield Conversation(client, response.json()["id"])
