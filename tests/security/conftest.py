"""The gateway's shared fixtures (tests/api/fixtures.py) for the security and adversarial
tests: each test here shows one hole of issue #16 closed, and fails on the code that had it;
and Rasa's tracker store as the gateway reaches it (`tracker`)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.fixtures import _rasa_server, app, app_client, center, client, database, fake_rasa, gateway
from tests.api.support import Database
from tests.security.support import TrackerStore, new_tracker_store

__all__ = ["_rasa_server", "app", "app_client", "center", "client", "database", "fake_rasa", "gateway"]


@pytest.fixture
def tracker(database: Database, tmp_path: Path) -> Iterator[TrackerStore]:
    """Rasa's tracker store on the same backend as the gateway's database."""
    yield from new_tracker_store(database.backend, tmp_path)
