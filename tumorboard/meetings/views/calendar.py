"""Calendars: a board's subscription feed and one meeting's invitation."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Response, abort, url_for
from sqlalchemy.orm import joinedload

from tumorboard.auth.permissions import Permission, permission_required, public
from tumorboard.db import utcnow
from tumorboard.extensions import db
from tumorboard.meetings import calendar, services
from tumorboard.meetings.models import Board, Meeting
from tumorboard.meetings.views.blueprint import bp

#: How far back a board's calendar feed reaches.
FEED_PAST = timedelta(days=90)


@bp.route("/calendar/boards/<int:board_id>/<token>.ics")
@public
def board_feed(board_id: int, token: str):
    board = db.session.get(Board, board_id)
    # The same answer for an unknown board and a wrong token.
    if board is None or not services.feed_token_matches(board, token):
        abort(404)
    meetings = db.session.scalars(
        sa.select(Meeting)
        .where(Meeting.board_id == board.id, Meeting.ends_at > utcnow() - FEED_PAST)
        .options(joinedload(Meeting.board))
        .order_by(Meeting.starts_at)
    ).all()
    body = calendar.board_feed_ics(
        board,
        meetings,
        lambda m: url_for("meetings.detail", meeting_id=m.id, _external=True),
    )
    return Response(
        body, mimetype="text/calendar", headers={"Cache-Control": "no-cache"}
    )


@bp.route("/meetings/<int:meeting_id>/meeting.ics")
@permission_required(Permission.MEETING_READ)
def ics(meeting_id: int):
    meeting = services.load_meeting(meeting_id)
    body = calendar.meeting_ics(
        meeting, url_for("meetings.detail", meeting_id=meeting.id, _external=True)
    )
    return Response(
        body,
        mimetype="text/calendar",
        headers={
            "Content-Disposition": f'attachment; filename="meeting-{meeting.id}.ics"'
        },
    )
