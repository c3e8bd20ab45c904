"""What the board decided for one agenda item, its revisions, whether it was
carried out, and the action items that follow from it."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tumorboard.auth.disciplines import Discipline
from tumorboard.db import LabelledEnum, TimestampMixin, enum_type, today
from tumorboard.extensions import db
from tumorboard.meetings.models import AgendaItem

if TYPE_CHECKING:
    from tumorboard.auth.models import User
    from tumorboard.cases.models import Case


class ConferenceType(LabelledEnum):
    """At which point of the pathway the case was discussed."""

    PRE_THERAPEUTIC = "pre_therapeutic"
    POST_OPERATIVE = "post_operative"
    POST_THERAPEUTIC = "post_therapeutic"
    FOLLOW_UP = "follow_up"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.PRE_THERAPEUTIC: "Pre-therapeutic",
            cls.POST_OPERATIVE: "Post-operative",
            cls.POST_THERAPEUTIC: "Post-therapeutic",
            cls.FOLLOW_UP: "Follow-up",
        }


class TreatmentIntent(LabelledEnum):
    """What the recommended treatment aims at."""

    CURATIVE = "curative"
    PALLIATIVE = "palliative"
    DIAGNOSTIC = "diagnostic"
    SURVEILLANCE = "surveillance"


class RecommendationCode(LabelledEnum):
    """Coded recommendation types; several may apply to one recommendation."""

    BIOPSY = "biopsy"
    FURTHER_IMAGING = "further_imaging"
    NEOADJUVANT_CHEMOTHERAPY = "neoadjuvant_chemotherapy"
    SURGERY = "surgery"
    RADIOTHERAPY = "radiotherapy"
    SYSTEMIC_THERAPY = "systemic_therapy"
    PALLIATIVE_CARE_REFERRAL = "palliative_care_referral"
    BEST_SUPPORTIVE_CARE = "best_supportive_care"
    SURVEILLANCE = "surveillance"
    CLINICAL_TRIAL = "clinical_trial"
    REDISCUSSION = "rediscussion"

    @classmethod
    def _labels(cls) -> dict:
        labels = super()._labels()
        labels[cls.PALLIATIVE_CARE_REFERRAL] = "Palliative-care referral"
        labels[cls.REDISCUSSION] = "Re-discussion after an event"
        return labels


class SurgeryKind(LabelledEnum):
    """The kind of operation a surgical recommendation names."""

    LIMB_SALVAGE = "limb_salvage"
    AMPUTATION = "amputation"
    WIDE_EN_BLOC_RESECTION = "wide_en_bloc_resection"
    RE_EXCISION = "re_excision"
    CURETTAGE = "curettage"
    PROPHYLACTIC_FIXATION = "prophylactic_fixation"
    FIXATION_OF_FRACTURE = "fixation_of_fracture"
    SPINAL_DECOMPRESSION_STABILISATION = "spinal_decompression_stabilisation"
    METASTASECTOMY = "metastasectomy"
    OTHER = "other"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.LIMB_SALVAGE: "Limb-salvage resection with reconstruction",
            cls.AMPUTATION: "Amputation / rotationplasty",
            cls.WIDE_EN_BLOC_RESECTION: "Wide en bloc resection",
            cls.RE_EXCISION: "Re-excision after unplanned excision",
            cls.CURETTAGE: "Curettage (with adjuvants)",
            cls.PROPHYLACTIC_FIXATION: "Prophylactic fixation",
            cls.FIXATION_OF_FRACTURE: "Fixation of a pathological fracture",
            cls.SPINAL_DECOMPRESSION_STABILISATION: (
                "Spinal decompression and stabilisation"
            ),
            cls.METASTASECTOMY: "Metastasectomy",
            cls.OTHER: "Other operation (see free text)",
        }


class RecommendationState(LabelledEnum):
    """draft → signed → superseded (by an amendment)."""

    DRAFT = "draft"
    SIGNED = "signed"
    SUPERSEDED = "superseded"


class ImplementationStatus(LabelledEnum):
    """Whether the recommendation was carried out."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    DEVIATED = "deviated"
    CANCELLED = "cancelled"


