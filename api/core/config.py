"""Gateway settings: one object, read from the environment (prefix AW_) and `.env`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from fastapi import Depends, Request
from pydantic import AnyHttpUrl, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AW_", env_file=".env", extra="ignore")

    environment: Literal["local", "production"] = "local"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # SQLite for a bare laptop; `postgresql+asyncpg://user:pass@host/db` in production.
    database_url: str = "sqlite+aiosqlite:///var/gateway.db"
    # PostgreSQL only: schema to use (search_path); None means the server default.
    database_schema: str | None = Field(default=None, pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    # Apply Alembic migrations (`upgrade head`) when the app starts.
    migrate_on_startup: bool = True

    rasa_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:5005")
    rasa_timeout_seconds: float = Field(default=4.0, gt=0, le=60)
    health_timeout_seconds: float = Field(default=1.0, gt=0, le=10)

    max_message_chars: int = Field(default=2000, ge=1, le=100_000)
    # Serialized size limit for the channel metadata forwarded to Rasa.
    max_metadata_chars: int = Field(default=4096, ge=0)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @property
    def is_sqlite(self) -> bool:
        return make_url(self.database_url).get_backend_name() == "sqlite"

    def sqlite_path(self) -> Path | None:
        """Path of the SQLite database file, or None (not SQLite, or in memory)."""
        url = make_url(self.database_url)
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return None
        return Path(url.database)


@lru_cache
def get_settings() -> Settings:
    return Settings()


def _app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(_app_settings)]
