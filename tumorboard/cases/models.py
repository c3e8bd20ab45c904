"""Cases: one patient's tumour episode, discussed at the board one or more times."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tumorboard.db import LabelledEnum, TimestampMixin, enum_type, utcnow
from tumorboard.extensions import db
from tumorboard.validation import LONG_TEXT_LIMIT

if TYPE_CHECKING:
    from tumorboard.auth.models import User
    from tumorboard.patients.models import Patient

#: Longest accepted text per case field, checked by the form and the service.
PRESENTATION_LIMIT = LONG_TEXT_LIMIT
QUESTION_LIMIT = 2000
INSTITUTION_LIMIT = 160


class CaseType(LabelledEnum):
    """Which pathway the case follows."""

    PRIMARY_BONE_TUMOUR = "primary_bone_tumour"
    SKELETAL_METASTASIS = "skeletal_metastasis"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.PRIMARY_BONE_TUMOUR: "Primary bone tumour",
            cls.SKELETAL_METASTASIS: "Skeletal metastasis",
        }


class CaseStatus(LabelledEnum):
    """Where the case stands in the board workflow (see cases.workflow)."""

    REFERRED = "referred"
    WORKUP = "workup"
    READY = "ready"
    LISTED = "listed"
    DISCUSSED = "discussed"
    FOLLOW_UP = "follow_up"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"

    @classmethod
    def _labels(cls) -> dict:
        labels = super()._labels()
        labels[cls.WORKUP] = "Work-up"
        labels[cls.FOLLOW_UP] = "Follow-up"
        return labels


class Laterality(LabelledEnum):
    """Side of the lesion."""

    LEFT = "left"
    RIGHT = "right"
    BILATERAL = "bilateral"
    MIDLINE = "midline"
    NOT_APPLICABLE = "not_applicable"
    UNKNOWN = "unknown"


class Urgency(LabelledEnum):
    """How soon the board must see the case; the value order is the sort order."""

    EMERGENCY = "emergency"
    URGENT = "urgent"
    ROUTINE = "routine"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.EMERGENCY: "Emergency (impending fracture or cord compression)",
            cls.URGENT: "Urgent (suspected sarcoma, 2-week pathway)",
            cls.ROUTINE: "Routine",
        }

    @property
    def short_label(self) -> str:
        """One word, for badges."""
        return self.value.capitalize()


class ReferralSource(LabelledEnum):
    """Who sent the case to the board."""

    INTERNAL = "internal"
    EXTERNAL_HOSPITAL = "external_hospital"
    PRIMARY_CARE = "primary_care"
    SARCOMA_CENTRE = "sarcoma_centre"
    OTHER = "other"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.INTERNAL: "Internal (this hospital)",
            cls.EXTERNAL_HOSPITAL: "External hospital",
            cls.PRIMARY_CARE: "Primary care",
            cls.SARCOMA_CENTRE: "Another sarcoma centre",
            cls.OTHER: "Other",
        }


class BiopsyStatus(LabelledEnum):
    """Whether tissue has been obtained, and where; a biopsy outside the
    treating centre is a known risk for sarcoma and is tracked."""

    NOT_BIOPSIED = "not_biopsied"
    PLANNED = "planned"
    DONE_AT_CENTRE = "done_at_centre"
    DONE_ELSEWHERE = "done_elsewhere"

    @classmethod
    def _labels(cls) -> dict:
        return {
            # Shown after a "Biopsy" label, so they do not repeat the word.
            cls.NOT_BIOPSIED: "Not biopsied",
            cls.PLANNED: "Planned by the treating centre",
            cls.DONE_AT_CENTRE: "Done at the treating centre",
            cls.DONE_ELSEWHERE: "Done elsewhere",
        }


OPEN_STATUSES = frozenset(
    {
        CaseStatus.REFERRED,
        CaseStatus.WORKUP,
        CaseStatus.READY,
        CaseStatus.LISTED,
        CaseStatus.DISCUSSED,
        CaseStatus.FOLLOW_UP,
    }
)


class Case(TimestampMixin, db.Model):
    """A patient's tumour episode from referral to closure."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(sa.ForeignKey("patients.id"), index=True)
    case_type: Mapped[CaseType] = mapped_column(enum_type(CaseType, "case_type"))
    #: ICD-O-3 topography code (C40.0 ... C41.9), see tumorboard.clinical.
    site_code: Mapped[str] = mapped_column(sa.String(8), index=True)
    laterality: Mapped[Laterality] = mapped_column(
        enum_type(Laterality, "case_laterality")
    )
    presentation: Mapped[str] = mapped_column(sa.Text)
    clinical_question: Mapped[str] = mapped_column(sa.Text)
    referral_source: Mapped[ReferralSource] = mapped_column(
        enum_type(ReferralSource, "case_referral_source")
    )
    referring_clinician: Mapped[str] = mapped_column(sa.String(120))
    referral_date: Mapped[date]
    urgency: Mapped[Urgency] = mapped_column(enum_type(Urgency, "case_urgency"))
    biopsy_status: Mapped[BiopsyStatus] = mapped_column(
        enum_type(BiopsyStatus, "case_biopsy_status")
    )
    #: Date of an excision done without a sarcoma work-up ("whoops" procedure).
    unplanned_excision_date: Mapped[date | None]
    unplanned_excision_institution: Mapped[str | None] = mapped_column(sa.String(160))
    #: Key of the known primary cancer for skeletal metastases (clinical catalogue).
    known_primary: Mapped[str | None] = mapped_column(sa.String(40))
    status: Mapped[CaseStatus] = mapped_column(
        enum_type(CaseStatus, "case_status"), default=CaseStatus.REFERRED, index=True
    )
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Why the case was last withdrawn, closed early or sent back.
    status_reason: Mapped[str | None] = mapped_column(sa.Text)
    lead_clinician_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id"), index=True
    )
    #: The clinician (usually a nurse specialist) the patient contacts, who
    #: passes on the board's decisions.
    key_worker_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    patient: Mapped[Patient] = relationship("Patient", lazy="raise")
    lead_clinician: Mapped[User | None] = relationship(
        "User", foreign_keys=[lead_clinician_id], lazy="raise"
    )
    key_worker: Mapped[User | None] = relationship(
        "User", foreign_keys=[key_worker_id], lazy="raise"
    )
    created_by: Mapped[User | None] = relationship(
        "User", foreign_keys=[created_by_id], lazy="raise"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.CheckConstraint(
            "case_type <> 'skeletal_metastasis' OR known_primary IS NOT NULL",
            name="metastasis_has_primary",
        ),
        sa.CheckConstraint(
            "unplanned_excision_institution IS NULL "
            "OR unplanned_excision_date IS NOT NULL",
            name="excision_institution_needs_date",
        ),
    )

    @property
    def reference(self) -> str:
        """Short human reference shown in lists and documents."""
        return f"TB-{self.id:05d}"

    @property
    def is_open(self) -> bool:
        """True until the case is closed or withdrawn."""
        return self.status in OPEN_STATUSES

    def __repr__(self) -> str:
        return f"<Case {self.id} {self.status}>"
