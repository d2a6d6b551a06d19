"""Database engine, sessions and migrations. Everything here is created in the lifespan."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

from alembic import command
from alembic.config import Config
from fastapi import Depends, Request
from sqlalchemy import Connection, event, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from api.core.config import Settings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Arbitrary constant: serialises `upgrade head` when several workers start at once.
_MIGRATION_LOCK_ID = 0x41_57_4D_49_47  # "AWMIG"


def create_engine(settings: Settings) -> AsyncEngine:
    connect_args: dict[str, Any] = {}
    if settings.is_sqlite:
        path = settings.sqlite_path()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            owner_only(path, create=True)
    elif settings.database_schema:
        connect_args["server_settings"] = {"search_path": settings.database_schema}

    engine = create_async_engine(
        settings.database_url,
        pool_pre_ping=not settings.is_sqlite,
        # Query parameters hold message text: keep them out of logs and error messages.
        hide_parameters=True,
        connect_args=connect_args,
    )
    if settings.is_sqlite:
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    elif engine.dialect.driver == "asyncpg":
        engine.dialect.do_ping = _ping_asyncpg  # type: ignore[method-assign]
    return engine


def _ping_asyncpg(dbapi_connection: Any) -> bool:
    """The pool's check of a connection before each use, in one round trip (`;`).

    SQLAlchemy's asyncpg ping wraps `;` in BEGIN and ROLLBACK (for PgBouncer's transaction
    mode, which no deployment of ours uses): three round trips per session, and a session's
    checkout is several times per turn (bench/findings.md, round 10). A connection that died
    (PostgreSQL restarted) still fails the ping with the driver's error translated as
    SQLAlchemy's own ping does, so the pool replaces it and the session gets a fresh one."""
    try:
        dbapi_connection.run_async(lambda connection: connection.fetchrow(";"))
    except Exception as error:  # noqa: BLE001 - translated into the DB-API error the pool reads
        dbapi_connection._handle_exception(error)
    return True


def owner_only(database: Path, *, create: bool = False) -> None:
    """A SQLite file and its -wal and -shm files (those that exist) mode 600. `create`: create
    the database file mode 600 first, whatever the umask, so that the -wal and -shm files SQLite
    creates later get that mode too (SQLite gives them the database file's)."""
    if create:
        os.close(os.open(database, os.O_CREAT | os.O_RDWR, 0o600))
    for suffix in ("", "-wal", "-shm"):
        path = database.with_name(database.name + suffix)
        if path.exists():
            path.chmod(0o600)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    # Write-ahead log without an fsync per commit: a commit takes about 1.4 ms instead of
    # 3 ms here (docs/benchmarks.md) and readers never wait for the writer. A crash of the
    # process loses nothing; a power cut can lose the last commits, never the file.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config() -> Config:
    """Alembic configuration without alembic.ini, so the app works from any directory."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


async def migrate(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply migrations up to `revision` (idempotent) on a connection of `engine`."""
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(text(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_ID})"))
        await connection.run_sync(_run_alembic, "upgrade", revision)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(_run_alembic, "downgrade", revision)


def _run_alembic(connection: Connection, action: str, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection  # picked up by migrations/env.py
    getattr(command, action)(config, revision)


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessionmaker() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(_session)]
