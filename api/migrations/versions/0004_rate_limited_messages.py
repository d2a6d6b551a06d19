"""Messages over the per-sender rate limit are stored: `rasa_status` may be `rate_limited`.

The column stays VARCHAR(16); only its CHECK constraint gains the value.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CONSTRAINT = "ck_messages_rasa_status"
_BEFORE = ("pending", "delivered", "failed")
_AFTER = (*_BEFORE, "rate_limited")


def _allow(values: tuple[str, ...]) -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_constraint(op.f(_CONSTRAINT), type_="check")
        batch.create_check_constraint(op.f(_CONSTRAINT), sa.column("rasa_status").in_(values))


def upgrade() -> None:
    _allow(_AFTER)


def downgrade() -> None:
    # Before 0004 such a message was never stored; the nearest old meaning is "not
    # answered by the bot", which is what `failed` tells a later retry job.
    op.execute(
        sa.text("UPDATE messages SET rasa_status = 'failed' WHERE rasa_status = 'rate_limited'")
    )
    _allow(_BEFORE)
