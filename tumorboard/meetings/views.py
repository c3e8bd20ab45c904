"""Boards, meetings, agenda building, attendance, calendars and presentation mode."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from tumorboard.auth.disciplines import REVIEW_DISCIPLINES, Discipline
from tumorboard.auth.models import User
from tumorboard.auth.permissions import (
    AccessDenied,
    Permission,
    Role,
    can_manage_meeting,
    can_record_attendance,
    can_run_meeting,
    can_view_agenda,
    permission_required,
    public,
)
from tumorboard.auth.services import clinicians
from tumorboard.cases.models import Case
from tumorboard.cases.panels import load_panels
from tumorboard.clinical import catalogue
from tumorboard.db import utcnow
from tumorboard.errors import ServiceError, apply_to_form
from tumorboard.extensions import db
from tumorboard.forms import show_current_version
from tumorboard.meetings import calendar, services
from tumorboard.meetings.forms import (
    ActionForm,
    AgendaItemForm,
    BoardForm,
    GenerateForm,
    GuestForm,
    MeetingForm,
    MoveForm,
    ReasonForm,
)
from tumorboard.meetings.models import (
    ACTIVE_ITEM_STATUSES,
    AgendaItem,
    AgendaItemStatus,
    Attendance,
    Board,
    Meeting,
    MeetingStatus,
    board_members,
)

bp = Blueprint("meetings", __name__)

#: How far back a board's calendar feed reaches.
FEED_PAST = timedelta(days=90)


def _is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def _people() -> list[User]:
    """Active accounts that can sit on a board (not administrators)."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.is_active.is_(True), User.role != Role.ADMIN)
            .order_by(User.name)
        )
    )


def _flash_error(error: Exception) -> None:
    flash(getattr(error, "message", None) or str(error), "error")


# Boards --------------------------------------------------------------------------


@bp.route("/boards/")
@permission_required(Permission.BOARD_MANAGE)
def boards():
    rows = db.session.execute(
        sa.select(Board, sa.func.count(board_members.c.user_id))
        .outerjoin(board_members, board_members.c.board_id == Board.id)
        .group_by(Board.id)
        .order_by(Board.name)
    ).all()
    return render_template("meetings/boards.html", rows=rows)


@bp.route("/boards/new", methods=["GET", "POST"])
@permission_required(Permission.BOARD_MANAGE)
def board_new():
    form = BoardForm(people=_people())
    if form.validate_on_submit():
        try:
            board = services.create_board(current_user, form.service_data())
        except ServiceError as error:
            db.session.rollback()
            apply_to_form(form, error)
        else:
            db.session.commit()
            flash(f"Board '{board.name}' created.", "success")
            return redirect(url_for("meetings.board_detail", board_id=board.id))
    return render_template("meetings/board_form.html", form=form, board=None), (
        400 if form.errors else 200
    )


@bp.route("/boards/<int:board_id>")
@permission_required(Permission.BOARD_MANAGE)
def board_detail(board_id: int):
    board = services.load_board(board_id)
    rows = services.meeting_rows(
        services.meetings_query(board_id=board.id, upcoming=True), limit=60
    )
    return render_template(
        "meetings/board_detail.html",
        board=board,
        rows=rows,
        generate_form=GenerateForm(),
        action_form=ActionForm(),
        feed_url=url_for(
            "meetings.board_feed",
            board_id=board.id,
            token=board.feed_token,
            _external=True,
        ),
    )


@bp.route("/boards/<int:board_id>/edit", methods=["GET", "POST"])
@permission_required(Permission.BOARD_MANAGE)
def board_edit(board_id: int):
    board = services.load_board(board_id)
    form = BoardForm(obj=board if request.method == "GET" else None, people=_people())
    if request.method == "GET":
        form.member_ids.data = [u.id for u in board.members]
    if form.validate_on_submit():
        try:
            services.update_board(
                current_user, board, form.service_data(), form.version.data
            )
        except ServiceError as error:
            db.session.rollback()
            apply_to_form(form, error)
            board = services.load_board(board_id)
            show_current_version(form, board.version)
        else:
            db.session.commit()
            flash("Board updated.", "success")
            return redirect(url_for("meetings.board_detail", board_id=board.id))
    return render_template("meetings/board_form.html", form=form, board=board), (
        400 if form.errors else 200
    )


