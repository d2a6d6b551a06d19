"""The gateway's SQLite files are its owner's alone whatever the umask it is started under
(api/db.py `owner_only`): the database, its write-ahead log and shared-memory index, new or
found with a looser mode. Not only under scripts/run, which sets umask 077."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from api.db import create_engine
from tests.api.support import Database, make_settings, running

pytestmark = pytest.mark.asyncio


@pytest.fixture
def loose_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def modes(database: Path) -> dict[str, str]:
    return {
        path.name: oct(stat.S_IMODE(path.stat().st_mode))
        for path in sorted(database.parent.iterdir())
        if path.name.startswith(database.name)
    }


async def test_a_new_database_and_its_wal_and_shm_are_owner_only(tmp_path: Path, loose_umask: None) -> None:
    database = tmp_path / "var" / "gateway.db"
    engine = create_engine(
        make_settings(Database(url=f"sqlite+aiosqlite:///{database}"), "http://127.0.0.1:9")
    )
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (x TEXT)"))
            await connection.execute(text("INSERT INTO t VALUES ('3273014508950001')"))
        found = modes(database)  # while open: the -wal and -shm exist
    finally:
        await engine.dispose()
    assert set(found) == {"gateway.db", "gateway.db-wal", "gateway.db-shm"}
    assert set(found.values()) == {"0o600"}, found


async def test_files_found_world_readable_are_made_owner_only_at_start(
    tmp_path: Path, loose_umask: None
) -> None:
    database = tmp_path / "gateway.db"
    for name in ("gateway.db", "gateway.db-wal", "gateway.db-shm"):
        (tmp_path / name).touch(mode=0o644)
    settings = make_settings(Database(url=f"sqlite+aiosqlite:///{database}"), "http://127.0.0.1:9")
    async with running(settings):
        found = modes(database)
    assert set(found.values()) == {"0o600"}, found


async def test_the_simulators_database_is_created_owner_only(tmp_path: Path, loose_umask: None) -> None:
    simulators = tmp_path / "sim" / "simulators.db"
    database = Database(
        url=f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}",
        simulators_url=f"sqlite+aiosqlite:///{simulators}",
    )
    async with running(make_settings(database, "http://127.0.0.1:9")):
        found = modes(simulators)
    assert found and set(found.values()) == {"0o600"}, found
