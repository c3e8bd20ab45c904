"""Radiological grading of bone lesions: Lodwick, modified Lodwick–Madewell
and Bone-RADS (reference §7)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from .._validate import choice

# ---------------------------------------------------------------------------
# Lodwick and modified Lodwick–Madewell (reference §7.1–7.2)
# ---------------------------------------------------------------------------

#: Original Lodwick grades (§7.1).
LODWICK_GRADES: tuple[tuple[str, str], ...] = (
    ("IA", "Geographic; thin sclerotic margin"),
    ("IB", "Geographic; well-defined margin without sclerosis"),
    ("IC", "Geographic; ill-defined border"),
    ("II", "Moth-eaten"),
    ("III", "Permeative"),
)

#: Modified Lodwick–Madewell grades (§7.2, Caracciolo 2016). Grade III has
#: three sub-grades; IIIA and IIIC have no original-Lodwick equivalent.
MODIFIED_LODWICK_GRADES: tuple[tuple[str, str], ...] = (
    ("I", "Geographic, well-defined margin (sclerotic or not)"),
    ("II", "Geographic, ill-defined margin"),
    ("IIIA", "Changing margination / progressive endosteal scalloping"),
    ("IIIB", "Moth-eaten or permeative"),
    ("IIIC", "Radiographically occult"),
)

#: Original → modified grade (§7.2: I = IA + IB, II = IC, IIIB = moth-eaten or
#: permeative, i.e. original II and III).
LODWICK_TO_MODIFIED: Mapping[str, str] = MappingProxyType(
    {"IA": "I", "IB": "I", "IC": "II", "II": "IIIB", "III": "IIIB"}
)

#: Published rates per modified grade group (§7.2). Grade II is left out: the
#: restatement read does not add up and must be checked in the paper.
MODIFIED_LODWICK_RATES: Mapping[str, str] = MappingProxyType(
    {"I": "94 % benign (76/81)", "III": "81 % malignant (39/48)"}
)


def lodwick(grade: object) -> str:
    """Return ``grade`` if it is an original Lodwick grade (IA, IB, IC, II, III)."""
    return choice("lodwick", "grade", grade, dict(LODWICK_GRADES))


def modified_lodwick(grade: object) -> str:
    """Return ``grade`` if it is a modified Lodwick–Madewell grade (I … IIIC)."""
    return choice("modified_lodwick", "grade", grade, dict(MODIFIED_LODWICK_GRADES))


def lodwick_to_modified(grade: object) -> str:
    """Map an original Lodwick grade to its modified Lodwick–Madewell grade."""
    return LODWICK_TO_MODIFIED[
        choice("lodwick_to_modified", "grade", grade, LODWICK_TO_MODIFIED)
    ]


# ---------------------------------------------------------------------------
# Bone-RADS (reference §7.3)
# ---------------------------------------------------------------------------

#: The two Bone-RADS documents; store which one was used (§7.3).
BONE_RADS_SYSTEMS: tuple[tuple[str, str], ...] = (
    ("ssr_2022", "SSR Bone-RADS, incidental solitary lesion on CT/MRI (Chang 2022)"),
    ("acr_2023", "ACR Bone-RADS v2023, radiographs"),
)

#: Categories per system, codes and short labels only (§7.3). The ACR radiograph
#: point values are NOT FOUND, so there is no ACR points calculator.
BONE_RADS_CATEGORIES: Mapping[str, tuple[tuple[str, str], ...]] = MappingProxyType(
    {
        "ssr_2022": (
            ("bone_rads_1", "Bone-RADS1 — leave alone (benign)"),
            ("bone_rads_2", "Bone-RADS2 — different imaging modality"),
            ("bone_rads_3", "Bone-RADS3 — follow-up imaging"),
            ("bone_rads_4", "Bone-RADS4 — biopsy and/or oncological referral"),
        ),
        "acr_2023": (
            ("bone_rads_0", "Bone-RADS0 — incompletely characterised"),
            ("bone_rads_1", "Bone-RADS1 — very low risk"),
            ("bone_rads_2", "Bone-RADS2 — low risk"),
            ("bone_rads_3", "Bone-RADS3 — intermediate risk"),
            ("bone_rads_4", "Bone-RADS4 — high risk"),
        ),
    }
)


@dataclass(frozen=True, slots=True)
class BoneRads:
    """A Bone-RADS category together with the system it belongs to."""

    system: str
    category: str
    label: str


def bone_rads(system: object, category: object) -> BoneRads:
    """Validate a Bone-RADS category within its system (SSR 2022 has no 0)."""
    key = choice("bone_rads", "system", system, BONE_RADS_CATEGORIES)
    labels = dict(BONE_RADS_CATEGORIES[key])
    code = choice("bone_rads", "category", category, labels)
    return BoneRads(key, code, labels[code])
