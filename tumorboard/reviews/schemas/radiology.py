"""The radiology review: studies, size, characterisation, extent, staging
studies, T category by segments and SINS."""

from __future__ import annotations

import re
from typing import Any

from tumorboard.auth.disciplines import Discipline
from tumorboard.clinical import scores, staging
from tumorboard.clinical.applicability import PELVIS_SITE, SPINE_SITE
from tumorboard.errors import InvalidInput
from tumorboard.reviews.schemas.base import (
    DATE,
    INT,
    NUMBER,
    SELECT_WIDTH,
    TEXT,
    TEXTAREA,
    YES_NO_UNKNOWN,
    Field,
    Group,
    Rows,
    Schema,
    choice_label,
    choice_pairs,
    coded_choices,
    stored_result,
    stored_score,
)
from tumorboard.reviews.schemas.facts import (
    is_long_bone,
    is_segment_staged,
    is_spinal,
    is_vertebral,
    sins_level_fits,
    site_group,
)

MODALITIES = (
    ("radiograph", "Radiograph"),
    ("ct", "CT"),
    ("mri", "MRI"),
    ("pet_ct", "PET-CT"),
    ("bone_scan", "Bone scintigraphy"),
    ("ultrasound", "Ultrasound"),
    ("other", "Other"),
)
MATRIX = (
    ("none", "No matrix"),
    ("osteoid", "Osteoid"),
    ("chondroid", "Chondroid"),
    ("ground_glass", "Ground glass"),
    ("mixed", "Mixed"),
    ("indeterminate", "Indeterminate"),
)
CORTEX = (
    ("none", "Intact"),
    ("scalloping", "Endosteal scalloping / thinning"),
    ("focal", "Focal destruction"),
    ("extensive", "Extensive destruction"),
)
PERIOSTEAL = (
    ("none", "None"),
    ("solid", "Solid"),
    ("lamellated", "Lamellated (onion skin)"),
    ("spiculated", "Spiculated / sunburst"),
    ("codman", "Codman triangle"),
)
POSITION = (
    ("central", "Central (medullary)"),
    ("eccentric", "Eccentric (medullary)"),
    ("cortical", "Cortical"),
    ("surface", "Surface (juxtacortical, periosteal or parosteal)"),
)
NODES = (
    ("no", "No regional nodes"),
    ("yes", "Regional node metastasis"),
    ("not_assessed", "Not assessed"),
)
CHEST_CT = (
    ("not_done", "Not done yet"),
    ("negative", "No lung metastases"),
    ("indeterminate", "Indeterminate nodules"),
    ("lung_metastases", "Lung metastases"),
)
BONE_SCAN = (
    ("not_done", "Not done yet"),
    ("negative", "No other lesions"),
    ("bone_metastases", "Other bone metastases"),
    ("other_distant", "Other distant metastases"),
)
BONE_RADS_CATEGORY_CHOICES = tuple(
    (key, key.replace("bone_rads_", "Bone-RADS"))
    for key in (
        "bone_rads_0",
        "bone_rads_1",
        "bone_rads_2",
        "bone_rads_3",
        "bone_rads_4",
    )
)
#: Every T code of the spine and pelvis tables (the pelvis codes include the
#: spine's); the form offers the site's own table.
T_SEGMENT_CHOICES = tuple((code, code) for code in staging.AJCC_T_CODES["pelvis"])

SIZE = {"kind": NUMBER, "minimum": 1, "maximum": 2000, "unit": "mm"}

