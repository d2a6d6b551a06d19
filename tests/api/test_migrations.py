"""Alembic migrations: applied by the app on startup, idempotent, matching the models."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from api.core.config import Settings
from api.db import alembic_config, create_engine, downgrade, migrate
from api.models import Base
from tests.api.support import Database, make_settings, new_database, running

pytestmark = pytest.mark.asyncio

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


@pytest.fixture
def empty_database(database: Database, tmp_path: Path) -> Iterator[Database]:
    """A new, empty database of the same backend as `database`."""
    yield from new_database(database.backend, tmp_path)


def _schema(connection: Connection) -> dict[str, set[str]]:
    inspector = inspect(connection)
    # Indexes we declared; PostgreSQL also lists those backing unique constraints.
    return {
        table: {
            str(index["name"])
            for index in inspector.get_indexes(table)
            if not index.get("duplicates_constraint")
        }
        for table in inspector.get_table_names()
    }


def _revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def _inspect(engine: AsyncEngine) -> tuple[dict[str, set[str]], str | None]:
    async with engine.connect() as connection:
        return await connection.run_sync(_schema), await connection.run_sync(_revision)


async def test_startup_creates_the_schema(empty_database: Database) -> None:
    settings = make_settings(empty_database, "http://127.0.0.1:9")
    async with running(settings) as (app, _):
        tables, revision = await _inspect(app.state.engine)
    assert revision == HEAD
    assert tables == {
        "alembic_version": set(),
        "conversations": {"ix_conversations_channel_user"},
        "messages": {
            "ix_messages_conversation_id_id",
            "ix_messages_channel_message_id",
            "ix_messages_created_at",
            "ix_messages_waiting",
            "uq_messages_client_message_id",
        },
        "outbox": {"ix_outbox_conversation_id_message_id", "ix_outbox_next_attempt_at"},
        "channel_threads": set(),
        "whatsapp_identities": {"ix_whatsapp_identities_phone_hash"},
        "channel_updates": set(),
        "cases": {"ix_cases_conversation_id"},
        "case_events": {"ix_case_events_case_id_id"},
        "case_counters": set(),
        "case_subscriptions": {"ix_case_subscriptions_conversation_id"},
        "case_notifications": {"ix_case_notifications_due", "ix_case_notifications_email_due_at"},
        "update_emails": set(),
        "agents": set(),
        "agent_sessions": {"ix_agent_sessions_agent_id"},
        "handoffs": {
            "ix_handoffs_state_requested_at",
            "ix_handoffs_conversation_id_id",
            "ix_handoffs_callback_phone_hash",
            "ix_handoffs_case_number",
            "ix_handoffs_reach_code_hash",
        },
        "handoff_events": {"ix_handoff_events_handoff_id_id"},
        "handoff_notes": {"ix_handoff_notes_handoff_id"},
        "handoff_surveys": {
            "ix_handoff_surveys_asked_at",
            "ix_handoff_surveys_conversation_id",
            "ix_handoff_surveys_agent_id",
        },
        "verified_identities": {"ix_verified_identities_nik_hash"},
        "assist_sessions": {"ix_assist_sessions_agent_id"},
        "audit_log": {"ix_audit_log_agent_id", "ix_audit_log_citizen"},
        "verified_sessions": {"ix_verified_sessions_expires_at", "ix_verified_sessions_nik_hash"},
        "otp_challenges": set(),
        "proven_phones": set(),
        "identifier_vault": {"ix_identifier_vault_digest"},
        "inapas_logins": {"ix_inapas_logins_conversation_id", "ix_inapas_logins_created_at"},
        "idempotent_responses": {"ix_idempotent_responses_created_at"},
        "job_leases": set(),
        "turn_retries": set(),
        "analytics_events": {"ix_analytics_events_at", "ix_analytics_events_conversation_hash"},
        "analytics_questions": {"ix_analytics_questions_at", "ix_analytics_questions_conversation_hash"},
        "analytics_candidates": set(),
        "analytics_cursors": set(),
        "gateway_replicas": set(),
        "attachments": {
            "ix_attachments_conversation_id",
            "ix_attachments_created_at",
            "ix_attachments_message_id",
        },
    }


async def test_migrations_are_idempotent_and_reversible(empty_database: Database) -> None:
    engine = create_engine(make_settings(empty_database, "http://127.0.0.1:9"))
    try:
        await migrate(engine)
        await migrate(engine)  # a second start changes nothing
        assert (await _inspect(engine))[1] == HEAD

        await downgrade(engine, "base")
        assert set((await _inspect(engine))[0]) == {"alembic_version"}

        await migrate(engine)
        assert (await _inspect(engine))[1] == HEAD
    finally:
        await engine.dispose()


async def test_models_match_the_migrations(empty_database: Database) -> None:
    engine = create_engine(make_settings(empty_database, "http://127.0.0.1:9"))
    try:
        await migrate(engine)
        async with engine.connect() as connection:
            differences = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
            )
    finally:
        await engine.dispose()
    assert differences == []


async def test_startup_without_migrations(empty_database: Database) -> None:
    settings = make_settings(empty_database, "http://127.0.0.1:9", migrate_on_startup=False)
    async with running(settings) as (app, _):
        tables, _revision = await _inspect(app.state.engine)
    assert tables == {}


async def test_a_sqlite_file_is_opened_in_wal_mode_without_an_fsync_per_commit(tmp_path: Path) -> None:
    engine = create_engine(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"))
    try:
        async with engine.connect() as connection:
            journal = await connection.exec_driver_sql("PRAGMA journal_mode")
            synchronous = await connection.exec_driver_sql("PRAGMA synchronous")
            assert (journal.scalar(), synchronous.scalar()) == ("wal", 1)  # 1: NORMAL
    finally:
        await engine.dispose()


async def test_the_simulators_table_leaves_the_gateways_database(empty_database: Database) -> None:
    """0007 drops `sim_records` (the simulators keep their own database); its downgrade
    brings the table back, empty, with its unique key."""
    engine = create_engine(make_settings(empty_database, "http://127.0.0.1:9"))
    try:
        await migrate(engine, "0006")
        assert "sim_records" in (await _inspect(engine))[0]
        await migrate(engine)
        assert "sim_records" not in (await _inspect(engine))[0]

        await downgrade(engine, "0006")
        tables, revision = await _inspect(engine)
        assert revision == "0006" and tables["sim_records"] == set()
        async with engine.connect() as connection:
            unique = await connection.run_sync(
                lambda sync: inspect(sync).get_unique_constraints("sim_records")
            )
        assert [constraint["column_names"] for constraint in unique] == [["ministry", "kind", "key"]]
    finally:
        await engine.dispose()
