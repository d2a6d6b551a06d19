"""The gateway's shared fixtures (tests/api/fixtures.py) for the security and adversarial
tests: each test here shows one hole of issue #16 closed, and fails on the code that had it."""

from tests.api.fixtures import _rasa_server, app, app_client, center, client, database, fake_rasa, gateway

__all__ = ["_rasa_server", "app", "app_client", "center", "client", "database", "fake_rasa", "gateway"]
