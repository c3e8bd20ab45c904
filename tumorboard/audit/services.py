"""Writing the audit log: services call :func:`record` in the same transaction."""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session, joinedload

from tumorboard.audit.models import AuditEntry
from tumorboard.db import utcnow
from tumorboard.extensions import db


class AuditImmutable(RuntimeError):
    """Raised when code tries to change or delete an audit row."""


def _plain(value: Any) -> Any:
    """JSON-friendly form of a field value for the changes column."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for every field whose value differs."""
    changes = {}
    for key in sorted(set(before) | set(after)):
        old, new = _plain(before.get(key)), _plain(after.get(key))
        if old != new:
            changes[key] = [old, new]
    return changes


def snapshot(obj: Any, fields: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """Current values of ``fields`` on ``obj``, for a later :func:`diff`."""
    return {f: _plain(getattr(obj, f)) for f in fields}


def apply(obj: Any, fields: tuple[str, ...], values: dict[str, Any]) -> dict:
    """Set ``values`` on ``obj``; return ``{field: [old, new]}`` for the
    ``fields`` that changed, for :func:`record`."""
    before = snapshot(obj, fields)
    for key, value in values.items():
        setattr(obj, key, value)
    return diff(before, snapshot(obj, fields))


def record(
    actor: Any,
    action: str,
    entity_type: str,
    entity_id: Any,
    summary: str,
    *,
    changes: dict[str, list[Any]] | None = None,
    case_id: int | None = None,
    patient_id: int | None = None,
) -> AuditEntry:
    """Add one audit entry to the current transaction and return it.

    ``summary`` is shown to administrators, who have no access to clinical
    data: build it from references (``TB-00012``), catalogue labels, counts
    and field names, never from free text such as captions, reasons, notes,
    descriptions or names (those belong in ``changes``). The entry gets its
    id and MAC when it is flushed (:mod:`tumorboard.audit.chain`).
    """
    entry = AuditEntry(
        at=utcnow(),
        actor_id=getattr(actor, "id", None),
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        summary=summary[:500],
        changes=changes or {},
        case_id=case_id,
        patient_id=patient_id,
    )
    if has_request_context():
        grant = g.get("break_glass", {}).get(case_id) if case_id else None
        if grant is not None and grant.user_id == entry.actor_id:
            entry.break_glass_grant_id = grant.id
        entry.ip_address = (request.remote_addr or "")[:45] or None
        entry.user_agent = (request.user_agent.string or "")[:255] or None
        entry.request_path = request.path[:255]
    db.session.add(entry)
    return entry


def record_list(
    actor: Any,
    action: str,
    what: str,
    query: Mapping[str, Any] | None = None,
    *,
    case_ids: Iterable[int] = (),
    patient_ids: Iterable[int] = (),
    entity_type: str | None = None,
    entity_id: Any = "list",
) -> AuditEntry:
    """Audit a page that showed several patients' data: one entry naming the
    query (filters, search text, page) and the ids of the cases and patients
    shown, in ``changes``; no extra query per row.

    ``what`` names the page for the summary ("the case list"); the summary
    gets the count: "Viewed the case list (25 cases)". ``entity_type``
    defaults to the first part of ``action`` (``case`` for ``case.list``).
    """
    cases = _unique(case_ids)
    patients = _unique(patient_ids)
    shown = {
        key: _plain(value)
        for key, value in (query or {}).items()
        if value not in (None, "", [], ())
    }
    if cases or not patients:
        count, noun = len(cases), "case"
    else:
        count, noun = len(patients), "patient"
    return record(
        actor,
        action,
        entity_type or action.split(".", 1)[0],
        entity_id,
        f"Viewed {what} ({count} {noun}{'' if count == 1 else 's'})",
        changes={"query": shown, "case_ids": cases, "patient_ids": patients},
    )


def _unique(ids: Iterable[int | None]) -> list[int]:
    """``ids`` without None and repeats, in the order first shown."""
    return list(dict.fromkeys(int(i) for i in ids if i is not None))


def is_list_read(entry: AuditEntry) -> bool:
    """Whether ``entry`` records a list read (its ``changes`` hold ids, not
    ``[old, new]`` pairs)."""
    changes = entry.changes or {}
    return "case_ids" in changes or "patient_ids" in changes


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, flush_context, instances) -> None:
    """Audit rows are append-only: refuse any update or delete through the ORM."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry) and (
            obj in session.deleted or session.is_modified(obj)
        ):
            raise AuditImmutable("audit entries cannot be changed or deleted")


def listed(entry: AuditEntry, show_values: bool) -> dict | None:
    """What a list read showed, for the log: case and patient references (ids,
    never names) and the query; the search text only for those who may read
    clinical data (it may be a patient's name). None for other entries."""
    if not is_list_read(entry):
        return None
    query = dict(entry.changes.get("query") or {})
    if "q" in query and not show_values:
        query["q"] = "(search text not shown)"
    return {
        "cases": [f"TB-{i:05d}" for i in entry.changes.get("case_ids") or []],
        "patients": [f"P-{i:05d}" for i in entry.changes.get("patient_ids") or []],
        "query": query,
    }


def listed_case(case_id: int) -> sa.ColumnElement[bool]:
    """Entries of list reads whose ``case_ids`` include ``case_id`` (so that
    "who saw this case" finds the lists that showed it too)."""
    if db.session.get_bind().dialect.name == "postgresql":
        ids = sa.cast(AuditEntry.changes, JSONB)["case_ids"]
        return ids.contains(sa.cast(sa.literal(json.dumps([case_id])), JSONB))
    shown = sa.func.json_each(AuditEntry.changes, "$.case_ids").table_valued("value")
    return sa.exists(
        sa.select(sa.literal(1)).select_from(shown).where(shown.c.value == case_id)
    )


def entries_query(
    *,
    actor_id: int | None = None,
    action: str | None = None,
    entity_type: str | None = None,
    case_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> sa.Select:
    """A filtered, newest-first select of audit entries with their actors."""
    stmt = (
        sa.select(AuditEntry)
        .options(joinedload(AuditEntry.actor))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    if actor_id:
        stmt = stmt.where(AuditEntry.actor_id == actor_id)
    if action:
        stmt = stmt.where(AuditEntry.action.like(f"{action}%"))
    if entity_type:
        stmt = stmt.where(AuditEntry.entity_type == entity_type)
    if case_id:
        stmt = stmt.where(sa.or_(AuditEntry.case_id == case_id, listed_case(case_id)))
    if date_from:
        stmt = stmt.where(AuditEntry.at >= datetime.combine(date_from, time.min, UTC))
    if date_to and date_to < date.max:
        next_day = date_to + timedelta(days=1)
        stmt = stmt.where(AuditEntry.at < datetime.combine(next_day, time.min, UTC))
    return stmt
