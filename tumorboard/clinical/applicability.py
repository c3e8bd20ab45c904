"""Where the fracture and instability scores apply: Mirels for metastases of
the long bones (reference §4), SINS for spinal lesions (reference §5).

The functions take plain values: a case type (``"skeletal_metastasis"`` or
``"primary_bone_tumour"``), an ICD-O-3 topography code as stored (``"C41.2"``,
reference §1.3) and a spinal level as the SINS input records it (``"L5"``,
``"S1"``; see ``scores.SINS_LEVELS``).
"""

from __future__ import annotations

__all__ = [
    "LONG_BONE_SITES",
    "PELVIS_SITE",
    "SACRAL_LEVELS",
    "SKELETAL_METASTASIS",
    "SPINE_SITE",
    "is_skeletal_metastasis",
    "mirels_applies",
    "sins_applies",
    "sins_is_required",
    "sins_level_fits_site",
]

#: Case type of a skeletal metastasis (the other is a primary bone tumour).
SKELETAL_METASTASIS = "skeletal_metastasis"

#: Long bones of the upper limb (C40.0) and of the lower limb (C40.2), §1.3.
#: C40.0 also holds the scapula, which the code alone cannot tell apart.
LONG_BONE_SITES: tuple[str, ...] = ("C40.0", "C40.2")

#: Vertebral column; the sacrum and coccyx are coded with the pelvis (§1.3).
SPINE_SITE = "C41.2"

#: Pelvic bones, sacrum, coccyx and associated joints (§1.3).
PELVIS_SITE = "C41.4"

#: Sacral levels of the SINS location row (§5: S1 junctional, S2–S5 rigid).
SACRAL_LEVELS: tuple[str, ...] = ("S1", "S2", "S3", "S4", "S5")


def is_skeletal_metastasis(case_type: str | None) -> bool:
    """True for the skeletal-metastasis case type."""
    return case_type == SKELETAL_METASTASIS


def mirels_applies(case_type: str | None, site_code: str | None) -> bool:
    """True if Mirels is scored: a metastasis of a long bone of the limbs (§4)."""
    return is_skeletal_metastasis(case_type) and site_code in LONG_BONE_SITES


def sins_applies(site_code: str | None) -> bool:
    """True if SINS can be scored at the site: the vertebral column (C41.2) or
    the sacrum, which is coded with the pelvis (C41.4); §5 scores L5–S1 as
    junctional and S2–S5 as rigid."""
    return site_code in (SPINE_SITE, PELVIS_SITE)


def sins_level_fits_site(site_code: str | None, level: str | None) -> bool:
    """True if a SINS level belongs to the site: occiput–L5 for C41.2, S1–S5 for
    C41.4; no level fits any other site."""
    if level is None or not sins_applies(site_code):
        return False
    if site_code == SPINE_SITE:
        return level not in SACRAL_LEVELS
    return level in SACRAL_LEVELS


def sins_is_required(
    case_type: str | None, site_code: str | None, sins_level: str | None
) -> bool:
    """True if a case needs SINS before the board: a metastasis of the vertebral
    column (C41.2), or a pelvic metastasis (C41.4) scored at a sacral level
    (``sins_level``, as recorded); other pelvic bones are not scored (§5)."""
    if not is_skeletal_metastasis(case_type) or not sins_applies(site_code):
        return False
    if site_code == SPINE_SITE:
        return True
    return sins_level in SACRAL_LEVELS
