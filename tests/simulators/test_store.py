"""The simulators' own database: created on first use, kept across restarts, unique keys."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import inspect

from simulators.settings import SimulatorSettings
from simulators.store import DuplicateKey, SimStore, Storage

pytestmark = pytest.mark.asyncio


def _settings(path: Path) -> SimulatorSettings:
    return SimulatorSettings(_env_file=None, simulators_database_url=f"sqlite+aiosqlite:///{path}")  # type: ignore[call-arg]


async def test_the_table_is_created_on_first_use_in_the_simulators_database(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "simulators.db"
    storage = Storage(_settings(path))
    try:
        assert not path.exists()  # nothing connects before the first session
        await SimStore(storage, "dukcapil").insert("permohonan", "1", {"status": "DITERIMA"})
        async with storage.engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        assert tables == ["sim_records"]
    finally:
        await storage.aclose()


async def test_state_survives_a_restart_and_is_kept_per_ministry(tmp_path: Path) -> None:
    settings = _settings(tmp_path / "simulators.db")
    first = Storage(settings)
    try:
        await SimStore(first, "simponi").insert("billing", "820000000000001", {"amount": 50_000})
    finally:
        await first.aclose()
    second = Storage(settings)
    try:
        assert await SimStore(second, "simponi").get("billing", "820000000000001") == {"amount": 50_000}
        assert await SimStore(second, "samsat").get("billing", "820000000000001") is None
        updated = await SimStore(second, "simponi").update("billing", "820000000000001", {"paid": True})
        assert updated == {"amount": 50_000, "paid": True}
        assert await SimStore(second, "simponi").all("billing") == [updated]
        assert await SimStore(second, "simponi").update("billing", "missing", {"paid": True}) is None
    finally:
        await second.aclose()


async def test_a_taken_key_is_refused_even_when_two_insert_at_once(tmp_path: Path) -> None:
    storage = Storage(_settings(tmp_path / "simulators.db"))
    try:
        store = SimStore(storage, "polri")
        results = await asyncio.gather(
            store.insert("skck", "A", {"n": 1}), store.insert("skck", "A", {"n": 2}), return_exceptions=True
        )
        assert sorted(type(result).__name__ for result in results) == ["DuplicateKey", "NoneType"]
        with pytest.raises(DuplicateKey):
            await store.insert("skck", "A", {"n": 3})
    finally:
        await storage.aclose()
