"""Mutable state of the simulated ministries, in the simulators' own database.

One row per record of table `sim_records`: (ministry, kind, key) → JSON `data`. The seed
population is immutable and lives in memory; what citizens change through the assistant
(an application submitted, a billing paid) lives here, so it survives restarts and is shared
by the processes that serve the simulators. The table is created on first use: the state is
simulated, so it has no migrations (delete the database to start afresh).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Integer,
    MetaData,
    Select,
    String,
    UniqueConstraint,
    event,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.schema import CreateTable

from simulators.settings import SimulatorSettings


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={"pk": "pk_%(table_name)s", "uq": "uq_%(table_name)s_%(column_0_name)s"}
    )
    type_annotation_map = {datetime: DateTime(timezone=True), dict[str, Any]: JSON()}


class SimRecord(Base):
    """Mutable state of a simulated ministry (an application, a billing), as JSON."""

    __tablename__ = "sim_records"
    __table_args__ = (UniqueConstraint("ministry", "kind", "key"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    ministry: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Storage:
    """The simulators' database (`AW_SIMULATORS_DATABASE_URL`): one engine, whose tables are
    created on the first session. Nothing connects before that."""

    def __init__(self, settings: SimulatorSettings) -> None:
        path = settings.sqlite_path()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self.engine: AsyncEngine = create_async_engine(settings.simulators_database_url, hide_parameters=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self._sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)
        self._ready = False
        self._lock = asyncio.Lock()

    async def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        if not self._ready:
            async with self._lock:
                if not self._ready:
                    async with self.engine.begin() as connection:
                        for table in Base.metadata.sorted_tables:
                            # IF NOT EXISTS: several processes may start on one database.
                            await connection.execute(CreateTable(table, if_not_exists=True))
                    self._ready = True
        return self._sessionmaker

    async def aclose(self) -> None:
        await self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Writers queue instead of failing at once; readers never wait for the writer.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class DuplicateKey(Exception):
    """A record with this (ministry, kind, key) exists already."""


class SimStore:
    """The records of one simulated ministry."""

    def __init__(self, storage: Storage, ministry: str) -> None:
        self._storage = storage
        self.ministry = ministry

    async def get(self, kind: str, key: str) -> dict[str, Any] | None:
        async with (await self._storage.sessionmaker())() as session:
            record = await session.scalar(self._query(kind, key))
            return dict(record.data) if record is not None else None

    async def insert(self, kind: str, key: str, data: dict[str, Any]) -> None:
        """Store a new record; `DuplicateKey` if the key is taken (callers pick another)."""
        async with (await self._storage.sessionmaker())() as session:
            session.add(SimRecord(ministry=self.ministry, kind=kind, key=key, data=data))
            try:
                await session.commit()
            except IntegrityError:
                raise DuplicateKey(key) from None

    async def update(self, kind: str, key: str, changes: dict[str, Any]) -> dict[str, Any] | None:
        """Merge `changes` into a record; the new data, or None if missing.

        The transaction writes first (touching `updated_at`), so concurrent updates of one
        record queue behind each other on PostgreSQL (row lock) and on SQLite (write lock)."""
        sessionmaker = await self._storage.sessionmaker()
        async with sessionmaker() as session, session.begin():
            touched = await session.execute(
                update(SimRecord)
                .where(*self._match(kind, key))
                .values(updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            if touched.rowcount == 0:  # type: ignore[attr-defined]
                return None
            record = await session.scalar(self._query(kind, key))
            assert record is not None
            record.data = {**record.data, **changes}
            return dict(record.data)

    async def all(self, kind: str) -> list[dict[str, Any]]:
        async with (await self._storage.sessionmaker())() as session:
            query = (
                select(SimRecord)
                .where(SimRecord.ministry == self.ministry, SimRecord.kind == kind)
                .order_by(SimRecord.id)
            )
            return [dict(record.data) for record in await session.scalars(query)]

    def _match(self, kind: str, key: str) -> tuple[Any, ...]:
        return (SimRecord.ministry == self.ministry, SimRecord.kind == kind, SimRecord.key == key)

    def _query(self, kind: str, key: str) -> Select[SimRecord]:
        return select(SimRecord).where(*self._match(kind, key))
