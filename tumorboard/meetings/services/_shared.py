"""Checks and look-ups shared by the meeting services."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from tumorboard.audit import services as audit
from tumorboard.auth.models import User
from tumorboard.cases.models import Case
from tumorboard.db import utcnow
from tumorboard.errors import InvalidInput
from tumorboard.extensions import db
from tumorboard.meetings.models import (
    ACTIVE_ITEM_STATUSES,
    AgendaItem,
    Board,
    Meeting,
)

#: Why someone other than the coordinator or the chair cannot run a meeting.
RUN_REFUSED = "Only the coordinator or the chair."

#: Stored values of the item statuses that count towards an agenda's load.
ACTIVE_VALUES = [s.value for s in ACTIVE_ITEM_STATUSES]


def resolve_now(now: datetime | None) -> datetime:
    """``now`` when given (tests pass a fixed instant), else the current time."""
    return now if now is not None else utcnow()


def board_of(meeting: Meeting) -> Board:
    """The meeting's board, whatever the caller loaded.

    ``Meeting.board`` raises when not eagerly loaded; the board is fetched by
    id (no query when it is already in the session) and attached so that
    ``when_label`` and the local times work too.
    """
    board = db.session.get(Board, meeting.board_id)
    if "board" in sa.inspect(meeting).unloaded:
        set_committed_value(meeting, "board", board)
    return board


def int_field(data: dict[str, Any], key: str, label: str, low: int, high: int) -> int:
    """The whole number in ``data[key]``, refused outside ``low``..``high``."""
    value = data.get(key)
    if value is None or isinstance(value, bool):
        raise InvalidInput(f"Enter the {label}.", key)
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"The {label} must be a whole number.", key) from None
    if not low <= value <= high:
        raise InvalidInput(f"The {label} must be between {low} and {high}.", key)
    return value


def video_url(value: str | None) -> str:
    """A video link: empty, or an https:// address of at most 500 characters."""
    url = (value or "").strip()
    if len(url) > 500:
        raise InvalidInput(
            "The video link must be at most 500 characters.", "video_url"
        )
    if url and not url.lower().startswith("https://"):
        raise InvalidInput("The video link must be an https:// address.", "video_url")
    return url


def record_meeting(
    actor: User, action: str, meeting: Meeting, summary: str, changes=None
) -> None:
    """Write an audit entry about ``meeting``."""
    audit.record(
        actor,
        action,
        "meeting",
        meeting.id,
        summary,
        changes=changes,
    )


def agenda_of(meeting: Meeting) -> list[AgendaItem]:
    """All items of a meeting in agenda order."""
    return list(
        db.session.scalars(
            sa.select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id)
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    )


def active_items(meeting: Meeting) -> list[AgendaItem]:
    """The items of a meeting still to be discussed, in agenda order."""
    return [i for i in agenda_of(meeting) if i.status in ACTIVE_ITEM_STATUSES]


def active_count(meeting: Meeting) -> int:
    """How many items of a meeting are still to be discussed."""
    return db.session.scalar(
        sa.select(sa.func.count(AgendaItem.id)).where(
            AgendaItem.meeting_id == meeting.id, AgendaItem.status.in_(ACTIVE_VALUES)
        )
    )


def active_minutes(meeting: Meeting) -> int:
    """The planned minutes of a meeting's items still to be discussed."""
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(AgendaItem.planned_minutes), 0)).where(
            AgendaItem.meeting_id == meeting.id, AgendaItem.status.in_(ACTIVE_VALUES)
        )
    )


def case_of(item: AgendaItem) -> Case:
    """The case an agenda item discusses."""
    return db.session.get(Case, item.case_id)


def check_item(meeting: Meeting, item: AgendaItem) -> None:
    """Refuse an item that belongs to another meeting."""
    if item.meeting_id != meeting.id:
        raise InvalidInput("That item is not on this meeting's agenda.")
