"""Pending turns of a dead gateway process: the holder of each pending message and the
replicas' heartbeats (api/conversations/waiting.py).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("rasa_holder", sa.String(length=32), nullable=True))
    op.create_table(
        "gateway_replicas",
        sa.Column("holder", sa.String(length=32), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("holder", name=op.f("pk_gateway_replicas")),
    )


def downgrade() -> None:
    op.drop_table("gateway_replicas")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("rasa_holder")
