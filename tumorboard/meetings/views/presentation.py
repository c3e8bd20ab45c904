"""Presentation mode: one case at a time, in agenda order, marked discussed as
the board goes."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from tumorboard.auth.permissions import (
    Permission,
    can_run_meeting,
    can_view_agenda,
    permission_required,
)
from tumorboard.cases.models import Case
from tumorboard.cases.panels import load_panels
from tumorboard.clinical import catalogue
from tumorboard.extensions import db
from tumorboard.meetings import services
from tumorboard.meetings.forms import ActionForm, ReasonForm
from tumorboard.meetings.models import (
    ACTIVE_ITEM_STATUSES,
    AgendaItem,
    AgendaItemStatus,
    Meeting,
    MeetingStatus,
)
from tumorboard.meetings.views._shared import load_item, refused
from tumorboard.meetings.views.blueprint import bp
from tumorboard.web import REFUSED, attempt


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


@bp.route("/meetings/<int:meeting_id>/agenda/<int:item_id>/discussed", methods=["POST"])
@permission_required(Permission.MEETING_PRESENT)
def discussed(meeting_id: int, item_id: int):
    meeting = services.load_meeting(meeting_id)
    item = load_item(meeting, item_id)
    back = url_for("meetings.present_item", meeting_id=meeting.id, item_id=item.id)
    if not ActionForm().validate_on_submit():
        flash("The request was incomplete; nothing was changed.", "error")
        return redirect(back)
    if refused(can_run_meeting(current_user, meeting), services.RUN_REFUSED):
        return redirect(back)
    if attempt(None, services.mark_discussed, current_user, meeting, item) is REFUSED:
        return redirect(back)
    flash("Marked discussed.", "success")
    following = _neighbours(meeting, item)[1]
    if following is not None:
        return redirect(
            url_for("meetings.present_item", meeting_id=meeting.id, item_id=following)
        )
    return redirect(back)
