"""The roles an account can have: one per account."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    """One role per account."""

    COORDINATOR = "coordinator"
    ORTHOPEDIC_ONCOLOGIST = "orthopedic_oncologist"
    RADIOLOGIST = "radiologist"
    PATHOLOGIST = "pathologist"
    PALLIATIVE_CARE = "palliative_care"
    MEDICAL_ONCOLOGIST = "medical_oncologist"
    RADIATION_ONCOLOGIST = "radiation_oncologist"
    NURSE_SPECIALIST = "nurse_specialist"
    PAEDIATRIC_ONCOLOGIST = "paediatric_oncologist"
    PAEDIATRIC_SURGEON = "paediatric_surgeon"
    ADMIN = "admin"
    PRIVACY_OFFICER = "privacy_officer"

    @property
    def label(self) -> str:
        """Human-readable role name."""
        return ROLE_LABELS[self]

    @property
    def is_clinician(self) -> bool:
        """True for roles that take part in clinical discussion."""
        return self in CLINICAL_ROLES


ROLE_LABELS = {
    Role.COORDINATOR: "Coordinator",
    Role.ORTHOPEDIC_ONCOLOGIST: "Orthopaedic oncologist",
    Role.RADIOLOGIST: "Radiologist",
    Role.PATHOLOGIST: "Pathologist",
    Role.PALLIATIVE_CARE: "Palliative care",
    Role.MEDICAL_ONCOLOGIST: "Medical oncologist",
    Role.RADIATION_ONCOLOGIST: "Radiation oncologist",
    Role.NURSE_SPECIALIST: "Nurse specialist",
    Role.PAEDIATRIC_ONCOLOGIST: "Paediatric and AYA oncologist",
    Role.PAEDIATRIC_SURGEON: "Paediatric surgeon",
    Role.ADMIN: "Administrator",
    Role.PRIVACY_OFFICER: "Privacy officer",
}

CLINICAL_ROLES = frozenset(
    {
        Role.ORTHOPEDIC_ONCOLOGIST,
        Role.RADIOLOGIST,
        Role.PATHOLOGIST,
        Role.PALLIATIVE_CARE,
        Role.MEDICAL_ONCOLOGIST,
        Role.RADIATION_ONCOLOGIST,
        Role.NURSE_SPECIALIST,
        Role.PAEDIATRIC_ONCOLOGIST,
        Role.PAEDIATRIC_SURGEON,
    }
)
