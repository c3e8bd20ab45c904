"""Storing, serving and withdrawing attachments.

Files are checked and cleaned by their content (``content``: type sniffed from
the bytes, PDFs checked for active content, images re-encoded without
metadata) and stored under a random key in the upload folder, outside
``static/``.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import secrets
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload
from werkzeug.utils import secure_filename

from tumorboard.attachments.content import (
    CLAIMED,
    FORMAT_NAMES,
    IMAGES,
    JPEG,
    PDF,
    PNG,
    cleaned,
    sniff,
    stored_name,
    with_extension,
)
from tumorboard.attachments.models import (
    CAPTION_LIMIT,
    SERIES_LIMIT,
    WITHDRAW_REASON_LIMIT,
    Attachment,
    AttachmentKind,
)
from tumorboard.audit import services as audit
from tumorboard.auth.models import User
from tumorboard.auth.permissions import (
    authorize,
    can_upload_attachment,
    can_view_case,
    can_withdraw_attachment,
)
from tumorboard.cases.models import Case
from tumorboard.db import prebuilt, utcnow
from tumorboard.errors import Conflict, InvalidInput, NotFound, ServiceError
from tumorboard.extensions import db
from tumorboard.formatting import with_article
from tumorboard.reviews.models import DisciplineReview
from tumorboard.validation import clean_text
from tumorboard.web import on_rollback

log = logging.getLogger(__name__)

FORMATS: dict[AttachmentKind, frozenset[str]] = {
    AttachmentKind.KEY_IMAGE: IMAGES,
    AttachmentKind.MICROGRAPH: IMAGES,
    AttachmentKind.REPORT: frozenset({PDF}),
    AttachmentKind.OUTSIDE_REPORT: IMAGES | {PDF},
}


def upload_folder() -> Path:
    """Where attachment files live (config UPLOAD_FOLDER, else <instance>/uploads)."""
    configured = current_app.config.get("UPLOAD_FOLDER")
    return Path(configured or Path(current_app.instance_path) / "uploads")


def file_path(attachment: Attachment) -> Path:
    """The stored file of ``attachment``."""
    key = attachment.storage_key
    return upload_folder() / key[:2] / key


def _allowed(kind: AttachmentKind) -> str:
    names = [FORMAT_NAMES[t] for t in (PNG, JPEG, PDF) if t in FORMATS[kind]]
    return " or ".join(names)


def download_name(attachment: Attachment) -> str:
    """A safe file name to serve ``attachment`` under, always ending in the
    extension of its stored type (files stored before names were corrected
    included)."""
    stem, extension = with_extension(attachment.original_name, attachment.content_type)
    return (secure_filename(stem) or f"attachment-{attachment.id}") + extension


def attach_file(
    actor: User,
    case: Case,
    *,
    kind: AttachmentKind | str,
    stream: BinaryIO,
    filename: str,
    caption: str | None,
    series_slice: str | None = None,
    review_id: int | None = None,
) -> Attachment:
    """Check and store one uploaded file for ``case``; audited."""
    try:
        kind = AttachmentKind(kind)
    except ValueError:
        raise InvalidInput("Choose what kind of file this is.", "kind") from None
    authorize(
        can_upload_attachment(actor, case, kind.value),
        f"Your role cannot attach {with_article(kind.label.lower())} to this case.",
    )
    if not case.is_open:
        raise InvalidInput("Files cannot be attached to a closed or withdrawn case.")
    caption = clean_text(caption, "caption", "A caption", CAPTION_LIMIT, required=True)
    series_slice = (
        clean_text(
            series_slice,
            "series_slice",
            "The series and slice",
            SERIES_LIMIT,
            required=kind == AttachmentKind.KEY_IMAGE,
        )
        or None
    )
    name = os.path.basename((filename or "").replace("\\", "/")).strip()[:255]
    if not name:
        raise InvalidInput("Choose a file to upload.", "file")
    if review_id is not None:
        review = db.session.get(DisciplineReview, review_id)
        if review is None or review.case_id != case.id:
            raise InvalidInput("That review is not part of this case.", "review_id")

    limit = current_app.config["MAX_UPLOAD_BYTES"]
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise InvalidInput(
            f"'{name}' is larger than the {limit / (1024 * 1024):g} MB limit for "
            "attachments.",
            "file",
        )
    if not data:
        raise InvalidInput(f"'{name}' is empty.", "file")
    content_type = sniff(data)
    claimed = CLAIMED.get(Path(name).suffix.lower())
    if content_type is None:
        if claimed is not None:
            raise InvalidInput(
                f"'{name}' is named like a {FORMAT_NAMES[claimed]} but its content "
                f"is not one. Files are checked by content; attach a real "
                f"{_allowed(kind)}.",
                "file",
            )
        raise InvalidInput(
            f"'{name}' is not a {_allowed(kind)} (checked by its content).", "file"
        )
    if content_type not in FORMATS[kind]:
        raise InvalidInput(
            f"{with_article(kind.label.lower()).capitalize()} must be a "
            f"{_allowed(kind)}; '{name}' is a {FORMAT_NAMES[content_type]}.",
            "file",
        )
    data = cleaned(data, content_type, name)
    name = stored_name(name, content_type)

    key = secrets.token_hex(16)
    attachment = Attachment(
        case_id=case.id,
        review_id=review_id,
        kind=kind,
        caption=caption,
        series_slice=series_slice,
        original_name=name,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_key=key,
        uploaded_by_id=actor.id,
    )
    db.session.add(attachment)
    db.session.flush()
    path = file_path(attachment)
    _store(path, data)
    on_rollback(lambda: path.unlink(missing_ok=True))
    audit.record(
        actor,
        "attachment.upload",
        "attachment",
        attachment.id,
        # Summaries are read by the administrator: ids only, no clinical text.
        f"Attached {kind.label.lower()} #{attachment.id} to {case.reference}",
        changes={
            "kind": [None, kind.value],
            "caption": [None, caption],
            "content_type": [None, content_type],
            "size": [None, len(data)],
            "sha256": [None, attachment.sha256],
        },
        case_id=case.id,
        patient_id=case.patient_id,
    )
    return attachment


def _store(path: Path, data: bytes) -> None:
    """Write the file under a temporary name, then rename it into place; if
    the folder cannot be written (full disk, permissions), remove what was
    written and refuse the upload: the request rolls back its row."""
    partial = path.with_suffix(".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(partial, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        log.error(
            "upload folder %s cannot store a file: %s",
            upload_folder(),
            errno.errorcode.get(error.errno, type(error).__name__),
        )
        full = error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
        raise ServiceError(
            "The file could not be stored: "
            + ("the storage is full. " if full else "the storage cannot be written. ")
            + "Nothing was saved. Please tell the administrator.",
            field="file",
        ) from None


def open_for_download(
    actor: User, case: Case, attachment: Attachment, *, inline: bool
) -> Path:
    """Check access, audit the download and return the file's path."""
    authorize(
        can_view_case(actor, case) and attachment.case_id == case.id,
        "You cannot see this case.",
    )
    if attachment.is_withdrawn:
        raise NotFound("This file was withdrawn.")
    path = file_path(attachment)
    if not path.is_file():
        raise NotFound("The stored file is missing; tell the administrator.")
    audit.record(
        actor,
        "attachment.download",
        "attachment",
        attachment.id,
        f"{'Viewed' if inline else 'Downloaded'} {attachment.kind.label.lower()} "
        f"#{attachment.id} of {case.reference}",
        case_id=case.id,
        patient_id=case.patient_id,
    )
    return path


