"""Performance status on the case: one row per recorded assessment."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tumorboard.auth.models import User
from tumorboard.db import LabelledEnum, enum_type, utcnow
from tumorboard.extensions import db


class AssessmentSource(LabelledEnum):
    """Where the assessment was made."""

    CLINIC = "clinic"
    WARD = "ward"
    TELEPHONE = "telephone"
    REFERRAL = "referral"
    REVIEW = "review"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.CLINIC: "Clinic assessment",
            cls.WARD: "Inpatient assessment",
            cls.TELEPHONE: "Telephone assessment",
            cls.REFERRAL: "Referral letter",
            cls.REVIEW: "Palliative care review",
        }


class PerformanceStatus(db.Model):
    """One assessment of a case's performance status.

    Rows are never changed: a new assessment is a new row with the next
    ``number``, and the highest number is the current one (as review
    revisions). Adults (16 and over on ``assessed_on``) have ECOG and/or
    Karnofsky, children the Lansky play-performance level (reference §8.5).
    """

    __tablename__ = "performance_statuses"
    __table_args__ = (sa.UniqueConstraint("case_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        sa.ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    ecog: Mapped[int | None]
    karnofsky: Mapped[int | None]
    lansky: Mapped[int | None]
    assessed_on: Mapped[date]
    source: Mapped[AssessmentSource] = mapped_column(
        enum_type(AssessmentSource, "performance_source")
    )
    #: ECOG and Karnofsky outside the Ma 2010 correspondence (§8.4), recorded
    #: after the clinician confirmed both values; the case stays flagged.
    disagreement_confirmed: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false()
    )
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    recorded_by: Mapped[User | None] = relationship()

    @property
    def source_label(self) -> str:
        return AssessmentSource(self.source).label

    @property
    def values_label(self) -> str:
        """ "ECOG 1 · Karnofsky 80" or "Lansky 70"."""
        parts = []
        if self.ecog is not None:
            parts.append(f"ECOG {self.ecog}")
        if self.karnofsky is not None:
            parts.append(f"Karnofsky {self.karnofsky}")
        if self.lansky is not None:
            parts.append(f"Lansky {self.lansky}")
        return " · ".join(parts)
