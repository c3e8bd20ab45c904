"""Files attached to a case: stored outside static/, served after a check."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tumorboard.db import LabelledEnum, enum_type, utcnow
from tumorboard.extensions import db

if TYPE_CHECKING:
    from tumorboard.auth.models import User

#: Longest accepted text, checked by the forms and the services.
CAPTION_LIMIT = 300
SERIES_LIMIT = 120
WITHDRAW_REASON_LIMIT = 1000


class AttachmentKind(LabelledEnum):
    """What a file is; decides who may attach it and which formats it takes."""

    KEY_IMAGE = "key_image"
    MICROGRAPH = "micrograph"
    REPORT = "report"
    OUTSIDE_REPORT = "outside_report"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.KEY_IMAGE: "Key image",
            cls.MICROGRAPH: "Micrograph",
            cls.REPORT: "Pathology report",
            cls.OUTSIDE_REPORT: "Outside report",
        }


class Attachment(db.Model):
    """One uploaded file. Withdrawing keeps the row and the file."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    review_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("discipline_reviews.id"), index=True
    )
    kind: Mapped[AttachmentKind] = mapped_column(
        enum_type(AttachmentKind, "attachment_kind")
    )
    caption: Mapped[str] = mapped_column(sa.String(300))
    #: Series and slice (or block and stain) the image shows.
    series_slice: Mapped[str | None] = mapped_column(sa.String(120))
    #: The uploader's file name, ending in the extension of ``content_type``.
    original_name: Mapped[str] = mapped_column(sa.String(255))
    #: Sniffed from the bytes, never taken from the name or the browser.
    content_type: Mapped[str] = mapped_column(sa.String(60))
    #: Size and SHA-256 of the stored bytes (images re-encoded, PDFs rewritten).
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    #: Random name of the file in the upload folder.
    storage_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    withdraw_reason: Mapped[str | None] = mapped_column(sa.Text)

    uploaded_by: Mapped[User] = relationship(
        "User", foreign_keys=[uploaded_by_id], lazy="raise"
    )

    __table_args__ = (
        sa.CheckConstraint("size > 0", name="size_positive"),
        sa.CheckConstraint(
            "(withdrawn_at IS NULL) = (withdrawn_by_id IS NULL)",
            name="withdrawn_with_actor",
        ),
    )

    @property
    def is_image(self) -> bool:
        """True for PNG and JPEG files, shown as thumbnails."""
        return self.content_type in ("image/png", "image/jpeg")

    @property
    def is_withdrawn(self) -> bool:
        """True once withdrawn; the file is kept but no longer offered."""
        return self.withdrawn_at is not None
