"""The simulators' settings: the same `AW_*` names whether the gateway embeds them (it hands
its values over) or `python -m simulators` serves them (read from the environment and `.env`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

SIMULATED_FAULTS = ("timeout", "error")
_FAULTS_PATTERN = r"^\s*([a-z_]+\s*=\s*(timeout|error)\s*(,\s*[a-z_]+\s*=\s*(timeout|error)\s*)*)?$"


class SimulatorSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AW_", env_file=".env", extra="ignore")

    # Mean latency of every answer (deterministic jitter of half the mean either way; 0 = none).
    simulated_latency_ms: int = Field(default=40, ge=0, le=10_000)
    # Faults injected per ministry, e.g. "bpjs=timeout,kemensos=error".
    simulated_faults: str = Field(default="", pattern=_FAULTS_PATTERN)
    # The simulators' own database: what citizens change (applications, paid billings).
    simulators_database_url: str = "sqlite+aiosqlite:///var/simulators.db"
    # The one client of the simulated INApas provider (simulators/inapas.py); without a
    # secret its token endpoint refuses every client.
    inapas_client_id: str = "asisten-warga"
    inapas_client_secret: str = ""
    # Signed "case changed" callbacks to the gateway (simulators/callbacks.py): its URL with
    # `{ministry}`, e.g. http://127.0.0.1:8001/api/v1/callbacks/{ministry}; unset = none. The
    # secrets per ministry are the gateway's own setting ("simponi=...,lapor=...").
    simulated_callback_url: str = Field(default="", pattern=r"^(https?://\S+)?$")
    ministry_callback_secrets: str = ""

    def simulated_fault(self, key: str) -> str | None:
        """The fault injected into ministry `key`'s simulator: "timeout", "error" or None."""
        for item in filter(None, (part.strip() for part in self.simulated_faults.split(","))):
            name, _, fault = (piece.strip() for piece in item.partition("="))
            if name == key:
                return fault
        return None

    def sqlite_path(self) -> Path | None:
        """Path of the SQLite database file, or None (not SQLite, or in memory)."""
        url = make_url(self.simulators_database_url)
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return None
        return Path(url.database)
