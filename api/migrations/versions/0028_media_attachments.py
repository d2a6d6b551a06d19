"""Files and photos kept with conversations (api/attachments).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | Sequence[str] | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("message_id", _ID, nullable=True),
        sa.Column(
            "author",
            sa.Enum(
                "citizen", "bot", "agent", "system",
                name="attachment_author", native_enum=False, create_constraint=True, length=16,
            ),
            nullable=False,
        ),  # fmt: skip
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"], ["conversations.id"],
            name=op.f("fk_attachments_conversation_id_conversations"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_attachments_message_id_messages"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_attachments_storage_key")),
    )  # fmt: skip
    with op.batch_alter_table("attachments") as batch:
        batch.create_index(batch.f("ix_attachments_conversation_id"), ["conversation_id"], unique=False)
        batch.create_index(batch.f("ix_attachments_message_id"), ["message_id"], unique=False)
        batch.create_index(batch.f("ix_attachments_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_table("attachments")
