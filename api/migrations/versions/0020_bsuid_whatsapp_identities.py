"""WhatsApp identities: the business-scoped user id (BSUID), parent BSUID, phone number
(sealed, with a keyed hash) and username of a WhatsApp thread (connectors/whatsapp/identity.py).

Existing threads keyed by a phone number are not rewritten here: the first webhook that
names such a user by BSUID and number re-keys the thread and its conversations to the BSUID
(lookup by either, docs/channels.md "WhatsApp identity"). The downgrade drops the table; the
threads keep the BSUID keys they were given.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "whatsapp_identities",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("thread_id", _BIG_ID, nullable=False),
        sa.Column("user_id", sa.String(length=160), nullable=True),
        sa.Column("parent_user_id", sa.String(length=160), nullable=True),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("phone_hash", sa.String(length=64), nullable=True),
        sa.Column("username", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["channel_threads.id"],
            name=op.f("fk_whatsapp_identities_thread_id_channel_threads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_whatsapp_identities")),
        sa.UniqueConstraint("thread_id", name=op.f("uq_whatsapp_identities_thread_id")),
        sa.UniqueConstraint("user_id", name=op.f("uq_whatsapp_identities_user_id")),
        sa.UniqueConstraint("parent_user_id", name=op.f("uq_whatsapp_identities_parent_user_id")),
    )
    op.create_index(
        op.f("ix_whatsapp_identities_phone_hash"), "whatsapp_identities", ["phone_hash"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_whatsapp_identities_phone_hash"), table_name="whatsapp_identities")
    op.drop_table("whatsapp_identities")
