"""Identity verification: verified sessions (a conversation bound to the NIK its citizen
proved, until they expire), one-time codes per NIK (hashed, with the lockout across
conversations), and the phone numbers a conversation's citizen has proved.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def _conversation_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["conversation_id"],
        ["conversations.id"],
        name=op.f(f"fk_{table}_conversation_id_conversations"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "verified_sessions",
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("nik", sa.String(length=16), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("verified_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        _conversation_fk("verified_sessions"),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_verified_sessions")),
    )
    op.create_index(
        op.f("ix_verified_sessions_expires_at"), "verified_sessions", ["expires_at"], unique=False
    )
    op.create_table(
        "otp_challenges",
        sa.Column("nik_hash", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("sent_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", _TS, nullable=True),
        sa.PrimaryKeyConstraint("nik_hash", name=op.f("pk_otp_challenges")),
    )
    op.create_table(
        "proven_phones",
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("proven_at", _TS, nullable=False),
        _conversation_fk("proven_phones"),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_proven_phones")),
    )


def downgrade() -> None:
    op.drop_table("proven_phones")
    op.drop_table("otp_challenges")
    op.drop_index(op.f("ix_verified_sessions_expires_at"), table_name="verified_sessions")
    op.drop_table("verified_sessions")
