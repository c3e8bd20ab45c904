"""A meeting's attendance and quorum: read, record who is present, add a
guest, with the rules of the meeting page."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import g
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from tumorboard.api.board_schemas import AttendanceIn, AttendanceOut, GuestIn
from tumorboard.api.core import access, etag_of, per_method_access, required_version
from tumorboard.api.problems import Problem, problem
from tumorboard.api.resources.agenda import meeting_changed
from tumorboard.api.resources.boards import person
from tumorboard.auth.disciplines import Discipline
from tumorboard.auth.models import User
from tumorboard.auth.permissions import Permission, can_record_attendance
from tumorboard.extensions import db
from tumorboard.meetings import services
from tumorboard.meetings.models import Meeting, MeetingStatus, board_members

bp = Blueprint(
    "api_attendance", __name__, url_prefix="/meetings", description="Attendance"
)


def _meeting(meeting_id: int) -> Meeting:
    """The meeting with its board, or 404 (attendance names no patient: every
    meeting reader sees it, as on the meeting page)."""
    if db.session.get(Meeting, meeting_id) is None:
        raise Problem(404, f"There is no meeting {meeting_id}.")
    return services.load_meeting(meeting_id)


def attendance_out(meeting: Meeting) -> dict[str, Any]:
    """Attendance, the board's members and the quorum as the page shows them:
    a closed meeting keeps the quorum recorded when it closed."""
    rows = services.attendance_rows(meeting)
    members = db.session.scalars(
        sa.select(User)
        .join(board_members, board_members.c.user_id == User.id)
        .where(board_members.c.board_id == meeting.board_id)
        .order_by(User.name)
    )
    board = meeting.board
    quorum = services.quorum_from(board, rows)
    if meeting.status == MeetingStatus.CLOSED and meeting.is_quorate is not None:
        is_quorate, missing = meeting.is_quorate, list(meeting.missing_disciplines)
    else:
        is_quorate, missing = quorum.is_quorate, [d.value for d in quorum.missing]
    g.etag = etag_of(meeting)
    return {
        "meeting": meeting,
        "members": [person(u) for u in members],
        "attendance": [
            {
                "id": a.id,
                "user_id": a.user_id,
                "name": a.user.name if a.user else a.guest_name,
                "is_guest": a.guest_name is not None,
                "discipline": Discipline(a.discipline).value,
                "present": a.present,
                "recorded_at": a.recorded_at,
            }
            for a in rows
        ],
        "quorum": {
            "is_quorate": is_quorate,
            "required": [d.value for d in board.required],
            "present": sorted(d.value for d in quorum.present),
            "missing": missing,
        },
        "may_record": can_record_attendance(current_user, meeting),
    }


@bp.route("/<int:meeting_id>/attendance")
class MeetingAttendance(MethodView):
    """A meeting's attendance: read, or record it. One URL rule for both
    methods, so an impossible id is a 404 whatever the method."""

    decorators = [per_method_access]

    @access(Permission.MEETING_READ)
    @bp.response(200, AttendanceOut)
    @problem(bp, 404, "No such meeting")
    def get(self, meeting_id: int):
        """Who attends (members and guests), the board's members and the
        quorum, with the meeting's ETag."""
        return attendance_out(_meeting(meeting_id))

    @access(Permission.MEETING_READ)
    @bp.arguments(AttendanceIn)
    @bp.response(200, AttendanceOut)
    @problem(bp, 403, "Neither the coordinator nor the meeting's chair")
    @problem(bp, 404, "No such meeting")
    @problem(bp, 412, "If-Match names an older version of the meeting")
    @problem(bp, 428, "If-Match is missing")
    def put(self, data: dict[str, Any], meeting_id: int):
        """Mark which board members are present, the others absent (If-Match:
        the meeting's ETag); the coordinator or the meeting's chair, once the
        agenda is published and until the meeting closes."""
        meeting = _meeting(meeting_id)
        required_version(meeting)
        services.record_attendance(current_user, meeting, data["present"])
        meeting_changed(meeting)
        return attendance_out(meeting)


@bp.route("/<int:meeting_id>/attendance/guests", methods=["POST"])
@access(Permission.MEETING_READ)
@bp.arguments(GuestIn)
@bp.response(201, AttendanceOut)
@problem(bp, 403, "Neither the coordinator nor the meeting's chair")
@problem(bp, 404, "No such meeting")
@problem(bp, 409, "The guest is already recorded")
@problem(bp, 412, "If-Match names an older version of the meeting")
@problem(bp, 428, "If-Match is missing")
def add_guest(data: dict[str, Any], meeting_id: int):
    """Record a guest (no account) as present for a discipline (If-Match:
    the meeting's ETag)."""
    meeting = _meeting(meeting_id)
    required_version(meeting)
    services.add_guest(current_user, meeting, data["guest_name"], data["discipline"])
    meeting_changed(meeting)
    return attendance_out(meeting)