@bp.route("/boards/<int:board_id>/generate", methods=["POST"])
@permission_required(Permission.MEETING_MANAGE)
def board_generate(board_id: int):
    board = db.get_or_404(Board, board_id)
    form = GenerateForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(errors), "error")
        return redirect(url_for("meetings.board_detail", board_id=board.id))
    try:
        created = services.generate_meetings(current_user, board, form.weeks.data)
    except ServiceError as error:
        db.session.rollback()
        _flash_error(error)
    else:
        db.session.commit()
        if created:
            flash(
                f"{len(created)} meeting{'s' if len(created) != 1 else ''} planned "
                f"for the next {form.weeks.data} weeks.",
                "success",
            )
        else:
            flash(
                f"Every week of the next {form.weeks.data} already has a meeting.",
                "info",
            )
    return redirect(url_for("meetings.board_detail", board_id=board.id))


@bp.route("/boards/<int:board_id>/feed-token", methods=["POST"])
@permission_required(Permission.BOARD_MANAGE)
def board_feed_token(board_id: int):
    board = db.get_or_404(Board, board_id)
    if not ActionForm().validate_on_submit():
        flash("The request was incomplete; nothing was changed.", "error")
        return redirect(url_for("meetings.board_detail", board_id=board.id))
    services.regenerate_feed_token(current_user, board)
    db.session.commit()
    flash(
        "The calendar feed has a new address; subscriptions to the old one stop "
        "updating.",
        "success",
    )
    return redirect(url_for("meetings.board_detail", board_id=board.id))


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


# Meetings ------------------------------------------------------------------------


