"""Disciplines at the board table, and which role speaks for which."""

from __future__ import annotations

import enum

from tumorboard.auth.roles import Role


class Discipline(enum.StrEnum):
    """A specialty present at the board; quorum is counted in disciplines."""

    ORTHOPAEDIC_ONCOLOGY = "orthopaedic_oncology"
    RADIOLOGY = "radiology"
    PATHOLOGY = "pathology"
    PALLIATIVE_CARE = "palliative_care"
    MEDICAL_ONCOLOGY = "medical_oncology"
    RADIATION_ONCOLOGY = "radiation_oncology"
    NURSING = "nursing"
    PAEDIATRIC_ONCOLOGY = "paediatric_oncology"
    PAEDIATRIC_SURGERY = "paediatric_surgery"
    COORDINATION = "coordination"

    @property
    def label(self) -> str:
        """Human-readable discipline."""
        return DISCIPLINE_LABELS[self]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(value, label) pairs for select fields."""
        return [(d.value, d.label) for d in cls]


DISCIPLINE_LABELS = {
    Discipline.ORTHOPAEDIC_ONCOLOGY: "Orthopaedic oncology",
    Discipline.RADIOLOGY: "Radiology",
    Discipline.PATHOLOGY: "Pathology",
    Discipline.PALLIATIVE_CARE: "Palliative care",
    Discipline.MEDICAL_ONCOLOGY: "Medical oncology",
    Discipline.RADIATION_ONCOLOGY: "Radiation oncology",
    Discipline.NURSING: "Specialist nursing",
    Discipline.PAEDIATRIC_ONCOLOGY: "Paediatric and AYA oncology",
    Discipline.PAEDIATRIC_SURGERY: "Paediatric surgery",
    Discipline.COORDINATION: "Coordination",
}

#: The four disciplines that write a structured review of each case.
REVIEW_DISCIPLINES = (
    Discipline.RADIOLOGY,
    Discipline.PATHOLOGY,
    Discipline.ORTHOPAEDIC_ONCOLOGY,
    Discipline.PALLIATIVE_CARE,
)

ROLE_DISCIPLINE: dict[Role, Discipline | None] = {
    Role.COORDINATOR: Discipline.COORDINATION,
    Role.ORTHOPEDIC_ONCOLOGIST: Discipline.ORTHOPAEDIC_ONCOLOGY,
    Role.RADIOLOGIST: Discipline.RADIOLOGY,
    Role.PATHOLOGIST: Discipline.PATHOLOGY,
    Role.PALLIATIVE_CARE: Discipline.PALLIATIVE_CARE,
    Role.MEDICAL_ONCOLOGIST: Discipline.MEDICAL_ONCOLOGY,
    Role.RADIATION_ONCOLOGIST: Discipline.RADIATION_ONCOLOGY,
    Role.NURSE_SPECIALIST: Discipline.NURSING,
    Role.PAEDIATRIC_ONCOLOGIST: Discipline.PAEDIATRIC_ONCOLOGY,
    Role.PAEDIATRIC_SURGEON: Discipline.PAEDIATRIC_SURGERY,
    Role.ADMIN: None,
    Role.PRIVACY_OFFICER: None,
}


def discipline_of(role: Role | str) -> Discipline | None:
    """The discipline a role represents at the board (None for administrators
    and privacy officers)."""
    return ROLE_DISCIPLINE[Role(role)]
