"""Annotations: threaded markdown notes on a case, every edit kept."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tumorboard.auth.disciplines import Discipline
from tumorboard.db import LabelledEnum, TimestampMixin, enum_type, utcnow
from tumorboard.extensions import db

if TYPE_CHECKING:
    from tumorboard.auth.models import User
    from tumorboard.reviews.models import DisciplineReview


class Annotation(TimestampMixin, db.Model):
    """A note by a clinician on a case, optionally about one review; replies
    point to the thread's first note."""

    __tablename__ = "annotations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: The author's discipline when writing, kept even if the role changes.
    discipline: Mapped[Discipline] = mapped_column(
        enum_type(Discipline, "annotation_discipline")
    )
    review_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("discipline_reviews.id"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("annotations.id"), index=True
    )
    #: Markdown as typed; rendered and sanitised on display.
    body: Mapped[str] = mapped_column(sa.Text)
    current_number: Mapped[int] = mapped_column(default=1)
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    author: Mapped[User] = relationship("User", foreign_keys=[author_id], lazy="raise")
    review: Mapped[DisciplineReview | None] = relationship(
        "DisciplineReview", lazy="raise"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.CheckConstraint(
            "parent_id IS NULL OR parent_id <> id", name="not_own_parent"
        ),
    )

    @property
    def is_deleted(self) -> bool:
        """True once the author deleted the note (its revisions remain)."""
        return self.deleted_at is not None

    @property
    def is_edited(self) -> bool:
        """True when the note has more than its first revision."""
        return self.current_number > 1


class AnnotationAction(LabelledEnum):
    """What produced an annotation revision."""

    CREATE = "create"
    EDIT = "edit"
    DELETE = "delete"


class AnnotationRevision(db.Model):
    """The body of an annotation as it was after one create, edit or delete."""

    __tablename__ = "annotation_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    annotation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("annotations.id"), index=True
    )
    number: Mapped[int]
    action: Mapped[AnnotationAction] = mapped_column(
        enum_type(AnnotationAction, "annotation_action")
    )
    body: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship("User", lazy="raise")

    __table_args__ = (
        sa.UniqueConstraint("annotation_id", "number", name="annotation_number"),
    )