@bp.route("/meetings/")
@permission_required(Permission.MEETING_READ)
def index():
    board_id = request.args.get("board", type=int)
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
        board = db.session.get(Board, request.args.get("board", 0, type=int))
        if board is not None:
            form.board_id.data = board.id
            form.start_time.data = board.start_time
            form.location.data = board.location
            form.video_url.data = board.video_url
    if form.validate_on_submit():
        board = db.get_or_404(Board, form.board_id.data)
        try:
            meeting = services.create_meeting(current_user, board, form.service_data())
        except ServiceError as error:
            db.session.rollback()
            apply_to_form(form, error)
        else:
            message = f"Meeting scheduled: {meeting.when_label}."
            db.session.commit()
            flash(message, "success")
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
        try:
            services.update_meeting(
                current_user, meeting, form.service_data(), form.version.data
            )
        except ServiceError as error:
            db.session.rollback()
            apply_to_form(form, error)
            meeting = services.load_meeting(meeting_id)
            show_current_version(form, meeting.version)
        else:
            db.session.commit()
            flash("Meeting updated.", "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
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


def _agenda_context(meeting: Meeting, message: str | None = None) -> dict:
    """What the agenda fragment needs (items, preparation, load, forms)."""
    items = services.agenda_items(current_user, meeting)
    active = [i for i in items if i.status in ACTIVE_ITEM_STATUSES]
    return {
        "meeting": meeting,
        "items": active,
        "other_items": [i for i in items if i.status not in ACTIVE_ITEM_STATUSES],
        "preparation": services.preparation_for(i.case_id for i in active),
        "disciplines": REVIEW_DISCIPLINES,
        "load_count": len(active),
        "load_minutes": sum(i.planned_minutes for i in active),
        "can_manage": can_manage_meeting(current_user, meeting),
        "can_run": can_run_meeting(current_user, meeting),
        "move_form": MoveForm(),
        "reason_form": ReasonForm(),
        "action_form": ActionForm(),
        "message": message,
    }


@bp.route("/meetings/<int:meeting_id>")
@permission_required(Permission.MEETING_READ)
def detail(meeting_id: int):
    meeting = services.load_meeting(meeting_id)
    visible = can_view_agenda(current_user, meeting)
    context = _agenda_context(meeting) if visible else {"meeting": meeting}
    attendance = services.attendance_rows(meeting)
    members = _members(meeting.board_id)
    present_ids = {a.user_id for a in attendance if a.present and a.user_id}
    manage = can_manage_meeting(current_user, meeting)
    html = render_template(
        "meetings/detail.html",
        visible=visible,
        attendance=attendance,
        guests=[a for a in attendance if a.guest_name],
        members=members,
        present_ids=present_ids,
        quorum=services.quorum_from(meeting.board, attendance),
        stored_missing=[Discipline(v).label for v in meeting.missing_disciplines],
        can_attend=can_record_attendance(current_user, meeting),
        ready=services.ready_pool() if manage and meeting.is_open else [],
        guest_form=GuestForm(),
        cancel_form=ReasonForm(prefix="cancel"),
        **({"action_form": ActionForm()} | context),
    )
    if visible:
        _audit_agenda_read(meeting, context)
    return html


def _audit_agenda_read(meeting: Meeting, context: dict) -> None:
    """One audit entry per agenda view: the page lists patient names and MRNs."""
    count = len(context["items"]) + len(context["other_items"])
    services.record_agenda_read(current_user, meeting, count)
    db.session.commit()


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


@bp.route("/meetings/<int:meeting_id>/print")
@permission_required(Permission.MEETING_READ)
def print_agenda(meeting_id: int):
    meeting = services.load_meeting(meeting_id)
    if not can_view_agenda(current_user, meeting):
        abort(403)
    context = _agenda_context(meeting)
    html = render_template("meetings/print.html", **context)
    _audit_agenda_read(meeting, context)
    return html


def _status_action(meeting_id: int, action, success: str):
    meeting = services.load_meeting(meeting_id)
    if not ActionForm().validate_on_submit():
        flash("The request was incomplete; nothing was changed.", "error")
        return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    try:
        result = action(meeting)
    except (ServiceError, AccessDenied) as error:
        db.session.rollback()
        _flash_error(error)
        return redirect(url_for("meetings.detail", meeting_id=meeting_id))
    # Messages name other meetings: build them before the commit expires those.
    notices = [o.message for o in result] if isinstance(result, list) else []
    db.session.commit()
    flash(success, "success")
    for notice in notices:
        flash(notice, "info")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/publish", methods=["POST"])
@permission_required(Permission.MEETING_MANAGE)
def publish(meeting_id: int):
    return _status_action(
        meeting_id,
        lambda m: services.publish_meeting(current_user, m),
        "Agenda published: its order is frozen and the board's clinicians can see it.",
    )


@bp.route("/meetings/<int:meeting_id>/start", methods=["POST"])
@permission_required(Permission.MEETING_PRESENT)
def start(meeting_id: int):
    return _status_action(
        meeting_id,
        lambda m: services.start_meeting(current_user, m),
        "The meeting is in progress.",
    )


@bp.route("/meetings/<int:meeting_id>/close", methods=["POST"])
@permission_required(Permission.MEETING_PRESENT)
def close(meeting_id: int):
    return _status_action(
        meeting_id,
        lambda m: services.close_meeting(current_user, m),
        "Meeting closed; its quorum was recorded.",
    )


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["POST"])
@permission_required(Permission.MEETING_MANAGE)
def cancel(meeting_id: int):
    meeting = services.load_meeting(meeting_id)
    form = ReasonForm(prefix="cancel")
    if not form.validate_on_submit():
        flash("Give the reason for cancelling; nothing was changed.", "error")
        return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    try:
        returned = services.cancel_meeting(current_user, meeting, form.reason.data)
    except ServiceError as error:
        db.session.rollback()
        _flash_error(error)
        return redirect(url_for("meetings.detail", meeting_id=meeting_id))
    db.session.commit()
    flash("Meeting cancelled; calendars receive the cancellation.", "success")
    if returned:
        flash(
            f"{len(returned)} case{'s are' if len(returned) != 1 else ' is'} back in "
            "the ready pool: list them on another meeting.",
            "warning",
        )
    return redirect(url_for("meetings.detail", meeting_id=meeting.id))


# Agenda --------------------------------------------------------------------------


def _load_item(meeting: Meeting, item_id: int) -> AgendaItem:
    return db.first_or_404(
        sa.select(AgendaItem).where(
            AgendaItem.id == item_id, AgendaItem.meeting_id == meeting.id
        )
    )


