"""The agenda: listing cases within the meeting's capacity, ordering them,
removing, deferring and carrying over items, and marking them discussed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from tumorboard.audit import services as audit
from tumorboard.auth.models import User
from tumorboard.auth.permissions import (
    authorize,
    can_manage_meeting,
    can_run_meeting,
    may_present,
)
from tumorboard.cases.models import QUESTION_LIMIT, Case, CaseStatus
from tumorboard.cases.services import transition_case
from tumorboard.errors import Conflict, InvalidInput
from tumorboard.extensions import db
from tumorboard.meetings.hooks import (
    before_defer,
    case_deferred,
    case_listed,
)
from tumorboard.meetings.models import (
    ACTIVE_ITEM_STATUSES,
    AgendaItem,
    AgendaItemStatus,
    Meeting,
    MeetingStatus,
)
from tumorboard.meetings.services._shared import (
    ACTIVE_VALUES,
    RUN_REFUSED,
    active_count,
    active_minutes,
    board_of,
    case_of,
    check_item,
    int_field,
    resolve_now,
)
from tumorboard.meetings.services.queries import next_meeting_with_room
from tumorboard.validation import REASON_LIMIT, clean_id, clean_text


def _room_hint(meeting: Meeting, minutes: int, case_id: int | None) -> str:
    nxt = next_meeting_with_room(
        board_of(meeting), minutes, after=meeting.starts_at, case_id=case_id
    )
    if nxt is None:
        return (
            "No later meeting of this board has room yet; generate more meetings "
            "or raise the capacity."
        )
    return f"The next meeting with room is {nxt.when_label}."


def check_room(meeting: Meeting, minutes: int, case_id: int | None = None) -> None:
    """Refuse when the agenda is full or the time budget would be exceeded."""
    board = board_of(meeting)
    count, used = active_count(meeting), active_minutes(meeting)
    if count >= board.capacity:
        raise InvalidInput(
            f"The agenda of {meeting.when_label} is full ({count} of "
            f"{board.capacity} cases). {_room_hint(meeting, minutes, case_id)}"
        )
    if used + minutes > meeting.duration_minutes:
        raise InvalidInput(
            f"Adding {minutes} minutes would exceed the meeting's "
            f"{meeting.duration_minutes} minutes ({used} already planned). "
            f"{_room_hint(meeting, minutes, case_id)}",
            "planned_minutes",
        )


#: The short time budget of a standard-of-care item (ratification only).
STANDARD_OF_CARE_MAX_MINUTES = 5


def _clean_item_data(meeting: Meeting, data: dict[str, Any]) -> dict[str, Any]:
    question = clean_text(
        data.get("question"), "question", "The question", QUESTION_LIMIT
    )
    if not question:
        raise InvalidInput("State the question for this discussion.", "question")
    minutes = int_field(data, "planned_minutes", "planned minutes", 1, 180)
    presenter_id = data.get("presenter_id") or None
    if presenter_id is not None:
        presenter = db.session.get(
            User, clean_id(presenter_id, "presenter_id", "chosen presenter")
        )
        if not may_present(presenter):
            raise InvalidInput(
                "The presenter must be an active clinician.", "presenter_id"
            )
        presenter_id = presenter.id
    standard_of_care = bool(data.get("standard_of_care"))
    if standard_of_care and minutes > STANDARD_OF_CARE_MAX_MINUTES:
        raise InvalidInput(
            "A standard-of-care item is only ratified: plan at most "
            f"{STANDARD_OF_CARE_MAX_MINUTES} minutes.",
            "planned_minutes",
        )
    return {
        "question": question,
        "planned_minutes": minutes,
        "presenter_id": presenter_id,
        "standard_of_care": standard_of_care,
    }


def _check_open(meeting: Meeting, now: datetime) -> None:
    board_of(meeting)
    if meeting.status not in (MeetingStatus.PLANNED, MeetingStatus.PUBLISHED):
        raise InvalidInput(
            f"The meeting of {meeting.when_label} is "
            f"{meeting.status.label.lower()}; its agenda cannot change."
        )
    if meeting.ends_at <= now:
        raise InvalidInput(
            f"The meeting of {meeting.when_label} is in the past; "
            "choose a future meeting."
        )


def _list_case(
    actor: User,
    meeting: Meeting,
    case: Case,
    clean: dict[str, Any],
    *,
    carried_from: AgendaItem | None = None,
) -> AgendaItem:
    """Put ``case`` on the agenda (reusing a removed item's row) and list it."""
    item = db.session.scalar(
        sa.select(AgendaItem).where(
            AgendaItem.meeting_id == meeting.id, AgendaItem.case_id == case.id
        )
    )
    last = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.max(AgendaItem.position), 0)).where(
            AgendaItem.meeting_id == meeting.id
        )
    )
    if item is None:
        item = AgendaItem(meeting_id=meeting.id, case_id=case.id)
        db.session.add(item)
    item.position = last + 1
    item.status = AgendaItemStatus.LISTED
    item.status_reason = None
    item.discussed_at = None
    item.carried_from_id = carried_from.id if carried_from else None
    for key, value in clean.items():
        setattr(item, key, value)
    db.session.flush()
    if not item.standard_of_care:
        _before_standard_of_care(meeting, item)
    transition_case(
        actor,
        case,
        CaseStatus.LISTED,
        reason=f"Listed on {board_of(meeting).name}, {meeting.when_label}.",
        manual=False,
    )
    audit.record(
        actor,
        "agenda.carry_over" if carried_from else "agenda.add",
        "agenda_item",
        item.id,
        f"{case.reference} {'carried over to' if carried_from else 'listed on'} "
        f"{board_of(meeting).name}, {meeting.when_label}",
        changes=audit.diff(
            {},
            {
                "meeting_id": meeting.id,
                "position": item.position,
                "question": item.question,
                "presenter_id": item.presenter_id,
                "planned_minutes": item.planned_minutes,
                "standard_of_care": item.standard_of_care,
            },
        ),
        case_id=case.id,
        patient_id=case.patient_id,
    )
    case_listed.run(actor, item, case, meeting)
    return item


