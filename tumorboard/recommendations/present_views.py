"""Deciding at the table: the decision panel of presentation mode, where the
chair or coordinator records (or corrects) the draft recommendation for the
case on screen without leaving the meeting-room screen.

The same forms, services and rules as the recording page; a refused save
comes back in the panel with every error at once and what was typed."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_login import current_user

from tumorboard.auth.permissions import (
    Permission,
    can_record_recommendation,
    can_run_meeting,
    can_view_agenda,
    permission_required,
)
from tumorboard.meetings import services as meetings
from tumorboard.meetings.models import AgendaItem
from tumorboard.meetings.panels import Panel, load_item_panels, register_item_panel
from tumorboard.meetings.views.presentation import (
    load_presented_item,
    presentation_page,
)
from tumorboard.recommendations import services
from tumorboard.recommendations.forms import DraftForm, RecommendationForm
from tumorboard.recommendations.models import Recommendation, RecommendationCode
from tumorboard.recommendations.services.validation import (
    recording_closed_reason,
)
from tumorboard.recommendations.views import bp, reload_refused, save
from tumorboard.web import REFUSED

#: Name of the decision panel (the view puts a refused form back into it).
PANEL = "recommendation_decision"


def _form_for(rec: Recommendation | None):
    """An empty recording form, or the draft's values to correct."""
    if rec is None:
        return RecommendationForm(formdata=None)
    return DraftForm.from_recommendation(rec, formdata=None)


def _decision_panel(user, item: AgendaItem) -> dict:
    """The current recommendation of the item, and the form to record or
    correct the draft when the user may (two queries)."""
    meeting = item.meeting
    rec = services.current_recommendation(item)
    closed_reason = recording_closed_reason(item, meeting)
    editable = (rec is None or rec.state.value == "draft") and closed_reason is None
    may_write = can_record_recommendation(user, meeting) and can_run_meeting(
        user, meeting
    )
    return {
        "rec": rec,
        "meeting": meeting,
        "item": item,
        "codes": RecommendationCode,
        "closed_reason": closed_reason,
        "form": _form_for(rec) if editable and may_write else None,
        "mode": "new" if rec is None else "edit",
    }


register_item_panel(
    Panel(
        name=PANEL,
        template="recommendations/_present_decision.html",
        load=_decision_panel,
        slot="decision",
        order=10,
    )
)


def _refused_page(meeting_id: int, item_id: int, form):
    """The presentation screen again, the panel holding the refused form."""
    meeting = meetings.load_meeting(meeting_id)
    item = load_presented_item(meeting, item_id)
    meetings.record_presentation_read(current_user, meeting, item)
    panels = load_item_panels("decision", current_user, item)
    for panel_def, context in panels:
        if panel_def.name == PANEL:
            context["form"] = form
    return presentation_page(meeting, item, status=400, decision_panels=panels)


def _load(meeting_id: int, item_id: int):
    meeting = meetings.load_meeting(meeting_id)
    if not can_view_agenda(current_user, meeting):
        abort(403)
    return meeting, load_presented_item(meeting, item_id)


def _back(meeting_id: int, item_id: int):
    return redirect(
        url_for("meetings.present_item", meeting_id=meeting_id, item_id=item_id)
        + "#decision"
    )


@bp.route(
    "/meetings/<int:meeting_id>/present/<int:item_id>/recommendation",
    methods=["POST"],
)
@permission_required(Permission.RECOMMENDATION_WRITE)
def present_record(meeting_id: int, item_id: int):
    meeting, item = _load(meeting_id, item_id)
    if not can_run_meeting(current_user, meeting):
        flash(meetings.RUN_REFUSED, "error")
        return _back(meeting_id, item_id)
    form = RecommendationForm()
    rec = save(
        form,
        meeting,
        lambda data: services.record_recommendation(current_user, item, data),
    )
    if rec is not None and rec is not REFUSED:
        flash(
            f"Draft recommendation for {item.case.reference} recorded; "
            "mark the case discussed when the board moves on.",
            "success",
        )
        return _back(meeting_id, item_id)
    return _refused_page(meeting_id, item_id, form)


@bp.route(
    "/meetings/<int:meeting_id>/present/<int:item_id>/recommendation/<int:rec_id>",
    methods=["POST"],
)
@permission_required(Permission.RECOMMENDATION_WRITE)
def present_edit(meeting_id: int, item_id: int, rec_id: int):
    meeting, item = _load(meeting_id, item_id)
    rec = services.current_recommendation(item)
    if rec is None or rec.id != rec_id:
        abort(404)
    if not can_run_meeting(current_user, meeting):
        flash(meetings.RUN_REFUSED, "error")
        return _back(meeting_id, item_id)
    form = DraftForm()
    saved = save(
        form,
        meeting,
        lambda data: services.update_recommendation(
            current_user, rec, data, form.version.data
        ),
    )
    if saved is REFUSED:
        # After a conflict the form shows the version now current, so that
        # the next save is a deliberate one.
        reload_refused(form, rec_id)
    elif saved is not None:
        flash("Draft recommendation saved.", "success")
        return _back(meeting_id, item_id)
    return _refused_page(meeting_id, item_id, form)