class DeviationReason(LabelledEnum):
    """Why what was done differs from what the board recommended."""

    PATIENT_WISH = "patient_wish"
    NEW_FINDINGS = "new_findings"
    CLINICAL_DETERIORATION = "clinical_deterioration"
    DIED = "died"
    DID_NOT_ATTEND = "did_not_attend"
    OTHER = "other"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.PATIENT_WISH: "Patient's wish",
            cls.NEW_FINDINGS: "New findings",
            cls.CLINICAL_DETERIORATION: "Clinical deterioration",
            cls.DIED: "Patient died",
            cls.DID_NOT_ATTEND: "Did not attend",
            cls.OTHER: "Other (see note)",
        }


class PatientWish(LabelledEnum):
    """Whether the deviation followed the patient's expressed wish."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class ActionStatus(LabelledEnum):
    """open → done or cancelled."""

    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class Recommendation(TimestampMixin, db.Model):
    """One revision of the board's recommendation for one agenda item.

    Revision 1 is recorded at the meeting; an amendment of a signed revision
    adds revision n+1 as a draft. The signed revision stays in force until the
    chair signs the amendment; only then is it marked superseded (and its
    implementation tracking and open action items move to the new revision),
    so the history of what was decided stays visible.
    """

    __tablename__ = "recommendations"

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agenda_items.id"), index=True
    )
    #: Copied from the agenda item so a case's decision history is one query.
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    revision: Mapped[int] = mapped_column(default=1)
    supersedes_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("recommendations.id"), unique=True
    )
    #: Equals agenda_item_id for the current revision (the signed one in
    #: force, or a first draft) and NULL for superseded revisions and draft
    #: amendments; the unique constraint allows one current revision per item
    #: on every database (a portable partial unique index).
    current_key: Mapped[int | None] = mapped_column(unique=True)
    state: Mapped[RecommendationState] = mapped_column(
        enum_type(RecommendationState, "recommendation_state"),
        default=RecommendationState.DRAFT,
    )
    conference_type: Mapped[ConferenceType] = mapped_column(
        enum_type(ConferenceType, "recommendation_conference_type")
    )
    intent: Mapped[TreatmentIntent] = mapped_column(
        enum_type(TreatmentIntent, "recommendation_intent")
    )
    #: Coded items: ``{"code": "surgery", "detail": "limb_salvage"}``,
    #: ``{"code": "clinical_trial", "nct": "NCT01234567"}``,
    #: ``{"code": "rediscussion", "event": "after restaging MRI"}``.
    types: Mapped[list[dict]] = mapped_column(sa.JSON, default=list)
    free_text: Mapped[str] = mapped_column(sa.Text, default="")
    rationale: Mapped[str] = mapped_column(sa.Text, default="")
    consensus: Mapped[bool] = mapped_column(default=True)
    #: ``[{"discipline": "radiation_oncology", "reason": "..."}]``
    dissent: Mapped[list[dict]] = mapped_column(sa.JSON, default=list)
    standard_of_care: Mapped[bool] = mapped_column(default=True)
    #: The date by which the recommended step should have started.
    start_by: Mapped[date] = mapped_column(index=True)
    amendment_reason: Mapped[str | None] = mapped_column(sa.Text)
    #: Why the chair signed although a required discipline was absent.
    quorum_override_reason: Mapped[str | None] = mapped_column(sa.Text)
    signed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id"), index=True
    )
    signed_at: Mapped[datetime | None]
    implementation_status: Mapped[ImplementationStatus] = mapped_column(
        enum_type(ImplementationStatus, "recommendation_implementation_status"),
        default=ImplementationStatus.NOT_STARTED,
        index=True,
    )
    deviation_reason: Mapped[DeviationReason | None] = mapped_column(
        enum_type(DeviationReason, "recommendation_deviation_reason")
    )
    patient_wish: Mapped[PatientWish | None] = mapped_column(
        enum_type(PatientWish, "recommendation_patient_wish")
    )
    deviation_note: Mapped[str | None] = mapped_column(sa.Text)
    #: When the recorded implementation status took effect.
    implementation_date: Mapped[date | None]
    implementation_updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id")
    )
    implementation_updated_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    agenda_item: Mapped[AgendaItem] = relationship("AgendaItem", lazy="raise")
    case: Mapped[Case] = relationship("Case", lazy="raise")
    signed_by: Mapped[User | None] = relationship(
        "User", foreign_keys=[signed_by_id], lazy="raise"
    )
    created_by: Mapped[User | None] = relationship(
        "User", foreign_keys=[created_by_id], lazy="raise"
    )
    implementation_updated_by: Mapped[User | None] = relationship(
        "User", foreign_keys=[implementation_updated_by_id], lazy="raise"
    )
    supersedes: Mapped[Recommendation | None] = relationship(
        "Recommendation",
        remote_side=[id],
        foreign_keys=[supersedes_id],
        back_populates="superseded_by",
        lazy="raise",
    )
    superseded_by: Mapped[Recommendation | None] = relationship(
        "Recommendation",
        foreign_keys=[supersedes_id],
        back_populates="supersedes",
        uselist=False,
        lazy="raise",
    )
    action_items: Mapped[list[ActionItem]] = relationship(
        "ActionItem",
        back_populates="recommendation",
        lazy="raise",
        order_by="(ActionItem.due_date, ActionItem.id)",
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.UniqueConstraint("agenda_item_id", "revision", name="item_revision"),
        # The drafts waiting for a signature, and the signed decisions not
        # started by their start-by date (in that order), read off the index
        # instead of every decision ever recorded.
        sa.Index(
            "ix_recommendations_state_implementation_start_by_id",
            "state",
            "implementation_status",
            "start_by",
            "id",
        ),
        sa.CheckConstraint("revision >= 1", name="revision_positive"),
        sa.CheckConstraint(
            "(revision = 1 AND supersedes_id IS NULL AND amendment_reason IS NULL) "
            "OR (revision > 1 AND supersedes_id IS NOT NULL "
            "AND amendment_reason IS NOT NULL)",
            name="amendment_has_reason",
        ),
        sa.CheckConstraint(
            "(state = 'draft' AND signed_by_id IS NULL AND signed_at IS NULL) "
            "OR (state <> 'draft' AND signed_by_id IS NOT NULL "
            "AND signed_at IS NOT NULL)",
            name="signed_has_signer",
        ),
        sa.CheckConstraint(
            "((state = 'superseded' OR (state = 'draft' AND revision > 1)) "
            "AND current_key IS NULL) "
            "OR ((state = 'signed' OR (state = 'draft' AND revision = 1)) "
            "AND current_key = agenda_item_id)",
            name="current_key_matches_state",
        ),
        sa.CheckConstraint(
            "(implementation_status = 'deviated') = (deviation_reason IS NOT NULL)",
            name="deviation_has_reason",
        ),
        sa.CheckConstraint(
            "deviation_reason IS NULL OR patient_wish IS NOT NULL",
            name="deviation_has_patient_wish",
        ),
        sa.CheckConstraint(
            "implementation_status = 'not_started' OR state <> 'draft'",
            name="implementation_only_when_signed",
        ),
        sa.CheckConstraint(
            "implementation_status = 'not_started' OR implementation_date IS NOT NULL",
            name="implementation_has_date",
        ),
    )

    @property
    def is_current(self) -> bool:
        """True for the revision in force (or a first draft), not for a
        superseded revision or an amendment that waits for its signature."""
        return self.current_key is not None

    @property
    def is_draft_amendment(self) -> bool:
        """True for an unsigned amendment (revision 2 or later)."""
        return self.state == RecommendationState.DRAFT and self.revision > 1

    @property
    def is_draft(self) -> bool:
        """True while the revision waits for the chair's signature."""
        return self.state == RecommendationState.DRAFT

    @property
    def is_in_force(self) -> bool:
        """True for the signed revision that no amendment has replaced."""
        return self.state == RecommendationState.SIGNED

    @property
    def is_signed(self) -> bool:
        """True once the chair signed this revision (also when superseded later)."""
        return self.signed_at is not None

    @property
    def is_overdue(self) -> bool:
        """Signed, current, not started, and its start-by date has passed."""
        return (
            self.state == RecommendationState.SIGNED
            and self.implementation_status == ImplementationStatus.NOT_STARTED
            and self.start_by < today()
        )

    @property
    def dissent_labelled(self) -> list[tuple[str, str]]:
        """(discipline label, reason) for each dissent."""
        return [(Discipline(d["discipline"]).label, d["reason"]) for d in self.dissent]

    @property
    def type_labels(self) -> list[str]:
        """Each coded type as readable text, with its detail."""
        return [type_label(item) for item in self.types]

    def __repr__(self) -> str:
        return f"<Recommendation {self.id} item={self.agenda_item_id} r{self.revision}>"


