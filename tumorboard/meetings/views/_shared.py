"""What several meetings views need: the agenda fragment's context, an item of
a meeting, and telling a user why they may not act on this meeting."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask import flash
from flask_login import current_user

from tumorboard.auth.disciplines import REVIEW_DISCIPLINES
from tumorboard.auth.permissions import can_manage_meeting, can_run_meeting
from tumorboard.cases.models import Case
from tumorboard.extensions import db
from tumorboard.meetings import services
from tumorboard.meetings.forms import ActionForm, MoveForm, ReasonForm
from tumorboard.meetings.models import ACTIVE_ITEM_STATUSES, AgendaItem, Meeting
from tumorboard.reviews import readiness


def agenda_context(meeting: Meeting, message: str | None = None) -> dict:
    """What the agenda fragment needs (items, preparation, load, forms)."""
    items = services.agenda_items(current_user, meeting)
    active = [i for i in items if i.status in ACTIVE_ITEM_STATUSES]
    return {
        "meeting": meeting,
        "items": active,
        "other_items": [i for i in items if i.status not in ACTIVE_ITEM_STATUSES],
        "preparation": services.preparation_for(i.case for i in active),
        "preparation_labels": readiness.PREPARATION_LABELS,
        "preparation_short_labels": readiness.PREPARATION_SHORT_LABELS,
        "disciplines": REVIEW_DISCIPLINES,
        "load_count": len(active),
        "load_minutes": sum(i.planned_minutes for i in active),
        "can_manage": can_manage_meeting(current_user, meeting),
        "can_run": can_run_meeting(current_user, meeting),
        "move_form": MoveForm(),
        "reason_form": ReasonForm(),
        "action_form": ActionForm(),
        "message": message,
    }


def record_agenda_read(
    meeting: Meeting, context: dict, pool: Iterable[Case] = ()
) -> None:
    """Audit the agenda of ``context`` (from :func:`agenda_context`), and the
    ready ``pool`` when the page shows it, as one read."""
    items = context.get("items", []) + context.get("other_items", [])
    services.record_agenda_read(current_user, meeting, items, pool)


def load_item(meeting: Meeting, item_id: int) -> AgendaItem:
    """An item of ``meeting``, or 404."""
    return db.first_or_404(
        sa.select(AgendaItem).where(
            AgendaItem.id == item_id, AgendaItem.meeting_id == meeting.id
        )
    )


def refused(allowed: bool, message: str) -> bool:
    """Flash ``message`` unless ``allowed``; True when the user was refused.

    For actions whose role permission is wider than the meeting's own rule
    (only its chair, for example): the other holders of the role get the
    meeting page back with the reason rather than an error page.
    """
    if not allowed:
        flash(message, "error")
    return not allowed
