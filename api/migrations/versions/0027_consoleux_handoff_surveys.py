"""The satisfaction survey at an agent's close: one row per closed hand-off with its score
and comment, per agent and team (api/callcenter/survey.py); the conversation's window for
the survey's comment.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | Sequence[str] | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("survey_comment_until", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "handoff_surveys",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("handoff_id", _ID, nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("agent_id", _ID, nullable=True),
        sa.Column("team", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["handoff_id"],
            ["handoffs.id"],
            name=op.f("fk_handoff_surveys_handoff_id_handoffs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_handoff_surveys_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_handoff_surveys_agent_id_agents"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_surveys")),
        sa.UniqueConstraint("handoff_id", name=op.f("uq_handoff_surveys_handoff_id")),
    )
    op.create_index("ix_handoff_surveys_asked_at", "handoff_surveys", ["asked_at"])
    op.create_index(op.f("ix_handoff_surveys_conversation_id"), "handoff_surveys", ["conversation_id"])
    op.create_index(op.f("ix_handoff_surveys_agent_id"), "handoff_surveys", ["agent_id"])


def downgrade() -> None:
    op.drop_table("handoff_surveys")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("survey_comment_until")
