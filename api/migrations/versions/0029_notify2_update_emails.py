"""Case updates by e-mail for web citizens who consent (api/notifications/emails.py): the
conversation's consent and sealed address (`update_emails`), and each update's e-mail copy
with its retries (`case_notifications.email_*`). CASN results followed as cases: the case
kind `casn_result` (api/service_api/civil_service.py). A web ticket's WhatsApp number proved
by the citizen messaging the service's number a short code (`handoffs.reach_code_*`).

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | Sequence[str] | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CASE_KINDS = ("population_application", "complaint", "skck", "billing", "contact_request")


def _case_kinds(values: tuple[str, ...]) -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_constraint(op.f("ck_cases_case_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_cases_case_kind"), sa.column("kind").in_(values))


def upgrade() -> None:
    _case_kinds((*_CASE_KINDS, "casn_result"))
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("reach_code_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("reach_code_expires_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_handoffs_reach_code_hash", "handoffs", ["reach_code_hash"])
    with op.batch_alter_table("case_notifications") as batch:
        batch.add_column(sa.Column("email_due_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("email_attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_case_notifications_email_due_at", "case_notifications", ["email_due_at"])
    op.create_table(
        "update_emails",
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),  # sealed
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_update_emails_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_update_emails")),
    )


def downgrade() -> None:
    op.drop_table("update_emails")
    op.drop_index("ix_case_notifications_email_due_at", table_name="case_notifications")
    with op.batch_alter_table("case_notifications") as batch:
        batch.drop_column("emailed_at")
        batch.drop_column("email_attempts")
        batch.drop_column("email_due_at")
    op.drop_index("ix_handoffs_reach_code_hash", table_name="handoffs")
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_column("reach_code_expires_at")
        batch.drop_column("reach_code_hash")
    op.execute(sa.text("DELETE FROM cases WHERE kind = 'casn_result'"))
    _case_kinds(_CASE_KINDS)
