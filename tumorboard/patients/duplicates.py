"""Probable duplicates: a patient registered twice under a slightly different
spelling or MRN."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tumorboard.clinical.search_terms import fold_words
from tumorboard.errors import Conflict
from tumorboard.extensions import db
from tumorboard.patients.models import Patient

#: Name of the form's confirmation checkbox, which carries the refusal.
CONFIRM_FIELD = "different_patient"


class ProbableDuplicate(Conflict):
    """Patients who may be the same person; registration needs the
    coordinator's confirmation that this is a different patient."""

    def __init__(self, duplicates: list[Patient]):
        count = len(duplicates)
        super().__init__(
            f"{'A patient' if count == 1 else f'{count} patients'} with a similar "
            "name and the same birth date, or a similar MRN, "
            f"{'is' if count == 1 else 'are'} already registered. Check the list "
            "above; if this is someone else, tick 'This is a different patient' "
            "and save again.",
            CONFIRM_FIELD,
        )
        self.duplicates = duplicates


def mrn_key(mrn: str) -> str:
    """An MRN without dashes, spaces or case ("demo-100 009" → "DEMO100009")."""
    return "".join(fold_words(mrn)).upper()


def name_key(given_name: str, family_name: str) -> frozenset[str]:
    """The words of a name whatever their case, accents, order and hyphens."""
    return frozenset(fold_words(f"{given_name} {family_name}"))


def similar_names(a: frozenset[str], b: frozenset[str]) -> bool:
    """The same words, or all words of the shorter name (at least two) in the
    longer one ("Anna Müller" and "Anna-Lena Müller")."""
    if a == b:
        return bool(a)
    shorter, longer = sorted((a, b), key=len)
    return len(shorter) >= 2 and shorter <= longer


def _sql_mrn_key(column: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
    # Stored MRNs hold letters, digits and dashes only (the form checks it).
    return sa.func.replace(sa.func.replace(sa.func.upper(column), "-", ""), " ", "")


def probable_duplicates(
    mrn: str,
    given_name: str,
    family_name: str,
    birth_date: date,
    exclude_id: int | None = None,
) -> list[Patient]:
    """Patients born the same day with a similar name, or with the same MRN once
    dashes, spaces and case are ignored; one query."""
    key = mrn_key(mrn)
    stmt = sa.select(Patient).where(
        sa.or_(Patient.birth_date == birth_date, _sql_mrn_key(Patient.mrn) == key)
    )
    if exclude_id is not None:
        stmt = stmt.where(Patient.id != exclude_id)
    names = name_key(given_name, family_name)
    found = []
    for patient in db.session.scalars(stmt.order_by(Patient.id)):
        same_mrn = bool(key) and mrn_key(patient.mrn) == key
        same_person = patient.birth_date == birth_date and similar_names(
            names, name_key(patient.given_name, patient.family_name)
        )
        if same_mrn or same_person:
            found.append(patient)
    return found