def withdraw(
    actor: User, case: Case, attachment: Attachment, reason: str | None
) -> Attachment:
    """Mark an attachment withdrawn; the file and row are kept; audited."""
    authorize(
        can_withdraw_attachment(actor, attachment) and attachment.case_id == case.id,
        "Only the person who attached the file, or the coordinator, withdraws it.",
    )
    if attachment.is_withdrawn:
        raise Conflict("This file was already withdrawn.")
    reason = clean_text(
        reason, "reason", "A reason", WITHDRAW_REASON_LIMIT, required=True
    )
    attachment.withdrawn_at = utcnow()
    attachment.withdrawn_by_id = actor.id
    attachment.withdraw_reason = reason
    db.session.flush()
    audit.record(
        actor,
        "attachment.withdraw",
        "attachment",
        attachment.id,
        f"Withdrew {attachment.kind.label.lower()} #{attachment.id} of "
        f"{case.reference}",
        changes={"withdrawn": [False, True], "reason": [None, reason]},
        case_id=case.id,
        patient_id=case.patient_id,
    )
    return attachment


def case_attachments(case_id: int) -> list[Attachment]:
    """The attachments of a case still on offer, newest first, with uploaders."""
    return list(db.session.scalars(_attachments_on_offer(), {"case_id": case_id}))


@prebuilt
def _attachments_on_offer() -> sa.Select:
    return (
        sa.select(Attachment)
        .where(
            Attachment.case_id == sa.bindparam("case_id"),
            Attachment.withdrawn_at.is_(None),
        )
        .options(joinedload(Attachment.uploaded_by))
        .order_by(Attachment.uploaded_at.desc(), Attachment.id.desc())
    )