def _before_standard_of_care(meeting: Meeting, item: AgendaItem) -> None:
    """Place a full discussion before the standard-of-care group, which stays
    at the end of the agenda."""
    group = db.session.scalars(
        sa.select(AgendaItem)
        .where(
            AgendaItem.meeting_id == meeting.id,
            AgendaItem.standard_of_care.is_(True),
            AgendaItem.status.in_(ACTIVE_VALUES),
            AgendaItem.id != item.id,
        )
        .order_by(AgendaItem.position)
    ).all()
    if not group:
        return
    item.position = group[0].position
    # Positions are not unique: shift the group one place down.
    for member in group:
        member.position += 1
    db.session.flush()


def add_case(
    actor: User,
    meeting: Meeting,
    case: Case,
    data: dict[str, Any],
    *,
    now: datetime | None = None,
) -> AgendaItem:
    """List a ready case on the meeting's agenda with its question for this
    discussion, presenter and planned minutes."""
    authorize(can_manage_meeting(actor, meeting), "Only the coordinator.")
    _check_open(meeting, resolve_now(now))
    duplicate = db.session.scalar(
        sa.select(AgendaItem.id).where(
            AgendaItem.meeting_id == meeting.id,
            AgendaItem.case_id == case.id,
            AgendaItem.status.in_(ACTIVE_VALUES),
        )
    )
    if duplicate is not None:
        raise Conflict(f"{case.reference} is already on this agenda.")
    if case.status != CaseStatus.READY:
        raise InvalidInput(
            f"{case.reference} is '{CaseStatus(case.status).label}', not ready "
            "for the board; only ready cases can be listed."
        )
    clean = _clean_item_data(meeting, data)
    check_room(meeting, clean["planned_minutes"], case.id)
    return _list_case(actor, meeting, case, clean)


