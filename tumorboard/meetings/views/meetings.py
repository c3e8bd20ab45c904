"""Meetings: the list, scheduling and editing, the meeting page and its printed
agenda, and the meeting's status from planned to closed or cancelled."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from tumorboard.auth.disciplines import Discipline
from tumorboard.auth.models import User
from tumorboard.auth.permissions import (
    Permission,
    can_manage_meeting,
    can_record_attendance,
    can_run_meeting,
    can_view_agenda,
    permission_required,
)
from tumorboard.auth.services import clinicians
from tumorboard.extensions import db
from tumorboard.formatting import format_datetime
from tumorboard.forms import show_current_version
from tumorboard.inputs import database_id
from tumorboard.meetings import services
from tumorboard.meetings.forms import (
    ActionForm,
    CancelForm,
    GuestForm,
    MeetingForm,
)
from tumorboard.meetings.models import Board, Meeting, MeetingStatus, board_members
from tumorboard.meetings.views._shared import (
    agenda_context,
    record_agenda_read,
    refused,
)
from tumorboard.meetings.views.blueprint import bp
from tumorboard.web import REFUSED, attempt


@bp.route("/meetings/")
@permission_required(Permission.MEETING_READ)
def index():
    board_id = request.args.get("board", type=database_id)
    board_list = db.session.scalars(sa.select(Board).order_by(Board.name)).all()
    upcoming = services.meeting_rows(
        services.meetings_query(board_id=board_id, upcoming=True), limit=100
    )
    past = services.meeting_page(
        services.meetings_query(board_id=board_id, upcoming=False),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "meetings/index.html",
        boards=board_list,
        board_id=board_id,
        upcoming=upcoming,
        past=past,
    )


def _meeting_form(meeting: Meeting | None) -> MeetingForm:
    boards = db.session.scalars(
        sa.select(Board).where(Board.is_active.is_(True)).order_by(Board.name)
    ).all()
    form = MeetingForm(boards=boards, clinicians=clinicians())
    if meeting is not None:
        del form.board_id
    return form


@bp.route("/meetings/new", methods=["GET", "POST"])
@permission_required(Permission.MEETING_MANAGE)
def new():
    form = _meeting_form(None)
    if request.method == "GET":
        board_id = request.args.get("board", type=database_id)
        board = db.session.get(Board, board_id) if board_id else None
        if board is not None:
            form.board_id.data = board.id
            form.start_time.data = board.start_time
            form.location.data = board.location
            form.video_url.data = board.video_url
    if form.validate_on_submit():
        board = db.get_or_404(Board, form.board_id.data)
        meeting = attempt(
            form, services.create_meeting, current_user, board, form.service_data()
        )
        if meeting is not REFUSED:
            flash(f"Meeting scheduled: {meeting.when_label}.", "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return render_template("meetings/meeting_form.html", form=form, meeting=None), (
        400 if form.errors else 200
    )


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@permission_required(Permission.MEETING_MANAGE)
def edit(meeting_id: int):
    meeting = services.load_meeting(meeting_id)
    form = _meeting_form(meeting)
    if request.method == "GET":
        form.day.data = meeting.local_start.date()
        form.start_time.data = meeting.local_start.time()
        form.end_time.data = meeting.local_end.time()
        form.chair_id.data = meeting.chair_id
        form.location.data = meeting.location
        form.video_url.data = meeting.video_url
        form.version.data = meeting.version
    if form.validate_on_submit():
        saved = attempt(
            form,
            services.update_meeting,
            current_user,
            meeting,
            form.service_data(),
            form.version.data,
        )
        if saved is not REFUSED:
            flash("Meeting updated.", "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
        meeting = services.load_meeting(meeting_id)
        show_current_version(form, meeting.version)
    return render_template("meetings/meeting_form.html", form=form, meeting=meeting), (
        400 if form.errors else 200
    )


def _members(board_id: int) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .join(board_members, board_members.c.user_id == User.id)
            .where(board_members.c.board_id == board_id)
            .order_by(User.name)
        )
    )


@bp.route("/meetings/<int:meeting_id>")
@permission_required(Permission.MEETING_READ)
def detail(meeting_id: int):
    meeting = services.load_meeting(meeting_id)
    visible = can_view_agenda(current_user, meeting)
    context = agenda_context(meeting) if visible else {"meeting": meeting}
    attendance = services.attendance_rows(meeting)
    manage = can_manage_meeting(current_user, meeting)
    pool = (
        services.ready_pool_page(request.args.get("pool", 1, type=int))
        if manage and meeting.is_open
        else None
    )
    ready = pool.cases if pool else []
    if visible or ready:
        # One audit entry per view: the page lists patient names and MRNs.
        record_agenda_read(meeting, context, ready)
    return render_template(
        "meetings/detail.html",
        visible=visible,
        attendance=attendance,
        guests=[a for a in attendance if a.guest_name],
        members=_members(meeting.board_id),
        present_ids={a.user_id for a in attendance if a.present and a.user_id},
        quorum=services.quorum_from(meeting.board, attendance),
        stored_missing=[Discipline(v).label for v in meeting.missing_disciplines],
        can_attend=can_record_attendance(current_user, meeting),
        ready=ready,
        pool=pool,
        guest_form=GuestForm(),
        cancel_form=CancelForm(prefix="cancel"),
        **({"action_form": ActionForm()} | context),
    )


@bp.route("/meetings/<int:meeting_id>/print")
@permission_required(Permission.MEETING_READ)
def print_agenda(meeting_id: int):
    meeting = services.load_meeting(meeting_id)
    if not can_view_agenda(current_user, meeting):
        abort(403)
    context = agenda_context(meeting)
    record_agenda_read(meeting, context)
    # Planned start of each item: the meeting's start plus the items before it.
    at, times = meeting.local_start, {}
    for item in context["items"]:
        times[item.id] = at
        at += timedelta(minutes=item.planned_minutes)
    return render_template(
        "meetings/print.html",
        times=times,
        held_on=meeting.local_start.date(),
        **context,
    )


def _status_action(
    meeting_id: int,
    service: Callable,
    success: str,
    *,
    chair_too: bool = False,
):
    """Publish, start or close a meeting; ``chair_too``: its chair may as well."""
    meeting = services.load_meeting(meeting_id)
    back = url_for("meetings.detail", meeting_id=meeting.id)
    if not ActionForm().validate_on_submit():
        flash("The request was incomplete; nothing was changed.", "error")
        return redirect(back)
    if chair_too and refused(
        can_run_meeting(current_user, meeting), services.RUN_REFUSED
    ):
        return redirect(back)
    result = attempt(None, service, current_user, meeting)
    if result is not REFUSED:
        flash(success, "success")
        for outcome in result if isinstance(result, list) else []:
            flash(outcome.message, "info")
    return redirect(back)


@bp.route("/meetings/<int:meeting_id>/publish", methods=["POST"])
@permission_required(Permission.MEETING_MANAGE)
def publish(meeting_id: int):
    return _status_action(
        meeting_id,
        services.publish_meeting,
        "Agenda published: its order is frozen and the board's clinicians can see it.",
    )


@bp.route("/meetings/<int:meeting_id>/start", methods=["POST"])
@permission_required(Permission.MEETING_PRESENT)
def start(meeting_id: int):
    return _status_action(
        meeting_id,
        services.start_meeting,
        "The meeting is in progress.",
        chair_too=True,
    )


@bp.route("/meetings/<int:meeting_id>/close", methods=["GET", "POST"])
@permission_required(Permission.MEETING_PRESENT)
def close(meeting_id: int):
    """Show the undiscussed cases and where each goes; close on confirmation."""
    meeting = services.load_meeting(meeting_id)
    back = url_for("meetings.detail", meeting_id=meeting.id)
    if meeting.status == MeetingStatus.CLOSED:
        flash(
            f"This meeting was already closed on {format_datetime(meeting.closed_at)}; "
            "nothing was changed.",
            "info",
        )
        return redirect(back)
    if refused(can_run_meeting(current_user, meeting), services.RUN_REFUSED):
        return redirect(back)
    if meeting.status != MeetingStatus.IN_PROGRESS:
        flash("Only a meeting in progress can be closed.", "error")
        return redirect(back)
    if request.method == "POST" and request.form.get("confirmed") == "yes":
        return _status_action(
            meeting_id,
            services.close_meeting,
            "Meeting closed; its quorum was recorded.",
            chair_too=True,
        )
    if request.method == "POST":
        flash("Check the undiscussed cases, then confirm closing.", "info")
        return redirect(url_for("meetings.close", meeting_id=meeting.id))
    return render_template(
        "meetings/close.html",
        meeting=meeting,
        plan=services.close_preview(meeting),
        quorum=services.quorum(meeting),
        form=ActionForm(),
    )


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["POST"])
@permission_required(Permission.MEETING_MANAGE)
def cancel(meeting_id: int):
    meeting = services.load_meeting(meeting_id)
    back = url_for("meetings.detail", meeting_id=meeting.id)
    form = CancelForm(prefix="cancel")
    if meeting.status == MeetingStatus.CANCELLED:
        flash("This meeting was already cancelled; nothing was changed.", "info")
        return redirect(back)
    if not form.validate_on_submit():
        if form.reason.errors or not form.reason.data:
            flash("Give the reason for cancelling; nothing was changed.", "error")
        else:
            flash(
                "Tick the box to confirm cancelling the meeting; nothing was changed.",
                "error",
            )
        return redirect(back)
    returned = attempt(
        None, services.cancel_meeting, current_user, meeting, form.reason.data
    )
    if returned is REFUSED:
        return redirect(back)
    flash("Meeting cancelled; calendars receive the cancellation.", "success")
    if returned:
        flash(
            f"{len(returned)} case{'s are' if len(returned) != 1 else ' is'} back in "
            "the ready pool: list them on another meeting.",
            "warning",
        )
    return redirect(back)
