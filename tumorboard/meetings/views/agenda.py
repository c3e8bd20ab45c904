"""Building the agenda: listing a ready case, ordering the items (also as htmx
fragments), removing and deferring items."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload

from tumorboard.auth.permissions import Permission, can_run_meeting, permission_required
from tumorboard.auth.services import clinicians
from tumorboard.cases.models import Case
from tumorboard.cases.services import record_read as record_case_read
from tumorboard.extensions import db
from tumorboard.meetings import services
from tumorboard.meetings.forms import ActionForm, AgendaItemForm, MoveForm, ReasonForm
from tumorboard.meetings.views._shared import (
    agenda_context,
    load_item,
    record_agenda_read,
    refused,
)
from tumorboard.meetings.views.blueprint import bp
from tumorboard.web import REFUSED, attempt


def _load_case(case_id: int) -> Case:
    return db.first_or_404(
        sa.select(Case).where(Case.id == case_id).options(joinedload(Case.patient))
    )


@bp.route(
    "/meetings/<int:meeting_id>/agenda/add/<int:case_id>", methods=["GET", "POST"]
)
@permission_required(Permission.MEETING_MANAGE)
def add_item(meeting_id: int, case_id: int):
    meeting = services.load_meeting(meeting_id)
    case = _load_case(case_id)
    form = AgendaItemForm(clinicians=clinicians())
    if request.method == "GET":
        form.question.data = case.clinical_question
        form.planned_minutes.data = meeting.board.minutes_per_case
        form.presenter_id.data = case.lead_clinician_id
    if form.validate_on_submit():
        item = attempt(
            form, services.add_case, current_user, meeting, case, form.service_data()
        )
        if item is not REFUSED:
            flash(f"{case.reference} added to the agenda.", "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
        meeting = services.load_meeting(meeting_id)
        case = _load_case(case_id)
    # The form names the patient.
    record_case_read(current_user, case, "to add it to an agenda")
    return render_template(
        "meetings/item_form.html", form=form, meeting=meeting, case=case
    ), (400 if form.errors else 200)


def _is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def _agenda_response(meeting_id: int, message: str | None, status: int = 200):
    """The agenda fragment for htmx, or a redirect to the meeting page."""
    if _is_htmx():
        meeting = services.load_meeting(meeting_id)
        context = agenda_context(meeting, message)
        record_agenda_read(meeting, context)
        return render_template("meetings/_agenda.html", **context), status
    if message:
        flash(message, "success" if status == 200 else "error")
    return redirect(url_for("meetings.detail", meeting_id=meeting_id) + "#agenda")


def _reorder_action(meeting_id: int, form: FlaskForm, action: Callable):
    """Run ``action(meeting)``, which returns a sentence, and answer with the
    agenda; a refusal comes back in the fragment with status 409."""
    meeting = services.load_meeting(meeting_id)
    message = attempt(form, action, meeting)
    if message is REFUSED:
        refusal = " ".join(m for errors in form.errors.values() for m in errors)
        return _agenda_response(meeting_id, refusal, 409)
    return _agenda_response(meeting_id, message)


@bp.route("/meetings/<int:meeting_id>/agenda/<int:item_id>/move", methods=["POST"])
@permission_required(Permission.MEETING_MANAGE)
def move_item(meeting_id: int, item_id: int):
    form = MoveForm()
    if not form.validate_on_submit():
        return _agenda_response(meeting_id, "Move up or down.", 400)

    def action(meeting):
        item = load_item(meeting, item_id)
        return services.move_item(current_user, meeting, item, form.direction.data)

    return _reorder_action(meeting_id, form, action)


@bp.route("/meetings/<int:meeting_id>/agenda/order", methods=["POST"])
@permission_required(Permission.MEETING_MANAGE)
def reorder(meeting_id: int):
    form = ActionForm()
    if not form.validate_on_submit():
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

    return _reorder_action(meeting_id, form, action)


@bp.route("/meetings/<int:meeting_id>/agenda/prioritise", methods=["POST"])
@permission_required(Permission.MEETING_MANAGE)
def prioritise(meeting_id: int):
    form = ActionForm()
    if not form.validate_on_submit():
        return _agenda_response(meeting_id, "The request was incomplete.", 400)

    def action(meeting):
        services.prioritise_urgent(current_user, meeting)
        return "Emergency and urgent cases now come first."

    return _reorder_action(meeting_id, form, action)


def _reason_action(
    meeting_id: int,
    item_id: int,
    action: Callable,
    back: str,
    *,
    chair_too: bool = False,
):
    """Run ``action(meeting, item, reason)``, which returns a sentence, and go
    back to the agenda or to the item in presentation mode; ``chair_too``:
    the meeting's chair may do it as well as the coordinator."""
    meeting = services.load_meeting(meeting_id)
    item = load_item(meeting, item_id)
    form = ReasonForm(prefix=f"item{item.id}")
    target = (
        url_for("meetings.present_item", meeting_id=meeting.id, item_id=item.id)
        if back == "present"
        else url_for("meetings.detail", meeting_id=meeting.id) + "#agenda"
    )
    if not form.validate_on_submit():
        flash("Give a reason; nothing was changed.", "error")
        return redirect(target)
    if chair_too and refused(
        can_run_meeting(current_user, meeting), services.RUN_REFUSED
    ):
        return redirect(target)
    message = attempt(None, action, meeting, item, form.reason.data)
    if message is not REFUSED:
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
        meeting_id,
        item_id,
        action,
        request.args.get("back", "detail"),
        chair_too=True,
    )
