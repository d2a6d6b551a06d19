"""The gateway's shared fixtures (tests/api/fixtures.py) for the security tests."""

from tests.api.fixtures import _rasa_server, app, app_client, center, client, database, fake_rasa, gateway

__all__ = ["_rasa_server", "app", "app_client", "center", "client", "database", "fake_rasa", "gateway"]
