"""The append-only audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tumorboard.db import utcnow
from tumorboard.extensions import db


class AuditEntry(db.Model):
    """One thing somebody did or read; rows are never updated or deleted."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: Dotted verb such as ``case.create`` or ``case.read``.
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    entity_type: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[str] = mapped_column(sa.String(40))
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    patient_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("patients.id"), index=True
    )
    summary: Mapped[str] = mapped_column(sa.String(500))
    #: ``{field: [old, new]}`` for changes; empty for reads.
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str | None] = mapped_column(sa.String(255))
    request_path: Mapped[str | None] = mapped_column(sa.String(255))
    #: The break-glass grant the actor held on the case when this was written.
    break_glass_grant_id: Mapped[int | None] = mapped_column(index=True)
    #: HMAC-SHA256 (hex) over the previous entry's MAC and this entry's
    #: canonical content, keyed by a secret kept outside the database; entries
    #: written before the chain existed have none.
    mac: Mapped[str | None] = mapped_column(sa.String(64))

    # The mapper registry resolves "User"; the audit log sits below auth in
    # the layers, so it does not import the class.
    actor: Mapped[User | None] = relationship("User", lazy="raise")  # noqa: F821

    __table_args__ = (sa.Index("ix_audit_entries_entity", "entity_type", "entity_id"),)

    def __repr__(self) -> str:
        return (
            f"<AuditEntry {self.id} {self.action} {self.entity_type}:{self.entity_id}>"
        )


#: Database triggers that make the table append-only whatever code runs.
APPEND_ONLY_DDL = {
    "sqlite": [
        "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
        "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END",
        "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
        "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION 'audit entries are append-only'; END $$",
        "CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE "
        "ON audit_entries FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()",
    ],
}


def create_append_only_triggers(connection) -> None:
    """Install the append-only triggers for the connection's dialect."""
    for statement in APPEND_ONLY_DDL.get(connection.dialect.name, []):
        connection.exec_driver_sql(statement)


@sa.event.listens_for(AuditEntry.__table__, "after_create")
def _after_create(target, connection, **kw) -> None:
    create_append_only_triggers(connection)