@sa.event.listens_for(Recommendation, "after_insert")
def _mark_item_decided(mapper, connection, rec: Recommendation) -> None:
    """Flag the agenda item as having its recommendation, in the same flush.
    A plain UPDATE: recording a decision is not an edit of the item, so its
    version (which the agenda's forms hold) stays as it is."""
    connection.execute(
        sa.update(AgendaItem.__table__)
        .where(
            AgendaItem.id == rec.agenda_item_id,
            AgendaItem.has_recommendation == sa.false(),
        )
        .values(has_recommendation=True)
    )
    session = sa.orm.object_session(rec)
    key = sa.inspect(AgendaItem).identity_key_from_primary_key([rec.agenda_item_id])
    item = session.identity_map.get(key) if session is not None else None
    if item is not None:
        sa.orm.attributes.set_committed_value(item, "has_recommendation", True)


def type_label(item: dict) -> str:
    """``Surgery: Limb-salvage resection …`` for one coded item."""
    code = RecommendationCode(item["code"])
    if code == RecommendationCode.SURGERY and item.get("detail"):
        return f"{code.label}: {SurgeryKind(item['detail']).label}"
    if code == RecommendationCode.CLINICAL_TRIAL and item.get("nct"):
        return f"{code.label}: {item['nct']}"
    if code == RecommendationCode.REDISCUSSION and item.get("event"):
        return f"Re-discussion {item['event']}"
    return code.label