@bp.route(
    "/meetings/<int:meeting_id>/agenda/add/<int:case_id>", methods=["GET", "POST"]
)
@permission_required(Permission.MEETING_MANAGE)
def add_item(meeting_id: int, case_id: int):
    meeting = services.load_meeting(meeting_id)
    case = db.first_or_404(
        sa.select(Case).where(Case.id == case_id).options(joinedload(Case.patient))
    )
    form = AgendaItemForm(clinicians=clinicians())
    if request.method == "GET":
        form.question.data = case.clinical_question
        form.planned_minutes.data = meeting.board.minutes_per_case
        form.presenter_id.data = case.lead_clinician_id
    if form.validate_on_submit():
        try:
            services.add_case(current_user, meeting, case, form.service_data())
        except ServiceError as error:
            db.session.rollback()
            apply_to_form(form, error)
            meeting = services.load_meeting(meeting_id)
            case = db.session.scalar(
                sa.select(Case)
                .where(Case.id == case_id)
                .options(joinedload(Case.patient))
            )
        else:
            db.session.commit()
            flash(f"{case.reference} added to the agenda.", "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return render_template(
        "meetings/item_form.html", form=form, meeting=meeting, case=case
    ), (400 if form.errors else 200)


def _agenda_response(meeting_id: int, message: str | None, status: int = 200):
    """The agenda fragment for htmx, or a redirect to the meeting page."""
    if _is_htmx():
        meeting = services.load_meeting(meeting_id)
        return render_template(
            "meetings/_agenda.html", **_agenda_context(meeting, message)
        ), status
    if message:
        flash(message, "success" if status == 200 else "error")
    return redirect(url_for("meetings.detail", meeting_id=meeting_id) + "#agenda")


def _reorder_action(meeting_id: int, action):
    meeting = services.load_meeting(meeting_id)
    try:
        message = action(meeting)
    except ServiceError as error:
        db.session.rollback()
        return _agenda_response(meeting_id, error.message, 409)
    db.session.commit()
    return _agenda_response(meeting_id, message)


@bp.route("/meetings/<int:meeting_id>/agenda/<int:item_id>/move", methods=["POST"])
@permission_required(Permission.MEETING_MANAGE)
def move_item(meeting_id: int, item_id: int):
    form = MoveForm()
    if not form.validate_on_submit():
        return _agenda_response(meeting_id, "Move up or down.", 400)

    def action(meeting):
        item = _load_item(meeting, item_id)
        return services.move_item(current_user, meeting, item, form.direction.data)

    return _reorder_action(meeting_id, action)


@bp.route("/meetings/<int:meeting_id>/agenda/order", methods=["POST"])
@permission_required(Permission.MEETING_MANAGE)
def reorder(meeting_id: int):
    if not ActionForm().validate_on_submit():
        return _agenda_response(meeting_id, "The request was incomplete.", 400)
    raw = request.form.getlist("item_ids")
    try:
        item_ids = [int(value) for value in raw]
    except ValueError:
        return _agenda_response(meeting_id, "The new order is not valid.", 400)
    if not item_ids:
        return _agenda_response(meeting_id, "The new order names no item.", 400)

    def action(meeting):
        services.reorder_agenda(current_user, meeting, item_ids)
        return "Agenda order saved."

    return _reorder_action(meeting_id, action)


@bp.route("/meetings/<int:meeting_id>/agenda/prioritise", methods=["POST"])
@permission_required(Permission.MEETING_MANAGE)
def prioritise(meeting_id: int):
    if not ActionForm().validate_on_submit():
        return _agenda_response(meeting_id, "The request was incomplete.", 400)

    def action(meeting):
        services.prioritise_urgent(current_user, meeting)
        return "Emergency and urgent cases now come first."

    return _reorder_action(meeting_id, action)


def _reason_action(meeting_id: int, item_id: int, action, back: str):
    meeting = services.load_meeting(meeting_id)
    item = _load_item(meeting, item_id)
    form = ReasonForm(prefix=f"item{item.id}")
    target = (
        url_for("meetings.present_item", meeting_id=meeting.id, item_id=item.id)
        if back == "present"
        else url_for("meetings.detail", meeting_id=meeting.id) + "#agenda"
    )
    if not form.validate_on_submit():
        flash("Give a reason; nothing was changed.", "error")
        return redirect(target)
    try:
        message = action(meeting, item, form.reason.data)
    except (ServiceError, AccessDenied) as error:
        db.session.rollback()
        _flash_error(error)
        return redirect(target)
    db.session.commit()
    flash(message, "success")
    return redirect(target)


