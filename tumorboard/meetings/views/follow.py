"""Following the presenter: an attendee's own screen shows the case the
person running the meeting has on the room's screen, and moves with it.

The page asks ``state`` every few seconds (a few bytes, nothing about a
patient, not audited) and loads the case part of the screen from ``stage``
only when the presenter moved (that read is audited)."""

from __future__ import annotations

from flask import abort, jsonify, render_template
from flask_login import current_user

from tumorboard.auth.permissions import Permission, can_view_agenda, permission_required
from tumorboard.meetings import services
from tumorboard.meetings.models import Meeting
from tumorboard.meetings.views.blueprint import bp
from tumorboard.meetings.views.presentation import load_presented_item, stage_context

#: How often a follower's screen asks where the presenter is, in milliseconds.
POLL_MS = 2000


def _visible_meeting(meeting_id: int) -> Meeting:
    """The meeting, or 403 for someone who may not see its agenda (they see
    nothing, not even where the presenter is)."""
    meeting = services.load_meeting(meeting_id)
    if not can_view_agenda(current_user, meeting):
        abort(403)
    return meeting


@bp.route("/meetings/<int:meeting_id>/follow")
@permission_required(Permission.MEETING_READ)
def follow(meeting_id: int):
    meeting = _visible_meeting(meeting_id)
    state = services.follow_state(current_user, meeting)
    context = {"meeting": meeting, "state": state, "poll_ms": POLL_MS}
    if state.item_id is not None:
        item = load_presented_item(meeting, state.item_id)
        services.record_follow_read(current_user, meeting, item)
        context.update(stage_context(meeting, item))
    return render_template("meetings/follow.html", **context)


@bp.route("/meetings/<int:meeting_id>/follow/state")
@permission_required(Permission.MEETING_READ)
def follow_state(meeting_id: int):
    meeting = _visible_meeting(meeting_id)
    response = jsonify(services.follow_state(current_user, meeting).as_json())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/meetings/<int:meeting_id>/follow/<int:item_id>")
@permission_required(Permission.MEETING_READ)
def follow_stage(meeting_id: int, item_id: int):
    meeting = _visible_meeting(meeting_id)
    item = load_presented_item(meeting, item_id)
    services.record_follow_read(current_user, meeting, item)
    return render_template("meetings/_stage.html", **stage_context(meeting, item))
