"""Running the meeting from the presentation screen: marking an item
discussed, where the presenter is, and what the attendees who follow the
presenter on their own devices are shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from tumorboard.audit import services as audit
from tumorboard.auth.models import User
from tumorboard.auth.permissions import authorize, can_run_meeting, can_view_agenda
from tumorboard.cases.models import CaseStatus
from tumorboard.cases.services import transition_case
from tumorboard.errors import InvalidInput
from tumorboard.extensions import db
from tumorboard.meetings.hooks import case_discussed, has_decision
from tumorboard.meetings.models import (
    ACTIVE_ITEM_STATUSES,
    AgendaItem,
    AgendaItemStatus,
    Meeting,
    MeetingStatus,
    PresenterPosition,
)
from tumorboard.meetings.services._shared import (
    RUN_REFUSED,
    board_of,
    case_of,
    check_item,
    resolve_now,
)
from tumorboard.meetings.services.queries import AGENDA_REFUSED
from tumorboard.validation import REASON_LIMIT, clean_text

#: Why an item cannot be marked discussed yet.
DECISION_MISSING = (
    "Record the board's recommendation first (a draft is enough), or give the "
    "reason the case was discussed without one."
)

#: Prefix of the item's reason when it was discussed without a recommendation.
NO_RECOMMENDATION = "Discussed without a recommendation: "


def mark_discussed(
    actor: User,
    meeting: Meeting,
    item: AgendaItem,
    *,
    reason: str | None = None,
    now: datetime | None = None,
) -> AgendaItem:
    """Record that the board discussed the item (the case becomes discussed).

    Needs a recorded recommendation for the item (a draft is enough), or
    ``reason``: why the board discussed the case without recommending.
    """
    authorize(can_run_meeting(actor, meeting), RUN_REFUSED)
    check_item(meeting, item)
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise InvalidInput("Start the meeting before marking cases discussed.")
    if item.status != AgendaItemStatus.LISTED:
        raise InvalidInput(f"This item is already {item.status.label.lower()}.")
    reason = clean_text(reason, "reason", "The reason", REASON_LIMIT)
    decided = any(has_decision.run(item))
    if not decided and not reason:
        raise InvalidInput(DECISION_MISSING, "reason")
    case = case_of(item)
    item.status = AgendaItemStatus.DISCUSSED
    item.discussed_at = resolve_now(now)
    if not decided:
        item.status_reason = NO_RECOMMENDATION + reason
    db.session.flush()
    transition_case(
        actor,
        case,
        CaseStatus.DISCUSSED,
        reason=f"Discussed at {board_of(meeting).name}, {meeting.when_label}.",
        manual=False,
    )
    changes = {"status": ["listed", "discussed"]}
    if not decided:
        changes["status_reason"] = [None, item.status_reason]
    audit.record(
        actor,
        "agenda.discussed",
        "agenda_item",
        item.id,
        f"{case.reference} discussed at {board_of(meeting).name}, {meeting.when_label}",
        changes=changes,
        case_id=case.id,
        patient_id=case.patient_id,
    )
    case_discussed.run(actor, item, case, meeting)
    return item


def move_presenter(
    actor: User, meeting: Meeting, item: AgendaItem, *, now: datetime | None = None
) -> PresenterPosition | None:
    """Put ``item`` on the followers' screens, if ``actor`` runs the meeting
    and it is in progress; anyone else's presentation screen moves no one."""
    check_item(meeting, item)
    if meeting.status != MeetingStatus.IN_PROGRESS or not can_run_meeting(
        actor, meeting
    ):
        return None
    position = db.session.get(PresenterPosition, meeting.id)
    if position is None:
        position = PresenterPosition(meeting_id=meeting.id)
        db.session.add(position)
    position.item_id = item.id
    position.moved_at = resolve_now(now)
    position.moved_by_id = actor.id
    db.session.flush()
    return position


@dataclass(frozen=True)
class FollowState:
    """What a follower's screen needs to know, and nothing about the patient."""

    meeting_status: MeetingStatus
    item_id: int | None
    number: int | None
    total: int
    moved_at: datetime | None
    presenter: str | None

    @property
    def is_live(self) -> bool:
        """The meeting is running: the followers' screens keep polling."""
        return self.meeting_status == MeetingStatus.IN_PROGRESS

    @property
    def is_over(self) -> bool:
        """Closed or cancelled: following stops."""
        return self.meeting_status in (MeetingStatus.CLOSED, MeetingStatus.CANCELLED)

    def as_json(self) -> dict:
        """The state as the follower's script reads it."""
        return {
            "status": self.meeting_status.value,
            "status_label": self.meeting_status.label,
            "live": self.is_live,
            "over": self.is_over,
            "item": self.item_id,
            "number": self.number,
            "total": self.total,
            "moved_at": self.moved_at.isoformat() if self.moved_at else None,
            "presenter": self.presenter,
        }


def presented_ids(meeting: Meeting) -> list[int]:
    """Ids of the listed and discussed items, in agenda order."""
    return list(
        db.session.scalars(
            sa.select(AgendaItem.id)
            .where(
                AgendaItem.meeting_id == meeting.id,
                AgendaItem.status.in_(ACTIVE_ITEM_STATUSES),
            )
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    )


def follow_state(actor: User, meeting: Meeting) -> FollowState:
    """Where the presenter is, for someone allowed to see the agenda.

    Two statements whatever the agenda's size; no audit entry, as nothing
    about a patient is returned (the case itself is read, and audited, when
    the follower's screen loads it)."""
    authorize(can_view_agenda(actor, meeting), AGENDA_REFUSED)
    ids = presented_ids(meeting)
    row = db.session.execute(
        sa.select(PresenterPosition, User.name)
        .outerjoin(User, User.id == PresenterPosition.moved_by_id)
        .where(PresenterPosition.meeting_id == meeting.id)
    ).first()
    item_id = moved_at = presenter = None
    if row is not None and meeting.status == MeetingStatus.IN_PROGRESS:
        position, presenter = row
        item_id, moved_at = position.item_id, position.moved_at
    return FollowState(
        meeting_status=meeting.status,
        item_id=item_id,
        number=(ids.index(item_id) + 1) if item_id in ids else None,
        total=len(ids),
        moved_at=moved_at,
        presenter=presenter,
    )


def record_follow_read(actor: User, meeting: Meeting, item: AgendaItem) -> None:
    """Audit that ``actor``'s screen showed a case while following the presenter."""
    authorize(can_view_agenda(actor, meeting), AGENDA_REFUSED)
    check_item(meeting, item)
    case = case_of(item)
    audit.record(
        actor,
        "case.read",
        "case",
        case.id,
        f"Followed the presenter to {case.reference} at "
        f"{board_of(meeting).name}, {meeting.when_label}",
        case_id=case.id,
        patient_id=case.patient_id,
    )
