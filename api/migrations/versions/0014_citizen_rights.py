"""The citizen's rights (UU PDP 27/2022): when a conversation was shown the privacy notice
and when its citizen asked for erasure; the lease that lets one replica at a time run the
retention job.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN on both backends: SQLite never recreates the table (its messages stay).
    op.add_column("conversations", sa.Column("privacy_notice_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("conversations", sa.Column("erasure_requested_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "job_leases",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_leases")),
    )
    # Retention deletes by age: messages by their time.
    op.create_index("ix_messages_created_at", "messages", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_messages_created_at", table_name="messages")
    op.drop_table("job_leases")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("erasure_requested_at")
        batch.drop_column("privacy_notice_at")
