"""The audit log, part two: entries written before 0009 that hold a citizen's identifier in
clear (`audit_log.citizen`: a NIK, card number, NISN, plate as looked up) get the keyed hash
that entries have held since (api/callcenter/access.py `citizen_hash`, HMAC under the vault's
key); and `agent_id` may be empty, for the look-ups the service API made for the bot (the
citizen's own chat), which "Siapa yang melihat data saya" lists with the agents' look-ups.

The log is append-only (triggers of 0005): the triggers are lifted for this migration only.
The downgrade leaves the hashes: the identifiers cannot be recovered from them, and must not be
written back in clear. It deletes the bot's entries (0015 has no place for an entry without an
agent).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from api.privacy import vault as privacy

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What `citizen_hash` writes: 32 hex digits. No identifier looked up has this shape.
_HASHED = re.compile(r"[0-9a-f]{32}")
_AUDIT = sa.table("audit_log", sa.column("id", sa.BigInteger()), sa.column("citizen", sa.String()))

# The triggers of 0005, as it creates them.
_SQLITE_TRIGGERS = {
    "audit_log_no_update": "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "audit_log_no_delete": "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
}


def _lift_append_only() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")


def _restore_append_only() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _SQLITE_TRIGGERS.values():
            op.execute(statement)
    else:
        op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")


def _agent_id_nullable(nullable: bool) -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.alter_column("agent_id", existing_type=sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                           nullable=nullable)  # fmt: skip


def upgrade() -> None:
    connection = op.get_bind()
    vault = privacy.current()
    _lift_append_only()
    rows = connection.execute(sa.select(_AUDIT.c.id, _AUDIT.c.citizen).where(_AUDIT.c.citizen.is_not(None)))
    for entry_id, citizen in rows.all():
        if not _HASHED.fullmatch(citizen):
            connection.execute(
                sa.update(_AUDIT).where(_AUDIT.c.id == entry_id).values(citizen=vault.keyed_hash(citizen))
            )
    _agent_id_nullable(True)
    _restore_append_only()


def downgrade() -> None:
    _lift_append_only()
    op.execute("DELETE FROM audit_log WHERE agent_id IS NULL")
    _agent_id_nullable(False)
    _restore_append_only()
