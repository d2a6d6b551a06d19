"""Channels: channel users' conversations, handled updates, reply content and delivery.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_DELIVERY_STATUSES = ("sent", "delivered", "read", "failed", "undelivered")


def upgrade() -> None:
    op.create_table(
        "channel_threads",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("channel_user_id", sa.String(length=255), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("last_inbound_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_channel_threads_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_threads")),
        sa.UniqueConstraint("channel", "channel_user_id", name=op.f("uq_channel_threads_channel")),
    )
    op.create_table(
        "channel_updates",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_updates")),
        sa.UniqueConstraint("channel", "external_id", name=op.f("uq_channel_updates_channel")),
    )
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("content", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("channel_message_id", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("delivery_status", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("delivery_error", sa.String(length=255), nullable=True))
        batch.create_check_constraint(
            op.f("ck_messages_delivery_status"),
            sa.column("delivery_status").in_(_DELIVERY_STATUSES),
        )
    op.create_index("ix_messages_channel_message_id", "messages", ["channel_message_id"])


def downgrade() -> None:
    op.drop_index("ix_messages_channel_message_id", table_name="messages")
    with op.batch_alter_table("messages") as batch:
        batch.drop_constraint(op.f("ck_messages_delivery_status"), type_="check")
        batch.drop_column("delivery_error")
        batch.drop_column("delivery_status")
        batch.drop_column("channel_message_id")
        batch.drop_column("content")
    op.drop_table("channel_updates")
    op.drop_table("channel_threads")
