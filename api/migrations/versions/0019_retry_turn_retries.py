"""Failed turns are retried: `rasa_status` may be `queued` or `expired`, the conversations
waiting for a retry are kept in `turn_retries` (backoff and lease), and a partial index finds
the few messages Rasa has not answered (api/conversations/retry.py).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CONSTRAINT = "ck_messages_rasa_status"
_BEFORE = ("pending", "delivered", "failed", "rate_limited")
_AFTER = (*_BEFORE, "queued", "expired")
_WAITING = "rasa_status IN ('pending', 'failed', 'queued')"


def _allow(values: tuple[str, ...]) -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_constraint(op.f(_CONSTRAINT), type_="check")
        batch.create_check_constraint(op.f(_CONSTRAINT), sa.column("rasa_status").in_(values))


def upgrade() -> None:
    _allow(_AFTER)
    op.create_index(
        "ix_messages_waiting",
        "messages",
        ["conversation_id", "id"],
        postgresql_where=sa.text(_WAITING),
        sqlite_where=sa.text(_WAITING),
    )
    op.create_table(
        "turn_retries",
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_turn_retries_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_turn_retries")),
    )


def downgrade() -> None:
    op.drop_table("turn_retries")
    op.drop_index("ix_messages_waiting", table_name="messages")
    # Before 0019 a message waiting for the bot was `failed`; one never answered, too.
    op.execute(
        sa.text("UPDATE messages SET rasa_status = 'failed' WHERE rasa_status IN ('queued', 'expired')")
    )
    _allow(_BEFORE)
