"""Scores and grades: Mirels, SINS, Huvos, revised Tokuhashi, ECOG, Karnofsky, PPS,
Lansky, Lodwick, Bone-RADS, ESCC (Bilsky) and the MSTS functional score.

Every table comes from the reference (cited as "reference §x"). Each option
vocabulary is a tuple of ``(key, short label)`` pairs so forms can build select
fields from it. Scores return an immutable ``ScoreResult`` and reject bad input
with a ``ValueError`` naming the function, parameter, value and what is allowed.

One module per clinical question: ``fracture`` (Mirels, SINS), ``response``
(Huvos), ``prognosis`` (revised Tokuhashi), ``performance`` (ECOG, Karnofsky,
PPS, Lansky, ECOG–Karnofsky agreement), ``imaging`` (Lodwick, Bone-RADS),
``compression`` (ESCC) and ``function`` (MSTS); ``result`` holds what they
share. Everything is importable from this package.

Deliberately not implemented because the reference marks them NOT FOUND:
ACR Bone-RADS radiograph point values (§7.3b), MSTS per-level descriptors
(§9.3), Tomita treatment bands and growth lists (§9.2; Tomita is therefore
left out), the figures for modified Lodwick–Madewell grade II (§7.2), Lansky
descriptors for levels 10–90 (§8.5 gives words for 100 and 0 only).

Licensing (reference, licensing notes): PPSv2 is © Victoria Hospice Society
and needs permission before it is built into an electronic record, so only the
numeric levels are stored, never its descriptors; Bone-RADS is stored as
category codes with short labels only.
"""

from __future__ import annotations

from .compression import ESCC_CATEGORIES, ESCC_GRADE_CATEGORY, ESCC_GRADES, escc
from .fracture import (
    MIRELS_CATEGORIES,
    MIRELS_OPTIONS,
    MIRELS_POINTS,
    SINS_CATEGORIES,
    SINS_LEVELS,
    SINS_OPTIONS,
    SINS_POINTS,
    mirels,
    sins,
    sins_location,
)
from .function import MSTS_CATEGORIES, MSTS_LIMBS, MstsResult, msts_functional
from .imaging import (
    BONE_RADS_CATEGORIES,
    BONE_RADS_SYSTEMS,
    LODWICK_GRADES,
    LODWICK_TO_MODIFIED,
    MODIFIED_LODWICK_GRADES,
    MODIFIED_LODWICK_RATES,
    BoneRads,
    bone_rads,
    lodwick,
    lodwick_to_modified,
    modified_lodwick,
)
from .performance import (
    ECOG_GRADES,
    ECOG_KARNOFSKY_BANDS,
    KARNOFSKY_VALUES,
    LANSKY_LEVELS,
    PPS_VALUES,
    ecog,
    karnofsky,
    lansky,
    performance_status_agree,
    pps,
)
from .prognosis import (
    TOKUHASHI_CATEGORIES,
    TOKUHASHI_OPTIONS,
    TOKUHASHI_POINTS,
    tokuhashi_revised,
)
from .response import HUVOS_GRADES, huvos_grade, is_good_responder
from .result import ScoreResult

__all__ = [
    "BONE_RADS_CATEGORIES",
    "BONE_RADS_SYSTEMS",
    "ECOG_GRADES",
    "ECOG_KARNOFSKY_BANDS",
    "ESCC_CATEGORIES",
    "ESCC_GRADES",
    "ESCC_GRADE_CATEGORY",
    "HUVOS_GRADES",
    "KARNOFSKY_VALUES",
    "LANSKY_LEVELS",
    "LODWICK_GRADES",
    "LODWICK_TO_MODIFIED",
    "MIRELS_CATEGORIES",
    "MIRELS_OPTIONS",
    "MIRELS_POINTS",
    "MODIFIED_LODWICK_GRADES",
    "MODIFIED_LODWICK_RATES",
    "MSTS_CATEGORIES",
    "MSTS_LIMBS",
    "PPS_VALUES",
    "SINS_CATEGORIES",
    "SINS_LEVELS",
    "SINS_OPTIONS",
    "SINS_POINTS",
    "TOKUHASHI_CATEGORIES",
    "TOKUHASHI_OPTIONS",
    "TOKUHASHI_POINTS",
    "BoneRads",
    "MstsResult",
    "ScoreResult",
    "bone_rads",
    "ecog",
    "escc",
    "huvos_grade",
    "is_good_responder",
    "karnofsky",
    "lansky",
    "lodwick",
    "lodwick_to_modified",
    "mirels",
    "modified_lodwick",
    "msts_functional",
    "performance_status_agree",
    "pps",
    "sins",
    "sins_location",
    "tokuhashi_revised",
]
