"""Case intake, editing, status transitions and the worklist query."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tumorboard.audit import services as audit
from tumorboard.auth import scope
from tumorboard.auth.models import User
from tumorboard.auth.permissions import (
    authorize,
    can_edit_case,
    can_transition_case,
    can_view_case,
    may_lead_case,
)
from tumorboard.cases import diagnosis, referral_stage
from tumorboard.cases.models import (
    INSTITUTION_LIMIT,
    PRESENTATION_LIMIT,
    QUESTION_LIMIT,
    BiopsyStatus,
    Case,
    CaseStatus,
    CaseType,
    Laterality,
    ReferralSource,
    Urgency,
)
from tumorboard.cases.workflow import get_transition, transition_guards
from tumorboard.clinical import catalogue
from tumorboard.db import today, utcnow
from tumorboard.errors import Conflict, InvalidInput
from tumorboard.extensions import db
from tumorboard.patients.models import Patient
from tumorboard.patients.services import before_update as before_patient_update
from tumorboard.validation import NAME_LIMIT, REASON_LIMIT, clean_text

CASE_FIELDS = (
    "board_id",
    "case_type",
    "working_diagnosis",
    "bone",
    "bone_end",
    "bone_segment",
    "pelvic_zones",
    "vertebral_level",
    "site_code",
    "laterality",
    "presentation",
    "clinical_question",
    "referral_source",
    "referring_clinician",
    "referral_date",
    "urgency",
    "biopsy_status",
    "unplanned_excision_date",
    "unplanned_excision_institution",
    "known_primary",
    "lead_clinician_id",
    "key_worker_id",
)


def _clean_case_data(patient: Patient, data: dict[str, Any]) -> dict[str, Any]:
    """Check every field against the clinical catalogue and the patient's dates."""
    clean: dict[str, Any] = {"board_id": _board_id(data.get("board_id"))}
    try:
        clean["case_type"] = CaseType(data["case_type"])
    except ValueError:
        raise InvalidInput("Choose the case type.", "case_type") from None
    for key, enum_cls in (
        ("laterality", Laterality),
        ("referral_source", ReferralSource),
        ("urgency", Urgency),
        ("biopsy_status", BiopsyStatus),
    ):
        try:
            clean[key] = enum_cls(data[key])
        except (ValueError, KeyError):
            raise InvalidInput(
                f"Choose a valid {key.replace('_', ' ')}.", key
            ) from None
    clean.update(diagnosis.clean_location(data, clean["laterality"]))
    clean["working_diagnosis"] = diagnosis.clean_working_diagnosis(
        data.get("working_diagnosis"), clean["case_type"]
    )
    for key, label, limit in (
        ("presentation", "The presenting complaint", PRESENTATION_LIMIT),
        ("clinical_question", "The question for the board", QUESTION_LIMIT),
        ("referring_clinician", "The referring clinician", NAME_LIMIT),
    ):
        clean[key] = clean_text(data.get(key), key, label, limit, required=True)

    referral: date | None = data.get("referral_date")
    if referral is None:
        raise InvalidInput("Enter the referral date.", "referral_date")
    if referral > today():
        raise InvalidInput("The referral date is in the future.", "referral_date")
    if referral < patient.birth_date:
        raise InvalidInput(
            "The referral date is before the patient's date of birth.", "referral_date"
        )
    clean["referral_date"] = referral

    excision: date | None = data.get("unplanned_excision_date")
    institution = (data.get("unplanned_excision_institution") or "").strip() or None
    if excision is not None:
        if excision > today():
            raise InvalidInput(
                "The unplanned excision date is in the future.",
                "unplanned_excision_date",
            )
        if excision < patient.birth_date:
            raise InvalidInput(
                "The unplanned excision date is before the patient's date of birth.",
                "unplanned_excision_date",
            )
        if institution is None:
            raise InvalidInput(
                "Name the institution where the unplanned excision was done.",
                "unplanned_excision_institution",
            )
    elif institution is not None:
        raise InvalidInput(
            "Enter the date of the unplanned excision, or clear the institution.",
            "unplanned_excision_date",
        )
    clean_text(
        institution,
        "unplanned_excision_institution",
        "The institution",
        INSTITUTION_LIMIT,
    )
    clean["unplanned_excision_date"] = excision
    clean["unplanned_excision_institution"] = institution

    primary = data.get("known_primary") or None
    if clean["case_type"] == CaseType.SKELETAL_METASTASIS:
        if primary is None:
            raise InvalidInput(
                "A skeletal metastasis needs its known primary "
                "(choose 'unknown primary' if it is not known).",
                "known_primary",
            )
        try:
            primary = catalogue.metastatic_primary(primary).key
        except ValueError:
            raise InvalidInput(
                f"'{primary}' is not a known primary site.", "known_primary"
            ) from None
    else:
        primary = None
    clean["known_primary"] = primary

    clean["lead_clinician_id"] = _clinician_id(
        data, "lead_clinician_id", "lead clinician"
    )
    clean["key_worker_id"] = _clinician_id(data, "key_worker_id", "key worker")
    return clean


