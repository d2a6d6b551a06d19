"""Helpers for the gateway tests: databases, settings, the running app, stored rows."""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from api.core.config import Settings
from api.main import create_app, create_service_app
from api.models import Conversation, Message
from tests.services import POSTGRES_URL, require

RASA_TIMEOUT = 0.5


def _simulators_database() -> str:
    """A fresh SQLite file for the embedded simulators' own state."""
    return f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp(prefix='aw-simulators-')) / 'simulators.db'}"


@dataclass(frozen=True)
class Database:
    url: str
    schema: str | None = None
    simulators_url: str = field(default_factory=_simulators_database)

    @property
    def backend(self) -> str:
        return make_url(self.url).get_backend_name()


async def _postgres(statement: str) -> None:
    connection = await asyncpg.connect(POSTGRES_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def new_database(backend: str, tmp_dir: Path) -> Iterator[Database]:
    """A new, empty database of `backend`; removed afterwards (PostgreSQL schema)."""
    if backend == "sqlite":
        yield Database(f"sqlite+aiosqlite:///{tmp_dir / f'{uuid.uuid4().hex}.db'}")
        return
    require("PostgreSQL")
    schema = f"aw_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_postgres(f"CREATE SCHEMA {schema}"))
    url = make_url(POSTGRES_URL).set(drivername="postgresql+asyncpg")
    try:
        yield Database(url.render_as_string(hide_password=False), schema)
    finally:
        asyncio.run(_postgres(f"DROP SCHEMA {schema} CASCADE"))


def make_settings(database: Database, rasa_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database.url,
        "database_schema": database.schema,
        "simulators_database_url": database.simulators_url,
        "rasa_url": rasa_url,
        "rasa_timeout_seconds": RASA_TIMEOUT,
        "health_timeout_seconds": RASA_TIMEOUT,
        "max_message_chars": 2000,
        "simulated_latency_ms": 0,
        # The vault's key (api/privacy/vault.py), which production requires.
        "data_key": "test-data-key-of-the-gateway-tests",
        # The citizen's rights (api/privacy): off unless a test turns them on (tests/security).
        "tracker_database_url": "",
        "privacy_notice": False,
        "widget_session_key": "test-widget-session-key",
        # The database is shared by the session's tests: the outbox's worker runs only where a
        # test asks for it (tests/connectors/test_outbox*.py), so none retries another's replies.
        "outbox_worker": False,
        # The retry worker (api/conversations/retry.py) would replay earlier tests' failed
        # messages to the shared fake Rasa: its tests run it themselves (test_retry.py).
        "turn_retry": False,
        # Files and photos (api/attachments): a directory of the test run's own.
        "attachments_dir": Path(tempfile.mkdtemp(prefix="aw-attachments-")),
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@asynccontextmanager
async def running(
    settings: Settings, *, service: bool = False
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The app with its lifespan running, and an HTTP client talking to it in-process: to the
    public app, or with `service` to the internal service API (api.main.create_service_app)."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        if service:
            async with service_client(app) as client:
                yield app, client
            return
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://gateway.test",
            event_hooks={"request": [_as_the_widget(app)]},
        ) as client:
            yield app, client


def stranger(app: FastAPI) -> httpx.AsyncClient:
    """A client of the public app that knows conversation ids but holds no session token."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test")


def _as_the_widget(app: FastAPI) -> Callable[[httpx.Request], Awaitable[None]]:
    """The test client sends a message with the conversation's session token, as the widget
    does (connectors/web/static/widget.js), unless the test sets `X-Session-Token` itself. Only
    messages: reading the history and deleting stay explicit. The refusals without a token are
    shown with `stranger` (tests/security/test_widget_session.py)."""
    from connectors.web import session as widget_session

    async def add_token(request: httpx.Request) -> None:
        parts = request.url.path.strip("/").split("/")
        if request.method != "POST" or len(parts) != 5 or parts[:3] != ["api", "v1", "conversations"]:
            return
        if parts[4] != "messages" or widget_session.HEADER in request.headers:
            return
        try:
            conversation = uuid.UUID(parts[3])
        except ValueError:
            return
        request.headers[widget_session.HEADER] = widget_session.issue(app.state.settings, conversation)

    return add_token


@asynccontextmanager
async def service_client(app: FastAPI, token: str | None = None) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the internal service API of the running public `app` (the action server's
    view), with `Authorization: Bearer <token>` when given."""
    transport = httpx.ASGITransport(app=create_service_app(app))
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://service.test", headers=headers
    ) as client:
        yield client


GatewayFactory = Callable[..., AbstractAsyncContextManager[tuple[FastAPI, httpx.AsyncClient]]]


async def new_conversation(client: httpx.AsyncClient, **body: Any) -> str:
    response = await client.post("/api/v1/conversations", json=body or {"channel": "web"})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def channel_conversation(app: FastAPI, channel: str, channel_user_id: str | None = None) -> str:
    """A Telegram or WhatsApp conversation as their webhooks open it (the public API opens
    web conversations only)."""
    async with app.state.sessionmaker() as session:
        conversation = Conversation(channel=channel, channel_user_id=channel_user_id)
        session.add(conversation)
        await session.commit()
        return str(conversation.id)


async def stored_messages(app: FastAPI, conversation_id: str) -> list[Message]:
    """The messages as stored in the database, read with a fresh session."""
    async with app.state.sessionmaker() as session:
        query = (
            select(Message).where(Message.conversation_id == uuid.UUID(conversation_id)).order_by(Message.id)
        )
        return list((await session.scalars(query)).all())


async def shown_history(app: FastAPI, conversation_id: str | uuid.UUID) -> list[dict[str, Any]]:
    """The history as shown (masked), as agents read it: the public API shows only web
    conversations' history, with their session token."""
    from api.conversations import store
    from api.schemas import MessageOut

    async with app.state.sessionmaker() as session:
        messages = await store.history(session, uuid.UUID(str(conversation_id)), 500)
    return [MessageOut.model_validate(message).model_dump(mode="json") for message in messages]


async def stored_conversation(app: FastAPI, conversation_id: str) -> Conversation | None:
    sessionmaker: async_sessionmaker[AsyncSession] = app.state.sessionmaker
    async with sessionmaker() as session:
        return await session.get(Conversation, uuid.UUID(conversation_id))


def session_headers(app: FastAPI, conversation_id: str | uuid.UUID) -> dict[str, str]:
    """A valid widget session token for the conversation (connectors/web/session.py)."""
    from connectors.web import session as widget_session

    token = widget_session.issue(app.state.settings, uuid.UUID(str(conversation_id)))
    return {widget_session.HEADER: token}


async def add_rows(engine: AsyncEngine, *rows: Any) -> None:
    """Insert ORM rows in order (so foreign keys resolve) into a database at any revision.

    Each row is written with only the columns its table has in that database, so a migration
    test that builds rows at an old revision keeps working when later revisions add columns.
    Python-side defaults apply as in a flush; generated primary keys are set back on the rows.
    """
    async with engine.begin() as connection:
        for row in rows:
            mapped = sa.inspect(row).mapper
            table: sa.Table = mapped.local_table  # type: ignore[assignment]
            columns = await connection.run_sync(lambda sync, t=table: sa.inspect(sync).get_columns(t.name))
            present = {column["name"] for column in columns}
            for relation in mapped.relationships:  # a many-to-one given as an object: its key
                related = getattr(row, relation.key) if relation.direction.name == "MANYTOONE" else None
                for local, remote in relation.local_remote_pairs if related is not None else ():
                    setattr(row, mapped.get_property_by_column(local).key, getattr(related, remote.key))
            values: dict[str, Any] = {}
            for attribute in mapped.column_attrs:
                column = attribute.columns[0]
                if column.table is not table or column.name not in present:
                    continue
                value = getattr(row, attribute.key)
                if value is None and column.default is not None and column.default.is_callable:
                    value = column.default.arg(None)  # type: ignore[union-attr]
                elif value is None and column.default is not None and column.default.is_scalar:
                    value = column.default.arg  # type: ignore[union-attr]
                if value is not None:
                    values[column.name] = value
                    setattr(row, attribute.key, value)
            reduced = sa.Table(
                table.name, sa.MetaData(), *(sa.Column(c.name, c.type, primary_key=c.primary_key)
                                              for c in table.columns if c.name in present)
            )  # fmt: skip
            result = await connection.execute(reduced.insert().values(values))
            keys = result.inserted_primary_key or ()
            for column, key in zip(table.primary_key.columns, keys, strict=False):
                if getattr(row, column.key, None) is None and key is not None:
                    setattr(row, column.key, key)
