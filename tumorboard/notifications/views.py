"""The notification centre, preferences, and the administrator's outbox."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from tumorboard.auth.permissions import (
    Permission,
    authenticated,
    permission_required,
)
from tumorboard.extensions import db
from tumorboard.notifications import outbox, services
from tumorboard.notifications.kinds import Channel
from tumorboard.notifications.models import OutboxMessage, OutboxStatus
from tumorboard.web import REFUSED, attempt

bp = Blueprint("notifications", __name__)

#: Outbox messages listed per page.
OUTBOX_PAGE = 100


def _page() -> int:
    page = request.args.get("page", 1, type=int) or 1
    return max(1, min(page, 10_000))


@bp.route("/notifications/")
@authenticated
def index():
    """The signed-in person's notifications, newest first."""
    page = _page()
    rows, more = services.notifications_of(current_user, page)
    return render_template(
        "notifications/index.html",
        notifications=rows,
        page=page,
        more=more,
        form=FlaskForm(),
    )


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@authenticated
def mark_read(notification_id: int):
    """Mark one notification read; ``open`` goes on to what it is about."""
    form = FlaskForm()
    if not form.validate_on_submit():
        flash("The form expired; reload the page and try again.", "error")
        return redirect(url_for("notifications.index"))
    notification = attempt(None, services.mark_read, current_user, notification_id)
    if notification is not REFUSED and request.form.get("open"):
        return redirect(notification.link)
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/read-all", methods=["POST"])
@authenticated
def mark_all_read():
    """Mark every notification read."""
    form = FlaskForm()
    if not form.validate_on_submit():
        flash("The form expired; reload the page and try again.", "error")
        return redirect(url_for("notifications.index"))
    count = services.mark_all_read(current_user)
    flash(
        f"{count} notification{'' if count == 1 else 's'} marked read."
        if count
        else "Nothing was unread.",
        "success",
    )
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@authenticated
def preferences():
    """Per kind: in the app only, e-mail at once, daily digest, or off."""
    form = FlaskForm()
    submitted: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        submitted = {k: v for k, v in request.form.items() if k != "csrf_token"}
        if not form.validate_on_submit():
            form.form_errors.append("The form expired; reload the page and try again.")
            status = 400
        else:
            changed = attempt(form, services.save_preferences, current_user, submitted)
            if changed is not REFUSED:
                flash(
                    "Notification settings saved."
                    if changed
                    else "Nothing changed; nothing was saved.",
                    "success",
                )
                return redirect(url_for("notifications.preferences"))
            status = 400
    return render_template(
        "notifications/preferences.html",
        rows=services.preference_rows(current_user),
        submitted=submitted,
        form=form,
        Channel=Channel,
    ), status


@bp.route("/admin/outbox/")
@permission_required(Permission.OUTBOX_READ)
def outbox_index():
    """Every e-mail of the outbox with its state and last error."""
    wanted = request.args.get("status") or ""
    try:
        status = OutboxStatus(wanted) if wanted else None
    except ValueError:
        flash(f"'{wanted[:30]}' is not a state of the outbox; showing all.", "error")
        status = None
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    page = _page()
    rows = list(
        db.session.scalars(
            query.offset((page - 1) * OUTBOX_PAGE).limit(OUTBOX_PAGE + 1)
        )
    )
    return render_template(
        "notifications/outbox.html",
        messages=rows[:OUTBOX_PAGE],
        more=len(rows) > OUTBOX_PAGE,
        page=page,
        status=status,
        counts=outbox.counts(),
        statuses=list(OutboxStatus),
        smtp=outbox.smtp_configured(),
        form=FlaskForm(),
    )


@bp.route("/admin/outbox/<int:message_id>/requeue", methods=["POST"])
@permission_required(Permission.OUTBOX_READ)
def outbox_requeue(message_id: int):
    """Queue a failed message again."""
    form = FlaskForm()
    message = db.get_or_404(OutboxMessage, message_id)
    if not form.validate_on_submit():
        flash("The form expired; reload the page and try again.", "error")
    elif message.status != OutboxStatus.DEAD:
        flash(
            f"Message {message.id} is {message.status.label.lower()}; only a failed "
            "message can be queued again.",
            "error",
        )
    else:
        outbox.requeue(current_user, message)
        flash(f"Message {message.id} is queued again.", "success")
    return redirect(url_for("notifications.outbox_index"))
