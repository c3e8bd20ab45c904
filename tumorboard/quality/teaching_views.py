"""The de-identified teaching view and PDF of a case or a meeting."""

from __future__ import annotations

from flask import Response, render_template, url_for
from flask_login import current_user

from tumorboard.auth.permissions import Permission, permission_required
from tumorboard.cases.models import Case
from tumorboard.documents.pdf import render_pdf
from tumorboard.extensions import db
from tumorboard.meetings.models import Meeting
from tumorboard.quality import teaching
from tumorboard.quality.views import bp


def _pdf(export: teaching.TeachingExport, name: str) -> Response:
    html = render_template("quality/teaching_pdf.html", export=export)
    response = Response(render_pdf(html), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/teaching/cases/<int:case_id>")
@permission_required(Permission.TEACHING_EXPORT)
def teaching_case(case_id: int):
    """A case without names, MRN or real dates."""
    case = db.get_or_404(Case, case_id)
    export = teaching.case_export(current_user, case)
    return render_template(
        "quality/teaching.html",
        export=export,
        pdf_url=url_for("quality.teaching_case_pdf", case_id=case_id),
    )


@bp.route("/teaching/cases/<int:case_id>.pdf")
@permission_required(Permission.TEACHING_EXPORT)
def teaching_case_pdf(case_id: int):
    """The de-identified case as a PDF (a fresh date shift)."""
    case = db.get_or_404(Case, case_id)
    export = teaching.case_export(current_user, case, action="teaching.download")
    return _pdf(export, "teaching-case.pdf")


@bp.route("/teaching/meetings/<int:meeting_id>")
@permission_required(Permission.TEACHING_EXPORT)
def teaching_meeting(meeting_id: int):
    """Every case of a meeting without names, MRN or real dates."""
    meeting = db.get_or_404(Meeting, meeting_id)
    export = teaching.meeting_export(current_user, meeting)
    return render_template(
        "quality/teaching.html",
        export=export,
        pdf_url=url_for("quality.teaching_meeting_pdf", meeting_id=meeting_id),
    )


@bp.route("/teaching/meetings/<int:meeting_id>.pdf")
@permission_required(Permission.TEACHING_EXPORT)
def teaching_meeting_pdf(meeting_id: int):
    """The de-identified meeting as a PDF (a fresh date shift)."""
    meeting = db.get_or_404(Meeting, meeting_id)
    export = teaching.meeting_export(current_user, meeting, action="teaching.download")
    return _pdf(export, "teaching-meeting.pdf")
