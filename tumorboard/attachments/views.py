"""Upload, access-checked download and withdrawal of attachments."""

from __future__ import annotations

import io

import sqlalchemy as sa
from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from sqlalchemy.orm import joinedload

from tumorboard.attachments import services
from tumorboard.attachments.forms import UploadForm, WithdrawForm
from tumorboard.attachments.models import Attachment, AttachmentKind
from tumorboard.auth.permissions import (
    Permission,
    can_withdraw_attachment,
    permission_required,
)
from tumorboard.cases.models import Case
from tumorboard.cases.panels import CasePanel, register_panel
from tumorboard.cases.services import record_read as record_case_read
from tumorboard.extensions import db
from tumorboard.reviews.models import DisciplineReview
from tumorboard.reviews.services import case_reviews
from tumorboard.web import REFUSED, attempt

bp = Blueprint("attachments", __name__)


def _load_case(case_id: int) -> Case:
    return db.first_or_404(
        sa.select(Case).where(Case.id == case_id).options(joinedload(Case.patient))
    )


def _reviews(case_id: int) -> list[DisciplineReview]:
    return sorted(case_reviews(case_id).values(), key=lambda review: review.id)


@bp.route("/cases/<int:case_id>/attachments", methods=["POST"])
@permission_required(Permission.ATTACHMENT_UPLOAD)
def upload(case_id: int):
    case = _load_case(case_id)
    form = UploadForm(user=current_user, case=case, reviews=_reviews(case.id))
    if form.validate_on_submit():
        upload = form.file.data
        attachment = attempt(
            form,
            services.attach_file,
            current_user,
            case,
            kind=form.kind.data,
            stream=upload.stream,
            filename=upload.filename or "",
            caption=form.caption.data,
            series_slice=form.series_slice.data,
            review_id=form.review_id.data,
        )
        if attachment is not REFUSED:
            flash(f"'{attachment.caption}' attached.", "success")
            return redirect(url_for("cases.detail", case_id=case.id) + "#attachments")
        case = _load_case(case_id)
    record_case_read(current_user, case, "to attach a file")
    return render_template(
        "attachments/upload.html", case=case, patient=case.patient, form=form
    ), 400


def _load_attachment(attachment_id: int) -> tuple[Attachment, Case]:
    attachment = db.get_or_404(Attachment, attachment_id)
    return attachment, _load_case(attachment.case_id)


@bp.route("/attachments/<int:attachment_id>")
@permission_required(Permission.CASE_READ)
def download(attachment_id: int):
    attachment, case = _load_attachment(attachment_id)
    # Only images are shown in the page; PDFs are always saved, never rendered.
    inline = request.args.get("inline") == "1" and attachment.is_image
    path = services.open_for_download(current_user, case, attachment, inline=inline)
    name = services.download_name(attachment)
    # Files are at most MAX_UPLOAD_BYTES: read them whole so no handle is left
    # open if the client goes away mid-download.
    response = send_file(
        io.BytesIO(path.read_bytes()),
        mimetype=attachment.content_type,
        as_attachment=not inline,
        download_name=name,
        conditional=False,
        etag=False,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/attachments/<int:attachment_id>/withdraw", methods=["POST"])
@permission_required(Permission.ATTACHMENT_UPLOAD)
def withdraw(attachment_id: int):
    attachment, case = _load_attachment(attachment_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        withdrawn = attempt(
            form, services.withdraw, current_user, case, attachment, form.reason.data
        )
        if withdrawn is not REFUSED:
            flash("File withdrawn; it is kept for the record.", "success")
            return redirect(url_for("cases.detail", case_id=case.id) + "#attachments")
        attachment, case = _load_attachment(attachment_id)
    record_case_read(current_user, case, "to withdraw a file")
    return render_template(
        "attachments/withdraw.html",
        case=case,
        patient=case.patient,
        form=form,
        attachment=attachment,
    ), 400


def _attachments_panel(user, case) -> dict:
    files = services.case_attachments(case.id)
    form = UploadForm(formdata=None, user=user, case=case, reviews=_reviews(case.id))
    return {
        "images": [a for a in files if a.is_image],
        "documents": [a for a in files if not a.is_image],
        "can_upload": len(form.kind.choices) > 1 and case.is_open,
        "form": form,
        "withdraw_form": WithdrawForm(formdata=None),
        "can_withdraw": {a.id: can_withdraw_attachment(user, a) for a in files},
    }


register_panel(
    CasePanel(
        name="attachments",
        template="attachments/_panel.html",
        load=_attachments_panel,
        slot="main",
        order=30,
    )
)


def _images_panel(user, case) -> dict:
    """Key images, then micrographs, then other images, each in the order
    they were attached (one query)."""
    order = {AttachmentKind.KEY_IMAGE: 0, AttachmentKind.MICROGRAPH: 1}
    images = [a for a in services.case_attachments(case.id) if a.is_image]
    return {"images": sorted(images, key=lambda a: (order.get(a.kind, 2), a.id))}


register_panel(
    CasePanel(
        name="key_images",
        template="attachments/_present_images.html",
        load=_images_panel,
        slot="presentation_side",
        order=10,
    )
)
