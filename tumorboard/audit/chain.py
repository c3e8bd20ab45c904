"""The HMAC chain that makes the audit log tamper-evident.

Every entry's ``mac`` is HMAC-SHA256 over the previous entry's MAC (or
:data:`GENESIS` for the first sealed entry) followed by the entry's canonical
content (:func:`canonical`). Entries are sealed when they are flushed:

1. the transaction takes the chain lock: on PostgreSQL a transaction-level
   advisory lock on the table; on SQLite the database's write lock, through
   a statement that writes nothing;
2. it reads the newest entry (highest id) and gives the new entries the
   following ids, one by one, each sealed over its predecessor's MAC;
3. the INSERT carries id and MAC (rows are never updated).

The lock is held until the transaction ends, so a second transaction reads
the predecessor only after the first committed (or rolled back, when its ids
are given out again): ids have no gaps and each entry links to the one
before it. Even a writer that skipped the lock could not fork the chain: it
would reuse an id that exists and the primary key would refuse the row.

After the transaction commits, a copy of each new entry goes to the
JSON-lines log when one is configured (:mod:`tumorboard.audit.logcopy`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from tumorboard.audit import logcopy
from tumorboard.audit.keys import signing_key
from tumorboard.audit.models import AuditEntry
from tumorboard.db import utcnow

#: The "previous MAC" of the first sealed entry.
GENESIS = "0" * 64

#: Fields covered by the MAC, in order.
FIELDS = (
    "id",
    "at",
    "actor_id",
    "action",
    "entity_type",
    "entity_id",
    "case_id",
    "patient_id",
    "summary",
    "changes",
    "ip_address",
    "user_agent",
    "request_path",
)
#: Fields covered when set, after FIELDS: an entry written under a
#: break-glass grant names it, and entries without one keep the content (and
#: MAC) they always had.
OPTIONAL_FIELDS = ("break_glass_grant_id",)
_INTEGERS = {"id", "actor_id", "case_id", "patient_id", "break_glass_grant_id"}

#: First key of the two-key advisory lock (the table's oid is the second).
LOCK_NAMESPACE = 0x74626175

#: ``Session.info`` key of the copies waiting for the commit.
_PENDING = "tumorboard.audit.pending"


def plain_changes(changes: Any) -> dict[str, Any]:
    """``changes`` as the JSON column gives it back (string keys, lists)."""
    return json.loads(json.dumps(changes or {}))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _at(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def content(values: Mapping[str, Any]) -> dict[str, Any]:
    """The MAC'd fields of an entry or a row, normalised to what the database
    returns (text for text columns, ints for ids, UTC ISO time)."""
    result = {}
    present = [f for f in OPTIONAL_FIELDS if values.get(f) is not None]
    for field in (*FIELDS, *present):
        value = values[field]
        if field == "at":
            value = _at(value)
        elif field == "changes":
            value = plain_changes(value)
        elif field in _INTEGERS:
            value = None if value is None else int(value)
        else:
            value = _text(value)
        result[field] = value
    return result


def canonical(values: Mapping[str, Any]) -> str:
    """One JSON array of the entry's fields in :data:`FIELDS` order, objects
    with sorted keys, no insignificant whitespace."""
    data = content(values)
    return json.dumps(
        [data[field] for field in (*FIELDS, *OPTIONAL_FIELDS) if field in data],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def compute_mac(key: bytes, previous_mac: str | None, values: Mapping[str, Any]) -> str:
    """HMAC-SHA256 (hex) of the previous MAC followed by the canonical content."""
    message = (previous_mac or GENESIS) + canonical(values)
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def entry_values(entry: AuditEntry) -> dict[str, Any]:
    """The MAC'd fields of an ORM entry."""
    return {field: getattr(entry, field) for field in (*FIELDS, *OPTIONAL_FIELDS)}


def lock_chain(connection: sa.Connection) -> None:
    """Hold the chain lock until the end of the connection's transaction."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(
            sa.text(
                "SELECT pg_advisory_xact_lock(:namespace, "
                "CAST(CAST(CAST(:table AS regclass) AS oid) AS integer))"
            ),
            {"namespace": LOCK_NAMESPACE, "table": AuditEntry.__tablename__},
        )
    elif dialect == "sqlite":
        # The driver opens a transaction before a data-changing statement and
        # SQLite gives it the write lock (waiting up to busy_timeout), which
        # it keeps until the commit; the WHERE clause matches no row, so the
        # append-only trigger does not fire.
        connection.execute(
            sa.update(AuditEntry.__table__)
            .values(id=AuditEntry.__table__.c.id)
            .where(sa.false())
        )


def last_link(connection: sa.Connection) -> tuple[int, str]:
    """Id and MAC of the newest entry (0 and the genesis value if none)."""
    row = connection.execute(
        sa.select(AuditEntry.id, AuditEntry.mac).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    if row is None:
        return 0, GENESIS
    return row.id, row.mac or GENESIS


@event.listens_for(Session, "before_flush")
def _seal_new_entries(session: Session, flush_context, instances) -> None:
    """Give each new entry its id and MAC under the chain lock."""
    entries = sorted(
        (obj for obj in session.new if isinstance(obj, AuditEntry)),
        key=lambda obj: sa.inspect(obj).insert_order,
    )
    if not entries:
        return
    key = signing_key()
    connection = session.connection(bind_arguments={"mapper": sa.inspect(AuditEntry)})
    lock_chain(connection)
    last_id, previous = last_link(connection)
    copies = []
    for offset, entry in enumerate(entries, start=1):
        entry.id = last_id + offset
        if entry.at is None:
            entry.at = utcnow()
        entry.entity_id = _text(entry.entity_id)
        entry.changes = plain_changes(entry.changes)
        values = entry_values(entry)
        entry.mac = previous = compute_mac(key, previous, values)
        copies.append({**content(values), "mac": entry.mac})
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_PENDING, []).extend((transaction, c) for c in copies)


def _within(transaction: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous: SessionTransaction) -> None:
    """A savepoint rolled back: its entries are gone, and so are their copies."""
    pending = session.info.get(_PENDING)
    if pending and previous.parent is not None:
        session.info[_PENDING] = [p for p in pending if not _within(p[0], previous)]


@event.listens_for(Session, "after_transaction_end")
def _forget_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    """The transaction ended without a commit (rolled back or closed)."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_commit")
def _send_copies(session: Session) -> None:
    # Also fired when a savepoint is released: wait for the real commit.
    if session.in_nested_transaction():
        return
    pending = session.info.pop(_PENDING, None)
    if pending and has_app_context():
        logcopy.send(current_app, [copy for _, copy in pending])
