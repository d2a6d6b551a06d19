"""The action server from outside (issue #16): `python -m actions.server`, as `make run`
starts it, listens on 127.0.0.1 only and refuses every call without Rasa's shared secret,
while Rasa's own client (EndpointConfig with `token`, as endpoints.yml configures it) passes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from tests.actions.builders import ROOT

SECRET = "rahasia-rasa-dan-action-server"
START_TIMEOUT_SECONDS = 120


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(port: int, log: Path, token: str | None) -> subprocess.Popen[bytes]:
    env = {
        key: value for key, value in os.environ.items() if key not in ("ACTION_SERVER_TOKEN", "SANIC_HOST")
    }
    env["PYTHONPATH"] = str(ROOT)
    if token is not None:
        env["ACTION_SERVER_TOKEN"] = token
    with log.open("wb") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "actions.server", "--actions", "actions", "--port", str(port)],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    port = _free_port()
    log = tmp_path_factory.mktemp("actions") / "actions.log"
    process = _start(port, log, SECRET)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            assert process.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        yield url, port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        assert SECRET not in log.read_text(errors="replace")


def _call(action: str = "action_tidak_ada") -> dict[str, object]:
    """An action call as Rasa posts it, for a made-up tracker."""
    return {
        "next_action": action,
        "sender_id": "orang-asing",
        "tracker": {"sender_id": "orang-asing", "slots": {}, "latest_message": {}, "events": []},
        "domain": {},
        "version": "3.6.0",
    }


def test_a_call_without_the_secret_is_refused(server: tuple[str, int]) -> None:
    url, _ = server
    for params in ({}, {"token": "salah"}, {"token": ""}):
        response = httpx.post(f"{url}/webhook", params=params, json=_call("action_health_bpjs_status"))
        assert response.status_code == 401, (params, response.text)
    assert httpx.get(f"{url}/actions").status_code == 401
    # The secret in a header instead of where Rasa puts it is not accepted either.
    assert (
        httpx.post(f"{url}/webhook", json=_call(), headers={"Authorization": f"Bearer {SECRET}"}).status_code
        == 401
    )


def test_with_the_secret_the_call_is_served(server: tuple[str, int]) -> None:
    url, _ = server
    assert httpx.get(f"{url}/actions", params={"token": SECRET}).status_code == 200
    # An unknown action is the action server's own 404: the secret was accepted.
    assert httpx.post(f"{url}/webhook", params={"token": SECRET}, json=_call()).status_code == 404


async def test_rasas_own_client_passes(server: tuple[str, int]) -> None:
    url, _ = server
    listed = await EndpointConfig(f"{url}/actions", token=SECRET).request(method="get")
    assert isinstance(listed, list) and listed
    with pytest.raises(ClientResponseError) as refused:
        await EndpointConfig(f"{url}/actions").request(method="get")
    assert refused.value.status == 401


def test_it_listens_on_loopback_only(server: tuple[str, int]) -> None:
    _, port = server
    listening = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:
            listening.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    assert listening == {"127.0.0.1"}


def test_it_does_not_start_without_a_secret(tmp_path: Path) -> None:
    process = _start(_free_port(), tmp_path / "actions.log", None)
    try:
        assert process.wait(timeout=START_TIMEOUT_SECONDS) != 0
    finally:
        if process.poll() is None:
            process.kill()
    assert "ACTION_SERVER_TOKEN" in (tmp_path / "actions.log").read_text(errors="replace")


def test_metrics_time_action_calls_behind_the_secret(server: tuple[str, int]) -> None:
    """`/metrics` (actions/metrics.py): Prometheus sends the secret as a bearer token; every
    action call is counted by action and outcome."""
    url, _ = server
    assert httpx.get(f"{url}/metrics").status_code == 401
    assert httpx.get(f"{url}/metrics", headers={"Authorization": "Bearer salah"}).status_code == 401
    series = 'aw_action_seconds_count{action="action_tidak_ada",outcome="not_found"}'

    def count() -> float:
        response = httpx.get(f"{url}/metrics", headers={"Authorization": f"Bearer {SECRET}"})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
        line = next((line for line in response.text.splitlines() if line.startswith(series)), None)
        return float(line.split()[-1]) if line else 0.0

    before = count()
    for _ in range(2):
        assert httpx.post(f"{url}/webhook", params={"token": SECRET}, json=_call()).status_code == 404
    httpx.post(f"{url}/webhook", json=_call())  # refused (401): not an action call
    assert count() == before + 2
