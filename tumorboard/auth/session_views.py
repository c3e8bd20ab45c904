"""Your sessions: every browser signed in to one's account, and signing them
out; an administrator's "Sign out everywhere" for a person."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from tumorboard.auth import sessions
from tumorboard.auth.devices import describe_device
from tumorboard.auth.models import User, UserSession
from tumorboard.auth.permissions import Permission, authenticated, permission_required
from tumorboard.extensions import db
from tumorboard.web import REFUSED, attempt

bp = Blueprint("sessions", __name__)


@bp.route("/account/sessions")
@authenticated
def index():
    current = sessions.current_session()
    current_id = current.id if current is not None else None
    # This device first, then the others, most recently used first.
    rows = sorted(
        sessions.live_sessions(current_user), key=lambda r: r.id != current_id
    )
    return render_template(
        "auth/sessions.html",
        rows=rows,
        current_id=current_id,
        describe=describe_device,
    )


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
@authenticated
def end(session_id: int):
    # Someone else's session is as unknown as one that does not exist.
    row = db.first_or_404(
        sa.select(UserSession).where(
            UserSession.id == session_id, UserSession.user_id == current_user.id
        )
    )
    if attempt(None, sessions.end_session, current_user, row) is not REFUSED:
        flash("That session is signed out.", "success")
    return redirect(url_for("sessions.index"))


@bp.route("/account/sessions/end-others", methods=["POST"])
@authenticated
def end_others():
    ended = attempt(None, sessions.end_other_sessions, current_user)
    if ended is not REFUSED:
        flash(
            "You are signed out everywhere else."
            if ended
            else "You had no other sessions; this one continues.",
            "success",
        )
    return redirect(url_for("sessions.index"))


@bp.route("/admin/users/<int:user_id>/sessions/end", methods=["POST"])
@permission_required(Permission.USER_MANAGE)
def end_all_of_user(user_id: int):
    user = db.get_or_404(User, user_id)
    name = user.name
    ended = attempt(None, sessions.end_all_sessions, current_user, user)
    if ended is not REFUSED:
        flash(
            f"{name} is signed out everywhere ({ended} "
            f"session{'' if ended == 1 else 's'} ended).",
            "success",
        )
    return redirect(url_for("auth.user_edit", user_id=user_id))
