"""What the console's history searches by (api/callcenter/lookup_keys.py): keyed hashes of a
verified identity's NIK (`verified_identities.nik_hash`, the hash verified sessions keep) and
of a hand-off's callback number (`handoffs.callback_phone_hash`), and an index on a hand-off's
ticket number (`handoffs.case_number`). Existing rows are filled: the identity's NIK from the
conversation's vault entry of its token, the number from its sealed column. A value that does
not open (another key) leaves the hash empty.

Keys: `AW_DATA_KEY`, installed before migrating (api/main.py, migrations/env.py).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from api.callcenter.lookup_keys import callback_key, nik_key
from api.core.config import get_settings
from api.privacy import sealing
from api.privacy import vault as privacy

revision: str = "0024"
down_revision: str | Sequence[str] | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _keys() -> None:
    """The gateway installs its keys before migrating; a command that migrates alone (the agent
    accounts CLI) gets them from the environment here."""
    if not sealing.is_installed() and get_settings().data_key.get_secret_value():
        privacy.install_key(get_settings())


def upgrade() -> None:
    _keys()
    with op.batch_alter_table("verified_identities") as batch:
        batch.add_column(sa.Column("nik_hash", sa.String(length=64), nullable=True))
        batch.create_index("ix_verified_identities_nik_hash", ["nik_hash"])
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("callback_phone_hash", sa.String(length=64), nullable=True))
        batch.create_index("ix_handoffs_callback_phone_hash", ["callback_phone_hash"])
        batch.create_index("ix_handoffs_case_number", ["case_number"])

    connection = op.get_bind()
    identities = sa.table(
        "verified_identities",
        sa.column("conversation_id", sa.Uuid()),
        sa.column("nik"),
        sa.column("nik_hash"),
    )
    entries = sa.table(
        "identifier_vault",
        sa.column("conversation_id", sa.Uuid()),
        sa.column("token"),
        sa.column("ciphertext"),
    )
    vault = privacy.current()
    rows = connection.execute(
        sa.select(identities.c.conversation_id, identities.c.nik, entries.c.ciphertext).join(
            entries,
            (entries.c.conversation_id == identities.c.conversation_id)
            & (entries.c.token == identities.c.nik),
        )
    ).all()
    for conversation_id, token, ciphertext in rows:
        nik = vault.open_entry(conversation_id, token, ciphertext)
        if nik is not None:
            connection.execute(
                sa.update(identities)
                .where(identities.c.conversation_id == conversation_id)
                .values(nik_hash=nik_key(nik))
            )

    handoffs = sa.table(
        "handoffs",
        sa.column("id", sa.Integer()),
        sa.column("callback_phone"),
        sa.column("callback_phone_hash"),
    )
    sealer = sealing.current()
    for handoff_id, sealed in connection.execute(
        sa.select(handoffs.c.id, handoffs.c.callback_phone).where(handoffs.c.callback_phone.is_not(None))
    ).all():
        phone = sealer.open("handoffs.callback_phone", sealed)
        if phone is not None:
            connection.execute(
                sa.update(handoffs)
                .where(handoffs.c.id == handoff_id)
                .values(callback_phone_hash=callback_key(phone))
            )


def downgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_index("ix_handoffs_case_number")
        batch.drop_index("ix_handoffs_callback_phone_hash")
        batch.drop_column("callback_phone_hash")
    with op.batch_alter_table("verified_identities") as batch:
        batch.drop_index("ix_verified_identities_nik_hash")
        batch.drop_column("nik_hash")
