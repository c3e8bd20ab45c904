"""Cases: one patient's tumour episode, discussed at the board one or more times."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tumorboard.clinical import anatomy, catalogue
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

#: Value of ``Case.confirmed_diagnosis`` when pathology found a metastasis
#: (not a WHO bone entity).
CONFIRMED_METASTASIS = "metastasis"


def _sql_values(pairs) -> str:
    return ", ".join(f"'{key}'" for key, _ in pairs)


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
    #: The board the case is referred to: its members read the case
    #: (tumorboard.auth.scope).
    board_id: Mapped[int] = mapped_column(sa.ForeignKey("boards.id"), index=True)
    case_type: Mapped[CaseType] = mapped_column(enum_type(CaseType, "case_type"))
    #: ICD-O-3 topography code (C40.0 ... C41.9), derived from ``bone``
    #: (tumorboard.clinical.anatomy); typed only on cases from before the bone.
    site_code: Mapped[str] = mapped_column(sa.String(8), index=True)
    #: Key of the bone (clinical.anatomy.BONES); empty on cases registered
    #: before the bone was recorded, which are flagged for completion.
    bone: Mapped[str | None] = mapped_column(sa.String(24))
    #: Long bones: proximal or distal end (none for the diaphysis).
    bone_end: Mapped[str | None] = mapped_column(sa.String(8))
    #: Long bones: epiphysis, metaphysis or diaphysis.
    bone_segment: Mapped[str | None] = mapped_column(sa.String(10))
    #: Pelvis: Enneking–Dunham zones as a set written "I+II" (reference §9.5).
    pelvic_zones: Mapped[str | None] = mapped_column(sa.String(12))
    #: Vertebra: level C1–C7, T1–T12, L1–L5.
    vertebral_level: Mapped[str | None] = mapped_column(sa.String(3))
    #: Key of the WHO entity suspected at referral (clinical.catalogue).
    working_diagnosis: Mapped[str | None] = mapped_column(sa.String(60))
    #: Copy of the diagnosis of the current pathology revision (a WHO entity
    #: key or "metastasis"), written by the review service in the same
    #: transaction so lists can show it without reading the review.
    confirmed_diagnosis: Mapped[str | None] = mapped_column(sa.String(60))
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
        enum_type(CaseStatus, "case_status"), default=CaseStatus.REFERRED
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
    #: AJCC 8th T, N, M and stage group as the referring centre reported them
    #: (a FHIR referral's TNM observations). The board's own staging is
    #: derived from its reviews; these stay as received.
    referral_t: Mapped[str | None] = mapped_column(sa.String(4))
    referral_n: Mapped[str | None] = mapped_column(sa.String(4))
    referral_m: Mapped[str | None] = mapped_column(sa.String(4))
    referral_stage_group: Mapped[str | None] = mapped_column(sa.String(4))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    patient: Mapped[Patient] = relationship("Patient", lazy="raise")
    board: Mapped[Any] = relationship("Board", lazy="raise")
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
        # The worklist's default order (newest referral first), alone and
        # within a status: a page is read off the index instead of sorting
        # every case (measured with scripts/bench.py).
        sa.Index("ix_cases_referral_date_id", "referral_date", "id"),
        sa.Index("ix_cases_status_referral_date_id", "status", "referral_date", "id"),
        # Counts of a status within a person's access scope: the columns of
        # the scope's direct tests and the id its other tests correlate on,
        # so that a count reads the index alone while one of the direct tests
        # holds (see tumorboard/auth/scope.py).
        sa.Index(
            "ix_cases_status_scope",
            "status",
            "board_id",
            "lead_clinician_id",
            "key_worker_id",
            "id",
        ),
        # "Waiting for me" reads each urgency of a status in referral order.
        sa.Index(
            "ix_cases_status_urgency_referral_date_id",
            "status",
            "urgency",
            "referral_date",
            "id",
        ),
        # The meeting page's ready pool reads each urgency in order of readiness.
        sa.Index(
            "ix_cases_status_urgency_status_changed_at_id",
            "status",
            "urgency",
            "status_changed_at",
            "id",
        ),
        sa.CheckConstraint(
            "case_type <> 'skeletal_metastasis' OR known_primary IS NOT NULL",
            name="metastasis_has_primary",
        ),
        sa.CheckConstraint(
            "unplanned_excision_institution IS NULL "
            "OR unplanned_excision_date IS NOT NULL",
            name="excision_institution_needs_date",
        ),
        sa.CheckConstraint(
            f"bone_end IS NULL OR bone_end IN ({_sql_values(anatomy.BONE_ENDS)})",
            name="bone_end_values",
        ),
        sa.CheckConstraint(
            "bone_segment IS NULL OR bone_segment IN "
            f"({_sql_values(anatomy.BONE_SEGMENTS)})",
            name="bone_segment_values",
        ),
        sa.CheckConstraint(
            "bone IS NOT NULL OR (bone_end IS NULL AND bone_segment IS NULL "
            "AND pelvic_zones IS NULL AND vertebral_level IS NULL)",
            name="location_details_need_bone",
        ),
        sa.CheckConstraint(
            "bone_segment IS NULL OR bone_segment <> 'diaphysis' OR bone_end IS NULL",
            name="diaphysis_has_no_end",
        ),
    )

    @property
    def reference(self) -> str:
        """Short human reference shown in lists and documents."""
        return f"TB-{self.id:05d}"

    @property
    def location_to_complete(self) -> bool:
        """True for cases registered before the bone was recorded."""
        return self.bone is None

    @property
    def location_label(self) -> str:
        """'distal femur, metaphysis, left'; before the bone is recorded, the
        topography label (never a bare code) and the side."""
        side = Laterality(self.laterality).value if self.laterality else None
        if self.bone is None:
            label = catalogue.topography(self.site_code).label
            if side in anatomy.PAIRED_SIDES:
                label = f"{label}, {side}"
            return label
        return anatomy.location_label(
            self.bone,
            bone_end=self.bone_end,
            bone_segment=self.bone_segment,
            pelvic_zones=self.pelvic_zones,
            vertebral_level=self.vertebral_level,
            laterality=side,
        )

    @property
    def diagnosis_is_confirmed(self) -> bool:
        """True once the pathology review records a diagnosis."""
        return self.confirmed_diagnosis is not None

    @property
    def diagnosis_label(self) -> str:
        """The confirmed diagnosis, else the working one marked as suspected;
        for a metastasis without either, its known primary."""
        if self.confirmed_diagnosis == CONFIRMED_METASTASIS:
            return f"{self._metastasis_label()} (confirmed)"
        if self.confirmed_diagnosis:
            entity = catalogue.who_entity(self.confirmed_diagnosis)
            return f"{entity.short_name} (confirmed)"
        if self.working_diagnosis:
            entity = catalogue.who_entity(self.working_diagnosis)
            return f"{entity.short_name} (suspected)"
        if self.case_type == CaseType.SKELETAL_METASTASIS:
            return self._metastasis_label()
        return "Primary bone tumour (no working diagnosis)"

    def _metastasis_label(self) -> str:
        if self.known_primary == "other":
            return "Metastasis from another primary"
        if self.known_primary:
            primary = catalogue.metastatic_primary(self.known_primary)
            return f"Metastasis from {primary.label.lower()}"
        return "Metastasis"

    @property
    def summary_label(self) -> str:
        """Diagnosis · location, the one line that names the case in lists,
        agendas, presentations and documents."""
        return f"{self.diagnosis_label} · {self.location_label}"

    @property
    def is_open(self) -> bool:
        """True until the case is closed or withdrawn."""
        return self.status in OPEN_STATUSES

    def __repr__(self) -> str:
        return f"<Case {self.id} {self.status}>"
