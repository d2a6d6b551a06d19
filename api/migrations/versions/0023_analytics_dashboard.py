"""The analytics dashboard: unanswered questions (masked), training candidates, import cursors.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "analytics_questions",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("event_key", sa.String(length=64), nullable=False),
        sa.Column("conversation_hash", sa.String(length=64), nullable=False),
        sa.Column("intent", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_questions")),
        sa.UniqueConstraint("event_key", name=op.f("uq_analytics_questions_event_key")),
    )
    op.create_index(
        op.f("ix_analytics_questions_conversation_hash"), "analytics_questions", ["conversation_hash"]
    )
    op.create_index(op.f("ix_analytics_questions_at"), "analytics_questions", ["at"])
    op.create_table(
        "analytics_candidates",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("intent", sa.String(length=128), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("agent_id", _BIG_ID, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("exported_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_analytics_candidates_agent_id_agents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_candidates")),
        sa.UniqueConstraint("intent", "text", name="uq_analytics_candidates_intent_text"),
    )
    op.create_table(
        "analytics_cursors",
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_analytics_cursors")),
    )


def downgrade() -> None:
    op.drop_table("analytics_cursors")
    op.drop_table("analytics_candidates")
    op.drop_index(op.f("ix_analytics_questions_at"), table_name="analytics_questions")
    op.drop_index(op.f("ix_analytics_questions_conversation_hash"), table_name="analytics_questions")
    op.drop_table("analytics_questions")
