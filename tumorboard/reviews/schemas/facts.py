"""What the review rules know about a case, and which sections apply to it.

The clinical rules (where Mirels and SINS apply) live in
``tumorboard.clinical.applicability``; the predicates here put a case, or the
:class:`CaseFacts` of one, to those rules. Anything with ``case_type`` and
``site_code`` attributes will do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from tumorboard.clinical import (
    catalogue,
    is_skeletal_metastasis,
    mirels_applies,
    sins_applies,
    sins_is_required,
    sins_level_fits_site,
)
from tumorboard.clinical.applicability import LONG_BONE_SITES, SPINE_SITE


@dataclass(frozen=True)
class CaseFacts:
    """What the review rules need to know about the case and its patient."""

    case_type: str
    site_code: str
    known_primary: str | None
    birth_date: date
    #: Karnofsky of the case's current performance status, and its date.
    karnofsky: int | None = None
    karnofsky_assessed_on: date | None = None


def is_metastasis(case) -> bool:
    """True for skeletal-metastasis cases."""
    return is_skeletal_metastasis(case.case_type)


def is_long_bone_metastasis(case) -> bool:
    """True if Mirels applies: a metastasis of a long bone of the limbs."""
    return mirels_applies(case.case_type, case.site_code)


def is_long_bone(case) -> bool:
    """True for a long bone of the limbs (C40.0, C40.2), where the
    intramedullary extent is measured."""
    return case.site_code in LONG_BONE_SITES


def is_vertebral(case) -> bool:
    """True for the vertebral column (C41.2), where epidural spinal cord
    compression is graded (§9.4)."""
    return case.site_code == SPINE_SITE


def is_spinal(case) -> bool:
    """True if SINS can be scored at the case's site (spine, or the sacrum)."""
    return sins_applies(case.site_code)


def sins_level_fits(case, level: str | None) -> bool:
    """True if a SINS level belongs to the case's site."""
    return sins_level_fits_site(case.site_code, level)


def sins_required(case, radiology: dict[str, Any] | None) -> bool:
    """True if the readiness gate needs SINS for ``case``; ``radiology`` is the
    data of its current radiology review (it tells whether a pelvic lesion is
    sacral)."""
    return sins_is_required(
        case.case_type, case.site_code, (radiology or {}).get("sins_level")
    )


def site_group(case) -> str:
    """AJCC 8th staging site group of the case's bone site."""
    return catalogue.topography(case.site_code).ajcc_site_group


def is_segment_staged(case) -> bool:
    """Spine and pelvis take their T category from segments, not size (§2.1)."""
    return site_group(case) in ("spine", "pelvis")
