"""Valid review inputs per discipline, and a builder that saves them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests import factories
from tumorboard.auth.disciplines import Discipline
from tumorboard.db import today
from tumorboard.performance import services as performance
from tumorboard.reviews import readiness, services

ROLE_FOR = {
    Discipline.RADIOLOGY: "radiologist",
    Discipline.PATHOLOGY: "pathologist",
    Discipline.ORTHOPAEDIC_ONCOLOGY: "orthopedic_oncologist",
    Discipline.PALLIATIVE_CARE: "palliative_care",
}


def radiology_data(**overrides) -> dict[str, Any]:
    """A complete radiology review of a distal femoral osteosarcoma."""
    data = {
        "studies": [
            {
                "modality": "mri",
                "date": (today() - timedelta(days=5)).isoformat(),
                "reference": "ACC-1001",
            }
        ],
        "size_cc_mm": 92,
        "size_ap_mm": 54,
        "size_ml_mm": 48.5,
        "lodwick_madewell": "IIIB",
        "matrix": "osteoid",
        "cortical_destruction": "focal",
        "periosteal_reaction": "codman",
        "soft_tissue_extension": "yes",
        "joint_involvement": "no",
        "neurovascular_involvement": "no",
        "skip_lesions": "no",
        "pathological_fracture": "no",
        "chest_ct": "negative",
        "bone_scan_pet": "negative",
        "regional_nodes": "no",
        "differential": "Conventional osteosarcoma; Ewing sarcoma less likely.",
    }
    data.update(overrides)
    return data


def pathology_data(**overrides) -> dict[str, Any]:
    """A core biopsy showing conventional osteosarcoma, high grade."""
    data = {
        "specimen": "core_needle",
        "biopsy_date": (today() - timedelta(days=3)).isoformat(),
        "at_treating_centre": "yes",
        "who_entity": "conventional_osteosarcoma",
        "grade": "G3",
        "ancillary": [{"method": "ihc", "marker": "SATB2", "result": "positive"}],
        "reference_status": "requested",
    }
    data.update(overrides)
    return data


def orthopaedic_data(**overrides) -> dict[str, Any]:
    """A surgical plan for limb salvage."""
    data = {
        "biopsy_route": "Anterolateral, through vastus lateralis.",
        "tract_excised": "yes",
        "resectability": "resectable",
        "planned_procedure": "limb_salvage",
        "planned_margin": "wide",
        "reconstruction": "Modular distal femoral endoprosthesis",
        "compartment": "extra",
    }
    data.update(overrides)
    return data


def palliative_data(**overrides) -> dict[str, Any]:
    """A fit patient with goals of care recorded."""
    data = {
        "pain_score": 4,
        "analgesia_step": "non_opioid",
        "goals_of_care": "curative",
        "patient_wishes": "Wants to keep the leg if at all possible.",
        "consulted": "Patient and mother",
        "acp_status": "not_started",
    }
    data.update(overrides)
    return data


DATA_FOR = {
    Discipline.RADIOLOGY: radiology_data,
    Discipline.PATHOLOGY: pathology_data,
    Discipline.ORTHOPAEDIC_ONCOLOGY: orthopaedic_data,
    Discipline.PALLIATIVE_CARE: palliative_data,
}


def make_review(case, discipline: Discipline | str, author=None, **overrides):
    """Save a valid review (a new revision if one exists) and return the revision."""
    discipline = Discipline(discipline)
    author = author or factories.make_user(ROLE_FOR[discipline])
    review = services.get_review(case, discipline)
    return services.save_review(
        author,
        case,
        discipline,
        DATA_FOR[discipline](**overrides),
        review.current_number if review else 0,
    )


def make_performance(case, author=None, **values):
    """Record a performance status on ``case`` (ECOG 1 and Karnofsky 80 for an
    adult unless ``values`` say otherwise) and return it."""
    author = author or factories.make_user("orthopedic_oncologist")
    if not values:
        values = (
            {"lansky": 90}
            if performance.is_child(case)
            else {"ecog": 1, "karnofsky": 80}
        )
    values.setdefault("assessed_on", today())
    values.setdefault("source", "clinic")
    current = performance.current(case)
    return performance.record_status(
        author, case, based_on=current.number if current else 0, **values
    )


def complete_readiness(case):
    """Write every review and the performance status ``case``'s readiness needs."""
    keys = readiness.item_keys(case)
    if readiness.PERFORMANCE in keys:
        make_performance(case)
    for discipline, items in readiness.DISCIPLINE_ITEMS.items():
        if any(key in keys for key in items):
            make_review(case, discipline)