def _board_id(value: Any) -> int:
    """The id of an active board, or refuse (boards belong to the meetings
    layer, above this one: read by table name)."""
    if value in (None, ""):
        raise InvalidInput("Choose the board the case is referred to.", "board_id")
    boards = db.metadata.tables["boards"]
    try:
        board_id = int(value)
    except (TypeError, ValueError):
        raise InvalidInput("Choose a board from the list.", "board_id") from None
    active = db.session.scalar(
        sa.select(boards.c.is_active).where(boards.c.id == board_id)
    )
    if active is None:
        raise InvalidInput("Choose a board from the list.", "board_id")
    if not active:
        raise InvalidInput(
            "That board no longer meets; choose an active one.", "board_id"
        )
    return board_id


def board_choices(current: int | None = None) -> list[tuple[int, str]]:
    """(id, name) of the active boards, and of ``current`` if it is not."""
    boards = db.metadata.tables["boards"]
    shown = boards.c.is_active.is_(True)
    if current is not None:
        shown = sa.or_(shown, boards.c.id == current)
    return [
        (row.id, row.name)
        for row in db.session.execute(
            sa.select(boards.c.id, boards.c.name).where(shown).order_by(boards.c.name)
        )
    ]


def default_board_id(user: User) -> int | None:
    """The board a case registered by ``user`` goes to unless they choose:
    their only active board, else the only active board there is."""
    boards = db.metadata.tables["boards"]
    active = sa.select(boards.c.id).where(boards.c.is_active.is_(True))
    for stmt in (active.where(boards.c.id.in_(scope.board_ids_of(user.id))), active):
        found = db.session.scalars(stmt.limit(2)).all()
        if len(found) == 1:
            return found[0]
    return None


def _clinician_id(data: dict[str, Any], field: str, role_name: str) -> int | None:
    """The id in ``data[field]`` if it names an active clinician, else refuse."""
    user_id = data.get(field) or None
    if user_id is None:
        return None
    user = db.session.get(User, int(user_id))
    if not may_lead_case(user):
        raise InvalidInput(f"The {role_name} must be an active clinician.", field)
    return user.id


def create_case(
    actor: User,
    patient: Patient,
    data: dict[str, Any],
    reported_stage: dict[str, Any] | None = None,
) -> Case:
    """Register a new case for ``patient`` in status ``referred``, with the
    stage its referral reported (``referral_t``... keys) when there is one."""
    authorize(can_edit_case(actor, None), "Only the coordinator registers cases.")
    clean = _clean_case_data(patient, data)
    clean.update(
        referral_stage.clean(
            reported_stage or {}, clean["site_code"], clean["case_type"]
        )
    )
    case = Case(patient_id=patient.id, created_by_id=actor.id, **clean)
    db.session.add(case)
    db.session.flush()
    audit.record(
        actor,
        "case.create",
        "case",
        case.id,
        f"Registered case {case.reference} for patient {patient.reference}",
        changes=audit.diff(
            {}, audit.snapshot(case, CASE_FIELDS + referral_stage.FIELDS)
        ),
        case_id=case.id,
        patient_id=patient.id,
    )
    return case


def update_case(actor: User, case: Case, data: dict[str, Any], version: int) -> Case:
    """Edit the intake data of a case, refusing a stale form."""
    authorize(can_edit_case(actor, case), "Only the coordinator edits case data.")
    if version != case.version:
        raise Conflict(
            "This case was changed by someone else since you opened the form. "
            "Your entries are kept below; check the current case and save again."
        )
    if not case.is_open:
        raise InvalidInput("A closed or withdrawn case cannot be edited.")
    patient = db.session.get(Patient, case.patient_id)
    clean = _clean_case_data(patient, data)
    changes = audit.apply(case, CASE_FIELDS, clean)
    if changes:
        db.session.flush()
        audit.record(
            actor,
            "case.update",
            "case",
            case.id,
            f"Updated case {case.reference}: {', '.join(changes)}",
            changes=changes,
            case_id=case.id,
            patient_id=case.patient_id,
        )
    return case


