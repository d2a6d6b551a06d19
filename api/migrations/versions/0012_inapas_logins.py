"""INApas logins under way: `inapas_logins`, one row per started login (hash of its state,
the conversation, the browser's cookie hash, nonce and PKCE verifier), deleted when used or
expired (api/identity/inapas.py).

Revision ID: 0012
Revises: 0007
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inapas_logins",
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("browser_hash", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("code_verifier", sa.String(length=128), nullable=False),
        sa.Column("issuer", sa.String(length=255), nullable=False),
        sa.Column("redirect_uri", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_inapas_logins_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("state_hash", name=op.f("pk_inapas_logins")),
    )
    op.create_index(op.f("ix_inapas_logins_conversation_id"), "inapas_logins", ["conversation_id"])
    op.create_index(op.f("ix_inapas_logins_created_at"), "inapas_logins", ["created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_inapas_logins_created_at"), table_name="inapas_logins")
    op.drop_index(op.f("ix_inapas_logins_conversation_id"), table_name="inapas_logins")
    op.drop_table("inapas_logins")
