"""Access matrix rows for attachments."""

from __future__ import annotations

from tests.attachments.files import PNG_BYTES
from tumorboard.attachments.models import Attachment
from tumorboard.attachments.services import file_path
from tumorboard.auth.permissions import Permission
from tumorboard.extensions import db

ENDPOINTS = [
    ("/cases/{case}/attachments", "POST", Permission.ATTACHMENT_UPLOAD),
    ("/attachments/{attachment}", "GET", Permission.CASE_READ),
    ("/attachments/{attachment}/withdraw", "POST", Permission.ATTACHMENT_UPLOAD),
]


def url_values(user, case) -> dict:
    """A stored key image on ``case`` uploaded by ``user``."""
    attachment = Attachment(
        case_id=case.id,
        kind="key_image",
        caption="Coronal T1",
        series_slice="Series 4, slice 12",
        original_name="coronal.png",
        content_type="image/png",
        size=len(PNG_BYTES),
        sha256="0" * 64,
        storage_key=f"{attachment_key(case.id, user.id)}",
        uploaded_by_id=user.id,
    )
    db.session.add(attachment)
    db.session.flush()
    path = file_path(attachment)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(PNG_BYTES)
    return {"attachment": attachment.id}


def attachment_key(case_id: int, user_id: int) -> str:
    """A unique storage key for the matrix attachment."""
    return f"matrix{case_id:06d}{user_id:06d}".ljust(32, "0")
