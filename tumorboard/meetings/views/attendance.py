"""Attendance: members present, guests added and removed."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, request, url_for
from flask_login import current_user

from tumorboard.auth.permissions import (
    Permission,
    can_record_attendance,
    permission_required,
)
from tumorboard.extensions import db
from tumorboard.meetings import services
from tumorboard.meetings.forms import ActionForm, GuestForm
from tumorboard.meetings.models import Attendance
from tumorboard.meetings.views._shared import refused
from tumorboard.meetings.views.blueprint import bp
from tumorboard.web import REFUSED, attempt


def _attendance_target(meeting_id: int) -> str:
    return url_for("meetings.detail", meeting_id=meeting_id) + "#attendance"


@bp.route("/meetings/<int:meeting_id>/attendance", methods=["POST"])
@permission_required(Permission.MEETING_READ)
def attendance(meeting_id: int):
    meeting = services.load_meeting(meeting_id)
    target = _attendance_target(meeting.id)
    if not ActionForm().validate_on_submit():
        flash("The request was incomplete; nothing was changed.", "error")
        return redirect(target)
    try:
        present = [int(v) for v in request.form.getlist("present")]
    except ValueError:
        flash("The attendance list was not valid; nothing was changed.", "error")
        return redirect(target)
    if refused(
        can_record_attendance(current_user, meeting), services.ATTENDANCE_REFUSED
    ):
        return redirect(target)
    result = attempt(None, services.record_attendance, current_user, meeting, present)
    if result is REFUSED:
        return redirect(target)
    if result.is_quorate:
        flash("Attendance saved. The meeting is quorate.", "success")
    else:
        flash(
            "Attendance saved. Not quorate: "
            + ", ".join(d.label for d in result.missing)
            + " missing.",
            "warning",
        )
    return redirect(target)


@bp.route("/meetings/<int:meeting_id>/attendance/guests", methods=["POST"])
@permission_required(Permission.MEETING_READ)
def add_guest(meeting_id: int):
    meeting = services.load_meeting(meeting_id)
    target = _attendance_target(meeting.id)
    form = GuestForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(errors), "error")
        return redirect(target)
    if refused(
        can_record_attendance(current_user, meeting), services.ATTENDANCE_REFUSED
    ):
        return redirect(target)
    guest = attempt(
        None,
        services.add_guest,
        current_user,
        meeting,
        form.guest_name.data,
        form.discipline.data,
    )
    if guest is not REFUSED:
        flash(f"Guest {form.guest_name.data} recorded as present.", "success")
    return redirect(target)


@bp.route(
    "/meetings/<int:meeting_id>/attendance/<int:attendance_id>/remove",
    methods=["POST"],
)
@permission_required(Permission.MEETING_READ)
def remove_guest(meeting_id: int, attendance_id: int):
    meeting = services.load_meeting(meeting_id)
    target = _attendance_target(meeting.id)
    row = db.first_or_404(
        sa.select(Attendance).where(
            Attendance.id == attendance_id, Attendance.meeting_id == meeting.id
        )
    )
    if not ActionForm().validate_on_submit():
        flash("The request was incomplete; nothing was changed.", "error")
        return redirect(target)
    if refused(
        can_record_attendance(current_user, meeting), services.ATTENDANCE_REFUSED
    ):
        return redirect(target)
    if attempt(None, services.remove_guest, current_user, meeting, row) is not REFUSED:
        flash("Guest removed.", "success")
    return redirect(target)
