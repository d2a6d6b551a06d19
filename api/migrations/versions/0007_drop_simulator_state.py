"""Drop `sim_records`: the simulated ministries keep their state in their own database now
(`AW_SIMULATORS_DATABASE_URL`, simulators/store.py), apart from the gateway's. The rows held
simulated applications and billings only; they are not carried over. The downgrade brings
the table back empty.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.drop_table("sim_records")


def downgrade() -> None:
    op.create_table(
        "sim_records",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("ministry", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sim_records")),
        sa.UniqueConstraint("ministry", "kind", "key", name=op.f("uq_sim_records_ministry")),
    )
