"""Alembic environment: the gateway's models and settings, async engines.

The app passes its own connection in `config.attributes["connection"]` (see api/db.py);
the `alembic` command line builds an engine from the settings (AW_DATABASE_URL).
"""

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from api.core.config import get_settings
from api.db import create_engine
from api.models import Base
from api.privacy import vault

config = context.config
target_metadata = Base.metadata

if config.config_file_name is not None:  # command line only; the app keeps its logging
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def run_migrations(connection: Connection) -> None:
    # Batch mode rebuilds a SQLite table by dropping it; with foreign keys on, that drop would
    # cascade and delete the rows that reference it (messages, case events). Off while migrating.
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,  # SQLite can't ALTER much
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")


async def run_with_new_engine() -> None:
    settings = get_settings()
    vault.install_key(settings)  # a migration may encrypt (0015, 0017); the app installs its own
    engine = create_engine(settings)
    async with engine.connect() as connection:
        await connection.run_sync(run_migrations)
    await engine.dispose()


def run_offline() -> None:
    context.configure(
        url=get_settings().database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
elif (shared := config.attributes.get("connection")) is not None:
    run_migrations(shared)
else:
    asyncio.run(run_with_new_engine())
