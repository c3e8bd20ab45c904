"""The palliative care review: Palliative Performance Scale, pain and symptoms,
goals of care and the revised Tokuhashi score (which reads the Karnofsky of the
case's performance status)."""

from __future__ import annotations

from typing import Any

from tumorboard.auth.disciplines import Discipline
from tumorboard.clinical import scores
from tumorboard.errors import InvalidInput
from tumorboard.reviews.schemas.base import (
    INT,
    TEXT,
    TEXTAREA,
    Field,
    Group,
    Schema,
    stored_result,
    stored_score,
)
from tumorboard.reviews.schemas.facts import is_metastasis

SEVERITY = (
    ("none", "None"),
    ("mild", "Mild"),
    ("moderate", "Moderate"),
    ("severe", "Severe"),
)
SYMPTOMS = (
    ("symptom_fatigue", "Fatigue"),
    ("symptom_breathlessness", "Breathlessness"),
    ("symptom_nausea", "Nausea"),
    ("symptom_constipation", "Constipation"),
    ("symptom_appetite", "Poor appetite"),
    ("symptom_mood", "Low mood or anxiety"),
)
ANALGESIA = (
    ("none", "None"),
    ("non_opioid", "Non-opioid"),
    ("weak_opioid", "Weak opioid"),
    ("strong_opioid", "Strong opioid"),
)
GOALS = (
    ("curative", "Curative"),
    ("life_prolonging", "Life-prolonging"),
    ("symptom_control", "Symptom control and function"),
    ("end_of_life", "End-of-life care"),
    ("not_discussed", "Not yet discussed"),
)
ACP = (
    ("not_started", "Not started"),
    ("in_progress", "In progress"),
    ("documented", "Documented"),
    ("declined", "Declined by the patient"),
)

PALLIATIVE = (
    Group(
        "performance",
        "Palliative Performance Scale",
        (
            Field(
                "pps",
                "Palliative Performance Scale",
                choices=scores.PPS_VALUES,
                hint="Levels only: the PPSv2 descriptors are © Victoria Hospice "
                "Society.",
            ),
        ),
        hint="ECOG, Karnofsky and Lansky are recorded on the case, in its "
        "performance status, by any treating clinician.",
    ),
    Group(
        "symptoms",
        "Pain and symptoms",
        (
            Field(
                "pain_score",
                "Pain score (0–10)",
                INT,
                minimum=0,
                maximum=10,
            ),
            Field("analgesia_step", "Analgesia", choices=ANALGESIA),
            Field("analgesia", "Current analgesia", TEXT, max_length=300),
            *(Field(key, label, choices=SEVERITY) for key, label in SYMPTOMS),
            Field("symptom_other", "Other symptoms", TEXT, max_length=300),
        ),
    ),
    Group(
        "goals",
        "Goals of care",
        (
            Field("goals_of_care", "Goals of care", choices=GOALS, required=True),
            Field("patient_wishes", "Patient's wishes", TEXTAREA, max_length=2000),
            Field("consulted", "Who was consulted", TEXT, max_length=300),
            Field("acp_status", "Advance care planning", choices=ACP),
        ),
    ),
    Group(
        "tokuhashi",
        "Revised Tokuhashi (spinal metastases)",
        (
            Field(
                "tokuhashi_extraspinal",
                "Extraspinal bone metastases",
                INT,
                minimum=0,
                maximum=99,
            ),
            Field(
                "tokuhashi_vertebral",
                "Vertebral bodies involved",
                INT,
                minimum=1,
                maximum=24,
            ),
            Field(
                "tokuhashi_visceral",
                "Major internal organ metastases",
                choices=scores.TOKUHASHI_OPTIONS["visceral_mets"],
            ),
            Field(
                "tokuhashi_palsy", "Palsy", choices=scores.TOKUHASHI_OPTIONS["palsy"]
            ),
        ),
        hint="Uses the Karnofsky score of the case's current performance status "
        "and its known primary.",
        applies=is_metastasis,
        not_applicable="The revised Tokuhashi score is for skeletal metastases only.",
        all_or_none=True,
    ),
)


def _check_palliative(data: dict[str, Any], case) -> None:
    if data["patient_wishes"] is not None and data["consulted"] is None:
        raise InvalidInput(
            "Record who was consulted about the patient's wishes.", "consulted"
        )
    if data["tokuhashi_palsy"] is not None:
        if not case.karnofsky:
            raise InvalidInput(
                "The revised Tokuhashi score needs a Karnofsky score (10–100 %) in "
                "the case's performance status; record it there first.",
                "tokuhashi_palsy",
            )


def _palliative_scores(data: dict[str, Any], case) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if data["pps"] is not None:
        out["pps"] = stored_result("PPS", scores.pps(data["pps"]))
    if data["pain_score"] is not None:
        out["pain"] = stored_score(
            "Pain", f"Pain {data['pain_score']}/10.", total=data["pain_score"]
        )
    if data["tokuhashi_palsy"] is not None and case.karnofsky and case.known_primary:
        result = scores.tokuhashi_revised(
            case.karnofsky,
            data["tokuhashi_extraspinal"],
            data["tokuhashi_vertebral"],
            data["tokuhashi_visceral"],
            case.known_primary,
            data["tokuhashi_palsy"],
        )
        stored = stored_result("Revised Tokuhashi", result)
        # Say which performance status the score used.
        stored["interpretation"] += (
            f" Used Karnofsky {case.karnofsky} assessed "
            f"{case.karnofsky_assessed_on:%d %b %Y}."
        )
        out["tokuhashi"] = stored
    return out


#: The palliative care review.
PALLIATIVE_SCHEMA = Schema(
    Discipline.PALLIATIVE_CARE,
    "Palliative care review",
    PALLIATIVE,
    _check_palliative,
    _palliative_scores,
)
