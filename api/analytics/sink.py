"""Storing analytics rows: a row whose `event_key` is stored already is skipped, so a
redelivered broker message or a re-read tracker row is a no-op."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from api.analytics.events import Row
from api.analytics.questions import Question
from api.models import AnalyticsEvent, UnansweredQuestion


def _statements(
    dialect_name: str, rows: Sequence[Row], questions: Sequence[Question]
) -> list[tuple[Any, list[dict[str, Any]]]]:
    """Inserts of `rows` and `questions` that skip one whose `event_key` is stored already."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    statements = []
    for model, items in ((AnalyticsEvent, rows), (UnansweredQuestion, questions)):
        if items:
            table: Any = model.__table__
            statement = dialect.insert(table).on_conflict_do_nothing(index_elements=["event_key"])
            statements.append((statement, [item.as_dict() for item in items]))
    return statements


async def insert(engine: AsyncEngine, rows: Sequence[Row], questions: Sequence[Question] = ()) -> None:
    """Insert `rows` and `questions` in one transaction (a redelivered one is skipped)."""
    async with engine.begin() as connection:
        for statement, values in _statements(engine.dialect.name, rows, questions):
            await connection.execute(statement, values)


async def insert_in(session: AsyncSession, rows: Sequence[Row], questions: Sequence[Question] = ()) -> None:
    """The same, in `session`'s transaction (the caller commits)."""
    for statement, values in _statements(session.get_bind().dialect.name, rows, questions):
        await session.execute(statement, values)