@bp.route("/meetings/<int:meeting_id>/agenda/<int:item_id>/remove", methods=["POST"])
@permission_required(Permission.MEETING_MANAGE)
def remove_item(meeting_id: int, item_id: int):
    def action(meeting, item, reason):
        services.remove_item(current_user, meeting, item, reason)
        return "Removed from the agenda; the case is back in the ready pool."

    return _reason_action(meeting_id, item_id, action, "detail")


@bp.route("/meetings/<int:meeting_id>/agenda/<int:item_id>/defer", methods=["POST"])
@permission_required(Permission.MEETING_PRESENT)
def defer_item(meeting_id: int, item_id: int):
    def action(meeting, item, reason):
        return services.defer_item(current_user, meeting, item, reason).message

    return _reason_action(
        meeting_id, item_id, action, request.args.get("back", "detail")
    )


@bp.route("/meetings/<int:meeting_id>/agenda/<int:item_id>/discussed", methods=["POST"])
@permission_required(Permission.MEETING_PRESENT)
def discussed(meeting_id: int, item_id: int):
    meeting = services.load_meeting(meeting_id)
    item = _load_item(meeting, item_id)
    back = url_for("meetings.present_item", meeting_id=meeting.id, item_id=item.id)
    if not ActionForm().validate_on_submit():
        flash("The request was incomplete; nothing was changed.", "error")
        return redirect(back)
    try:
        services.mark_discussed(current_user, meeting, item)
    except (ServiceError, AccessDenied) as error:
        db.session.rollback()
        _flash_error(error)
        return redirect(back)
    db.session.commit()
    flash("Marked discussed.", "success")
    following = _neighbours(meeting, item)[1]
    if following is not None:
        return redirect(
            url_for("meetings.present_item", meeting_id=meeting.id, item_id=following)
        )
    return redirect(back)


# Attendance ----------------------------------------------------------------------


def _attendance_target(meeting_id: int) -> str:
    return url_for("meetings.detail", meeting_id=meeting_id) + "#attendance"


@bp.route("/meetings/<int:meeting_id>/attendance", methods=["POST"])
@permission_required(Permission.MEETING_READ)
def attendance(meeting_id: int):
    meeting = services.load_meeting(meeting_id)
    if not ActionForm().validate_on_submit():
        flash("The request was incomplete; nothing was changed.", "error")
        return redirect(_attendance_target(meeting.id))
    try:
        present = [int(v) for v in request.form.getlist("present")]
        result = services.record_attendance(current_user, meeting, present)
    except ValueError:
        db.session.rollback()
        flash("The attendance list was not valid; nothing was changed.", "error")
        return redirect(_attendance_target(meeting.id))
    except (ServiceError, AccessDenied) as error:
        db.session.rollback()
        _flash_error(error)
        return redirect(_attendance_target(meeting.id))
    db.session.commit()
    if result.is_quorate:
        flash("Attendance saved. The meeting is quorate.", "success")
    else:
        flash(
            "Attendance saved. Not quorate: "
            + ", ".join(d.label for d in result.missing)
            + " missing.",
            "warning",
        )
    return redirect(_attendance_target(meeting.id))


@bp.route("/meetings/<int:meeting_id>/attendance/guests", methods=["POST"])
@permission_required(Permission.MEETING_READ)
def add_guest(meeting_id: int):
    meeting = services.load_meeting(meeting_id)
    form = GuestForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(errors), "error")
        return redirect(_attendance_target(meeting.id))
    try:
        services.add_guest(
            current_user, meeting, form.guest_name.data, form.discipline.data
        )
    except (ServiceError, AccessDenied) as error:
        db.session.rollback()
        _flash_error(error)
        return redirect(_attendance_target(meeting.id))
    db.session.commit()
    flash(f"Guest {form.guest_name.data} recorded as present.", "success")
    return redirect(_attendance_target(meeting.id))


