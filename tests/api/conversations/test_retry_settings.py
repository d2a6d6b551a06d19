"""The retry and admission settings (api/core/config.py)."""

import pytest
from pydantic import ValidationError

from api.core.config import Settings


def test_production_refuses_a_stale_bound_a_live_turn_can_reach(monkeypatch: pytest.MonkeyPatch) -> None:
    """A live turn's message is `pending` up to 2 × (queue wait + Rasa deadline): a shorter
    staleness would have the worker play it while the turn still runs."""
    production = {
        "environment": "production",
        "service_token": "a-long-enough-service-token",
        "rasa_timeout_seconds": 20,
        "data_key": "a-key-of-at-least-sixteen-characters",
        "identity_key": "x" * 32,
        "widget_session_key": "a-key-for-the-widget-sessions",
    }
    for name in ("AW_ENVIRONMENT", "AW_TURN_PENDING_STALE_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    assert Settings(_env_file=None, **production).longest_turn_seconds == 60  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="AW_TURN_PENDING_STALE_SECONDS"):
        Settings(_env_file=None, turn_pending_stale_seconds=60, **production)  # type: ignore[call-arg]
