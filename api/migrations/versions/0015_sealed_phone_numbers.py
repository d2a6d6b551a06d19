"""Phone numbers encrypted: `handoffs.callback_phone` (api/callcenter/callback_phone.py),
`proven_phones.phone` and `otp_challenges.phone` (api/identity/verifier.py) hold the number sealed under the vault's key
(AES-256-GCM, bound to the column and the conversation or code) instead of in clear; the numbers already
stored are encrypted here, and decrypted again by the downgrade.

The key is the gateway's (`AW_DATA_KEY`, installed before migrating: api/main.py, and
migrations/env.py for the command line). A number that does not decrypt on the way down
(sealed under another key) is cleared, and a proved number that does not is forgotten (the
citizen proves it again): it cannot be read anyway.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

import uuid
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

from api.privacy import vault as privacy

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, owner column, phone column, its length before): the field names the code sealed with
# until migration 0017 moved the numbers to the models' `Sealed` type.
# The owner the value is bound to: the conversation, or for a code the row's key.
_COLUMNS = (
    ("handoffs", "conversation_id", "callback_phone", 32),
    ("proven_phones", "conversation_id", "phone", 20),
    ("otp_challenges", "nik_hash", "phone", 20),
)
_SEALED_LENGTH = 128


def _rewrite(
    table_name: str, owner: str, column: str, change: Callable[[str, uuid.UUID | str, str], str | None]
) -> None:
    """`column` changed by `change` in every row; a row whose value changes to None (it does not
    decrypt) keeps None where the column allows it, and goes where it does not (proven_phones)."""
    # Typed, so that a conversation id reads as the UUID the code binds to, on either backend.
    owner_type = sa.Uuid() if owner == "conversation_id" else sa.String()
    table = sa.table(table_name, sa.column(owner, owner_type), sa.column(column, sa.String()))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(table.c[owner], table.c[column]).where(table.c[column].is_not(None))
    ).all()
    field = f"{table_name}.{column}"
    for owner_value, value in rows:
        # Rows are found by their value: it is unique (a random nonce per seal, a number per owner).
        where = sa.and_(table.c[owner] == owner_value, table.c[column] == value)
        changed = change(field, owner_value, value)
        if changed is None and table_name == "proven_phones":
            connection.execute(sa.delete(table).where(where))
        else:
            connection.execute(sa.update(table).where(where).values({column: changed}))


def upgrade() -> None:
    for table, _, column, length in _COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column,
                existing_type=sa.String(length),
                type_=sa.String(_SEALED_LENGTH),
                existing_nullable=True,
            )
    vault = privacy.current()
    for table, owner, column, _ in _COLUMNS:
        _rewrite(table, owner, column, vault.seal_field)


def downgrade() -> None:
    vault = privacy.current()
    for table, owner, column, length in _COLUMNS:
        _rewrite(table, owner, column, vault.open_field)
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column,
                existing_type=sa.String(_SEALED_LENGTH),
                type_=sa.String(length),
                existing_nullable=True,
            )
