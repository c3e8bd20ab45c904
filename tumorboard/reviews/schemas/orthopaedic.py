"""The orthopaedic oncology review: biopsy and surgical plan, Enneking staging
inputs, Mirels and the MSTS functional score."""

from __future__ import annotations

from typing import Any

from tumorboard.auth.disciplines import Discipline
from tumorboard.clinical import scores, staging
from tumorboard.errors import InvalidInput
from tumorboard.reviews.schemas.base import (
    INT,
    TEXT,
    TEXTAREA,
    Field,
    Group,
    Schema,
    choice_label,
    choice_pairs,
    stored_result,
)
from tumorboard.reviews.schemas.facts import is_long_bone_metastasis

RESECTABILITY = (
    ("resectable", "Resectable"),
    ("borderline", "Borderline resectable"),
    ("unresectable", "Unresectable"),
    ("not_assessed", "Not assessed yet"),
)
PROCEDURES = (
    ("limb_salvage", "Limb salvage resection"),
    ("amputation", "Amputation"),
    ("rotationplasty", "Rotationplasty"),
    ("stabilisation", "Stabilisation / fixation"),
    ("curettage", "Curettage"),
    ("none", "No surgery"),
)
TRACT = (
    ("yes", "Yes, excise the tract"),
    ("no", "No"),
    ("not_applicable", "Not applicable"),
)
MIRELS_SIZE_DEFINITIONS = (
    ("diameter", "Fraction of bone diameter"),
    ("cortex", "Fraction of cortical thickness"),
)
MSTS_FIELDS = (
    ("msts_pain", "Pain"),
    ("msts_function", "Function"),
    ("msts_emotional_acceptance", "Emotional acceptance"),
    ("msts_4", "Supports (lower) / hand positioning (upper)"),
    ("msts_5", "Walking (lower) / manual dexterity (upper)"),
    ("msts_6", "Gait (lower) / lifting ability (upper)"),
)

ORTHOPAEDIC = (
    Group(
        "biopsy",
        "Biopsy plan",
        (
            Field("biopsy_route", "Biopsy route", TEXTAREA, max_length=1000),
            Field("tract_excised", "Biopsy tract to be excised", choices=TRACT),
        ),
    ),
    Group(
        "plan",
        "Surgical plan",
        (
            Field(
                "resectability", "Resectability", choices=RESECTABILITY, required=True
            ),
            Field("planned_procedure", "Planned procedure", choices=PROCEDURES),
            Field(
                "planned_margin",
                "Planned margin",
                choices=choice_pairs(staging.ENNEKING_MARGINS),
            ),
            Field("reconstruction", "Reconstruction", TEXT, max_length=300),
        ),
    ),
    Group(
        "enneking",
        "Enneking staging inputs",
        (
            Field(
                "compartment",
                "Compartment (malignant tumours)",
                choices=choice_pairs(staging.ENNEKING_COMPARTMENTS),
            ),
            Field(
                "benign_activity",
                "Activity (benign tumours)",
                choices=choice_pairs(staging.ENNEKING_BENIGN_STAGES),
            ),
        ),
        hint="The grade comes from the pathology review and metastasis from the "
        "radiology review; the staging panel shows the stage.",
    ),
    Group(
        "mirels",
        "Mirels score (long-bone metastasis)",
        (
            Field("mirels_site", "Site", choices=scores.MIRELS_OPTIONS["site"]),
            Field("mirels_pain", "Pain", choices=scores.MIRELS_OPTIONS["pain"]),
            Field("mirels_lesion", "Lesion", choices=scores.MIRELS_OPTIONS["lesion"]),
            Field("mirels_size", "Size", choices=scores.MIRELS_OPTIONS["size"]),
            Field(
                "mirels_size_definition",
                "Size measured as",
                choices=MIRELS_SIZE_DEFINITIONS,
            ),
        ),
        applies=is_long_bone_metastasis,
        not_applicable="Mirels is scored for metastases of the long bones only "
        "(C40.0, C40.2); use SINS for the spine.",
        all_or_none=True,
    ),
    Group(
        "msts",
        "MSTS functional score",
        (
            Field("msts_limb", "Limb", choices=choice_pairs(scores.MSTS_LIMBS)),
            *(
                Field(key, label, INT, minimum=0, maximum=5)
                for key, label in MSTS_FIELDS
            ),
        ),
        hint="Six categories scored 0–5 each (Enneking 1993).",
        all_or_none=True,
    ),
)


def _check_orthopaedic(data: dict[str, Any], case) -> None:
    if data["planned_procedure"] == "none" and data["planned_margin"] is not None:
        raise InvalidInput(
            "A planned margin needs a planned procedure.", "planned_margin"
        )
    if data["compartment"] is not None and data["benign_activity"] is not None:
        raise InvalidInput(
            "Give the compartment for a malignant tumour or the activity for a "
            "benign one, not both.",
            "benign_activity",
        )


def _orthopaedic_scores(data: dict[str, Any], case) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if data["mirels_site"] is not None:
        result = scores.mirels(
            data["mirels_site"],
            data["mirels_pain"],
            data["mirels_lesion"],
            data["mirels_size"],
        )
        out["mirels"] = stored_result("Mirels", result)
        out["mirels"]["interpretation"] += (
            " Size as "
            + choice_label(
                MIRELS_SIZE_DEFINITIONS, data["mirels_size_definition"]
            ).lower()
            + "."
        )
    if data["msts_limb"] is not None:
        result = scores.msts_functional(
            data["msts_limb"], [data[key] for key, _ in MSTS_FIELDS]
        )
        out["msts"] = stored_result("MSTS", result)
    return out


#: The orthopaedic oncology review.
ORTHOPAEDIC_SCHEMA = Schema(
    Discipline.ORTHOPAEDIC_ONCOLOGY,
    "Orthopaedic oncology review",
    ORTHOPAEDIC,
    _check_orthopaedic,
    _orthopaedic_scores,
)