def transition_case(
    actor: User | None,
    case: Case,
    target: CaseStatus | str,
    *,
    reason: str | None = None,
    version: int | None = None,
    manual: bool = True,
) -> Case:
    """Move ``case`` to ``target`` if the workflow table allows it; audited.

    ``manual`` transitions are the coordinator's; board services pass
    ``manual=False`` for the moves their events cause.
    """
    transition = get_transition(case.status, target)
    if manual:
        authorize(
            can_transition_case(actor, case),
            "Only the coordinator changes a case's status.",
        )
        if not transition.manual:
            raise InvalidInput(
                f"'{transition.label}' happens through the board meeting, not by hand."
            )
    if version is not None and version != case.version:
        raise Conflict(
            "This case changed since you opened it; its status is now "
            f"'{case.status.label}'. Nothing was changed."
        )
    reason = clean_text(reason, "reason", "The reason", REASON_LIMIT) or None
    transition_guards.run(case, transition, reason)
    if transition.reason_required and not reason:
        raise InvalidInput(f"Give a reason to {transition.label.lower()}.", "reason")
    old = case.status
    case.status = transition.target
    case.status_changed_at = utcnow()
    case.status_reason = reason
    db.session.flush()
    changes = {"status": [old.value, case.status.value]}
    if reason:
        changes["reason"] = [None, reason]
    audit.record(
        actor,
        "case.status",
        "case",
        case.id,
        f"{case.reference}: {old.label} → {case.status.label}",
        changes=changes,
        case_id=case.id,
        patient_id=case.patient_id,
    )
    return case


@before_patient_update.register
def _birth_date_before_referrals(patient: Patient, clean: dict[str, Any]) -> None:
    """A corrected birth date may not fall after a referral of the patient."""
    first_referral = db.session.scalar(
        sa.select(sa.func.min(Case.referral_date)).where(Case.patient_id == patient.id)
    )
    if first_referral is not None and first_referral < clean["birth_date"]:
        raise InvalidInput(
            "A case of this patient was referred before this birth date.",
            "birth_date",
        )


def patient_cases(patient: Patient) -> list[Case]:
    """A patient's cases with their lead clinicians, newest referral first."""
    return list(
        db.session.scalars(
            sa.select(Case)
            .where(Case.patient_id == patient.id)
            .options(joinedload(Case.lead_clinician))
            .order_by(Case.referral_date.desc(), Case.id.desc())
        )
    )


def record_read(actor: User, case: Case, how: str | None = None) -> None:
    """Audit that ``actor`` opened the case (``how``: "for editing"...)."""
    authorize(can_view_case(actor, case), "You cannot see this case.")
    audit.record(
        actor,
        "case.read",
        "case",
        case.id,
        f"Viewed case {case.reference}" + (f" {how}" if how else ""),
        case_id=case.id,
        patient_id=case.patient_id,
    )


def record_refused_read(actor: User, case: Case) -> None:
    """Audit that ``actor`` opened a case outside their scope and was shown
    its reference, board and status only."""
    audit.record(
        actor,
        "case.read_refused",
        "case",
        case.id,
        f"Refused case {case.reference}: outside the reader's scope",
        case_id=case.id,
    )


def record_list_read(
    actor: User,
    what: str,
    query: dict[str, Any],
    cases: Iterable[Case],
    masked: Iterable[int] = (),
) -> None:
    """Audit a page listing ``cases`` (a worklist, a search): one entry with
    the query and the case and patient ids shown; the patients of ``masked``
    cases (listed without patient data) are not shown."""
    shown = list(cases)
    hidden = set(masked)
    audit.record_list(
        actor,
        "case.list",
        what,
        query,
        case_ids=[c.id for c in shown],
        patient_ids=[c.patient_id for c in shown if c.id not in hidden],
    )


def masked_ids(actor: User, cases: Iterable[Case]) -> set[int]:
    """The cases of a page that ``actor`` sees masked (outside their scope
    and without a running break-glass grant): one query for the page."""
    ids = [c.id for c in cases]
    readable = scope.readable_ids(actor.id, ids)
    return {i for i in ids if i not in readable}
