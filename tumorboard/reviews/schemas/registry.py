"""The schema of each reviewing discipline."""

from __future__ import annotations

from tumorboard.auth.disciplines import Discipline
from tumorboard.errors import InvalidInput
from tumorboard.reviews.schemas.base import Schema
from tumorboard.reviews.schemas.orthopaedic import ORTHOPAEDIC_SCHEMA
from tumorboard.reviews.schemas.palliative import PALLIATIVE_SCHEMA
from tumorboard.reviews.schemas.pathology import PATHOLOGY_SCHEMA
from tumorboard.reviews.schemas.radiology import RADIOLOGY_SCHEMA

SCHEMAS: dict[Discipline, Schema] = {
    schema.discipline: schema
    for schema in (
        RADIOLOGY_SCHEMA,
        PATHOLOGY_SCHEMA,
        ORTHOPAEDIC_SCHEMA,
        PALLIATIVE_SCHEMA,
    )
}


def find_schema(discipline: Discipline | str) -> Schema | None:
    """The schema of a review discipline, or None for any other name."""
    try:
        return SCHEMAS.get(Discipline(discipline))
    except ValueError:
        return None


def schema_for(discipline: Discipline | str) -> Schema:
    """The schema of a review discipline; ValueError for any other discipline."""
    schema = find_schema(discipline)
    if schema is None:
        raise InvalidInput(
            f"'{discipline}' is not one of the reviewing disciplines.", "discipline"
        )
    return schema


#: Per discipline, the recorded values a board reads first, in reading order:
#: extent and local staging (radiology), grade, response and margins
#: (pathology; the WHO diagnosis is its score line), the surgical plan
#: (orthopaedic oncology), symptoms and goals of care (palliative care).
#: Computed scores (size, stage, SINS, Mirels...) are shown beside them.
KEY_FINDINGS: dict[Discipline, tuple[str, ...]] = {
    Discipline.RADIOLOGY: (
        "soft_tissue_extension",
        "joint_involvement",
        "neurovascular_involvement",
        "skip_lesions",
        "pathological_fracture",
        "intramedullary_extent_mm",
        "escc_grade",
        "chest_ct",
        "bone_scan_pet",
        "regional_nodes",
    ),
    Discipline.PATHOLOGY: (
        "primary_histology",
        "grade",
        "necrosis_percent",
        "margin",
        "closest_margin_mm",
    ),
    Discipline.ORTHOPAEDIC_ONCOLOGY: (
        "resectability",
        "planned_procedure",
        "planned_margin",
        "reconstruction",
        "biopsy_route",
        "tract_excised",
    ),
    Discipline.PALLIATIVE_CARE: (
        "goals_of_care",
        "patient_wishes",
        "acp_status",
        "analgesia_step",
    ),
}
