"""The identifier vault: the identifiers citizens type, kept by the gateway alone, encrypted
(api/privacy/vault.py); Rasa sees per-conversation tokens instead.

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "identifier_vault",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("token", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("ciphertext", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_identifier_vault_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identifier_vault")),
        sa.UniqueConstraint("conversation_id", "token", name="uq_identifier_vault_token"),
    )
    op.create_index("ix_identifier_vault_digest", "identifier_vault", ["conversation_id", "digest"])


def downgrade() -> None:
    op.drop_index("ix_identifier_vault_digest", table_name="identifier_vault")
    op.drop_table("identifier_vault")
