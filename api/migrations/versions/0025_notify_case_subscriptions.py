"""Case updates pushed to citizens (api/notifications/): who follows which case on which
conversation, one row per case change and subscriber (at most one update each), and when the
gateway last polled a case's ministry; where an out-of-hours web ticket's answer also goes
(`handoffs.reach_channel`, `reach_address`, sealed).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | Sequence[str] | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("polled_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("reach_channel", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("reach_address", sa.Text(), nullable=True))  # sealed
    op.create_table(
        "case_subscriptions",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("case_id", _ID, nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("since_event_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_subscriptions_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_case_subscriptions_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_subscriptions")),
        sa.UniqueConstraint("case_id", "conversation_id", name=op.f("uq_case_subscriptions_case_id")),
    )
    op.create_index(
        "ix_case_subscriptions_conversation_id", "case_subscriptions", ["conversation_id"], unique=False
    )
    op.create_table(
        "case_notifications",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("subscription_id", _ID, nullable=False),
        sa.Column("case_event_id", _ID, nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message_id", _ID, nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_event_id"],
            ["case_events.id"],
            name=op.f("fk_case_notifications_case_event_id_case_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_case_notifications_message_id_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["case_subscriptions.id"],
            name=op.f("fk_case_notifications_subscription_id_case_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_notifications")),
        sa.UniqueConstraint(
            "subscription_id", "case_event_id", name=op.f("uq_case_notifications_subscription_id")
        ),
    )
    op.create_index(
        "ix_case_notifications_due", "case_notifications", ["recorded_at", "due_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_case_notifications_due", table_name="case_notifications")
    op.drop_table("case_notifications")
    op.drop_index("ix_case_subscriptions_conversation_id", table_name="case_subscriptions")
    op.drop_table("case_subscriptions")
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_column("reach_address")
        batch.drop_column("reach_channel")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("polled_at")
