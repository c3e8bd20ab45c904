"""Synthetic reviews, waivers and annotations for the demo cases.

Everything goes through the services, so the demo data obeys the same rules
as real input. :func:`make_ready` completes (or, where the demo story has a
gap, waives) what the readiness gate needs before a demo case is marked ready;
:func:`load` adds reviews to the other open cases. Both skip what exists.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from tumorboard.annotations import services as annotation_services
from tumorboard.annotations.models import Annotation
from tumorboard.auth.disciplines import Discipline
from tumorboard.auth.models import User
from tumorboard.auth.permissions import Role
from tumorboard.cases.models import BiopsyStatus, Case, CaseStatus, CaseType
from tumorboard.db import today
from tumorboard.extensions import db
from tumorboard.performance import services as performance
from tumorboard.reviews import readiness, services
from tumorboard.reviews.models import DisciplineReview

#: Words of the demo questions → (WHO entity key, grade).
ENTITIES = (
    ("telangiectatic", "telangiectatic_osteosarcoma", "G3"),
    ("osteosarcoma", "conventional_osteosarcoma", "G3"),
    ("ewing", "ewing_sarcoma", "G3"),
    ("dedifferentiated chondrosarcoma", "dedifferentiated_chondrosarcoma", "G3"),
    ("chondrosarcoma", "central_chondrosarcoma_grade_2_3", "G2"),
    ("chordoma", "conventional_chordoma", "GX"),
    ("plasmacytoma", "solitary_plasmacytoma", None),
    ("myeloma", "plasma_cell_myeloma", None),
    ("giant cell", "giant_cell_tumour_of_bone", None),
    ("high-grade sarcoma", "undifferentiated_pleomorphic_sarcoma", "G3"),
)
BIOPSIED = (BiopsyStatus.DONE_AT_CENTRE, BiopsyStatus.DONE_ELSEWHERE)


def _user(users: dict[str, User], role: Role) -> User:
    return next(u for u in users.values() if Role(u.role) == role)


def _radiology(case: Case, index: int) -> dict[str, Any]:
    spine = case.site_code == "C41.2"
    metastasis = case.case_type == CaseType.SKELETAL_METASTASIS
    data: dict[str, Any] = {
        "studies": [
            {
                "modality": "mri",
                "date": (today() - timedelta(days=6 + index % 5)).isoformat(),
                "reference": f"ACC-{40000 + case.id}",
            },
            {
                "modality": "ct",
                "date": (today() - timedelta(days=4)).isoformat(),
                "reference": "",
            },
        ],
        "size_cc_mm": 45 + (index * 13) % 70,
        "size_ap_mm": 30 + (index * 7) % 30,
        "size_ml_mm": 28 + (index * 5) % 25,
        "lodwick_madewell": ("IIIB", "II", "I")[index % 3],
        "cortical_destruction": ("focal", "extensive", "scalloping")[index % 3],
        "periosteal_reaction": ("codman", "lamellated", "none")[index % 3],
        "soft_tissue_extension": "yes" if index % 2 else "no",
        "joint_involvement": "no",
        "neurovascular_involvement": "no",
        "skip_lesions": "no",
        "pathological_fracture": "yes" if "fracture" in case.presentation else "no",
        "chest_ct": "lung_metastases"
        if "lung nodules" in case.presentation
        else "negative",
        "bone_scan_pet": "bone_metastases" if metastasis else "negative",
        "regional_nodes": "no",
        "differential": (
            "Lytic metastasis; no other primary bone tumour suspected."
            if metastasis
            else "Aggressive primary bone tumour; correlate with histology."
        ),
    }
    if case.site_code in ("C41.2", "C41.4"):
        data["t_category"] = "T1" if spine else "T2"
    if spine and metastasis:
        data.update(
            sins_level="T11" if "T11" in case.clinical_question else "L2",
            sins_pain="mechanical",
            sins_lesion="mixed",
            sins_alignment="normal",
            sins_collapse="under_50" if "collapse" in case.presentation else "none",
            sins_posterolateral="unilateral",
        )
    return data


def _pathology(case: Case) -> dict[str, Any] | None:
    if case.biopsy_status not in BIOPSIED:
        return None
    text = f"{case.clinical_question} {case.presentation}".lower()
    data: dict[str, Any] = {
        "specimen": "core_needle",
        "biopsy_date": (today() - timedelta(days=9)).isoformat(),
        "at_treating_centre": (
            "yes" if case.biopsy_status == BiopsyStatus.DONE_AT_CENTRE else "no"
        ),
        "reference_status": "requested",
    }
    if case.case_type == CaseType.SKELETAL_METASTASIS:
        data.update(who_entity="metastasis", primary_histology="Carcinoma")
        return data
    for words, entity, grade in ENTITIES:
        if words in text:
            data.update(who_entity=entity, grade=grade)
            if entity == "ewing_sarcoma":
                data["ancillary"] = [
                    {"method": "fish", "marker": "EWSR1", "result": "rearranged"},
                    {"method": "ihc", "marker": "CD99", "result": "diffuse membranous"},
                ]
            return data
    return None


def _performance(users: dict[str, User], case: Case, index: int) -> int:
    """Record the case's performance status: the orthopaedic oncologist for a
    primary tumour, palliative care for a metastasis; Lansky for children."""
    if performance.current(case) is not None:
        return 0
    metastasis = case.case_type == CaseType.SKELETAL_METASTASIS
    author = _user(
        users, Role.PALLIATIVE_CARE if metastasis else Role.ORTHOPEDIC_ONCOLOGIST
    )
    values: dict[str, int] = {}
    if performance.is_child(case):
        values["lansky"] = (90, 80, 70)[index % 3]
    else:
        kps = (90, 70, 60, 50)[index % 4] if metastasis else 90
        values = {"ecog": {90: 1, 70: 2, 60: 2, 50: 3}[kps], "karnofsky": kps}
    performance.record_status(
        author,
        case,
        assessed_on=today() - timedelta(days=3 + index % 4),
        source="clinic",
        based_on=0,
        **values,
    )
    return 1


def _palliative(case: Case, index: int) -> dict[str, Any] | None:
    metastasis = case.case_type == CaseType.SKELETAL_METASTASIS
    if not metastasis:
        return None
    data = {
        "pain_score": (3, 5, 7)[index % 3],
        "analgesia_step": ("non_opioid", "weak_opioid", "strong_opioid")[index % 3],
        "goals_of_care": "symptom_control",
        "acp_status": "in_progress",
    }
    if case.site_code == "C41.2" and not performance.is_child(case):
        data.update(
            tokuhashi_extraspinal=index % 3,
            tokuhashi_vertebral=1 + index % 2,
            tokuhashi_visceral="none",
            tokuhashi_palsy="incomplete" if "weakness" in case.presentation else "none",
        )
    return data


def _orthopaedic(case: Case, index: int) -> dict[str, Any]:
    metastasis = case.case_type == CaseType.SKELETAL_METASTASIS
    data: dict[str, Any] = {
        "resectability": "resectable" if index % 4 else "borderline",
        "planned_procedure": "stabilisation" if metastasis else "limb_salvage",
        "planned_margin": None if metastasis else "wide",
        "compartment": None if metastasis else "extra",
    }
    if not metastasis:
        data.update(
            biopsy_route="Along the planned resection incision.", tract_excised="yes"
        )
    if metastasis and case.site_code in ("C40.0", "C40.2"):
        data.update(
            mirels_site="peritrochanteric"
            if "trochanter" in case.presentation
            else ("upper_limb" if case.site_code == "C40.0" else "lower_limb"),
            mirels_pain="functional"
            if "functional" in case.presentation
            else "moderate",
            mirels_lesion="lytic",
            mirels_size="gt_two_thirds" if index % 2 else "one_to_two_thirds",
            mirels_size_definition="diameter",
        )
    return data


def _save(author: User, case: Case, discipline: Discipline, data) -> int:
    if data is None or services.get_review(case, discipline) is not None:
        return 0
    services.save_review(author, case, discipline, data, 0)
    return 1


def add_reviews(
    users: dict[str, User], case: Case, index: int, *, complete: bool = False
) -> int:
    """Write the performance status and the reviews the demo story supports for
    ``case`` (every one its readiness needs when ``complete``); returns how
    many reviews were written."""
    _performance(users, case, index)
    created = _save(
        _user(users, Role.RADIOLOGIST),
        case,
        Discipline.RADIOLOGY,
        _radiology(case, index),
    )
    created += _save(
        _user(users, Role.PATHOLOGIST), case, Discipline.PATHOLOGY, _pathology(case)
    )
    created += _save(
        _user(users, Role.PALLIATIVE_CARE),
        case,
        Discipline.PALLIATIVE_CARE,
        _palliative(case, index),
    )
    if complete or index % 3 != 2:
        created += _save(
            _user(users, Role.ORTHOPEDIC_ONCOLOGIST),
            case,
            Discipline.ORTHOPAEDIC_ONCOLOGY,
            _orthopaedic(case, index),
        )
    return created


def make_ready(users: dict[str, User], case: Case, index: int = 0) -> None:
    """Complete what the readiness gate needs for ``case`` before the demo marks
    it ready: reviews first, then a declaration or waiver for what remains."""
    add_reviews(users, case, index, complete=True)
    coordinator = _user(users, Role.COORDINATOR)
    for item in readiness.check(case).missing:
        if item.key == readiness.PATHOLOGY and case.biopsy_status not in BIOPSIED:
            services.waive_item(
                coordinator,
                case,
                item.key,
                "Board to agree the biopsy route before any biopsy.",
                kind="pre_biopsy",
            )
        else:
            services.waive_item(
                coordinator,
                case,
                item.key,
                "Demo: discussed with the lead clinician; to follow before the board.",
            )


def load(users: dict[str, User], cases: list[Case]) -> int:
    """Reviews for open demo cases heading for the board, and a short thread on
    the first; returns the number of reviews created (0 when already loaded)."""
    if db.session.scalar(sa.select(sa.func.count(Annotation.id))):
        return 0
    created = 0
    heading = (CaseStatus.WORKUP, CaseStatus.READY, CaseStatus.LISTED)
    for index, case in enumerate(cases):
        if case.status not in heading:
            continue
        # Leave a few work-up cases without reviews so the worklists show them.
        if case.status == CaseStatus.WORKUP and index % 4 == 0:
            continue
        created += add_reviews(users, case, index)
    first = next(
        (
            c
            for c in cases
            if c.status in heading
            and db.session.scalar(
                sa.select(sa.func.count(DisciplineReview.id)).where(
                    DisciplineReview.case_id == c.id
                )
            )
        ),
        None,
    )
    if first is not None:
        note = annotation_services.create_annotation(
            _user(users, Role.RADIOLOGIST),
            first,
            "Whole-bone MRI shows **no skip lesion**; see the key images.",
        )
        annotation_services.create_annotation(
            _user(users, Role.ORTHOPEDIC_ONCOLOGIST),
            first,
            "Thanks. Then a *wide* resection with endoprosthesis is feasible.",
            parent_id=note.id,
        )
    return created
