"""`make test-cluster` without the servers it needs: skipped locally, failed under CI=true
(as the suite's tests are, tests/services.py); the cluster is not started."""

from __future__ import annotations

import functools
import socket

import pytest

from tests.cluster import __main__ as test_cluster


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(("ci", "status"), [("", 0), ("true", 2)])
def test_a_missing_server_skips_locally_and_fails_under_ci(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], ci: str, status: int
) -> None:
    cluster = test_cluster.cluster
    monkeypatch.setattr(cluster, "Servers", functools.partial(cluster.Servers, rabbitmq_port=closed_port()))
    monkeypatch.setenv("CI", ci)
    started: list[object] = []
    monkeypatch.setattr(test_cluster.signal, "signal", lambda *args: None)  # pytest keeps its own
    monkeypatch.setattr(cluster, "supervised", lambda *args: started.append(args))

    assert test_cluster.main([]) == status
    assert started == []
    assert "not running: RabbitMQ" in capsys.readouterr().err
