"""Meetings and their agendas (read)."""

from __future__ import annotations

from flask import g
from flask_login import current_user
from flask_smorest import Blueprint

from tumorboard.api.core import access, etag_of
from tumorboard.api.problems import Problem, problem
from tumorboard.api.schemas import AgendaOut, MeetingList, MeetingQuery
from tumorboard.auth.permissions import Permission, can_view_agenda
from tumorboard.extensions import db
from tumorboard.meetings.models import Meeting
from tumorboard.meetings.services import queries

bp = Blueprint("api_meetings", __name__, url_prefix="/meetings", description="Meetings")


@bp.route("/")
@access(Permission.MEETING_READ)
@bp.arguments(MeetingQuery, location="query", as_kwargs=True)
@bp.response(200, MeetingList)
def index(upcoming: bool, limit: int):
    """Upcoming meetings (soonest first) or past ones (latest first); times,
    boards and status only, no patient data."""
    stmt = queries.meetings_query(upcoming=upcoming).limit(limit)
    return {"items": list(db.session.scalars(stmt).unique())}


@bp.route("/<int:meeting_id>")
@access(Permission.MEETING_READ)
@bp.response(200, AgendaOut)
@problem(bp, 404, "No such meeting, or its agenda is not visible to the caller")
def detail(meeting_id: int):
    """A meeting with its agenda in order, with its ETag; audited."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not can_view_agenda(current_user, meeting):
        raise Problem(404, f"There is no meeting {meeting_id}.")
    meeting = queries.load_meeting(meeting_id)
    items = queries.agenda_items(current_user, meeting)
    queries.record_agenda_read(current_user, meeting, items)
    g.etag = etag_of(meeting)
    # Not a mapped attribute: the agenda as loaded (and audited) above.
    meeting.items_shown = items
    return meeting
