"""Presentation mode: the meeting-room screen, one case at a time in agenda
order, with the decision panel for the chair or coordinator."""

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
from tumorboard.meetings.forms import DiscussedForm
from tumorboard.meetings.hooks import has_decision
from tumorboard.meetings.models import (
    ACTIVE_ITEM_STATUSES,
    AgendaItem,
    AgendaItemStatus,
    Meeting,
    MeetingStatus,
)
from tumorboard.meetings.panels import load_item_panels
from tumorboard.meetings.views._shared import refused
from tumorboard.meetings.views.blueprint import bp
from tumorboard.web import REFUSED, attempt

#: Meeting states in which the board still decides items.
OPEN_STATES = (
    MeetingStatus.PLANNED,
    MeetingStatus.PUBLISHED,
    MeetingStatus.IN_PROGRESS,
)


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


def _neighbours(
    sequence: list[tuple[int, AgendaItemStatus]], item: AgendaItem
) -> tuple[int | None, int | None]:
    """Previous and next item ids around ``item`` (deferred ones are skipped)."""
    ids = [
        i for i, status in sequence if status in ACTIVE_ITEM_STATUSES or i == item.id
    ]
    index = ids.index(item.id) if item.id in ids else -1
    previous = ids[index - 1] if index > 0 else None
    following = ids[index + 1] if 0 <= index < len(ids) - 1 else None
    return previous, following


def load_presented_item(meeting: Meeting, item_id: int) -> AgendaItem:
    """An item of ``meeting`` with its case, patient, lead and presenter."""
    return db.first_or_404(
        sa.select(AgendaItem)
        .where(AgendaItem.id == item_id, AgendaItem.meeting_id == meeting.id)
        .options(
            joinedload(AgendaItem.case).options(
                joinedload(Case.patient), joinedload(Case.lead_clinician)
            ),
            joinedload(AgendaItem.presenter),
            joinedload(AgendaItem.meeting).joinedload(Meeting.board),
        )
    )


def stage_context(meeting: Meeting, item: AgendaItem) -> dict:
    """What the case part of the screen shows (shared with the followers'
    screens): the case, its panels and its earlier agenda items."""
    case = item.case
    sequence = _sequence(meeting)
    active = [i for i, s in sequence if s in ACTIVE_ITEM_STATUSES]
    previous, following = _neighbours(sequence, item)
    earlier = db.session.scalars(
        sa.select(AgendaItem)
        .where(AgendaItem.case_id == case.id, AgendaItem.id != item.id)
        .options(selectinload(AgendaItem.meeting).joinedload(Meeting.board))
        .order_by(AgendaItem.id.desc())
        .limit(20)
    ).all()
    return {
        "meeting": meeting,
        "item": item,
        "case": case,
        "patient": case.patient,
        "number": (active.index(item.id) + 1) if item.id in active else None,
        "total": len(active),
        "previous": previous,
        "following": following,
        "earlier": earlier,
        "panels": load_panels("presentation", current_user, case),
        "side_panels": load_panels("presentation_side", current_user, case),
        "site": catalogue.topography(case.site_code),
        "primary": (
            catalogue.metastatic_primary(case.known_primary)
            if case.known_primary
            else None
        ),
    }


def presentation_page(
    meeting: Meeting, item: AgendaItem, *, status: int = 200, **overrides
):
    """The presentation screen for ``item``; ``overrides`` replace parts of
    the context (a decision form coming back with its errors)."""
    can_run = can_run_meeting(current_user, meeting)
    context = {
        **stage_context(meeting, item),
        "can_run": can_run,
        "is_open": meeting.status in OPEN_STATES,
        "decided": any(has_decision.run(item)),
        "discussed_form": DiscussedForm(formdata=None, prefix=f"discussed{item.id}"),
        "decision_panels": (
            load_item_panels("decision", current_user, item) if can_run else []
        ),
        **overrides,
    }
    return render_template("meetings/present.html", **context), status


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
    item = load_presented_item(meeting, item_id)
    services.record_presentation_read(current_user, meeting, item)
    services.move_presenter(current_user, meeting, item)
    return presentation_page(meeting, item)


@bp.route("/meetings/<int:meeting_id>/agenda/<int:item_id>/discussed", methods=["POST"])
@permission_required(Permission.MEETING_PRESENT)
def discussed(meeting_id: int, item_id: int):
    meeting = services.load_meeting(meeting_id)
    item = load_presented_item(meeting, item_id)
    back = url_for("meetings.present_item", meeting_id=meeting.id, item_id=item.id)
    form = DiscussedForm(prefix=f"discussed{item.id}")
    if refused(can_run_meeting(current_user, meeting), services.RUN_REFUSED):
        return redirect(back)
    if form.validate_on_submit():
        done = attempt(
            form,
            services.mark_discussed,
            current_user,
            meeting,
            item,
            reason=form.reason.data,
        )
        if done is not REFUSED:
            flash(f"{item.case.reference} marked discussed.", "success")
            return redirect(back)
    elif not form.errors:
        flash("The request was incomplete; nothing was changed.", "error")
        return redirect(back)
    # The reason (or why it is needed) comes back beside what was typed.
    meeting = services.load_meeting(meeting_id)
    item = load_presented_item(meeting, item_id)
    services.record_presentation_read(current_user, meeting, item)
    return presentation_page(meeting, item, status=400, discussed_form=form)
