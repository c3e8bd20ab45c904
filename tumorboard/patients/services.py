"""Patient registration and search."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from tumorboard.audit import services as audit
from tumorboard.auth import scope
from tumorboard.auth.models import User
from tumorboard.auth.permissions import Permission, authorize, has_permission
from tumorboard.db import today
from tumorboard.errors import Conflict, InvalidInput
from tumorboard.extensions import db
from tumorboard.hooks import Hook
from tumorboard.patients.duplicates import (  # noqa: F401  (re-exported)
    ProbableDuplicate,
    probable_duplicates,
)
from tumorboard.patients.models import GP_PRACTICE_LIMIT, Patient, Sex
from tumorboard.validation import NAME_LIMIT, clean_text

PATIENT_FIELDS = (
    "mrn",
    "given_name",
    "family_name",
    "birth_date",
    "sex",
    "gp_name",
    "gp_practice",
)
#: A change to one of these is checked for probable duplicates.
DUPLICATE_FIELDS = ("mrn", "given_name", "family_name", "birth_date")

#: ``check(patient, clean)`` before corrected demographics are saved; features
#: holding the patient's records raise InvalidInput when the change contradicts
#: them (cases: a referral before the birth date).
before_update = Hook("patient.before_update", "Checks run before a patient edit.")


class DuplicateMRN(Conflict):
    """The MRN belongs to another patient, who is attached for linking."""

    def __init__(self, existing: Patient):
        super().__init__(
            f"MRN {existing.mrn} is already registered to {existing.display_name}.",
            "mrn",
        )
        self.existing = existing


def normalise_mrn(mrn: str) -> str:
    """MRNs are compared upper-case without surrounding spaces."""
    return mrn.strip().upper()


def find_by_mrn(mrn: str) -> Patient | None:
    """The patient with this MRN, if any."""
    return db.session.scalar(
        sa.select(Patient).where(Patient.mrn == normalise_mrn(mrn))
    )


def readable_by(actor: User) -> sa.ColumnElement[bool]:
    """The patients ``actor`` reads: those with a case of their work (or
    under a break-glass grant), and for those who register patients the
    patients with no case yet."""
    return scope.patient_readable(
        actor.id, registers=has_permission(actor, Permission.PATIENT_WRITE)
    )


def may_read(actor: User, patient: Patient) -> bool:
    """Whether ``actor`` may open ``patient``'s record."""
    if not has_permission(actor, Permission.PATIENT_READ):
        return False
    return bool(
        db.session.scalar(
            sa.select(sa.literal(True)).where(
                Patient.id == patient.id, readable_by(actor)
            )
        )
    )


def search_patients(
    query: str, limit: int = 50, actor: User | None = None
) -> list[Patient]:
    """Patients whose MRN starts with, or name contains, each word of
    ``query``; only those ``actor`` may read, when given."""
    words = [w for w in query.split() if w][:4]
    if not words:
        return []
    stmt = sa.select(Patient)
    if actor is not None:
        stmt = stmt.where(readable_by(actor))
    for word in words:
        like = f"%{word.lower()}%"
        stmt = stmt.where(
            sa.or_(
                Patient.mrn.startswith(word.upper()),
                sa.func.lower(Patient.family_name).like(like),
                sa.func.lower(Patient.given_name).like(like),
            )
        )
    stmt = stmt.order_by(Patient.family_name, Patient.given_name).limit(limit)
    return list(db.session.scalars(stmt))


def _validate(data: dict[str, Any]) -> dict[str, Any]:
    birth: date = data["birth_date"]
    if birth > today():
        raise InvalidInput("The birth date is in the future.", "birth_date")
    clean = {
        "mrn": normalise_mrn(data["mrn"]),
        "given_name": data["given_name"].strip(),
        "family_name": data["family_name"].strip(),
        "birth_date": birth,
        "sex": Sex(data["sex"]),
        # The GP is optional; stored as NULL rather than "" when not known.
        "gp_name": clean_text(
            data.get("gp_name"), "gp_name", "The GP's name", NAME_LIMIT
        )
        or None,
        "gp_practice": clean_text(
            data.get("gp_practice"),
            "gp_practice",
            "The GP practice and address",
            GP_PRACTICE_LIMIT,
        )
        or None,
    }
    if not clean["mrn"] or not clean["given_name"] or not clean["family_name"]:
        raise InvalidInput("MRN, given name and family name are required.")
    return clean


