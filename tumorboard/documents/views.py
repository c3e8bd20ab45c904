"""PDF downloads: case summary, outcome letter, meeting minutes, board pack."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, url_for
from flask_login import current_user

from tumorboard.auth.permissions import Permission, permission_required
from tumorboard.cases.models import Case
from tumorboard.documents import pack, services
from tumorboard.extensions import db
from tumorboard.meetings.models import Meeting
from tumorboard.recommendations.models import Recommendation
from tumorboard.web import REFUSED, attempt

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
    return _download(services.case_summary(current_user, case))


@bp.route("/recommendations/<int:rec_id>/letter.pdf")
@permission_required(Permission.DOCUMENT_READ)
def outcome_letter(rec_id: int):
    rec = db.get_or_404(Recommendation, rec_id)
    document = attempt(None, services.outcome_letter, current_user, rec)
    if document is REFUSED:
        return redirect(url_for("recommendations.detail", rec_id=rec_id))
    return _download(document)


@bp.route("/meetings/<int:meeting_id>/minutes.pdf")
@permission_required(Permission.DOCUMENT_READ)
def minutes(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    document = attempt(None, services.meeting_minutes, current_user, meeting)
    if document is REFUSED:
        return redirect(url_for("meetings.detail", meeting_id=meeting_id))
    return _download(document)


@bp.route("/meetings/<int:meeting_id>/board-pack.pdf")
@permission_required(Permission.DOCUMENT_READ)
def board_pack(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    document = attempt(None, pack.board_pack, current_user, meeting)
    if document is REFUSED:
        return redirect(url_for("meetings.detail", meeting_id=meeting_id))
    return _download(document)
