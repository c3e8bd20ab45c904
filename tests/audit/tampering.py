"""What someone with direct database access could do to the audit log."""

from __future__ import annotations

import sqlalchemy as sa

from tumorboard.extensions import db


def execute(statement: str, **params) -> None:
    """Run ``statement`` behind the application's back and commit it."""
    db.session.execute(sa.text(statement), params)
    db.session.commit()


def drop_append_only_triggers() -> None:
    """Remove the triggers that refuse UPDATE and DELETE on audit entries."""
    if db.session.get_bind().dialect.name == "postgresql":
        execute("DROP TRIGGER audit_entries_append_only ON audit_entries")
    else:
        execute("DROP TRIGGER audit_entries_no_update")
        execute("DROP TRIGGER audit_entries_no_delete")


def insert_raw(entry_id: int, mac: str | None, summary: str = "Inserted") -> None:
    """Insert an entry with the given id and MAC."""
    execute(
        "INSERT INTO audit_entries (id, at, action, entity_type, entity_id, summary,"
        " changes, mac) VALUES (:id, CURRENT_TIMESTAMP, 'test.write', 'case', '1',"
        " :summary, '{}', :mac)",
        id=entry_id,
        summary=summary,
        mac=mac,
    )