@bp.route(
    "/meetings/<int:meeting_id>/attendance/<int:attendance_id>/remove",
    methods=["POST"],
)
@permission_required(Permission.MEETING_READ)
def remove_guest(meeting_id: int, attendance_id: int):
    meeting = services.load_meeting(meeting_id)
    row = db.first_or_404(
        sa.select(Attendance).where(
            Attendance.id == attendance_id, Attendance.meeting_id == meeting.id
        )
    )
    if not ActionForm().validate_on_submit():
        flash("The request was incomplete; nothing was changed.", "error")
        return redirect(_attendance_target(meeting.id))
    try:
        services.remove_guest(current_user, meeting, row)
    except (ServiceError, AccessDenied) as error:
        db.session.rollback()
        _flash_error(error)
        return redirect(_attendance_target(meeting.id))
    db.session.commit()
    flash("Guest removed.", "success")
    return redirect(_attendance_target(meeting.id))


# Presentation mode -----------------------------------------------------------------


def _sequence(meeting: Meeting) -> list[tuple[int, AgendaItemStatus]]:
    """(item id, status) of every presented item, in agenda order."""
    return [
        (item_id, status)
        for item_id, status in db.session.execute(
            sa.select(AgendaItem.id, AgendaItem.status)
            .where(
                AgendaItem.meeting_id == meeting.id,
                AgendaItem.status != AgendaItemStatus.WITHDRAWN,
            )
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    ]


def _neighbours(meeting: Meeting, item: AgendaItem) -> tuple[int | None, int | None]:
    """Previous and next item ids around ``item`` (deferred ones are skipped)."""
    ids = [
        i
        for i, status in _sequence(meeting)
        if status in ACTIVE_ITEM_STATUSES or i == item.id
    ]
    index = ids.index(item.id) if item.id in ids else -1
    previous = ids[index - 1] if index > 0 else None
    following = ids[index + 1] if 0 <= index < len(ids) - 1 else None
    return previous, following


@bp.route("/meetings/<int:meeting_id>/present")
@permission_required(Permission.MEETING_PRESENT)
def present(meeting_id: int):
    meeting = services.load_meeting(meeting_id)
    if not can_view_agenda(current_user, meeting):
        abort(403)
    sequence = _sequence(meeting)
    first = next((i for i, s in sequence if s == AgendaItemStatus.LISTED), None)
    if first is None and sequence:
        first = sequence[0][0]
    if first is None:
        flash("The agenda has no case to present.", "info")
        return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return redirect(
        url_for("meetings.present_item", meeting_id=meeting.id, item_id=first)
    )


@bp.route("/meetings/<int:meeting_id>/present/<int:item_id>")
@permission_required(Permission.MEETING_PRESENT)
def present_item(meeting_id: int, item_id: int):
    meeting = services.load_meeting(meeting_id)
    if not can_view_agenda(current_user, meeting):
        abort(403)
    item = db.first_or_404(
        sa.select(AgendaItem)
        .where(AgendaItem.id == item_id, AgendaItem.meeting_id == meeting.id)
        .options(
            joinedload(AgendaItem.case).options(
                joinedload(Case.patient), joinedload(Case.lead_clinician)
            ),
            joinedload(AgendaItem.presenter),
        )
    )
    case = item.case
    services.record_presentation_read(current_user, meeting, item)
    db.session.commit()
    sequence = [i for i, s in _sequence(meeting) if s in ACTIVE_ITEM_STATUSES]
    previous, following = _neighbours(meeting, item)
    earlier = db.session.scalars(
        sa.select(AgendaItem)
        .where(AgendaItem.case_id == case.id, AgendaItem.id != item.id)
        .options(selectinload(AgendaItem.meeting).joinedload(Meeting.board))
        .order_by(AgendaItem.id.desc())
        .limit(20)
    ).all()
    return render_template(
        "meetings/present.html",
        meeting=meeting,
        item=item,
        case=case,
        patient=case.patient,
        number=(sequence.index(item.id) + 1) if item.id in sequence else None,
        total=len(sequence),
        previous=previous,
        following=following,
        earlier=earlier,
        panels=load_panels("presentation", current_user, case),
        site=catalogue.topography(case.site_code),
        primary=(
            catalogue.metastatic_primary(case.known_primary)
            if case.known_primary
            else None
        ),
        can_run=can_run_meeting(current_user, meeting),
        action_form=ActionForm(),
        reason_form=ReasonForm(prefix=f"item{item.id}"),
        is_open=meeting.status
        in (MeetingStatus.PLANNED, MeetingStatus.PUBLISHED, MeetingStatus.IN_PROGRESS),
    )
