"""Ordering the agenda: by hand, one step at a time, or urgent cases first;
the standard-of-care group always stays at the end."""

from __future__ import annotations

import sqlalchemy as sa

from tumorboard.auth.models import User
from tumorboard.auth.permissions import authorize, can_manage_meeting
from tumorboard.cases.listing import URGENCY_ORDER
from tumorboard.cases.models import Case
from tumorboard.errors import Conflict, InvalidInput
from tumorboard.extensions import db
from tumorboard.meetings.models import AgendaItem, Meeting, MeetingStatus
from tumorboard.meetings.services._shared import (
    ACTIVE_VALUES,
    active_items,
    board_of,
    case_of,
    record_meeting,
)


def _apply_order(actor: User, meeting: Meeting, ordered: list[AgendaItem]) -> None:
    # The standard-of-care group stays at the end, in the order asked for.
    ordered = sorted(ordered, key=lambda i: bool(i.standard_of_care))
    before = [i.id for i in sorted(ordered, key=lambda i: (i.position, i.id))]
    after = [i.id for i in ordered]
    if before == after:
        return
    for position, item in enumerate(ordered, start=1):
        item.position = position
    db.session.flush()
    record_meeting(
        actor,
        "agenda.reorder",
        meeting,
        f"Reordered the agenda of {board_of(meeting).name}, {meeting.when_label}",
        changes={"order": [before, after]},
    )


def _check_reorderable(actor: User, meeting: Meeting) -> None:
    authorize(can_manage_meeting(actor, meeting), "Only the coordinator.")
    if meeting.status != MeetingStatus.PLANNED:
        raise InvalidInput(
            "The agenda was published; its order is frozen."
            if meeting.status == MeetingStatus.PUBLISHED
            else f"The meeting is {meeting.status.label.lower()}; "
            "its agenda cannot be reordered."
        )


def reorder_agenda(actor: User, meeting: Meeting, item_ids: list[int]) -> None:
    """Put the agenda in the order of ``item_ids``, which must name every item."""
    _check_reorderable(actor, meeting)
    active = active_items(meeting)
    by_id = {i.id: i for i in active}
    if len(set(item_ids)) != len(item_ids):
        raise InvalidInput("The new order names an item twice; nothing was changed.")
    foreign = [i for i in item_ids if i not in by_id]
    if foreign:
        raise InvalidInput(
            "The new order names items that are not on this meeting's agenda "
            f"({', '.join(map(str, foreign))}); nothing was changed."
        )
    if set(item_ids) != set(by_id):
        raise Conflict(
            "The agenda changed since the page was loaded (items were added or "
            "removed); reload the page and reorder again."
        )
    _apply_order(actor, meeting, [by_id[i] for i in item_ids])


def move_item(actor: User, meeting: Meeting, item: AgendaItem, direction: str) -> str:
    """Move one item up or down by one place; returns a sentence for the user."""
    _check_reorderable(actor, meeting)
    if direction not in ("up", "down"):
        raise InvalidInput("Move up or down.")
    active = active_items(meeting)
    ids = [i.id for i in active]
    if item.meeting_id != meeting.id or item.id not in ids:
        raise InvalidInput("That item is not on this meeting's agenda.")
    index = ids.index(item.id)
    target = index - 1 if direction == "up" else index + 1
    case = case_of(item)
    if not 0 <= target < len(active):
        return f"{case.reference} is already {'first' if target < 0 else 'last'}."
    active[index], active[target] = active[target], active[index]
    _apply_order(actor, meeting, active)
    return f"{case.reference} moved to position {target + 1} of {len(active)}."


def prioritise_urgent(actor: User, meeting: Meeting) -> None:
    """Sort the agenda emergency, urgent, routine, keeping the relative order."""
    _check_reorderable(actor, meeting)
    ordered = db.session.scalars(
        sa.select(AgendaItem)
        .join(Case, Case.id == AgendaItem.case_id)
        .where(
            AgendaItem.meeting_id == meeting.id,
            AgendaItem.status.in_(ACTIVE_VALUES),
        )
        .order_by(URGENCY_ORDER, AgendaItem.position, AgendaItem.id)
    ).all()
    _apply_order(actor, meeting, list(ordered))