RADIOLOGY = (
    Group(
        "studies",
        "Studies reviewed",
        (
            Rows(
                "studies",
                "Studies reviewed",
                (
                    Field("modality", "Modality", choices=MODALITIES, required=True),
                    Field("date", "Study date", DATE, required=True),
                    Field(
                        "reference",
                        "Accession number or viewer link",
                        TEXT,
                        max_length=300,
                    ),
                ),
                blank_rows=2,
                min_rows=1,
                hint="At least one study. Links must start with https:// or http://.",
            ),
        ),
    ),
    Group(
        "size",
        "Lesion size",
        (
            Field("size_cc_mm", "Craniocaudal", **SIZE),
            Field("size_ap_mm", "Anteroposterior", **SIZE),
            Field("size_ml_mm", "Mediolateral", **SIZE),
        ),
        hint="All three axes in millimetres, or none.",
        all_or_none=True,
    ),
    Group(
        "characterisation",
        "Characterisation",
        (
            Field(
                "lodwick_madewell",
                "Modified Lodwick–Madewell grade",
                choices=coded_choices(scores.MODIFIED_LODWICK_GRADES),
                option_width=SELECT_WIDTH,
            ),
            Field(
                "bone_rads_system",
                "Bone-RADS system",
                choices=choice_pairs(scores.BONE_RADS_SYSTEMS),
            ),
            Field(
                "bone_rads_category",
                "Bone-RADS category",
                choices=BONE_RADS_CATEGORY_CHOICES,
            ),
            Field("matrix", "Matrix", choices=MATRIX),
            Field("position_in_bone", "Position in the bone", choices=POSITION),
            Field("cortical_destruction", "Cortical destruction", choices=CORTEX),
            Field("periosteal_reaction", "Periosteal reaction", choices=PERIOSTEAL),
        ),
    ),
    Group(
        "extent",
        "Local extent",
        (
            Field(
                "soft_tissue_extension", "Soft-tissue extension", choices=YES_NO_UNKNOWN
            ),
            Field("joint_involvement", "Joint involvement", choices=YES_NO_UNKNOWN),
            Field(
                "neurovascular_involvement",
                "Neurovascular contact",
                choices=YES_NO_UNKNOWN,
                hint="Tumour abutting or encasing the main neurovascular bundle.",
            ),
            Field(
                "skip_lesions",
                "Skip lesions (discontinuous tumour in the same bone)",
                choices=YES_NO_UNKNOWN,
            ),
            Field(
                "pathological_fracture", "Pathological fracture", choices=YES_NO_UNKNOWN
            ),
        ),
    ),
    Group(
        "intramedullary",
        "Intramedullary extent (long bones)",
        (
            Field(
                "intramedullary_extent_mm",
                "Intramedullary extent from the joint line",
                INT,
                minimum=0,
                maximum=1000,
                unit="mm",
                hint="On MRI (T1), from the nearest joint line to the furthest "
                "marrow signal change: the resection level is planned from it.",
            ),
        ),
        applies=is_long_bone,
        not_applicable="The intramedullary extent is measured in long bones only.",
    ),
    Group(
        "escc",
        "Epidural spinal cord compression (ESCC, Bilsky)",
        (
            Field(
                "escc_grade",
                "ESCC grade",
                choices=coded_choices(scores.ESCC_GRADES),
                hint="Axial T2 MRI at the level of worst compression.",
            ),
        ),
        applies=is_vertebral,
        not_applicable="The ESCC grade is for lesions of the vertebral column.",
    ),
    Group(
        "staging",
        "Staging studies",
        (
            Field("chest_ct", "Chest CT", choices=CHEST_CT),
            Field("bone_scan_pet", "Bone scan / PET", choices=BONE_SCAN),
            Field("regional_nodes", "Regional lymph nodes", choices=NODES),
        ),
    ),
    Group(
        "segments",
        "AJCC T category by segments",
        (
            Field(
                "t_category",
                "T category",
                choices=T_SEGMENT_CHOICES,
                hint="Spine: vertebral segments (T1–T4b). Pelvis: pelvic segments "
                "and size (T1a–T4b).",
            ),
        ),
        applies=is_segment_staged,
        not_applicable="The T category by segments is for spine and pelvis sites "
        "only; other sites are staged by size.",
    ),
    Group(
        "differential",
        "Conclusion",
        (
            Field(
                "differential",
                "Radiological differential diagnosis",
                TEXTAREA,
                max_length=2000,
                required=True,
            ),
        ),
    ),
    Group(
        "sins",
        "SINS (spinal lesions)",
        (
            Field(
                "sins_level",
                "Most relevant level",
                choices=tuple((lv, lv) for lv in scores.SINS_LEVELS),
            ),
            Field("sins_pain", "Pain", choices=scores.SINS_OPTIONS["pain"]),
            Field("sins_lesion", "Bone lesion", choices=scores.SINS_OPTIONS["lesion"]),
            Field(
                "sins_alignment",
                "Radiographic alignment",
                choices=scores.SINS_OPTIONS["alignment"],
            ),
            Field(
                "sins_collapse",
                "Vertebral body collapse",
                choices=scores.SINS_OPTIONS["collapse"],
            ),
            Field(
                "sins_posterolateral",
                "Posterolateral involvement",
                choices=scores.SINS_OPTIONS["posterolateral"],
            ),
        ),
        hint="The location points follow from the level (reference §5).",
        applies=is_spinal,
        not_applicable="SINS is scored for spinal lesions only (vertebral column "
        "C41.2, or the sacrum).",
        all_or_none=True,
    ),
)

