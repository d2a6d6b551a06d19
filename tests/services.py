"""Access to the real PostgreSQL, Redis and RabbitMQ servers that the tests use.

Stdlib only: both runtimes' test suites import it. Under CI=true a missing server fails the
test; locally it skips with a message naming what is missing.
"""

from __future__ import annotations

import os
import socket

import pytest

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
RABBITMQ_URL = os.environ.get("TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")

_PORTS = {"PostgreSQL": ("127.0.0.1", 5432), "Redis": ("127.0.0.1", 6379), "RabbitMQ": ("127.0.0.1", 5672)}


def require(server: str) -> None:
    """Fail (CI) or skip (locally) the calling test unless `server` accepts connections."""
    host, port = _PORTS[server]
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError as error:
        message = f"{server} is not running on {host}:{port} ({error})"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
