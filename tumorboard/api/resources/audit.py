"""The audit log, read with the audit page's filters and rules: those who may
not read clinical data see which fields changed, never the values."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_login import current_user
from flask_smorest import Blueprint

from tumorboard.api.board_schemas import AuditPage, AuditQuery
from tumorboard.api.core import access, page
from tumorboard.audit.models import AuditEntry
from tumorboard.audit.services import entries_query, listed
from tumorboard.auth.permissions import Permission, can_see_audit_values
from tumorboard.extensions import db

bp = Blueprint("api_audit", __name__, url_prefix="/audit", description="Audit log")


def entry_out(entry: AuditEntry, show_values: bool) -> dict[str, Any]:
    """One entry as the audit page shows it to the caller: a list read as the
    references it showed, a change with its old and new values only for those
    who may see them, otherwise only the names of the fields that changed."""
    shown = listed(entry, show_values)
    changes = {} if shown else dict(entry.changes or {})
    return {
        "id": entry.id,
        "at": entry.at,
        "actor_id": entry.actor_id,
        "actor": entry.actor.name if entry.actor else None,
        "action": entry.action,
        "entity_type": entry.entity_type,
        "entity_id": entry.entity_id,
        "case_id": entry.case_id,
        "patient_id": entry.patient_id,
        "summary": entry.summary,
        "ip_address": entry.ip_address,
        "changed_fields": sorted(changes),
        "changes": changes if show_values and not shown else None,
        "listed": shown,
    }


@bp.route("/")
@access(Permission.AUDIT_READ)
@bp.arguments(AuditQuery, location="query", as_kwargs=True)
@bp.response(200, AuditPage)
def index(
    limit: int,
    cursor: int | None = None,
    actor_id: int | None = None,
    action: str | None = None,
    case_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
):
    """Entries newest first, one page per cursor; filters: who, the action's
    beginning, a case (entries about it and lists that showed it), the days
    from and to (UTC)."""
    stmt = entries_query(
        actor_id=actor_id,
        action=action,
        case_id=case_id,
        date_from=date_from,
        date_to=date_to,
    )
    stmt = stmt.order_by(None).order_by(AuditEntry.id.desc())
    if cursor is not None:
        stmt = stmt.where(AuditEntry.id < cursor)
    result = page(list(db.session.scalars(stmt.limit(limit + 1)).unique()), limit)
    show_values = can_see_audit_values(current_user)
    result["items"] = [entry_out(e, show_values) for e in result["items"]]
    return result