_URL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def _check_radiology(data: dict[str, Any], case) -> None:
    for index, study in enumerate(data["studies"]):
        reference = study.get("reference") or ""
        if _URL.match(reference) and not reference.lower().startswith(
            ("https://", "http://")
        ):
            raise InvalidInput(
                "A viewer link must start with https:// or http://.",
                f"studies-{index}-reference",
            )
    system, category = data["bone_rads_system"], data["bone_rads_category"]
    if (system is None) != (category is None):
        raise InvalidInput(
            "Give both the Bone-RADS system and its category, or neither.",
            "bone_rads_category" if category is None else "bone_rads_system",
        )
    if system is not None:
        try:
            scores.bone_rads(system, category)
        except ValueError:
            raise InvalidInput(
                f"{choice_label(BONE_RADS_CATEGORY_CHOICES, category)} is not a "
                f"category of {choice_label(scores.BONE_RADS_SYSTEMS, system)}.",
                "bone_rads_category",
            ) from None
    if data["t_category"] is not None:
        allowed = staging.AJCC_T_CODES[site_group(case)]
        if data["t_category"] not in allowed:
            raise InvalidInput(
                f"{data['t_category']} is not a T category for this site "
                f"({', '.join(allowed)}).",
                "t_category",
            )
    level = data["sins_level"]
    if level is None or sins_level_fits(case, level):
        return
    if case.site_code == PELVIS_SITE:
        raise InvalidInput(
            "For a pelvic site SINS is scored at a sacral level (S1–S5).", "sins_level"
        )
    if case.site_code == SPINE_SITE:
        raise InvalidInput(
            "The sacrum is coded C41.4, not vertebral column C41.2; choose a level "
            "from the occiput to L5.",
            "sins_level",
        )


def greatest_dimension_mm(data: dict[str, Any]) -> float | None:
    """Largest of the three measured axes, or None if size was not recorded."""
    sizes = [data.get(k) for k in ("size_cc_mm", "size_ap_mm", "size_ml_mm")]
    return max(sizes) if all(s is not None for s in sizes) else None


def _radiology_scores(data: dict[str, Any], case) -> dict[str, Any]:
    out: dict[str, Any] = {}
    size = greatest_dimension_mm(data)
    if size is not None:
        out["size"] = stored_score(
            "Greatest dimension",
            f"Greatest dimension {size:g} mm ({size / 10:g} cm).",
            total=size,
        )
    grade = data["lodwick_madewell"]
    if grade is not None:
        grade = scores.modified_lodwick(grade)
        group = "III" if grade.startswith("III") else grade
        rate = scores.MODIFIED_LODWICK_RATES.get(group)
        text = (
            f"Modified Lodwick–Madewell {grade}: "
            + dict(scores.MODIFIED_LODWICK_GRADES)[grade].lower()
        )
        out["lodwick_madewell"] = stored_score(
            "Lodwick–Madewell",
            text + (f" (published: {rate})." if rate else "."),
            category=grade,
        )
    if data["bone_rads_system"] is not None:
        rads = scores.bone_rads(data["bone_rads_system"], data["bone_rads_category"])
        out["bone_rads"] = stored_score(
            "Bone-RADS",
            f"{rads.label} ({choice_label(scores.BONE_RADS_SYSTEMS, rads.system)}).",
            category=rads.category,
        )
    if data["sins_level"] is not None:
        result = scores.sins(
            scores.sins_location(data["sins_level"]),
            data["sins_pain"],
            data["sins_lesion"],
            data["sins_alignment"],
            data["sins_collapse"],
            data["sins_posterolateral"],
        )
        out["sins"] = stored_result("SINS", result)
    if data["escc_grade"] is not None:
        out["escc"] = stored_result("ESCC", scores.escc(data["escc_grade"]))
    return out


#: The radiology review.
RADIOLOGY_SCHEMA = Schema(
    Discipline.RADIOLOGY,
    "Radiology review",
    RADIOLOGY,
    _check_radiology,
    _radiology_scores,
)
