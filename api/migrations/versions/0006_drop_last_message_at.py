"""Drop `conversations.last_message_at`: nothing read it, and writing it cost every
citizen's turn one more UPDATE (bench/findings.md). A conversation's last message is its
message with the highest id (index `ix_messages_conversation_id_id`).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("last_message_at")


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("last_message_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        sa.text(
            "UPDATE conversations SET last_message_at = "
            "(SELECT MAX(created_at) FROM messages WHERE messages.conversation_id = conversations.id)"
        )
    )
