"""Boards: the list, setting one up and editing it, planning its meetings and
renewing its calendar feed address."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from tumorboard.auth.models import User
from tumorboard.auth.permissions import BOARD_ROLES, Permission, permission_required
from tumorboard.extensions import db
from tumorboard.forms import show_current_version
from tumorboard.meetings import services
from tumorboard.meetings.forms import ActionForm, BoardForm, GenerateForm
from tumorboard.meetings.models import Board, board_members
from tumorboard.meetings.views.blueprint import bp
from tumorboard.web import REFUSED, attempt


def _people() -> list[User]:
    """Active accounts that can sit on a board: clinicians and coordinators
    (not administrators nor privacy officers)."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.is_active.is_(True), User.role.in_(list(BOARD_ROLES)))
            .order_by(User.name)
        )
    )


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
        board = attempt(form, services.create_board, current_user, form.service_data())
        if board is not REFUSED:
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
        saved = attempt(
            form,
            services.update_board,
            current_user,
            board,
            form.service_data(),
            form.version.data,
        )
        if saved is not REFUSED:
            flash("Board updated.", "success")
            return redirect(url_for("meetings.board_detail", board_id=board.id))
        board = services.load_board(board_id)
        show_current_version(form, board.version)
    return render_template("meetings/board_form.html", form=form, board=board), (
        400 if form.errors else 200
    )


@bp.route("/boards/<int:board_id>/generate", methods=["POST"])
@permission_required(Permission.MEETING_MANAGE)
def board_generate(board_id: int):
    board = db.get_or_404(Board, board_id)
    back = url_for("meetings.board_detail", board_id=board.id)
    form = GenerateForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(errors), "error")
        return redirect(back)
    weeks = form.weeks.data
    created = attempt(None, services.generate_meetings, current_user, board, weeks)
    if created is REFUSED:
        return redirect(back)
    if created:
        flash(
            f"{len(created)} meeting{'s' if len(created) != 1 else ''} planned "
            f"for the next {weeks} weeks.",
            "success",
        )
    else:
        flash(f"Every week of the next {weeks} already has a meeting.", "info")
    return redirect(back)


@bp.route("/boards/<int:board_id>/feed-token", methods=["POST"])
@permission_required(Permission.BOARD_MANAGE)
def board_feed_token(board_id: int):
    board = db.get_or_404(Board, board_id)
    if not ActionForm().validate_on_submit():
        flash("The request was incomplete; nothing was changed.", "error")
        return redirect(url_for("meetings.board_detail", board_id=board.id))
    services.regenerate_feed_token(current_user, board)
    flash(
        "The calendar feed has a new address; subscriptions to the old one stop "
        "updating.",
        "success",
    )
    return redirect(url_for("meetings.board_detail", board_id=board.id))
