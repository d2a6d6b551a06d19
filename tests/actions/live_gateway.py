"""The real gateway with its simulated ministries, run as a subprocess for the action tests
that call it (test_against_simulators.py).

The gateway needs its own venv (`.venv/api`, Python 3.11) while the action tests run in
`.venv/rasa`, so nothing of `api/` is imported here: the gateway runs as `make run` starts it
(`python -m api.serve`), its public app and its internal service API each on a free 127.0.0.1
port, with a service token of its own and its own SQLite database, and the seed personas come from
`python -m simulators.seed --sample` as JSON.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.actions.builders import ROOT

API_VENV = ROOT / ".venv" / "api"
API_PYTHON = API_VENV / "bin" / "python"
UVICORN = API_VENV / "bin" / "uvicorn"
START_TIMEOUT_SECONDS = 120.0
STOP_TIMEOUT_SECONDS = 10.0
SEED_TIMEOUT_SECONDS = 120.0

JSON = dict[str, Any]


def under_ci() -> bool:
    return os.getenv("CI") == "true"


def require_api_venv() -> None:
    """Skip (locally) or fail (under CI=true) when the gateway's venv is not installed."""
    if UVICORN.exists() and API_PYTHON.exists():
        return
    message = f"the gateway's venv is missing ({API_VENV}): run `make setup` to test the actions against it"
    if under_ci():
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(database: Path, settings: dict[str, str]) -> dict[str, str]:
    """The caller's environment without its AW_ settings, plus this gateway's own."""
    inherited = {name: value for name, value in os.environ.items() if not name.startswith("AW_")}
    return {
        **inherited,
        "PYTHONPATH": str(ROOT),
        "AW_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "AW_SIMULATED_LATENCY_MS": "0",
        # Nobody listens there: /health says Rasa is unavailable, and no one's Rasa is called.
        "AW_RASA_URL": f"http://127.0.0.1:{_free_port()}",
        "AW_LOG_LEVEL": "WARNING",
        **settings,
    }


@dataclass
class LiveGateway:
    """A gateway process; `get`/`post` read the service API (`/api/v1`) for expected facts.
    `url` is the internal service API (what the actions call, with `token`); `public_url` the
    public port (channels, /health)."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path
    public_url: str = ""
    token: str = ""
    # The verified conversation the calls name (`X-Conversation-ID`), set by `verify()`.
    conversation: str | None = None

    def logs(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    def get(self, path: str, **params: Any) -> JSON:
        return self._call("GET", path, params=params)

    def post(self, path: str, body: JSON) -> JSON:
        return self._call("POST", path, json=body)

    def response(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """The raw answer of a service call, errors included: on the internal listener with
        the token, from `conversation` if set."""
        headers = {"Authorization": f"Bearer {self.token}"}
        if self.conversation:
            headers["X-Conversation-ID"] = self.conversation
        headers.update(kwargs.pop("headers", {}))
        return httpx.request(method, f"{self.url}/api/v1{path}", timeout=10, headers=headers, **kwargs)

    def verify(self, person: JSON, *, family: bool = False) -> str:
        """A new web conversation (opened on the public port, as the widget does) verified for
        `person`'s NIK by the OTP the simulated SMS provider "sent" (api/identity), read back
        on the internal listener with the token: the conversation later calls name. Its id."""
        created = httpx.post(f"{self.public_url}/api/v1/conversations", json={"channel": "web"}, timeout=10)
        created.raise_for_status()
        self.conversation = str(created.json()["id"])
        self.post("/identity/otp", {"nik": person["nik"], "family": family})
        messages = self.get("/identity/simulated-sms", to=person["otp_phone"])["messages"]
        code = re.search(r"\b(\d{6})\b", messages[-1]["text"])
        assert code, "no code in the SMS"
        self.post("/identity/otp/verify", {"nik": person["nik"], "code": code[1]})
        return self.conversation

    def _call(self, method: str, path: str, **kwargs: Any) -> JSON:
        response = self.response(method, path, **kwargs)
        response.raise_for_status()
        body: JSON = response.json()
        return body

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_gateway(directory: Path, **settings: str) -> LiveGateway:
    """Start `python -m api.serve` in `directory` (its database and log live there; no `.env`
    is read from the repository) with extra `AW_*` `settings`; return once `/health` answers
    and the service API listens. Fails the test, with the gateway's log, if it does not start."""
    port, service_port, token = _free_port(), _free_port(), secrets.token_urlsafe(24)
    settings = {"AW_SERVICE_API_PORT": str(service_port), "AW_SERVICE_TOKEN": token, **settings}
    log = directory / "gateway.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(API_PYTHON), "-m", "api.serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=directory,
            env=_environment(directory / "gateway.db", settings),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    gateway = LiveGateway(
        f"http://127.0.0.1:{service_port}", process, log, public_url=f"http://127.0.0.1:{port}", token=token
    )
    try:
        _wait_until_healthy(gateway)
    except BaseException:
        gateway.stop()
        raise
    return gateway


def _wait_until_healthy(gateway: LiveGateway) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if gateway.process.poll() is not None:
            break
        try:
            response = httpx.get(f"{gateway.public_url}/health", timeout=5)
            if response.status_code == 200 and response.json().get("database") == "ok":
                gateway.response("GET", "/regions")  # the service API listens too
                return  # Rasa may be "unavailable": these tests do not need it
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(
        f"the gateway did not start at {gateway.url} (exit code {gateway.process.poll()}):\n{gateway.logs()}",
        pytrace=False,
    )


def load_personas() -> dict[str, JSON]:
    """The seed's sample personas (`python -m simulators.seed --sample`), by persona name."""
    try:
        result = subprocess.run(
            [str(API_PYTHON), "-m", "simulators.seed", "--sample"],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=SEED_TIMEOUT_SECONDS,
            check=True,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        pytest.fail(f"the seed's personas could not be read: {error}\n{error.stderr}", pytrace=False)
    return {persona["persona"]: persona for persona in json.loads(result.stdout)}
