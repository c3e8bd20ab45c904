"""The chair's signature: what is signed, in full, and the password asked again."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from tumorboard.auth import signing
from tumorboard.auth.permissions import (
    Permission,
    authorize,
    may_sign,
    permission_required,
)
from tumorboard.recommendations import services
from tumorboard.recommendations.forms import SignForm
from tumorboard.recommendations.models import RecommendationState
from tumorboard.recommendations.views import _load_rec, bp, reload_refused
from tumorboard.web import REFUSED, attempt


@bp.route("/recommendations/<int:rec_id>/sign", methods=["GET", "POST"])
@permission_required(Permission.RECOMMENDATION_SIGN)
def sign(rec_id: int):
    """The chair reads exactly what is signed, then signs with their password."""
    rec = _load_rec(rec_id)
    if rec.is_signed or rec.state == RecommendationState.SUPERSEDED:
        # A second submission of the form, or an old tab: nothing to sign.
        flash(
            f"Revision {rec.revision} is already "
            f"{'signed' if rec.is_signed else 'superseded'}; nothing was changed.",
            "info",
        )
        return redirect(url_for("recommendations.detail", rec_id=rec_id))
    if request.method == "GET":
        form = SignForm(version=rec.version)
    else:
        form = SignForm()
    meeting = rec.agenda_item.meeting
    refusal = (
        "Only the chair of this meeting"
        + (f" ({meeting.chair.name})" if meeting.chair else "")
        + " signs its recommendations."
    )
    if request.method == "GET":
        authorize(may_sign(current_user, rec, meeting), refusal)
    if form.validate_on_submit():
        authorize(may_sign(current_user, rec, meeting), refusal)
        # Confirmed outside attempt(): a refused password stays counted and audited.
        step_up = signing.confirm_signature(
            current_user,
            form.password.data,
            purpose=f"sign revision {rec.revision} for {rec.case.reference}",
        )
        if isinstance(step_up, str):
            form.password.errors = [*form.password.errors, step_up]
        else:
            signed = attempt(
                form,
                services.sign_recommendation,
                current_user,
                rec,
                step_up=step_up,
                override_reason=form.override_reason.data,
                version=form.version.data,
            )
            if signed is not REFUSED:
                flash(
                    f"Revision {rec.revision} signed for {rec.case.reference}.",
                    "success",
                )
                return redirect(url_for("recommendations.detail", rec_id=rec_id))
            rec = reload_refused(form, rec_id)
    form.password.data = ""
    services.record_read(current_user, rec)
    meeting = rec.agenda_item.meeting
    return render_template(
        "recommendations/sign.html",
        rec=rec,
        item=rec.agenda_item,
        meeting=meeting,
        case=rec.case,
        patient=rec.case.patient,
        link_patient=True,
        quorum=services.quorum(meeting),
        sign_form=form,
    ), (400 if request.method == "POST" else 200)
