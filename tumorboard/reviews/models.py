"""Discipline reviews with full revision history, and readiness waivers."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tumorboard.auth.disciplines import REVIEW_DISCIPLINES, Discipline
from tumorboard.db import LabelledEnum, TimestampMixin, enum_type, utcnow
from tumorboard.extensions import db

if TYPE_CHECKING:
    from tumorboard.auth.models import User
    from tumorboard.cases.models import Case

#: Longest reason for a readiness waiver or declaration (form and service).
WAIVER_REASON_LIMIT = 1000

_REVIEW_DISCIPLINE_SQL = ", ".join(f"'{d.value}'" for d in REVIEW_DISCIPLINES)


class DisciplineReview(TimestampMixin, db.Model):
    """The one live review of a case by one discipline; its content lives in
    revisions, the newest of which is current."""

    __tablename__ = "discipline_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    discipline: Mapped[Discipline] = mapped_column(
        enum_type(Discipline, "review_discipline")
    )
    #: Number of the current revision. A revision row is never changed, so
    #: "current" is a pointer kept here rather than a foreign key back to
    #: review_revisions (which would make the two tables depend on each other).
    current_number: Mapped[int] = mapped_column(default=1)
    version: Mapped[int] = mapped_column(default=1)

    case: Mapped[Case] = relationship("Case", lazy="raise")
    current_revision: Mapped[ReviewRevision | None] = relationship(
        "ReviewRevision",
        primaryjoin=lambda: is_current_revision(),
        viewonly=True,
        uselist=False,
        lazy="raise",
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.UniqueConstraint("case_id", "discipline", name="case_discipline"),
        sa.CheckConstraint(
            f"discipline IN ({_REVIEW_DISCIPLINE_SQL})", name="review_discipline_only"
        ),
        sa.CheckConstraint("current_number >= 1", name="current_number_positive"),
    )

    def __repr__(self) -> str:
        return f"<DisciplineReview {self.id} case={self.case_id} {self.discipline}>"


class ReviewRevision(db.Model):
    """One saved state of a review: what the author entered and the scores
    computed from it. Rows are only ever added."""

    __tablename__ = "review_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        sa.ForeignKey("discipline_reviews.id"), index=True
    )
    number: Mapped[int]
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: The validated inputs, in the discipline's schema (reviews.schemas).
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    #: Scores computed by tumorboard.clinical from ``data``, never typed in.
    scores: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    #: ``{field label: [old, new]}`` against the previous revision.
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    review: Mapped[DisciplineReview] = relationship("DisciplineReview", lazy="raise")
    author: Mapped[User] = relationship("User", lazy="raise")

    __table_args__ = (
        sa.UniqueConstraint("review_id", "number", name="review_number"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
    )


class ReadinessDeclaration(LabelledEnum):
    """What a coordinator records against a readiness item."""

    #: The item is missing but the case may go to the board anyway.
    WAIVER = "waiver"
    #: The board is asked to discuss the case before any biopsy, so no
    #: pathology review is expected (satisfies the pathology item).
    PRE_BIOPSY = "pre_biopsy"

    @classmethod
    def _labels(cls) -> dict:
        # Nouns: they name the record ("Withdraw the waiver").
        return {cls.WAIVER: "Waiver", cls.PRE_BIOPSY: "Pre-biopsy declaration"}


def is_current_revision() -> sa.ColumnElement[bool]:
    """Join condition from a review to its current revision (the one query of it)."""
    return sa.and_(
        ReviewRevision.review_id == DisciplineReview.id,
        ReviewRevision.number == DisciplineReview.current_number,
    )


class ReadinessWaiver(db.Model):
    """A coordinator's waiver of one readiness item of a case, with the reason.

    Withdrawn waivers stay for the record; at most one is active per item.
    """

    __tablename__ = "readiness_waivers"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    #: Key of the readiness item (reviews.readiness.ITEMS).
    item: Mapped[str] = mapped_column(sa.String(40))
    kind: Mapped[ReadinessDeclaration] = mapped_column(
        enum_type(ReadinessDeclaration, "readiness_declaration"),
        default=ReadinessDeclaration.WAIVER,
    )
    reason: Mapped[str] = mapped_column(sa.Text)
    waived_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    waived_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id"), index=True
    )

    waived_by: Mapped[User] = relationship(
        "User", foreign_keys=[waived_by_id], lazy="raise"
    )

    __table_args__ = (
        sa.CheckConstraint("length(reason) > 0", name="reason_not_empty"),
        sa.CheckConstraint(
            "(withdrawn_at IS NULL) = (withdrawn_by_id IS NULL)",
            name="withdrawn_with_actor",
        ),
    )

    @property
    def is_active(self) -> bool:
        """True until the waiver is withdrawn."""
        return self.withdrawn_at is None
