"""Recording, signing, amending and following up board recommendations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy.orm import joinedload

from tumorboard.auth.permissions import (
    Permission,
    authenticated,
    can_amend_recommendation,
    can_change_action,
    can_view_agenda,
    may_add_action,
    may_amend,
    may_edit_recommendation,
    may_implement,
    may_sign,
    permission_required,
)
from tumorboard.cases.models import Case
from tumorboard.cases.services import masked_ids, record_list_read
from tumorboard.extensions import db
from tumorboard.forms import show_current_version
from tumorboard.meetings.models import AgendaItem, Meeting
from tumorboard.pagination import paginate
from tumorboard.recommendations import services
from tumorboard.recommendations.forms import (
    ActionForm,
    ActionStatusForm,
    AmendForm,
    DiscardForm,
    DraftAmendmentForm,
    DraftForm,
    ImplementationForm,
    RecommendationForm,
    SignForm,
)
from tumorboard.recommendations.models import (
    ActionItem,
    Recommendation,
    RecommendationCode,
)
from tumorboard.web import REFUSED, attempt

bp = Blueprint("recommendations", __name__)


def _load_item(meeting_id: int, item_id: int) -> AgendaItem:
    return db.first_or_404(
        sa.select(AgendaItem)
        .where(AgendaItem.id == item_id, AgendaItem.meeting_id == meeting_id)
        .options(
            joinedload(AgendaItem.meeting).joinedload(Meeting.board),
            joinedload(AgendaItem.case).joinedload(Case.patient),
        )
    )


def _load_rec(rec_id: int) -> Recommendation:
    return db.first_or_404(
        sa.select(Recommendation)
        .where(Recommendation.id == rec_id)
        .options(
            joinedload(Recommendation.agenda_item)
            .joinedload(AgendaItem.meeting)
            .joinedload(Meeting.board),
            joinedload(Recommendation.agenda_item)
            .joinedload(AgendaItem.meeting)
            .joinedload(Meeting.chair),
            joinedload(Recommendation.agenda_item)
            .joinedload(AgendaItem.case)
            .joinedload(Case.patient),
            joinedload(Recommendation.case).joinedload(Case.lead_clinician),
            joinedload(Recommendation.signed_by),
            joinedload(Recommendation.created_by),
            joinedload(Recommendation.implementation_updated_by),
        )
    )


def _form_page(template_form, item: AgendaItem, rec: Recommendation | None, mode):
    # The form shows the patient and the case: opening it is a read.
    if rec is None:
        services.record_item_read(current_user, item)
    else:
        services.record_read(current_user, rec)
    return render_template(
        "recommendations/form.html",
        form=template_form,
        item=item,
        meeting=item.meeting,
        case=item.case,
        patient=item.case.patient,
        rec=rec,
        mode=mode,
        codes=RecommendationCode,
    ), (400 if template_form.errors or template_form.form_errors else 200)


def save(form, meeting: Meeting, service: Callable[[dict], Any]) -> Any:
    """Pass the form's data to ``service`` (through :func:`attempt`) once the
    form is valid; a form that failed its own checks gets the services' rule
    errors too, so that every problem shows in one round. Returns the
    service's result, :data:`REFUSED`, or None when nothing valid was sent."""
    if form.validate_on_submit():
        return attempt(form, service, form.service_data())
    if form.is_submitted():
        form.add_rule_errors(
            services.content_errors(
                meeting, form.service_data(), amendment="amendment_reason" in form
            )
        )
    return None


def reload_refused(form, rec_id: int):
    """Reload the recommendation after a refused save.

    The form keeps what was typed and, after a conflict, shows the version now
    current so that the next save is a deliberate one.
    """
    rec = _load_rec(rec_id)
    if "version" in form:
        show_current_version(form, rec.version)
    return rec


@bp.route(
    "/meetings/<int:meeting_id>/items/<int:item_id>/recommendation",
    methods=["GET", "POST"],
)
@permission_required(Permission.RECOMMENDATION_WRITE)
def record(meeting_id: int, item_id: int):
    item = _load_item(meeting_id, item_id)
    # The form shows the patient: an unpublished agenda stays with the coordinator.
    if not can_view_agenda(current_user, item.meeting):
        abort(403)
    existing = services.current_recommendation(item)
    if existing is not None:
        if existing.is_draft:
            return redirect(url_for("recommendations.edit", rec_id=existing.id))
        return redirect(url_for("recommendations.detail", rec_id=existing.id))
    form = RecommendationForm()
    rec = save(
        form,
        item.meeting,
        lambda data: services.record_recommendation(current_user, item, data),
    )
    if rec is REFUSED:
        item = _load_item(meeting_id, item_id)
    elif rec is not None:
        flash(
            f"Recommendation for {item.case.reference} recorded as a draft; "
            "the chair signs it.",
            "success",
        )
        return redirect(url_for("recommendations.detail", rec_id=rec.id))
    return _form_page(form, item, None, "new")


@bp.route("/recommendations/<int:rec_id>")
@permission_required(Permission.CASE_READ)
def detail(rec_id: int):
    return _detail_page(_load_rec(rec_id))


