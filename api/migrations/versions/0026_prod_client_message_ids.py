"""Client message ids: a citizen message sent again by its web or HTTP client (after a lost
connection, a killed gateway) is recognised by the id its client gave it, and answered with the
replies stored for it (`reply_to`) instead of a second turn (api/conversations/resend.py).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | Sequence[str] | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # Nullable columns and an index: no table rewrite, on SQLite or PostgreSQL.
    op.add_column("messages", sa.Column("client_message_id", sa.Uuid(), nullable=True))
    op.add_column("messages", sa.Column("reply_to", _ID, nullable=True))
    op.create_index(
        "uq_messages_client_message_id", "messages", ["conversation_id", "client_message_id"], unique=True
    )


def downgrade() -> None:
    op.drop_index("uq_messages_client_message_id", table_name="messages")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("reply_to")
        batch.drop_column("client_message_id")
