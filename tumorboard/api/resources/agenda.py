"""Changes to a meeting's agenda: list a case, reorder, defer, mark discussed,
and record the draft recommendation of an item, over the services the
agenda and presentation pages use."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import g
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy.orm import joinedload

from tumorboard.api.board_schemas import (
    AgendaItemIn,
    DeferralOut,
    DiscussedIn,
    OrderIn,
    ReasonIn,
    RecommendationDetail,
    RecommendationIn,
)
from tumorboard.api.core import access, etag_of, required_version
from tumorboard.api.problems import Problem, problem
from tumorboard.api.resources.recommendations import visible_recommendation
from tumorboard.api.schemas import AgendaItemOut, AgendaOut
from tumorboard.auth.permissions import Permission, can_view_agenda, can_view_case
from tumorboard.cases.models import Case
from tumorboard.db import utcnow
from tumorboard.extensions import db
from tumorboard.meetings import services
from tumorboard.meetings.models import AgendaItem, Meeting
from tumorboard.recommendations import services as recommendations

bp = Blueprint(
    "api_agenda", __name__, url_prefix="/meetings", description="Agenda changes"
)

NOT_VISIBLE = "No such meeting or item, or its agenda is not visible to the caller"


def visible_meeting(meeting_id: int) -> Meeting:
    """The meeting with its board if the caller may see its agenda; else 404."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not can_view_agenda(current_user, meeting):
        raise Problem(404, f"There is no meeting {meeting_id}.")
    return services.load_meeting(meeting_id)


def meeting_item(meeting: Meeting, item_id: int) -> AgendaItem:
    """An item of ``meeting`` with its case, or 404."""
    item = db.session.scalar(
        sa.select(AgendaItem)
        .where(AgendaItem.id == item_id, AgendaItem.meeting_id == meeting.id)
        .options(joinedload(AgendaItem.case))
    )
    if item is None:
        raise Problem(404, f"There is no item {item_id} on meeting {meeting.id}.")
    return item


def meeting_changed(meeting: Meeting) -> None:
    """A change of the agenda or attendance is a change of the meeting: its
    ETag moves, so that a client holding what it read before gets a 412."""
    meeting.updated_at = utcnow()
    db.session.flush()


def agenda_out(meeting: Meeting) -> Meeting:
    """The meeting with its agenda in order, as ``GET /meetings/{id}``
    answers it; audited as an agenda read."""
    items = services.agenda_items(current_user, meeting)
    services.record_agenda_read(current_user, meeting, items)
    g.etag = etag_of(meeting)
    # Not a mapped attribute: the agenda as loaded (and audited) above.
    meeting.items_shown = items
    return meeting


@bp.route("/<int:meeting_id>/items", methods=["POST"])
@access(Permission.MEETING_MANAGE)
@bp.arguments(AgendaItemIn)
@bp.response(201, AgendaItemOut)
@problem(bp, 404, NOT_VISIBLE)
@problem(bp, 409, "The case is already on this agenda")
@problem(bp, 412, "If-Match names an older version of the meeting")
@problem(bp, 428, "If-Match is missing")
def add_item(data: dict[str, Any], meeting_id: int):
    """List a ready case on the agenda (If-Match: the meeting's ETag). The
    question, minutes and presenter default to the case's question, the
    board's minutes per case and the case's lead clinician, as on the form."""
    meeting = visible_meeting(meeting_id)
    required_version(meeting)
    case = db.session.get(Case, data.pop("case_id"))
    if case is None or not can_view_case(current_user, case):
        raise Problem(
            422,
            "There is no such case.",
            errors=[{"field": "case_id", "message": "No case with this id."}],
        )
    data.setdefault("question", case.clinical_question)
    data.setdefault("planned_minutes", meeting.board.minutes_per_case)
    data.setdefault("presenter_id", case.lead_clinician_id)
    item = services.add_case(current_user, meeting, case, data)
    meeting_changed(meeting)
    g.etag = etag_of(item)
    return meeting_item(meeting, item.id)


