"""Mutable state of the simulated ministries, kept in the gateway's database (`sim_records`).

One row per record: (ministry, kind, key) → JSON `data`. The seed population is immutable
and lives in memory; what citizens change through the assistant (an application submitted,
a billing paid) lives here, so it survives restarts and is shared by gateway workers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.models import SimRecord, utcnow


class DuplicateKey(Exception):
    """A record with this (ministry, kind, key) exists already."""


class SimStore:
    """The records of one simulated ministry."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], ministry: str) -> None:
        self._sessionmaker = sessionmaker
        self.ministry = ministry

    async def get(self, kind: str, key: str) -> dict[str, Any] | None:
        async with self._sessionmaker() as session:
            record = await session.scalar(self._query(kind, key))
            return dict(record.data) if record is not None else None

    async def insert(self, kind: str, key: str, data: dict[str, Any]) -> None:
        """Store a new record; `DuplicateKey` if the key is taken (callers pick another)."""
        async with self._sessionmaker() as session:
            session.add(SimRecord(ministry=self.ministry, kind=kind, key=key, data=data))
            try:
                await session.commit()
            except IntegrityError:
                raise DuplicateKey(key) from None

    async def update(self, kind: str, key: str, changes: dict[str, Any]) -> dict[str, Any] | None:
        """Merge `changes` into a record; the new data, or None if missing.

        The transaction writes first (touching `updated_at`), so concurrent updates of one
        record queue behind each other on PostgreSQL (row lock) and on SQLite (write lock)."""
        async with self._sessionmaker() as session, session.begin():
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
        async with self._sessionmaker() as session:
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