def remove_item(
    actor: User,
    meeting: Meeting,
    item: AgendaItem,
    reason: str,
    *,
    now: datetime | None = None,
) -> AgendaItem:
    """Take a listed case off the agenda; it returns to the ready pool."""
    authorize(can_manage_meeting(actor, meeting), "Only the coordinator.")
    check_item(meeting, item)
    _check_open(meeting, resolve_now(now))
    if item.status != AgendaItemStatus.LISTED:
        raise InvalidInput(
            "Only a listed item can be removed; this one is "
            f"{item.status.label.lower()}."
        )
    reason = _reason(reason)
    item.status = AgendaItemStatus.WITHDRAWN
    item.status_reason = reason
    case = case_of(item)
    db.session.flush()
    transition_case(
        actor,
        case,
        CaseStatus.READY,
        reason=f"Removed from the agenda of {meeting.when_label}: {reason}",
        manual=False,
    )
    audit.record(
        actor,
        "agenda.remove",
        "agenda_item",
        item.id,
        f"{case.reference} removed from {board_of(meeting).name}, {meeting.when_label}",
        changes={"status": ["listed", "withdrawn"], "reason": [None, reason]},
        case_id=case.id,
        patient_id=case.patient_id,
    )
    return item


def _reason(reason: str | None) -> str:
    reason = clean_text(reason, "reason", "The reason", REASON_LIMIT)
    if not reason:
        raise InvalidInput("Give a reason.", "reason")
    return reason


@dataclass(frozen=True)
class CarryOver:
    """What happened to a deferred item: where it went, or why it stayed ready."""

    item: AgendaItem
    reference: str
    carried_to: AgendaItem | None = None
    to_meeting: Meeting | None = None

    @property
    def message(self) -> str:
        """A sentence for the coordinator."""
        if self.to_meeting is not None:
            return (
                f"{self.reference} was deferred and carried over to "
                f"{self.to_meeting.when_label}."
            )
        return (
            f"{self.reference} was deferred; no later meeting of this board has "
            "room, so it is back in the ready pool."
        )


def carry_over(
    actor: User, meeting: Meeting, item: AgendaItem, reason: str, *, now: datetime
) -> CarryOver:
    """Defer ``item`` and list its case on the board's next meeting with room.

    The step shared by deferring an item and closing a meeting; the callers
    have checked who may do it and that the item can still change.
    """
    board = board_of(meeting)
    case = case_of(item)
    old = item.status
    item.status = AgendaItemStatus.DEFERRED
    item.status_reason = reason
    item.discussed_at = None
    db.session.flush()
    transition_case(
        actor,
        case,
        CaseStatus.READY,
        reason=f"Deferred at {meeting.when_label}: {reason}",
        manual=False,
    )
    audit.record(
        actor,
        "agenda.defer",
        "agenda_item",
        item.id,
        f"{case.reference} deferred at {board_of(meeting).name}, {meeting.when_label}",
        changes={"status": [old.value, "deferred"], "reason": [None, reason]},
        case_id=case.id,
        patient_id=case.patient_id,
    )
    case_deferred.run(actor, item, case, meeting)
    target = next_meeting_with_room(
        board,
        item.planned_minutes,
        after=meeting.starts_at,
        case_id=case.id,
        now=now,
    )
    if target is None:
        return CarryOver(item=item, reference=case.reference)
    new_item = _list_case(
        actor,
        target,
        case,
        {
            "question": item.question,
            "presenter_id": item.presenter_id,
            "planned_minutes": item.planned_minutes,
            "standard_of_care": item.standard_of_care,
        },
        carried_from=item,
    )
    return CarryOver(
        item=item, reference=case.reference, carried_to=new_item, to_meeting=target
    )


def defer_item(
    actor: User,
    meeting: Meeting,
    item: AgendaItem,
    reason: str,
    *,
    now: datetime | None = None,
) -> CarryOver:
    """Defer an item with a reason; it is carried over to the board's next
    meeting with room, or returns to the ready pool when none has room."""
    authorize(can_run_meeting(actor, meeting), RUN_REFUSED)
    check_item(meeting, item)
    if meeting.status not in (
        MeetingStatus.PLANNED,
        MeetingStatus.PUBLISHED,
        MeetingStatus.IN_PROGRESS,
    ):
        raise InvalidInput(
            f"The meeting is {meeting.status.label.lower()}; its items cannot change."
        )
    if item.status not in ACTIVE_ITEM_STATUSES:
        raise InvalidInput(f"This item is already {item.status.label.lower()}.")
    before_defer.run(item)
    return carry_over(actor, meeting, item, _reason(reason), now=resolve_now(now))