@bp.route("/<int:meeting_id>/order", methods=["PUT"])
@access(Permission.MEETING_MANAGE)
@bp.arguments(OrderIn)
@bp.response(200, AgendaOut)
@problem(bp, 404, NOT_VISIBLE)
@problem(bp, 409, "Items were added or removed since the agenda was read")
@problem(bp, 412, "If-Match names an older version of the meeting")
@problem(bp, 428, "If-Match is missing")
def reorder(data: dict[str, Any], meeting_id: int):
    """Put the agenda in the order of ``item_ids``, which names every item
    still on it (If-Match: the meeting's ETag); answers the agenda."""
    meeting = visible_meeting(meeting_id)
    required_version(meeting)
    services.reorder_agenda(current_user, meeting, data["item_ids"])
    meeting_changed(meeting)
    return agenda_out(meeting)


@bp.route("/<int:meeting_id>/items/<int:item_id>/deferral", methods=["POST"])
@access(Permission.MEETING_PRESENT)
@bp.arguments(ReasonIn)
@bp.response(200, DeferralOut)
@problem(bp, 403, "Neither the coordinator nor the meeting's chair")
@problem(bp, 404, NOT_VISIBLE)
@problem(bp, 412, "If-Match names an older version of the item")
@problem(bp, 428, "If-Match is missing")
def defer(data: dict[str, Any], meeting_id: int, item_id: int):
    """Defer an item with a reason (If-Match: the item's ETag); it is carried
    over to the board's next meeting with room, or its case returns to the
    ready pool."""
    meeting = visible_meeting(meeting_id)
    item = meeting_item(meeting, item_id)
    required_version(item)
    carried = services.defer_item(current_user, meeting, item, data["reason"])
    meeting_changed(meeting)
    g.etag = etag_of(item)
    return {
        "item": item,
        "carried_to_item_id": carried.carried_to.id if carried.carried_to else None,
        "carried_to_meeting_id": carried.to_meeting.id if carried.to_meeting else None,
        "message": carried.message,
    }


@bp.route("/<int:meeting_id>/items/<int:item_id>/discussed", methods=["POST"])
@access(Permission.MEETING_PRESENT)
@bp.arguments(DiscussedIn)
@bp.response(200, AgendaItemOut)
@problem(bp, 403, "Neither the coordinator nor the meeting's chair")
@problem(bp, 404, NOT_VISIBLE)
@problem(bp, 412, "If-Match names an older version of the item")
@problem(bp, 428, "If-Match is missing")
def discussed(data: dict[str, Any], meeting_id: int, item_id: int):
    """Mark an item of a meeting in progress discussed (If-Match: the item's
    ETag); without a recorded recommendation, give the reason."""
    meeting = visible_meeting(meeting_id)
    item = meeting_item(meeting, item_id)
    required_version(item)
    services.mark_discussed(current_user, meeting, item, reason=data.get("reason"))
    db.session.flush()
    g.etag = etag_of(item)
    return item


@bp.route("/<int:meeting_id>/items/<int:item_id>/recommendation", methods=["POST"])
@access(Permission.RECOMMENDATION_WRITE)
@bp.arguments(RecommendationIn)
@bp.response(201, RecommendationDetail)
@problem(bp, 404, NOT_VISIBLE)
@problem(bp, 409, "A recommendation was already recorded for this item")
@problem(bp, 412, "If-Match names an older version of the item")
@problem(bp, 428, "If-Match is missing")
def record_recommendation(data: dict[str, Any], meeting_id: int, item_id: int):
    """Record the draft recommendation of an item under discussion or
    discussed (If-Match: the item's ETag), with the form's checks; the chair
    signs it."""
    meeting = visible_meeting(meeting_id)
    item = meeting_item(meeting, item_id)
    required_version(item)
    rec = recommendations.record_recommendation(current_user, item, data)
    db.session.flush()
    g.etag = etag_of(rec)
    return visible_recommendation(rec.id)
