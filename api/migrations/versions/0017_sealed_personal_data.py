"""Personal data sealed at rest by one mechanism, the `Sealed` column type (api/privacy/sealing.py):
a verified session's NIK (with a keyed hash of it, `nik_hash`, by which erasure finds a
citizen's conversations) and a birth date an agent checked, in clear until now, are sealed;
the three phone numbers 0015 encrypted with the vault's per-row format (`handoffs.callback_phone`,
`proven_phones.phone`, `otp_challenges.phone`) are opened and sealed again in the column
type's format, so every value is encrypted once. The number of a code that is no longer live
is cleared. `otp_challenges.kind` tells the rows of callback numbers apart (their throttle).

Keys: `AW_DATA_KEY`, installed before migrating (api/main.py, migrations/env.py). A number
0015 sealed that does not open (another key) is cleared, and a proved number that does not is
forgotten, as 0015's downgrade does; the downgrade puts the numbers back in 0015's format and
the NIK and birth date in clear.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from api.core.config import get_settings
from api.privacy import sealing
from api.privacy import vault as privacy

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PHONE = sa.String(length=128)  # 0015's sealed numbers
# (table, row key, the owner 0015 bound a number to or None, column, its type before, nullable)
_SEALED: tuple[tuple[str, str, str | None, str, sa.String, bool], ...] = (
    ("handoffs", "id", "conversation_id", "callback_phone", _PHONE, True),
    ("proven_phones", "conversation_id", "conversation_id", "phone", _PHONE, False),
    ("otp_challenges", "nik_hash", "nik_hash", "phone", _PHONE, True),
    ("verified_sessions", "conversation_id", None, "nik", sa.String(length=16), False),
    ("verified_identities", "conversation_id", None, "birth_date", sa.String(length=10), False),
)
# A row value: (row key, owner, stored value) -> the new value; None clears it (or, in a
# required column, removes a proved number; "" elsewhere, which nothing reads as data).
_Change = Callable[[object, object, str], str | None]


def _sealer() -> sealing.Sealer:
    """The gateway installs its keys before migrating; a command that migrates alone (the agent
    accounts CLI) gets them from the environment here."""
    if not sealing.is_installed() and get_settings().data_key.get_secret_value():
        privacy.install_key(get_settings())
    return sealing.current()


def _rewrite(table: str, key: str, owner: str | None, column: str, change: _Change) -> None:
    def typed(name: str) -> sa.ColumnClause[object]:
        # A conversation id reads as the UUID 0015 bound to, on either backend.
        kind = sa.Integer() if name == "id" else sa.Uuid() if name.endswith("_id") else sa.String()
        return sa.column(name, kind)

    names = dict.fromkeys([key, owner or key, column])
    t = sa.table(table, *(typed(name) for name in names))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(t.c[key], t.c[owner or key], t.c[column]).where(t.c[column].is_not(None))
    ).all()
    for row_key, owner_value, value in rows:
        changed = change(row_key, owner_value, value)
        where = t.c[key] == row_key
        if changed is None and table == "proven_phones":
            connection.execute(sa.delete(t).where(where))
        elif changed is None and table != "otp_challenges" and table != "handoffs":
            connection.execute(sa.update(t).where(where).values({column: ""}))
        else:
            connection.execute(sa.update(t).where(where).values({column: changed}))


def upgrade() -> None:
    sealer, vault = _sealer(), privacy.current()
    for table, _key, _owner, column, _before, nullable in _SEALED:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(column, type_=sa.Text(), existing_nullable=nullable)
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
    for conversation_id, nik in connection.execute(
        sa.select(sessions.c.conversation_id, sessions.c.nik)
    ).all():
        connection.execute(
            sa.update(sessions)
            .where(sessions.c.conversation_id == conversation_id)
            .values(nik_hash=sealer.digest("nik", nik))
        )

    for table, key, owner, column, _before, _nullable in _SEALED:
        purpose = f"{table}.{column}"

        def seal(
            _key: object, bound_to: object, value: str, purpose: str = purpose, owner: str | None = owner
        ) -> str | None:
            clear = value if owner is None else vault.open_field(purpose, _owner_value(bound_to), value)
            return None if clear is None else sealer.seal(purpose, clear)

        _rewrite(table, key, owner, column, seal)


def downgrade() -> None:
    sealer, vault = _sealer(), privacy.current()
    for table, key, owner, column, _before, _nullable in _SEALED:
        purpose = f"{table}.{column}"

        def unseal(
            _key: object, bound_to: object, value: str, purpose: str = purpose, owner: str | None = owner
        ) -> str | None:
            clear = sealer.open(purpose, value)
            if clear is None or owner is None:
                return clear
            return vault.seal_field(purpose, _owner_value(bound_to), clear)

        _rewrite(table, key, owner, column, unseal)
    with op.batch_alter_table("otp_challenges") as batch:
        batch.drop_column("kind")
    with op.batch_alter_table("verified_sessions") as batch:
        batch.drop_index("ix_verified_sessions_nik_hash")
        batch.drop_column("nik_hash")
    for table, _key, _owner, column, before, nullable in _SEALED:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(column, type_=before, existing_nullable=nullable)


def _owner_value(value: object) -> uuid.UUID | str:
    return value if isinstance(value, uuid.UUID) else str(value)
