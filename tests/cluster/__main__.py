"""`make test-cluster`: start `make cluster` afresh (per-address rate limits off: every simulated
citizen comes from 127.0.0.1, as in bench/load), run the kill tests (tests/cluster/killtest.py)
once it is ready, stop it. Arguments are the kill tests' (`--restart-servers`, `--citizens`...).
It needs PostgreSQL, Redis and RabbitMQ on 127.0.0.1: without one it is skipped locally (as the
suite's tests are, tests/services.py) and fails under CI=true."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

from tests.cluster import ROOT, killtest

START_TIMEOUT_SECONDS = 480
LOAD_TEST_SETTINGS = {
    "AW_RATE_LIMIT_CONVERSATIONS_PER_IP": "0",
    "AW_RATE_LIMIT_SOCKETS_PER_IP": "0",
    "AW_RATE_LIMIT_SERVICE_API_PER_IP": "0",
    # Concurrent citizens play the same personas (bench/load/__main__.py says why).
    "AW_OTP_MAX_ATTEMPTS": "10",
    "AW_OTP_LOCKOUT_MINUTES": "1",
}


SERVERS = {"PostgreSQL": 5432, "Redis": 6379, "RabbitMQ": 5672}  # on 127.0.0.1 (scripts/cluster.py)


def missing_servers() -> list[str]:
    """The servers the cluster needs that do not accept connections."""
    missing = []
    for name, port in SERVERS.items():
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            missing.append(f"{name} (127.0.0.1:{port})")
    return missing


def _exit(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # the cluster is stopped on the way out


def main(argv: list[str]) -> int:
    for sig in (signal.SIGINT, signal.SIGTERM):  # a background job may have SIGINT ignored
        signal.signal(sig, _exit)
    if missing := missing_servers():
        print(f"test-cluster: not running: {', '.join(missing)}", file=sys.stderr)
        if os.environ.get("CI") == "true":
            return 2
        print("killtest: 0 passed, 0 failed, 1 skipped")
        return 0
    killtest.STATE.unlink(missing_ok=True)
    settings = [arg for name, value in LOAD_TEST_SETTINGS.items() for arg in ("--set", name, value)]
    supervisor = subprocess.Popen([str(ROOT / "scripts" / "cluster"), "--fresh", *settings], cwd=ROOT)
    try:
        began = time.monotonic()
        while True:
            if supervisor.poll() is not None:
                print("test-cluster: the cluster stopped before it was ready", file=sys.stderr)
                return 2
            if killtest.STATE.exists() and json.loads(killtest.STATE.read_text()).get("ready"):
                break
            if time.monotonic() - began > START_TIMEOUT_SECONDS:
                print(f"test-cluster: not ready after {START_TIMEOUT_SECONDS} s", file=sys.stderr)
                return 2
            time.sleep(1)
        return killtest.main(argv)
    finally:
        supervisor.send_signal(signal.SIGTERM)
        try:
            supervisor.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.kill(supervisor.pid, signal.SIGKILL)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
