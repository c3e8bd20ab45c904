"""PDF downloads: case summary, outcome letter, meeting minutes."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, url_for
from flask_login import current_user

from tumorboard.auth.permissions import Permission, permission_required
from tumorboard.cases.models import Case
from tumorboard.documents import services
from tumorboard.errors import ServiceError
from tumorboard.extensions import db
from tumorboard.meetings.models import Meeting
from tumorboard.recommendations.models import Recommendation

bp = Blueprint("documents", __name__, url_prefix="/documents")


def _download(document: services.Document) -> Response:
    response = Response(document.content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{document.filename}"'
    )
    # Patient data: never kept in a browser or proxy cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/cases/<int:case_id>/summary.pdf")
@permission_required(Permission.DOCUMENT_READ)
def case_summary(case_id: int):
    case = db.get_or_404(Case, case_id)
    document = services.case_summary(current_user, case)
    db.session.commit()
    return _download(document)


@bp.route("/recommendations/<int:rec_id>/letter.pdf")
@permission_required(Permission.DOCUMENT_READ)
def outcome_letter(rec_id: int):
    rec = db.get_or_404(Recommendation, rec_id)
    try:
        document = services.outcome_letter(current_user, rec)
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("recommendations.detail", rec_id=rec_id))
    db.session.commit()
    return _download(document)


@bp.route("/meetings/<int:meeting_id>/minutes.pdf")
@permission_required(Permission.DOCUMENT_READ)
def minutes(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    try:
        document = services.meeting_minutes(current_user, meeting)
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("meetings.detail", meeting_id=meeting_id))
    db.session.commit()
    return _download(document)