class ActionItem(TimestampMixin, db.Model):
    """A concrete task that follows from a recommendation, with an owner."""

    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("recommendations.id"), index=True
    )
    description: Mapped[str] = mapped_column(sa.String(500))
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    due_date: Mapped[date] = mapped_column(index=True)
    status: Mapped[ActionStatus] = mapped_column(
        enum_type(ActionStatus, "action_item_status"),
        default=ActionStatus.OPEN,
    )
    completed_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    recommendation: Mapped[Recommendation] = relationship(
        "Recommendation", back_populates="action_items", lazy="raise"
    )
    owner: Mapped[User] = relationship("User", foreign_keys=[owner_id], lazy="raise")
    created_by: Mapped[User | None] = relationship(
        "User", foreign_keys=[created_by_id], lazy="raise"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.CheckConstraint(
            "(status = 'done') = (completed_at IS NOT NULL)",
            name="done_has_completed_at",
        ),
        # A person's open actions by due date, and everyone's overdue ones,
        # read in order off an index instead of every action ever set.
        sa.Index(
            "ix_action_items_owner_id_status_due_date_id",
            "owner_id",
            "status",
            "due_date",
            "id",
        ),
        sa.Index("ix_action_items_status_due_date_id", "status", "due_date", "id"),
    )

    @property
    def is_overdue(self) -> bool:
        """Open and past its due date."""
        return self.status == ActionStatus.OPEN and self.due_date < today()
