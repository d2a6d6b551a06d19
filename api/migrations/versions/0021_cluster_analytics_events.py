"""Analytics events from Rasa's event broker, without identifiers (api/analytics/).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "analytics_events",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("event_key", sa.String(length=64), nullable=False),
        sa.Column("conversation_hash", sa.String(length=64), nullable=False),
        sa.Column("event_type", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_events")),
        sa.UniqueConstraint("event_key", name=op.f("uq_analytics_events_event_key")),
    )
    op.create_index(op.f("ix_analytics_events_conversation_hash"), "analytics_events", ["conversation_hash"])
    op.create_index(op.f("ix_analytics_events_at"), "analytics_events", ["at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_analytics_events_at"), table_name="analytics_events")
    op.drop_index(op.f("ix_analytics_events_conversation_hash"), table_name="analytics_events")
    op.drop_table("analytics_events")
