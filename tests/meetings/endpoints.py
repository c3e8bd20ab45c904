"""Access matrix rows for boards, meetings, agendas and attendance."""

from __future__ import annotations

from tests.meetings import factories as mf
from tumorboard.auth.permissions import Permission as P
from tumorboard.extensions import db
from tumorboard.meetings.models import Attendance, MeetingStatus

M = "/meetings/{meeting}"

ENDPOINTS = [
    ("/boards/", "GET", P.BOARD_MANAGE),
    ("/boards/new", "GET", P.BOARD_MANAGE),
    ("/boards/new", "POST", P.BOARD_MANAGE),
    ("/boards/{board}", "GET", P.BOARD_MANAGE),
    ("/boards/{board}/edit", "GET", P.BOARD_MANAGE),
    ("/boards/{board}/edit", "POST", P.BOARD_MANAGE),
    ("/boards/{board}/generate", "POST", P.MEETING_MANAGE),
    ("/boards/{board}/feed-token", "POST", P.BOARD_MANAGE),
    ("/meetings/", "GET", P.MEETING_READ),
    ("/meetings/new", "GET", P.MEETING_MANAGE),
    ("/meetings/new", "POST", P.MEETING_MANAGE),
    (M, "GET", P.MEETING_READ),
    (M + "/edit", "GET", P.MEETING_MANAGE),
    (M + "/edit", "POST", P.MEETING_MANAGE),
    (M + "/meeting.ics", "GET", P.MEETING_READ),
    (M + "/print", "GET", P.MEETING_READ),
    (M + "/publish", "POST", P.MEETING_MANAGE),
    (M + "/start", "POST", P.MEETING_PRESENT),
    (M + "/close", "GET", P.MEETING_PRESENT),
    (M + "/close", "POST", P.MEETING_PRESENT),
    (M + "/cancel", "POST", P.MEETING_MANAGE),
    (M + "/agenda/add/{ready_case}", "GET", P.MEETING_MANAGE),
    (M + "/agenda/add/{ready_case}", "POST", P.MEETING_MANAGE),
    (M + "/agenda/{item}/move", "POST", P.MEETING_MANAGE),
    (M + "/agenda/order", "POST", P.MEETING_MANAGE),
    (M + "/agenda/prioritise", "POST", P.MEETING_MANAGE),
    (M + "/agenda/{item}/remove", "POST", P.MEETING_MANAGE),
    (M + "/agenda/{item}/defer", "POST", P.MEETING_PRESENT),
    (M + "/agenda/{item}/discussed", "POST", P.MEETING_PRESENT),
    (M + "/attendance", "POST", P.MEETING_READ),
    (M + "/attendance/guests", "POST", P.MEETING_READ),
    (M + "/attendance/{guest}/remove", "POST", P.MEETING_READ),
    (M + "/present", "GET", P.MEETING_PRESENT),
    (M + "/present/{item}", "GET", P.MEETING_PRESENT),
    (M + "/follow", "GET", P.MEETING_READ),
    (M + "/follow/state", "GET", P.MEETING_READ),
    (M + "/follow/{item}", "GET", P.MEETING_READ),
]

#: Allowed GETs that answer with a redirect (to the first case on screen; the
#: meeting page when the meeting is not in progress).
REDIRECTS = {M + "/present", M + "/close"}


def url_values(user, case) -> dict:
    """A board with a published meeting, one listed item, a ready case, a guest."""
    board = mf.make_board()
    meeting = mf.make_meeting(board, status=MeetingStatus.PUBLISHED)
    item = mf.make_item(meeting)
    ready = mf.make_ready_case()
    guest = Attendance(
        meeting_id=meeting.id, guest_name="Dr Visiting", discipline="radiology"
    )
    db.session.add(guest)
    db.session.flush()
    return {
        "board": board.id,
        "meeting": meeting.id,
        "item": item.id,
        "ready_case": ready.id,
        "guest": guest.id,
    }
