"""The gateway as `make run` starts it (`python -m api.serve`): the public port serves no
service route; the internal listener, on 127.0.0.1 only, serves them with the token only."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "token-layanan-yang-cukup-panjang"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    public: str
    internal: str
    internal_port: int


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    directory = tmp_path_factory.mktemp("serve")
    port, internal = _free_port(), _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AW_")},
        "PYTHONPATH": str(ROOT),
        "AW_DATABASE_URL": f"sqlite+aiosqlite:///{directory / 'gateway.db'}",
        "AW_SIMULATORS_DATABASE_URL": f"sqlite+aiosqlite:///{directory / 'simulators.db'}",
        "AW_RASA_URL": f"http://127.0.0.1:{_free_port()}",
        "AW_SERVICE_API_PORT": str(internal),
        "AW_SERVICE_TOKEN": TOKEN,
        "AW_SIMULATED_LATENCY_MS": "0",
    }
    log = (directory / "gateway.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "api.serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=directory, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    urls = Served(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{internal}", internal)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (directory / "gateway.log").read_text()
            assert time.monotonic() < deadline, (directory / "gateway.log").read_text()
            try:
                httpx.get(f"{urls.public}/health", timeout=2)
                httpx.get(f"{urls.internal}/api/v1/regions", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield urls
    finally:
        process.terminate()
        try:
            assert process.wait(timeout=20) == 0, "api.serve did not stop cleanly on SIGTERM"
        finally:
            if process.poll() is None:
                process.kill()
            log.close()


def test_the_public_port_has_no_service_api(served: Served) -> None:
    response = httpx.get(
        f"{served.public}/api/v1/health/bpjs/rates", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert response.status_code == 404
    assert httpx.get(f"{served.public}/health").status_code == 200


def test_the_internal_listener_wants_the_token(served: Served) -> None:
    anonymous = httpx.get(f"{served.internal}/api/v1/health/bpjs/rates")
    assert anonymous.status_code == 401
    authorised = httpx.get(
        f"{served.internal}/api/v1/health/bpjs/rates", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert authorised.status_code == 200
    # The channels are not served there.
    assert httpx.post(f"{served.internal}/api/v1/conversations", json={}).status_code in (401, 404)


def test_the_internal_listener_is_on_loopback_only(served: Served) -> None:
    assert _listening_addresses(served.internal_port) == {"127.0.0.1"}
    address = _outside_address()
    if address is not None:  # and from the machine's own outside address it is not reached
        with socket.socket() as sock, pytest.raises(OSError):
            sock.settimeout(2)
            sock.connect((address, served.internal_port))


def _listening_addresses(port: int) -> set[str]:
    """The local addresses listening on TCP `port` (Linux's /proc/net/tcp and tcp6)."""
    found = set()
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        if not table.exists():
            pytest.skip("no /proc/net/tcp here")
        for line in table.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            hex_address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                if len(hex_address) == 8:
                    found.add(socket.inet_ntoa(bytes.fromhex(hex_address)[::-1]))
                else:
                    found.add(hex_address)
    return found


def _outside_address() -> str | None:
    """One of this machine's own non-loopback IPv4 addresses, if it has one."""
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return None
    addresses = {str(info[4][0]) for info in infos}
    return next((a for a in sorted(addresses) if not a.startswith("127.")), None)
