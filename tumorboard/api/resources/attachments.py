"""Attachments of a case: their metadata, the file itself behind the same
access check and audit as the case page's download, and an upload through
the same checks as the page's (``multipart/form-data``)."""

from __future__ import annotations

import io
from typing import Any

from flask import send_file
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict

from tumorboard.api.core import access, multipart, per_method_access
from tumorboard.api.problems import Problem, problem
from tumorboard.api.record_schemas import (
    AttachmentList,
    AttachmentOut,
    AttachmentUpload,
)
from tumorboard.api.resources.cases import visible_case
from tumorboard.attachments import services
from tumorboard.attachments.content import IMAGES, PDF
from tumorboard.attachments.models import Attachment
from tumorboard.auth.permissions import Permission
from tumorboard.cases import services as cases
from tumorboard.cases.models import Case
from tumorboard.extensions import db


class _FormAndFiles(FlaskParser):
    """Reads a multipart body's fields and files as one form, so that one
    schema describes and checks the whole upload."""

    def load_form(self, req, schema) -> Any:
        return MultiDictProxy(CombinedMultiDict([req.files, req.form]), schema)


bp = Blueprint(
    "api_attachments", __name__, url_prefix="", description="Attachments of a case"
)
bp.ARGUMENTS_PARSER = _FormAndFiles()

#: The stored file types (sniffed from the bytes when uploaded).
FILE_TYPES = sorted(IMAGES | {PDF})


def visible_attachment(attachment_id: int) -> tuple[Attachment, Case]:
    """An attachment still on offer, with its case, if the caller may see the
    case; otherwise 404."""
    attachment = db.session.get(Attachment, attachment_id)
    missing = Problem(404, f"There is no attachment {attachment_id}.")
    if attachment is None or attachment.is_withdrawn:
        raise missing
    try:
        case = visible_case(attachment.case_id)
    except Problem:
        raise missing from None
    return attachment, case


@bp.route("/cases/<int:case_id>/attachments")
class CaseAttachments(MethodView):
    """The files of a case. One URL rule for both methods, so an impossible
    id is a 404 whatever the method."""

    decorators = [per_method_access]

    @access(Permission.CASE_READ)
    @bp.response(200, AttachmentList)
    @problem(bp, 404, "No such case, or not visible to the caller")
    def get(self, case_id: int):
        """The files attached to the case and not withdrawn, newest first
        (metadata only); audited as a read of the case."""
        case = visible_case(case_id)
        files = services.case_attachments(case.id)
        cases.record_read(current_user, case, "(its attachments) through the API")
        return {"items": files}

    @access(Permission.ATTACHMENT_UPLOAD)
    @multipart
    @bp.arguments(AttachmentUpload, location="form", content_type="multipart/form-data")
    @bp.response(201, AttachmentOut)
    @problem(bp, 403, "The caller's role may not attach this kind of file")
    @problem(bp, 404, "No such case, or not visible to the caller")
    @problem(bp, 413, "The body is larger than the request limit")
    def post(self, data: dict[str, Any], case_id: int):
        """Attach a file as the case page does: radiologists key images,
        pathologists micrographs and report PDFs, anyone who may attach
        outside reports; the type is sniffed from the bytes, PDFs are checked
        for active content and images re-encoded without metadata. Audited."""
        case = visible_case(case_id)
        upload = data["file"]
        return services.attach_file(
            current_user,
            case,
            kind=data["kind"],
            stream=upload.stream,
            filename=upload.filename or "",
            caption=data["caption"],
            series_slice=data.get("series_slice"),
            review_id=data.get("review_id"),
        )


@bp.route("/attachments/<int:attachment_id>")
@access(Permission.CASE_READ)
@bp.response(200, AttachmentOut)
@problem(bp, 404, "No such attachment, withdrawn, or not visible to the caller")
def metadata(attachment_id: int):
    """One attachment's metadata; audited as a read of its case."""
    attachment, case = visible_attachment(attachment_id)
    cases.record_read(
        current_user, case, f"(attachment #{attachment.id}) through the API"
    )
    return attachment


@bp.route("/attachments/<int:attachment_id>/content")
@access(Permission.CASE_READ)
@bp.doc(
    responses={
        "200": {
            "description": "The file, as an attachment to save",
            "content": {
                kind: {"schema": {"type": "string", "format": "binary"}}
                for kind in FILE_TYPES
            },
        }
    }
)
@problem(bp, 404, "No such attachment, withdrawn, missing, or not visible")
def content(attachment_id: int):
    """The file (PNG, JPEG or PDF, by its sniffed type), always as an
    attachment to save; audited as a download, as on the case page."""
    attachment, case = visible_attachment(attachment_id)
    path = services.open_for_download(current_user, case, attachment, inline=False)
    response = send_file(
        io.BytesIO(path.read_bytes()),
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=services.download_name(attachment),
        conditional=False,
        etag=False,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
