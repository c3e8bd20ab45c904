"""Board recommendations: one revision, signing by the meeting's chair with a
step-up, amendments and implementation."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import g
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy.orm import joinedload

from tumorboard.api.board_schemas import (
    AmendmentIn,
    ImplementationIn,
    RecommendationDetail,
)
from tumorboard.api.core import access, etag_of, required_version
from tumorboard.api.problems import Problem, problem, problem_response
from tumorboard.api.schemas import RecommendationOut, SignIn
from tumorboard.auth import signing
from tumorboard.auth.permissions import Permission, can_view_case
from tumorboard.extensions import db
from tumorboard.meetings.models import AgendaItem
from tumorboard.recommendations import services
from tumorboard.recommendations.models import Recommendation

bp = Blueprint(
    "api_recommendations",
    __name__,
    url_prefix="/recommendations",
    description="Board recommendations",
)


def visible_recommendation(rec_id: int) -> Recommendation:
    """The recommendation with its case and agenda item, if the caller may see
    the case; otherwise 404."""
    rec = db.session.scalar(
        sa.select(Recommendation)
        .where(Recommendation.id == rec_id)
        .options(
            joinedload(Recommendation.case),
            joinedload(Recommendation.agenda_item).joinedload(AgendaItem.meeting),
        )
    )
    if rec is None or not can_view_case(current_user, rec.case):
        raise Problem(404, f"There is no recommendation {rec_id}.")
    return rec


@bp.route("/<int:rec_id>/signature", methods=["POST"])
@access(Permission.RECOMMENDATION_SIGN)
@bp.arguments(SignIn)
@bp.response(200, RecommendationOut)
@problem(bp, 403, "Not the chair, or the password was refused")
@problem(bp, 404, "No such recommendation, or not visible to the caller")
@problem(bp, 412, "If-Match names an older version")
@problem(bp, 428, "If-Match is missing")
def sign(data: dict[str, Any], rec_id: int):
    """The meeting's chair signs a draft, confirming with their own password
    as on the signing page (If-Match required). Five wrong passwords in a row
    pause signing for 15 minutes; every attempt is audited."""
    rec = visible_recommendation(rec_id)
    version = required_version(rec)
    step_up = signing.confirm_signature(
        current_user,
        data["password"],
        purpose=f"sign revision {rec.revision} for {rec.case.reference}",
    )
    if isinstance(step_up, str):
        # Answered, not raised: the counted refusal and its audit entry are
        # committed with this request.
        return problem_response(403, "Forbidden", step_up)
    services.sign_recommendation(
        current_user,
        rec,
        step_up=step_up,
        override_reason=data.get("override_reason"),
        version=version,
    )
    db.session.flush()
    g.etag = etag_of(rec)
    return rec


@bp.route("/<int:rec_id>")
@access(Permission.CASE_READ)
@bp.response(200, RecommendationDetail)
@problem(bp, 404, "No such recommendation, or not visible to the caller")
def detail(rec_id: int):
    """One revision of a recommendation, with its ETag; audited."""
    rec = visible_recommendation(rec_id)
    services.record_read(current_user, rec)
    g.etag = etag_of(rec)
    return rec


@bp.route("/<int:rec_id>/amendments", methods=["POST"])
@access(Permission.RECOMMENDATION_WRITE)
@bp.arguments(AmendmentIn)
@bp.response(201, RecommendationDetail)
@problem(bp, 404, "No such recommendation, or not visible to the caller")
@problem(bp, 409, "A draft amendment already waits for the chair's signature")
@problem(bp, 412, "If-Match names an older version")
@problem(bp, 428, "If-Match is missing")
def amend(data: dict[str, Any], rec_id: int):
    """Amend the signed revision in force (If-Match): the amendment is a new
    draft revision, with the reason for it; the signed revision stays in
    force until the chair signs the amendment."""
    rec = visible_recommendation(rec_id)
    version = required_version(rec)
    new = services.amend_recommendation(current_user, rec, data, version)
    db.session.flush()
    g.etag = etag_of(new)
    return visible_recommendation(new.id)


@bp.route("/<int:rec_id>/implementation", methods=["PUT"])
@access(Permission.IMPLEMENTATION_UPDATE)
@bp.arguments(ImplementationIn)
@bp.response(200, RecommendationDetail)
@problem(bp, 403, "Neither the coordinator nor the case's lead clinician")
@problem(bp, 404, "No such recommendation, or not visible to the caller")
@problem(bp, 412, "If-Match names an older version")
@problem(bp, 428, "If-Match is missing")
def implementation(data: dict[str, Any], rec_id: int):
    """Record whether the signed revision was carried out, its date, and the
    reason for a deviation (If-Match)."""
    rec = visible_recommendation(rec_id)
    version = required_version(rec)
    services.update_implementation(current_user, rec, data, version)
    db.session.flush()
    g.etag = etag_of(rec)
    return rec
