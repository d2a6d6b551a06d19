"""`make test-cluster`: start `make cluster` afresh (per-address rate limits off: every simulated
citizen comes from 127.0.0.1, as in bench/load), run the kill tests (tests/cluster/killtest.py)
once it is ready, stop it. Arguments are the kill tests' (`--restart-servers`, `--citizens`...).
It needs PostgreSQL, Redis and RabbitMQ on 127.0.0.1: without one it is skipped locally (as the
suite's tests are, tests/services.py) and fails under CI=true."""

from __future__ import annotations

import os
import signal
import sys

from bench.cluster import LOAD_SETTINGS
from tests.cluster import cluster, killtest

START_TIMEOUT_SECONDS = 480


def _exit(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # the cluster is stopped on the way out


def main(argv: list[str]) -> int:
    for sig in (signal.SIGINT, signal.SIGTERM):  # a background job may have SIGINT ignored
        signal.signal(sig, _exit)
    if missing := cluster.Servers().missing():
        print(f"test-cluster: not running: {', '.join(missing)}", file=sys.stderr)
        if os.environ.get("CI") == "true":
            return 2
        print("killtest: 0 passed, 0 failed, 1 skipped")
        return 0
    try:
        with cluster.supervised(LOAD_SETTINGS, START_TIMEOUT_SECONDS):
            return killtest.main(argv)
    except cluster.NotReady as problem:
        print(f"test-cluster: {problem}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
