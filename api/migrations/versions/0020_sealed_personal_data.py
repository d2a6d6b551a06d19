"""Personal data sealed at rest (api/privacy/sealing.py): a verified session's NIK (with a keyed
hash of it, `nik_hash`, by which erasure finds a citizen's conversations), a proved phone
number, the number a one-time code went to, a birth date an agent checked. Existing rows are
converted in place under `AW_DATA_KEY`; the number of a code that is no longer live is
cleared. `otp_challenges.kind` tells the rows of callback numbers apart (their throttle).

Revision ID: 0020
Revises: 0014
Create Date: 2026-12-07
"""

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from api.core.config import get_settings
from api.privacy import sealing

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, key column, sealed column, its clear type)
_SEALED = (
    ("verified_sessions", "conversation_id", "nik", sa.String(length=16)),
    ("proven_phones", "conversation_id", "phone", sa.String(length=20)),
    ("otp_challenges", "nik_hash", "phone", sa.String(length=20)),
    ("verified_identities", "conversation_id", "birth_date", sa.String(length=10)),
)


def _sealer() -> sealing.Sealer:
    """The gateway installs its key before migrating; a command that migrates alone (the agent
    accounts CLI) gets it from the environment here."""
    key = get_settings().data_key.get_secret_value()
    if not sealing.is_installed() and key:
        sealing.install(key.encode())
    return sealing.current()


def _rewrite(table: str, key: str, column: str, change: Callable[[str], str | None]) -> None:
    connection = op.get_bind()
    t = sa.table(table, sa.column(key), sa.column(column))
    rows = connection.execute(sa.select(t.c[key], t.c[column]).where(t.c[column].is_not(None))).all()
    for row_key, value in rows:
        connection.execute(sa.update(t).where(t.c[key] == row_key).values({column: change(value)}))


def _sealing(sealer: sealing.Sealer, purpose: str) -> Callable[[str], str | None]:
    return lambda value: value if value.startswith(sealing.PREFIX) else sealer.seal(purpose, value)


def _opening(sealer: sealing.Sealer, purpose: str) -> Callable[[str], str | None]:
    return lambda value: sealer.open(purpose, value) or ""


def upgrade() -> None:
    sealer = _sealer()
    for table, _key, column, _type in _SEALED:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(column, type_=sa.Text(), existing_nullable=table == "otp_challenges")
    with op.batch_alter_table("verified_sessions") as batch:
        batch.add_column(sa.Column("nik_hash", sa.String(length=64), nullable=True))
        batch.create_index("ix_verified_sessions_nik_hash", ["nik_hash"])
    with op.batch_alter_table("otp_challenges") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=16), nullable=True))

    connection = op.get_bind()
    # A number kept only while its code lives.
    otp = sa.table("otp_challenges", sa.column("phone"), sa.column("expires_at", sa.DateTime(timezone=True)))
    connection.execute(sa.update(otp).where(otp.c.expires_at <= datetime.now(UTC)).values(phone=None))
    sessions = sa.table(
        "verified_sessions", sa.column("conversation_id"), sa.column("nik"), sa.column("nik_hash")
    )
    for conversation_id, nik in connection.execute(sa.select(sessions.c.conversation_id, sessions.c.nik)).all():
        if not str(nik).startswith(sealing.PREFIX):
            connection.execute(
                sa.update(sessions)
                .where(sessions.c.conversation_id == conversation_id)
                .values(nik_hash=sealer.digest("nik", nik))
            )
    for table, key, column, _type in _SEALED:
        _rewrite(table, key, column, _sealing(sealer, f"{table}.{column}"))


def downgrade() -> None:
    sealer = _sealer()
    for table, key, column, _type in _SEALED:
        # A value that does not open (another key) cannot go back: it is cleared ("" when the
        # column is required, which nothing reads as a NIK, number or date).
        _rewrite(table, key, column, _opening(sealer, f"{table}.{column}"))
    connection = op.get_bind()
    otp = sa.table("otp_challenges", sa.column("phone"))
    connection.execute(sa.update(otp).where(otp.c.phone == "").values(phone=None))
    with op.batch_alter_table("otp_challenges") as batch:
        batch.drop_column("kind")
    with op.batch_alter_table("verified_sessions") as batch:
        batch.drop_index("ix_verified_sessions_nik_hash")
        batch.drop_column("nik_hash")
    for table, _key, column, clear in _SEALED:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(column, type_=clear, existing_nullable=table == "otp_challenges")