def _check_duplicates(
    clean: dict[str, Any], confirmed_different: bool, exclude_id: int | None = None
) -> list[Patient]:
    """Probable duplicates of ``clean``; raises ProbableDuplicate unless the
    coordinator confirmed that this is a different patient."""
    duplicates = probable_duplicates(
        clean["mrn"],
        clean["given_name"],
        clean["family_name"],
        clean["birth_date"],
        exclude_id=exclude_id,
    )
    if duplicates and not confirmed_different:
        raise ProbableDuplicate(duplicates)
    return duplicates


def _confirmation_note(duplicates: list[Patient]) -> str:
    if not duplicates:
        return ""
    refs = ", ".join(p.reference for p in duplicates)
    return f", confirmed as a different patient from {refs}"


def create_patient(
    actor: User, data: dict[str, Any], *, confirmed_different: bool = False
) -> Patient:
    """Register a patient; a duplicate MRN raises :class:`DuplicateMRN`, a
    probable duplicate :class:`ProbableDuplicate` unless ``confirmed_different``."""
    authorize(
        has_permission(actor, Permission.PATIENT_WRITE),
        "Only the coordinator registers patients.",
    )
    clean = _validate(data)
    existing = find_by_mrn(clean["mrn"])
    if existing is not None:
        raise DuplicateMRN(existing)
    duplicates = _check_duplicates(clean, confirmed_different)
    patient = Patient(**clean)
    db.session.add(patient)
    db.session.flush()
    changes = audit.diff({}, audit.snapshot(patient, PATIENT_FIELDS))
    if duplicates:
        changes["confirmed_different_from"] = [None, [p.id for p in duplicates]]
    audit.record(
        actor,
        "patient.create",
        "patient",
        patient.id,
        f"Registered patient {patient.reference}{_confirmation_note(duplicates)}",
        changes=changes,
        patient_id=patient.id,
    )
    return patient


def update_patient(
    actor: User,
    patient: Patient,
    data: dict[str, Any],
    version: int,
    *,
    confirmed_different: bool = False,
) -> Patient:
    """Correct a patient's demographics, refusing a stale form; a correction
    that makes the patient a probable duplicate of another needs
    ``confirmed_different``."""
    authorize(
        has_permission(actor, Permission.PATIENT_WRITE),
        "Only the coordinator edits patients.",
    )
    if version != patient.version:
        raise Conflict(
            "This patient was changed by someone else since you opened the form. "
            "Your entries are kept below; check the current record and save again."
        )
    clean = _validate(data)
    existing = find_by_mrn(clean["mrn"])
    if existing is not None and existing.id != patient.id:
        raise DuplicateMRN(existing)
    duplicates = []
    if any(clean[k] != getattr(patient, k) for k in DUPLICATE_FIELDS):
        duplicates = _check_duplicates(clean, confirmed_different, patient.id)
    before_update.run(patient, clean)
    changes = audit.apply(patient, PATIENT_FIELDS, clean)
    if changes:
        db.session.flush()
        if duplicates:
            changes["confirmed_different_from"] = [None, [p.id for p in duplicates]]
        audit.record(
            actor,
            "patient.update",
            "patient",
            patient.id,
            f"Updated patient {patient.reference}{_confirmation_note(duplicates)}",
            changes=changes,
            patient_id=patient.id,
        )
    return patient


def record_read(actor: User, patient: Patient, how: str | None = None) -> None:
    """Audit that ``actor`` opened this patient's record (``how``: "for
    editing"...)."""
    audit.record(
        actor,
        "patient.read",
        "patient",
        patient.id,
        f"Viewed patient {patient.reference}" + (f" {how}" if how else ""),
        patient_id=patient.id,
    )


def record_search(actor: User, query: str, results: list[Patient]) -> None:
    """Audit a patient search: the search text and the patients it showed."""
    audit.record_list(
        actor,
        "patient.list",
        "the patient search",
        {"q": query},
        patient_ids=[p.id for p in results],
    )
