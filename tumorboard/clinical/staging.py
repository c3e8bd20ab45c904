"""Staging: AJCC 8th edition bone (chapter 38) and Enneking (MSTS) surgical staging.

Rules from reference §2 (AJCC) and §3 (Enneking). Licensing (reference,
licensing notes): AJCC manual text is copyrighted, so this module holds codes,
the grouping rules and short paraphrased labels only; never show AJCC manual
text in the UI.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ._validate import choice, flag, number, reject

__all__ = [
    "AJCC_GRADES",
    "AJCC_M_CODES",
    "AJCC_N_CODES",
    "AJCC_SHORT_LABELS",
    "AJCC_SITE_GROUPS",
    "AJCC_STAGE_GROUPS",
    "AJCC_T_CODES",
    "AJCC_T_SHORT_LABELS",
    "ENNEKING_BENIGN_DESCRIPTIONS",
    "ENNEKING_BENIGN_STAGES",
    "ENNEKING_COMPARTMENTS",
    "ENNEKING_GRADES",
    "ENNEKING_MARGINS",
    "ENNEKING_MARGIN_PLANES",
    "ENNEKING_STAGES",
    "ENNEKING_STAGE_DESCRIPTIONS",
    "SIZE_STAGED_SITE_GROUPS",
    "STAGE_GROUPED_SITE_GROUPS",
    "ajcc_bone_stage",
    "ajcc_bone_t",
    "ajcc_t_choices",
    "enneking_benign_stage",
    "enneking_margin",
    "enneking_stage",
]

# ---------------------------------------------------------------------------
# AJCC 8th edition, bone (reference §2)
# ---------------------------------------------------------------------------

#: Staging site groups. The first four share one T table and one stage table
#: (§2.1a, §2.5); spine and pelvis have their own T tables and no stage groups.
AJCC_SITE_GROUPS: tuple[tuple[str, str], ...] = (
    ("appendicular", "Appendicular skeleton"),
    ("trunk", "Trunk"),
    ("skull", "Skull"),
    ("facial", "Facial bones"),
    ("spine", "Spine"),
    ("pelvis", "Pelvis"),
)

#: Site groups whose T category follows tumour size (§2.1a) and which have
#: stage groups (§2.5).
SIZE_STAGED_SITE_GROUPS: tuple[str, ...] = ("appendicular", "trunk", "skull", "facial")
STAGE_GROUPED_SITE_GROUPS = SIZE_STAGED_SITE_GROUPS

_SHARED_T = ("TX", "T0", "T1", "T2", "T3")

#: Valid T codes per site group (§2.1a–c), in the reference's order.
AJCC_T_CODES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "appendicular": _SHARED_T,
        "trunk": _SHARED_T,
        "skull": _SHARED_T,
        "facial": _SHARED_T,
        "spine": ("TX", "T0", "T1", "T2", "T3", "T4", "T4a", "T4b"),
        "pelvis": (
            "TX",
            "T0",
            "T1",
            "T1a",
            "T1b",
            "T2",
            "T2a",
            "T2b",
            "T3",
            "T3a",
            "T3b",
            "T4",
            "T4a",
            "T4b",
        ),
    }
)

#: N codes, all sites (§2.2).
AJCC_N_CODES: tuple[str, ...] = ("NX", "N0", "N1")
#: M codes, all sites (§2.3). Lung and bone metastases together are M1b.
AJCC_M_CODES: tuple[str, ...] = ("M0", "M1", "M1a", "M1b")
#: Histologic grade codes (§2.4). A grade known only as "high grade" is G3
#: for stage grouping (SEER note).
AJCC_GRADES: tuple[str, ...] = ("GX", "G1", "G2", "G3")
#: Stage groups of §2.5, lowest first.
AJCC_STAGE_GROUPS: tuple[str, ...] = ("IA", "IB", "IIA", "IIB", "III", "IVA", "IVB")

# Short paraphrased labels (not AJCC manual text) so select fields say more
# than the bare code.
_SHARED_T_LABELS = {
    "TX": "Cannot be assessed",
    "T0": "No evidence of primary tumour",
    "T1": "≤ 8 cm",
    "T2": "> 8 cm",
    "T3": "Discontinuous tumours in the primary bone site",
}

#: Short T labels per site group (paraphrased from §2.1).
AJCC_T_SHORT_LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        **{
            group: MappingProxyType(_SHARED_T_LABELS)
            for group in SIZE_STAGED_SITE_GROUPS
        },
        "spine": MappingProxyType(
            {
                "TX": "Cannot be assessed",
                "T0": "No evidence of primary tumour",
                "T1": "1 or 2 adjacent vertebral segments",
                "T2": "3 adjacent vertebral segments",
                "T3": "≥ 4 adjacent or any nonadjacent segments",
                "T4": "Spinal canal or great vessels",
                "T4a": "Spinal canal",
                "T4b": "Great vessels (gross invasion or thrombus)",
            }
        ),
        "pelvis": MappingProxyType(
            {
                "TX": "Cannot be assessed",
                "T0": "No evidence of primary tumour",
                "T1": "1 segment, no extraosseous extension",
                "T1a": "T1, ≤ 8 cm",
                "T1b": "T1, > 8 cm",
                "T2": "1 segment with, or 2 segments without, extraosseous extension",
                "T2a": "T2, ≤ 8 cm",
                "T2b": "T2, > 8 cm",
                "T3": "2 segments with extraosseous extension",
                "T3a": "T3, ≤ 8 cm",
                "T3b": "T3, > 8 cm",
                "T4": "3 segments or crossing the sacroiliac joint",
                "T4a": "Sacroiliac joint, medial to the sacral neuroforamen",
                "T4b": "External iliac vessels encased or major pelvic vessel thrombus",
            }
        ),
    }
)

#: Short labels for N, M and G codes (paraphrased from §2.2–2.4).
AJCC_SHORT_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "NX": "Cannot be assessed (consider N0 unless nodes clinically evident)",
        "N0": "No regional lymph node metastasis",
        "N1": "Regional lymph node metastasis",
        "M0": "No distant metastasis",
        "M1": "Distant metastasis, site not specified",
        "M1a": "Lung",
        "M1b": "Bone or other distant sites",
        "GX": "Cannot be assessed",
        "G1": "Low grade",
        "G2": "High grade (moderately differentiated)",
        "G3": "High grade (poorly differentiated)",
    }
)

_SITE_KEYS = tuple(key for key, _ in AJCC_SITE_GROUPS)


def _t_code(func: str, site_group: str, t: object) -> str:
    """Check ``t`` against the T table of ``site_group`` and name the group."""
    allowed = AJCC_T_CODES[site_group]
    if isinstance(t, str) and t in allowed:
        return t
    raise reject(
        func, "t", t, f"one of {', '.join(allowed)} for site_group {site_group}"
    )


def ajcc_t_choices(site_group: object) -> list[tuple[str, str]]:
    """Return ``(code, "T1 — ≤ 8 cm")`` pairs for the T select field of a site group."""
    group = choice("ajcc_t_choices", "site_group", site_group, _SITE_KEYS)
    labels = AJCC_T_SHORT_LABELS[group]
    return [(code, f"{code} — {labels[code]}") for code in AJCC_T_CODES[group]]


def ajcc_bone_stage(
    site_group: object, t: object, n: object, m: object, grade: object
) -> str | None:
    """Return the AJCC 8th bone stage group, or None where none is defined.

    ``None`` means either that the site group has no stage groups (spine and
    pelvis, §2.5: show "no stage group defined") or that no row of §2.5 fits
    (TX or T0 without N1, M1a or M1b). Evaluation follows §2.5's suggested
    order: M1b or N1 → IVB; else M1a → IVA; else by T and grade, with GX
    grouped as low grade. That order treats NX like N0, as §2.2 advises
    (NX "should be considered N0 unless nodal involvement is clinically
    evident"). ``M1`` without subcategory only groups when N1 makes the stage
    IVB whatever the M subcategory; otherwise it raises, because IVA and IVB
    differ by M1a versus M1b. All codes are validated for every site group.
    """
    func = "ajcc_bone_stage"
    group = choice(func, "site_group", site_group, _SITE_KEYS)
    t_code = _t_code(func, group, t)
    n_code = choice(func, "n", n, AJCC_N_CODES)
    m_code = choice(func, "m", m, AJCC_M_CODES)
    g_code = choice(func, "grade", grade, AJCC_GRADES)
    if group not in STAGE_GROUPED_SITE_GROUPS:
        return None
    if n_code == "N1" or m_code == "M1b":
        return "IVB"
    if m_code == "M1":
        raise reject(
            func,
            "m",
            m,
            f"M1a (lung) or M1b (bone or other distant sites) with n {n_code}: "
            "the stage group (IVA or IVB) depends on the M subcategory",
        )
    if m_code == "M1a":
        return "IVA"
    low_grade = g_code in ("GX", "G1")
    if t_code == "T1":
        return "IA" if low_grade else "IIA"
    if t_code == "T2":
        return "IB" if low_grade else "IIB"
    if t_code == "T3":
        return "IB" if low_grade else "III"
    return None  # TX, T0: no row of §2.5 applies


def ajcc_bone_t(
    site_group: object, greatest_dimension_cm: object, discontinuous: object = False
) -> str:
    """Return the AJCC 8th T category from size for the size-staged site groups.

    §2.1a: ≤ 8 cm (8.0 exactly included) is T1, > 8 cm is T2, and
    discontinuous tumours in the primary bone site are T3 whatever the size.
    Spine and pelvis T depend on vertebral or pelvic segments, not size alone,
    so they are rejected here; choose their T code directly.
    """
    func = "ajcc_bone_t"
    choice(func, "site_group", site_group, SIZE_STAGED_SITE_GROUPS)
    size = number(
        func,
        "greatest_dimension_cm",
        greatest_dimension_cm,
        minimum=0,
        minimum_inclusive=False,
        unit="cm",
    )
    if flag(func, "discontinuous", discontinuous):
        return "T3"
    return "T1" if size <= 8 else "T2"


# ---------------------------------------------------------------------------
# Enneking (MSTS) surgical staging (reference §3)
# ---------------------------------------------------------------------------

#: Malignant grade (§3.1): G1 low, G2 high.
ENNEKING_GRADES: tuple[tuple[str, str], ...] = (
    ("low", "Low grade (G1)"),
    ("high", "High grade (G2)"),
)
#: Malignant site (§3.1): T1 intracompartmental, T2 extracompartmental.
ENNEKING_COMPARTMENTS: tuple[tuple[str, str], ...] = (
    ("intra", "Intracompartmental (T1)"),
    ("extra", "Extracompartmental (T2)"),
)
#: What each malignant stage means (§3.1), without the stage itself: shown
#: next to the stage, so it must not repeat it.
ENNEKING_STAGE_DESCRIPTIONS: Mapping[str, str] = MappingProxyType(
    {
        "IA": "low grade, intracompartmental, no metastasis",
        "IB": "low grade, extracompartmental, no metastasis",
        "IIA": "high grade, intracompartmental, no metastasis",
        "IIB": "high grade, extracompartmental, no metastasis",
        "III": "metastasis (regional or distant)",
        "IIIA": "metastasis, intracompartmental",
        "IIIB": "metastasis, extracompartmental",
    }
)
#: Malignant stages (§3.1) as (stage, "stage — description"); IIIA/IIIB only
#: with ``subdivide_iii=True``.
ENNEKING_STAGES: tuple[tuple[str, str], ...] = tuple(
    (stage, f"{stage} — {text}") for stage, text in ENNEKING_STAGE_DESCRIPTIONS.items()
)
#: What each benign activity means (§3.2), without the stage number.
ENNEKING_BENIGN_DESCRIPTIONS: Mapping[str, str] = MappingProxyType(
    {"latent": "Latent (inactive)", "active": "Active", "aggressive": "Aggressive"}
)
_BENIGN_STAGE = {"latent": "1", "active": "2", "aggressive": "3"}
#: Benign stages (§3.2) as (input key, "number — description");
#: ``enneking_benign_stage`` maps the key to the stage number.
ENNEKING_BENIGN_STAGES: tuple[tuple[str, str], ...] = tuple(
    (key, f"{_BENIGN_STAGE[key]} — {text}")
    for key, text in ENNEKING_BENIGN_DESCRIPTIONS.items()
)
#: Surgical margins (§3.3).
ENNEKING_MARGINS: tuple[tuple[str, str], ...] = (
    ("intralesional", "Intralesional"),
    ("marginal", "Marginal"),
    ("wide", "Wide"),
    ("radical", "Radical"),
)
#: Plane of dissection per margin (§3.3, [V]). The residual-disease column of
#: §3.3 is [S] only and is not stored.
ENNEKING_MARGIN_PLANES: Mapping[str, str] = MappingProxyType(
    {
        "intralesional": "Through the tumour (piecemeal / curettage)",
        "marginal": "Through the reactive zone (pseudocapsule) around the tumour",
        "wide": "Through normal tissue beyond the reactive zone, with a cuff of "
        "normal tissue",
        "radical": "Entire anatomical compartment(s) removed en bloc",
    }
)


def enneking_stage(
    grade: object,
    compartment: object,
    metastasis: object,
    *,
    subdivide_iii: bool = False,
) -> str:
    """Return the Enneking stage of a malignant bone tumour (§3.1).

    Metastasis (regional or distant, including skip lesions) is stage III
    whatever the grade and site. With ``subdivide_iii=True`` it is IIIA
    (intracompartmental) or IIIB (extracompartmental), a split some sources
    use (§3.1, wheelessonline).
    """
    func = "enneking_stage"
    g = choice(func, "grade", grade, dict(ENNEKING_GRADES))
    c = choice(func, "compartment", compartment, dict(ENNEKING_COMPARTMENTS))
    has_metastasis = flag(func, "metastasis", metastasis)
    split = flag(func, "subdivide_iii", subdivide_iii)
    if has_metastasis:
        if split:
            return "IIIA" if c == "intra" else "IIIB"
        return "III"
    roman = "I" if g == "low" else "II"
    return roman + ("A" if c == "intra" else "B")


def enneking_benign_stage(activity: object) -> str:
    """Return the Enneking benign stage '1', '2' or '3' for latent/active/aggressive."""
    key = choice("enneking_benign_stage", "activity", activity, _BENIGN_STAGE)
    return _BENIGN_STAGE[key]


def enneking_margin(margin: object) -> str:
    """Return ``margin`` if it is an Enneking margin key (§3.3)."""
    return choice("enneking_margin", "margin", margin, dict(ENNEKING_MARGINS))
