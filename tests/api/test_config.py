"""Settings come from AW_* environment variables; the SQLite folder is created."""

from pathlib import Path

import pydantic
import pytest

from api.core.config import Settings
from api.db import create_engine


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AW_DATABASE_URL", "AW_RASA_URL", "AW_RASA_TIMEOUT_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_url == "sqlite+aiosqlite:///var/gateway.db"
    assert settings.sqlite_path() == Path("var/gateway.db")
    assert str(settings.rasa_url) == "http://127.0.0.1:5005/"
    assert settings.rasa_timeout_seconds == 16.0
    assert settings.rasa_timeout_seconds > settings.action_chain_seconds
    assert settings.max_message_chars == 2000
    assert settings.environment == "local"


def test_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AW_DATABASE_URL", "postgresql+asyncpg://aw:secret@db:5432/aw")
    monkeypatch.setenv("AW_RASA_URL", "http://rasa:5005")
    monkeypatch.setenv("AW_RASA_TIMEOUT_SECONDS", "20.5")
    monkeypatch.setenv("AW_ENVIRONMENT", "production")
    monkeypatch.setenv("AW_IDENTITY_KEY", "k" * 32)
    monkeypatch.setenv("AW_DATA_KEY", "a-key-of-at-least-sixteen-characters")
    monkeypatch.setenv("AW_SERVICE_TOKEN", "a-long-enough-service-token")
    monkeypatch.setenv("AW_WIDGET_SESSION_KEY", "a-key-for-the-widget-sessions")
    monkeypatch.setenv("AW_LOG_LEVEL", "debug")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert not settings.is_sqlite and settings.sqlite_path() is None
    assert settings.rasa_timeout_seconds == 20.5
    assert (settings.environment, settings.log_level) == ("production", "DEBUG")


@pytest.mark.parametrize(
    "values",
    [
        {"rasa_timeout_seconds": 0},
        {"max_message_chars": 0},
        {"environment": "staging"},
        {"database_schema": "bad; drop"},
    ],
)
def test_invalid_values_are_refused(values: dict[str, object]) -> None:
    with pytest.raises(pydantic.ValidationError):
        Settings(_env_file=None, **values)  # type: ignore[arg-type, call-arg]


@pytest.mark.asyncio
async def test_sqlite_folder_is_created(tmp_path: Path) -> None:
    database = tmp_path / "var" / "gateway.db"
    settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{database}")  # type: ignore[call-arg]
    engine = create_engine(settings)
    await engine.dispose()
    assert database.parent.is_dir()


def test_channels_are_off_until_their_token_is_set() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert not settings.telegram_enabled and not settings.whatsapp_enabled
    assert (settings.rate_limit_messages, settings.rate_limit_window_seconds) == (30, 60)
    telegram = Settings(_env_file=None, telegram_bot_token="123:abc")  # type: ignore[call-arg]
    assert telegram.telegram_enabled
    assert "123:abc" not in repr(telegram)  # secrets stay out of reprs and logs


@pytest.mark.parametrize(
    "values",
    [
        {"whatsapp_token": "t"},  # no app secret: signatures could not be checked
        {"whatsapp_token": "t", "whatsapp_app_secret": "s", "whatsapp_verify_token": "v"},
        {"telegram_bot_token": "1:a", "public_url": "https://warga.example.go.id"},  # no webhook secret
        {"telegram_webhook_secret": "not allowed!"},
        {"whatsapp_phone_number_id": "12ab"},
        {"redis_url": "http://127.0.0.1:6379"},
        {"rate_limit_messages": -1},
    ],
)
def test_invalid_channel_settings_are_refused(values: dict[str, object]) -> None:
    with pytest.raises(pydantic.ValidationError):
        Settings(_env_file=None, **values)  # type: ignore[arg-type, call-arg]


def test_production_needs_an_identity_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AW_ENVIRONMENT", "production")
    monkeypatch.delenv("AW_IDENTITY_KEY", raising=False)
    monkeypatch.setenv("AW_DATA_KEY", "a-key-of-at-least-sixteen-characters")
    # What else production needs (api/core/config.py), so that the identity key is what is missing.
    monkeypatch.setenv("AW_SERVICE_TOKEN", "a-long-enough-service-token")
    monkeypatch.setenv("AW_RASA_TIMEOUT_SECONDS", "20")
    monkeypatch.setenv("AW_WIDGET_SESSION_KEY", "a-key-for-the-widget-sessions")
    with pytest.raises(pydantic.ValidationError, match="AW_IDENTITY_KEY"):
        Settings(_env_file=None)  # type: ignore[call-arg]
