"""What closing a meeting will do, shown to the chair before it is confirmed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from tumorboard.extensions import db
from tumorboard.meetings.models import (
    AgendaItem,
    AgendaItemStatus,
    Meeting,
    MeetingStatus,
)
from tumorboard.meetings.services._shared import (
    ACTIVE_VALUES,
    agenda_of,
    board_of,
    case_of,
    resolve_now,
)
from tumorboard.meetings.services.queries import _load_columns


@dataclass(frozen=True)
class PlannedCarryOver:
    """An undiscussed item and where closing the meeting will send it."""

    item: AgendaItem
    reference: str
    to_meeting: Meeting | None

    @property
    def outcome(self) -> str:
        """What will happen, in a sentence."""
        if self.to_meeting is not None:
            return f"Deferred to the meeting of {self.to_meeting.when_label}."
        return (
            "Deferred; no later meeting of this board has room, so the case "
            "returns to the ready pool."
        )


def close_preview(
    meeting: Meeting, *, now: datetime | None = None
) -> list[PlannedCarryOver]:
    """The undiscussed items of a meeting in progress and where each will go.

    Follows :func:`~tumorboard.meetings.services.close_meeting`: each item in
    agenda order goes to the board's first later open meeting that still has a
    place and the time, counting the items placed before it.
    """
    if meeting.status != MeetingStatus.IN_PROGRESS:
        return []
    listed = [i for i in agenda_of(meeting) if i.status == AgendaItemStatus.LISTED]
    if not listed:
        return []
    board = board_of(meeting)
    count, used = _load_columns()
    candidates = [
        [m, n, total]
        for m, n, total in db.session.execute(
            sa.select(Meeting, count, used)
            .where(
                Meeting.board_id == board.id,
                Meeting.status.in_(
                    [MeetingStatus.PLANNED.value, MeetingStatus.PUBLISHED.value]
                ),
                Meeting.starts_at > max(meeting.starts_at, resolve_now(now)),
            )
            .order_by(Meeting.starts_at)
            .limit(52)
        )
    ]
    cases: dict[int, set[int]] = {m.id: set() for m, _n, _t in candidates}
    if cases:
        for meeting_id, case_id in db.session.execute(
            sa.select(AgendaItem.meeting_id, AgendaItem.case_id).where(
                AgendaItem.meeting_id.in_(cases), AgendaItem.status.in_(ACTIVE_VALUES)
            )
        ):
            cases[meeting_id].add(case_id)
    plan = []
    for item in listed:
        target = None
        for row in candidates:
            m, n, total = row
            if (
                n < board.capacity
                and total + item.planned_minutes <= m.duration_minutes
                and item.case_id not in cases[m.id]
            ):
                target = m
                row[1] += 1
                row[2] += item.planned_minutes
                cases[m.id].add(item.case_id)
                break
        if target is not None:
            board_of(target)  # for its local time in ``when_label``
        plan.append(PlannedCarryOver(item, case_of(item).reference, target))
    return plan