def _detail_page(
    rec: Recommendation,
    *,
    sign_form: SignForm | None = None,
    implementation_form: ImplementationForm | None = None,
    action_form: ActionForm | None = None,
    status: int = 200,
):
    services.record_read(current_user, rec)
    item = rec.agenda_item
    meeting = item.meeting
    revisions = services.revisions_of(item.id)
    actions = db.session.scalars(
        sa.select(ActionItem)
        .where(ActionItem.recommendation_id == rec.id)
        .options(joinedload(ActionItem.owner))
        .order_by(ActionItem.due_date, ActionItem.id)
    ).all()
    quorum = services.quorum(meeting) if may_sign(current_user, rec, meeting) else None
    pending = services.pending_amendment(item.id) if rec.is_in_force else None
    owners = services.action_owner_choices() if rec.is_current else []
    return render_template(
        "recommendations/detail.html",
        rec=rec,
        item=item,
        meeting=meeting,
        case=rec.case,
        patient=rec.case.patient,
        link_patient=True,
        revisions=revisions,
        actions=actions,
        quorum=quorum,
        can_sign=may_sign(current_user, rec, meeting),
        can_edit=may_edit_recommendation(current_user, rec, meeting),
        can_amend=may_amend(current_user, rec, meeting) and pending is None,
        can_discard=rec.is_draft_amendment
        and can_amend_recommendation(current_user, meeting),
        pending=pending,
        discard_form=DiscardForm(version=rec.version),
        can_implement=may_implement(current_user, rec, rec.case),
        can_add_action=may_add_action(current_user, rec),
        can_change_action=lambda a: can_change_action(current_user, a),
        sign_form=sign_form or SignForm(version=rec.version),
        implementation_form=implementation_form
        or ImplementationForm(
            data={
                "implementation_status": rec.implementation_status.value,
                "implementation_date": rec.implementation_date,
                "deviation_reason": (
                    rec.deviation_reason.value if rec.deviation_reason else ""
                ),
                "patient_wish": rec.patient_wish.value if rec.patient_wish else "",
                "deviation_note": rec.deviation_note or "",
                "version": rec.version,
            }
        ),
        action_form=action_form or ActionForm(owners=owners),
        status_form=ActionStatusForm(),
    ), status


@bp.route("/recommendations/<int:rec_id>/edit", methods=["GET", "POST"])
@permission_required(Permission.RECOMMENDATION_WRITE)
def edit(rec_id: int):
    rec = _load_rec(rec_id)
    if not rec.is_draft:
        flash(
            f"Revision {rec.revision} is {rec.state.label.lower()} and cannot be "
            "edited; amend it to create a new revision.",
            "error",
        )
        return redirect(url_for("recommendations.detail", rec_id=rec_id))
    form_class = DraftAmendmentForm if rec.revision > 1 else DraftForm
    if request.method == "POST":
        form = form_class()
    else:
        form = form_class.from_recommendation(rec)
        if rec.revision > 1:
            form.amendment_reason.data = rec.amendment_reason
    saved = save(
        form,
        rec.agenda_item.meeting,
        lambda data: services.update_recommendation(
            current_user, rec, data, form.version.data
        ),
    )
    if saved is REFUSED:
        rec = reload_refused(form, rec_id)
    elif saved is not None:
        flash("Draft saved.", "success")
        return redirect(url_for("recommendations.detail", rec_id=rec_id))
    return _form_page(form, rec.agenda_item, rec, "edit")


@bp.route("/recommendations/<int:rec_id>/amend", methods=["GET", "POST"])
@permission_required(Permission.RECOMMENDATION_WRITE)
def amend(rec_id: int):
    rec = _load_rec(rec_id)
    if not rec.is_in_force:
        flash(
            "Only the current, signed revision can be amended"
            + ("; edit the draft instead." if rec.is_draft else "."),
            "error",
        )
        return redirect(url_for("recommendations.detail", rec_id=rec_id))
    pending = services.pending_amendment(rec.agenda_item_id)
    if pending is not None and request.method == "GET":
        flash(
            f"Revision {pending.revision} is already a draft amendment awaiting the "
            "chair's signature; edit or discard it before starting another.",
            "error",
        )
        return redirect(url_for("recommendations.detail", rec_id=pending.id))
    form = (
        AmendForm() if request.method == "POST" else AmendForm.from_recommendation(rec)
    )
    new = save(
        form,
        rec.agenda_item.meeting,
        lambda data: services.amend_recommendation(
            current_user, rec, data, form.version.data
        ),
    )
    if new is REFUSED:
        rec = reload_refused(form, rec_id)
    elif new is not None:
        flash(
            f"Revision {new.revision} saved as a draft amendment. Revision "
            f"{rec.revision} stays in force until the chair signs it.",
            "success",
        )
        return redirect(url_for("recommendations.detail", rec_id=new.id))
    return _form_page(form, rec.agenda_item, rec, "amend")


@bp.route("/recommendations/<int:rec_id>/discard", methods=["POST"])
@permission_required(Permission.RECOMMENDATION_WRITE)
def discard(rec_id: int):
    rec = _load_rec(rec_id)
    form = DiscardForm()
    if not form.validate_on_submit():
        flash("The request was incomplete; nothing was discarded.", "error")
        return redirect(url_for("recommendations.detail", rec_id=rec_id))
    revision = rec.revision
    kept = attempt(
        None, services.discard_amendment, current_user, rec, form.version.data
    )
    if kept is REFUSED:
        return redirect(url_for("recommendations.detail", rec_id=rec_id))
    flash(
        f"Draft revision {revision} discarded; revision {kept.revision} stays in "
        "force.",
        "success",
    )
    return redirect(url_for("recommendations.detail", rec_id=kept.id))


@bp.route("/recommendations/<int:rec_id>/implementation", methods=["POST"])
@permission_required(Permission.IMPLEMENTATION_UPDATE)
def implementation(rec_id: int):
    rec = _load_rec(rec_id)
    form = ImplementationForm()
    if form.validate_on_submit():
        saved = attempt(
            form,
            services.update_implementation,
            current_user,
            rec,
            dict(form.data),
            form.version.data,
        )
        if saved is not REFUSED:
            flash(
                f"Implementation recorded: {rec.implementation_status.label}.",
                "success",
            )
            return redirect(url_for("recommendations.detail", rec_id=rec_id))
        rec = reload_refused(form, rec_id)
    return _detail_page(rec, implementation_form=form, status=400)


@bp.route("/recommendations/<int:rec_id>/actions", methods=["POST"])
@permission_required(Permission.ACTION_MANAGE)
def add_action(rec_id: int):
    rec = _load_rec(rec_id)
    form = ActionForm(owners=services.action_owner_choices())
    if form.validate_on_submit():
        added = attempt(
            form, services.create_action, current_user, rec, dict(form.data)
        )
        if added is not REFUSED:
            flash("Action item added.", "success")
            return redirect(url_for("recommendations.detail", rec_id=rec_id))
        rec = reload_refused(form, rec_id)
        form.owner_id.choices = ActionForm(
            owners=services.action_owner_choices()
        ).owner_id.choices
    return _detail_page(rec, action_form=form, status=400)


@bp.route("/actions/<int:action_id>/status", methods=["POST"])
@permission_required(Permission.ACTION_MANAGE)
def action_status(action_id: int):
    action = db.get_or_404(ActionItem, action_id)
    form = ActionStatusForm()
    back = url_for("recommendations.detail", rec_id=action.recommendation_id)
    target = request.form.get("next")
    if target in ("mine", "overdue"):
        back = url_for(
            "recommendations.my_actions"
            if target == "mine"
            else "recommendations.overdue"
        )
    if not form.validate_on_submit():
        flash("The change was incomplete; nothing was changed.", "error")
        return redirect(back)
    changed = attempt(
        None,
        services.set_action_status,
        current_user,
        action,
        form.status.data,
        form.version.data,
    )
    if changed is not REFUSED:
        flash(f"Action marked {changed.status.label.lower()}.", "success")
    return redirect(back)


@bp.route("/recommendations/overdue")
@permission_required(Permission.IMPLEMENTATION_MONITOR)
def overdue():
    # Two lists, paged independently: ``page`` for recommendations and
    # ``actions_page`` for action items.
    per_page = current_app.config["PAGE_SIZE"]
    # Each page's keys first: the joins are made for the rows shown only.
    recs = paginate(
        services.overdue_recommendations_query(current_user),
        Recommendation.id,
        page=request.args.get("page", 1, type=int),
        per_page=per_page,
        max_per_page=per_page,
        error_out=False,
    )
    actions = paginate(
        services.overdue_actions_query(current_user),
        ActionItem.id,
        page=request.args.get("actions_page", 1, type=int),
        per_page=per_page,
        max_per_page=per_page,
        error_out=False,
    )
    record_list_read(
        current_user,
        "the overdue recommendations and actions",
        {"page": recs.page, "actions_page": actions.page},
        [r.case for r in recs.items] + [a.recommendation.case for a in actions.items],
    )
    return render_template(
        "recommendations/overdue.html",
        recs=recs,
        actions=actions,
        status_form=ActionStatusForm(),
    )


@bp.route("/actions/mine")
@authenticated
def my_actions():
    # Everyone signed in has the page; administrators own no actions (owners
    # must be clinicians or the coordinator), so theirs is always empty.
    open_items, closed = services.my_actions(current_user)
    shown = [a.recommendation.case for a in [*open_items, *closed]]
    # An owner outside the case's scope sees its reference, not its patient.
    masked = masked_ids(current_user, shown)
    if open_items or closed:
        record_list_read(current_user, "my actions", {}, shown, masked)
    return render_template(
        "recommendations/my_actions.html",
        open_items=open_items,
        closed=closed,
        masked=masked,
        status_form=ActionStatusForm(),
    )


# The signature's confirmation page and the decision panel of presentation
# mode register their rules on ``bp``.
from tumorboard.recommendations import present_views as present_views  # noqa: E402
from tumorboard.recommendations import signing_views as signing_views  # noqa: E402
