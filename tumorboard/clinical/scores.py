"""Scores and grades: Mirels, SINS, Huvos, revised Tokuhashi, ECOG, Karnofsky, PPS,
Lodwick, Bone-RADS and the MSTS functional score.

Every table comes from the reference (cited as "reference §x"). Each option
vocabulary is a tuple of ``(key, short label)`` pairs so forms can build select
fields from it. Scores return an immutable ``ScoreResult`` and reject bad input
with a ``ValueError`` naming the function, parameter, value and what is allowed.

Deliberately not implemented because the reference marks them NOT FOUND:
ACR Bone-RADS radiograph point values (§7.3b), MSTS per-level descriptors
(§9.3), Tomita treatment bands and growth lists (§9.2; Tomita is therefore
left out), the figures for modified Lodwick–Madewell grade II (§7.2).

Licensing (reference, licensing notes): PPSv2 is © Victoria Hospice Society
and needs permission before it is built into an electronic record, so only the
numeric levels are stored, never its descriptors; Bone-RADS is stored as
category codes with short labels only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from ._validate import choice, integer, number, reject, text
from .catalogue import METASTATIC_PRIMARIES, TOKUHASHI_2014_POINTS

__all__ = [
    "BONE_RADS_CATEGORIES",
    "BONE_RADS_SYSTEMS",
    "ECOG_GRADES",
    "HUVOS_GRADES",
    "KARNOFSKY_VALUES",
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
    "huvos_grade",
    "is_good_responder",
    "karnofsky",
    "lodwick",
    "lodwick_to_modified",
    "mirels",
    "modified_lodwick",
    "msts_functional",
    "pps",
    "sins",
    "sins_location",
    "tokuhashi_revised",
]


@dataclass(frozen=True, slots=True)
class ScoreResult:
    """Result of a score: total, a stable category key and a short sentence.

    ``points`` lists ``(component, points)`` in input order so a report can show
    how the total was reached.
    """

    total: int
    category: str
    interpretation: str
    points: tuple[tuple[str, int], ...] = ()


def _points(table: Mapping[str, Mapping[str, int]], func: str, **chosen: object):
    """Validate each chosen option against ``table`` and return its points."""
    return tuple(
        (param, table[param][choice(func, param, value, table[param])])
        for param, value in chosen.items()
    )


def _frozen(table: dict) -> Mapping:
    """Read-only view of a nested dict of dicts."""
    return MappingProxyType(
        {k: MappingProxyType(v) if isinstance(v, dict) else v for k, v in table.items()}
    )


# ---------------------------------------------------------------------------
# Mirels (reference §4)
# ---------------------------------------------------------------------------

#: Mirels options per variable, 1/2/3 points in this order (§4).
MIRELS_OPTIONS: Mapping[str, tuple[tuple[str, str], ...]] = MappingProxyType(
    {
        "site": (
            ("upper_limb", "Upper limb"),
            ("lower_limb", "Lower limb"),
            ("peritrochanteric", "Peritrochanteric (trochanteric) region"),
        ),
        "pain": (
            ("mild", "Mild"),
            ("moderate", "Moderate"),
            ("functional", "Functional (severe, or aggravated by limb function)"),
        ),
        "lesion": (
            ("blastic", "Blastic"),
            ("mixed", "Mixed"),
            ("lytic", "Lytic"),
        ),
        # Fraction of bone diameter (radiopaedia) or of cortical thickness
        # (roentgenrayreader): the UI shows which definition was used (§4).
        "size": (
            ("lt_one_third", "< 1/3"),
            ("one_to_two_thirds", "1/3 – 2/3"),
            ("gt_two_thirds", "> 2/3"),
        ),
    }
)

#: Points per Mirels option (§4): first option 1, second 2, third 3.
MIRELS_POINTS: Mapping[str, Mapping[str, int]] = _frozen(
    {
        variable: {key: position for position, (key, _) in enumerate(options, 1)}
        for variable, options in MIRELS_OPTIONS.items()
    }
)

#: Mirels categories (§4).
MIRELS_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("low", "Low risk (total ≤ 7)"),
    ("borderline", "Borderline (total 8)"),
    ("high", "High risk (total ≥ 9)"),
)


def mirels(site: object, pain: object, lesion: object, size: object) -> ScoreResult:
    """Return the Mirels score (4–12) for a long-bone metastasis (§4).

    Bands: ≤ 7 low (< 4 %; MDApp 0–4 %), 8 borderline (15 %), ≥ 9 high
    (≥ 33 %; MDApp 33–100 %). Long bones only; use SINS for the spine.
    """
    points = _points(
        MIRELS_POINTS, "mirels", site=site, pain=pain, lesion=lesion, size=size
    )
    total = sum(p for _, p in points)
    if total <= 7:
        category = "low"
        advice = "fracture risk low (< 4 %; MDApp 0–4 %); radiotherapy and observation"
    elif total == 8:
        category = "borderline"
        advice = "fracture risk 15 %; clinical judgement, consider fixation"
    else:
        category = "high"
        advice = "fracture risk ≥ 33 % (MDApp 33–100 %); prophylactic fixation"
    return ScoreResult(total, category, f"Mirels {total}/12: {advice}.", points)


# ---------------------------------------------------------------------------
# SINS (reference §5)
# ---------------------------------------------------------------------------

#: SINS options per component with their points (§5), highest first.
_SINS_TABLE: dict[str, tuple[tuple[str, str, int], ...]] = {
    "location": (
        ("junctional", "Junctional (occiput–C2, C7–T2, T11–L1, L5–S1)", 3),
        ("mobile", "Mobile spine (C3–C6, L2–L4)", 2),
        ("semirigid", "Semirigid (T3–T10)", 1),
        ("rigid", "Rigid (S2–S5)", 0),
    ),
    "pain": (
        ("mechanical", "Mechanical pain (relieved by recumbency / with loading)", 3),
        ("occasional", "Occasional pain, not mechanical", 1),
        ("none", "Pain-free lesion", 0),
    ),
    "lesion": (
        ("lytic", "Lytic", 2),
        ("mixed", "Mixed (lytic/blastic)", 1),
        ("blastic", "Blastic", 0),
    ),
    "alignment": (
        ("subluxation", "Subluxation / translation present", 4),
        ("deformity", "De novo deformity (kyphosis/scoliosis)", 2),
        ("normal", "Normal alignment", 0),
    ),
    "collapse": (
        ("over_50", "> 50 % collapse", 3),
        ("under_50", "< 50 % collapse", 2),
        ("no_collapse_over_50_involved", "No collapse with > 50 % of body involved", 1),
        ("none", "None of the above", 0),
    ),
    "posterolateral": (
        ("bilateral", "Bilateral", 3),
        ("unilateral", "Unilateral", 1),
        ("none", "None of the above", 0),
    ),
}

#: SINS options per component (§5).
SINS_OPTIONS: Mapping[str, tuple[tuple[str, str], ...]] = MappingProxyType(
    {c: tuple((k, label) for k, label, _ in rows) for c, rows in _SINS_TABLE.items()}
)
#: Points per SINS option (§5).
SINS_POINTS: Mapping[str, Mapping[str, int]] = _frozen(
    {c: {k: p for k, _, p in rows} for c, rows in _SINS_TABLE.items()}
)
#: SINS categories (§5).
SINS_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("stable", "Stable (0–6)"),
    ("indeterminate", "Indeterminate, possibly impending instability (7–12)"),
    ("unstable", "Unstable (13–18)"),
)

# Spinal levels of the SINS location row (§5), top to bottom.
_SINS_LEVEL_LOCATION: dict[str, str] = {
    "occiput": "junctional",
    **{f"C{i}": "junctional" for i in (1, 2)},
    **{f"C{i}": "mobile" for i in range(3, 7)},
    "C7": "junctional",
    **{f"T{i}": "junctional" for i in (1, 2)},
    **{f"T{i}": "semirigid" for i in range(3, 11)},
    **{f"T{i}": "junctional" for i in (11, 12)},
    "L1": "junctional",
    **{f"L{i}": "mobile" for i in range(2, 5)},
    "L5": "junctional",
    "S1": "junctional",
    **{f"S{i}": "rigid" for i in range(2, 6)},
}
#: Spinal levels accepted by ``sins_location``, occiput to S5.
SINS_LEVELS: tuple[str, ...] = tuple(_SINS_LEVEL_LOCATION)


def sins_location(level: object) -> str:
    """Return the SINS location key for a spinal level ('C5' → 'mobile')."""
    value = text("sins_location", "level", level).strip()
    key = "occiput" if value.casefold() == "occiput" else value.upper()
    return _SINS_LEVEL_LOCATION[choice("sins_location", "level", key, SINS_LEVELS)]


def sins(
    location: object,
    pain: object,
    lesion: object,
    alignment: object,
    collapse: object,
    posterolateral: object,
) -> ScoreResult:
    """Return the Spinal Instability Neoplastic Score (0–18) of one lesion (§5).

    Score the most relevant level. 0–6 stable, 7–12 indeterminate, 13–18
    unstable; 7–18 warrant surgical consultation.
    """
    points = _points(
        SINS_POINTS,
        "sins",
        location=location,
        pain=pain,
        lesion=lesion,
        alignment=alignment,
        collapse=collapse,
        posterolateral=posterolateral,
    )
    total = sum(p for _, p in points)
    if total <= 6:
        category, meaning = "stable", "stable"
    elif total <= 12:
        category = "indeterminate"
        meaning = (
            "indeterminate (possibly impending) instability; "
            "surgical consultation warranted"
        )
    else:
        category, meaning = "unstable", "unstable; surgical consultation warranted"
    return ScoreResult(total, category, f"SINS {total}/18: {meaning}.", points)


# ---------------------------------------------------------------------------
# Huvos (reference §6)
# ---------------------------------------------------------------------------

#: Huvos grades (§6, secondary sources [S]; the original paper was not read).
HUVOS_GRADES: tuple[tuple[str, str], ...] = (
    ("I", "Little or no effect of chemotherapy (< 50 % necrosis)"),
    ("II", "Partial response, areas of viable tumour (50–89 % necrosis)"),
    ("III", "Scattered foci of viable tumour (90–99 % necrosis)"),
    ("IV", "No viable tumour (100 % necrosis)"),
)


def _necrosis(func: str, necrosis_percent: object):
    """Validate a necrosis percentage 0–100."""
    return number(
        func, "necrosis_percent", necrosis_percent, minimum=0, maximum=100, unit="%"
    )


def huvos_grade(necrosis_percent: object) -> str:
    """Return the Huvos grade 'I'–'IV' for a percentage of tumour necrosis (§6).

    The table gives whole-number bands (< 50, 50–89, 90–99, 100). Fractions
    are placed so the good-responder cut-off (≥ 90 %) holds: 89.9 is II,
    99.9 is III (viable tumour remains), only 100 is IV.
    """
    value = _necrosis("huvos_grade", necrosis_percent)
    if value < 50:
        return "I"
    if value < 90:
        return "II"
    if value < 100:
        return "III"
    return "IV"


def is_good_responder(necrosis_percent: object) -> bool:
    """Return True for ≥ 90 % necrosis (Huvos III–IV), the good-responder cut-off."""
    return _necrosis("is_good_responder", necrosis_percent) >= 90


# ---------------------------------------------------------------------------
# Revised Tokuhashi (reference §9.1)
# ---------------------------------------------------------------------------

_TOKUHASHI_VERSIONS = (
    ("2005", "Revised Tokuhashi (2005)"),
    ("2014", "2014 modification: triple-negative breast 3 points [S]"),
)

#: Tokuhashi select-field options (§9.1). Counts are plain integers.
TOKUHASHI_OPTIONS: Mapping[str, tuple[tuple, ...]] = MappingProxyType(
    {
        # KPS 0 (dead) falls in no band of the table, so it is not offered.
        "kps": tuple((v, f"{v} %") for v in range(100, 0, -10)),
        "visceral_mets": (
            ("unremovable", "Unremovable"),
            ("removable", "Removable"),
            ("none", "No metastases"),
        ),
        "primary_site": tuple((p.key, p.label) for p in METASTATIC_PRIMARIES),
        "palsy": (
            ("complete", "Complete (Frankel A, B)"),
            ("incomplete", "Incomplete (Frankel C, D)"),
            ("none", "None (Frankel E)"),
        ),
        "version": _TOKUHASHI_VERSIONS,
    }
)

#: Points of the categorical Tokuhashi parameters (§9.1).
TOKUHASHI_POINTS: Mapping[str, Mapping[str, int]] = _frozen(
    {
        "visceral_mets": {"unremovable": 0, "removable": 1, "none": 2},
        "primary_site": {p.key: p.tokuhashi_points for p in METASTATIC_PRIMARIES},
        "palsy": {"complete": 0, "incomplete": 1, "none": 2},
    }
)

#: Tokuhashi prognosis bands (§9.1).
TOKUHASHI_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("lt_6_months", "0–8: predicted prognosis < 6 months"),
    ("gte_6_months", "9–11: predicted prognosis ≥ 6 months"),
    ("gte_12_months", "12–15: predicted prognosis ≥ 1 year"),
)


def tokuhashi_revised(
    kps: object,
    extraspinal_bone_mets: object,
    vertebral_body_mets: object,
    visceral_mets: object,
    primary_site: object,
    palsy: object,
    *,
    version: object = "2005",
) -> ScoreResult:
    """Return the revised Tokuhashi score (0–15) for spinal metastases (§9.1).

    ``kps`` is 10–100 in steps of 10 (the table's bands start at 10 %, so KPS 0
    is rejected). ``vertebral_body_mets`` counts the involved vertebral bodies
    and must be at least 1. ``version='2014'`` applies the 2014 modification
    (triple-negative breast 3 instead of 5; single secondary source [S]).
    """
    func = "tokuhashi_revised"
    kps_value = integer(func, "kps", kps, minimum=10, maximum=100, step=10)
    extraspinal = integer(
        func, "extraspinal_bone_mets", extraspinal_bone_mets, minimum=0
    )
    vertebral = integer(func, "vertebral_body_mets", vertebral_body_mets, minimum=1)
    edition = choice(func, "version", version, dict(_TOKUHASHI_VERSIONS))
    categorical = dict(
        _points(
            TOKUHASHI_POINTS,
            func,
            visceral_mets=visceral_mets,
            primary_site=primary_site,
            palsy=palsy,
        )
    )
    if edition == "2014":
        categorical["primary_site"] = TOKUHASHI_2014_POINTS.get(
            primary_site,  # type: ignore[arg-type]  # validated above
            categorical["primary_site"],
        )
    points = (
        ("kps", 0 if kps_value <= 40 else 1 if kps_value <= 70 else 2),
        ("extraspinal_bone_mets", 0 if extraspinal >= 3 else 1 if extraspinal else 2),
        ("vertebral_body_mets", 0 if vertebral >= 3 else 1 if vertebral == 2 else 2),
        ("visceral_mets", categorical["visceral_mets"]),
        ("primary_site", categorical["primary_site"]),
        ("palsy", categorical["palsy"]),
    )
    total = sum(p for _, p in points)
    if total <= 8:
        category = "lt_6_months"
        meaning = "predicted prognosis < 6 months; conservative / palliative treatment"
    elif total <= 11:
        category = "gte_6_months"
        meaning = (
            "predicted prognosis ≥ 6 months; palliative surgery, or excisional "
            "surgery if a single lesion and no major-organ metastasis"
        )
    else:
        category = "gte_12_months"
        meaning = "predicted prognosis ≥ 1 year; excisional surgery"
    return ScoreResult(
        total, category, f"Revised Tokuhashi {total}/15: {meaning}.", points
    )


# ---------------------------------------------------------------------------
# Performance status (reference §8)
# ---------------------------------------------------------------------------

#: ECOG grades with their definitions (§8.1, SEER restatement of ECOG-ACRIN).
#: LOINC and SNOMED CT answer codes are left out: they need their own licences.
ECOG_GRADES: tuple[tuple[int, str], ...] = (
    (
        0,
        "Fully active, able to carry on all pre-disease performance without "
        "restriction",
    ),
    (
        1,
        "Restricted in physically strenuous activity but ambulatory and able to "
        "carry out work of a light or sedentary nature, e.g. light house work, "
        "office work",
    ),
    (
        2,
        "Ambulatory and capable of all self-care but unable to carry out any "
        "work activities; up and about more than 50 % of waking hours",
    ),
    (
        3,
        "Capable of only limited self-care; confined to bed or chair more than "
        "50 % of waking hours",
    ),
    (
        4,
        "Completely disabled; cannot carry on any self-care; totally confined "
        "to bed or chair",
    ),
    (5, "Dead"),
)

#: Karnofsky levels with their definitions (§8.2), 100 down to 0.
KARNOFSKY_VALUES: tuple[tuple[int, str], ...] = (
    (100, "Normal; no complaints; no evidence of disease"),
    (90, "Able to carry on normal activity; minor signs or symptoms of disease"),
    (80, "Normal activity with effort; some signs or symptoms of disease"),
    (70, "Cares for self; unable to carry on normal activity or to do active work"),
    (60, "Requires occasional assistance but is able to care for most personal needs"),
    (50, "Requires considerable assistance and frequent medical care"),
    (40, "Disabled; requires special care and assistance"),
    (30, "Severely disabled; hospital admission indicated although death not imminent"),
    (
        20,
        "Very sick; hospital admission necessary; active supportive treatment "
        "necessary",
    ),
    (10, "Moribund; fatal processes progressing rapidly"),
    (0, "Dead"),
)

#: PPSv2 levels, 100 % down to 0 %. Labels are the bare level: the PPSv2
#: descriptors are © Victoria Hospice Society and are not reproduced (§8.3).
PPS_VALUES: tuple[tuple[int, str], ...] = tuple(
    (v, f"PPS {v} %") for v in range(100, -1, -10)
)

_ECOG = dict(ECOG_GRADES)
_KARNOFSKY = dict(KARNOFSKY_VALUES)


def ecog(grade: object) -> ScoreResult:
    """Validate an ECOG grade 0–5 and return it with its definition (§8.1)."""
    value = integer("ecog", "grade", grade, minimum=0, maximum=5)
    return ScoreResult(value, f"ecog_{value}", f"ECOG {value}: {_ECOG[value]}.")


def karnofsky(value: object) -> ScoreResult:
    """Validate a Karnofsky score 0–100 in steps of 10 and return its definition."""
    kps = integer("karnofsky", "value", value, minimum=0, maximum=100, step=10)
    return ScoreResult(kps, f"kps_{kps}", f"Karnofsky {kps} %: {_KARNOFSKY[kps]}.")


def pps(value: object) -> ScoreResult:
    """Validate a PPSv2 level 0–100 in steps of 10 (descriptors not reproduced)."""
    level = integer("pps", "value", value, minimum=0, maximum=100, step=10)
    return ScoreResult(
        level,
        f"pps_{level}",
        f"PPS {level} % (PPSv2 descriptors not shown: © Victoria Hospice Society).",
    )


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


# ---------------------------------------------------------------------------
# MSTS functional score (reference §9.3)
# ---------------------------------------------------------------------------

#: Limbs of the MSTS functional score.
MSTS_LIMBS: tuple[tuple[str, str], ...] = (
    ("lower_limb", "Lower limb"),
    ("upper_limb", "Upper limb"),
)

#: The six MSTS categories per limb, each scored 0–5 (§9.3). Per-level
#: descriptors are NOT FOUND and are not invented.
MSTS_CATEGORIES: Mapping[str, tuple[tuple[str, str], ...]] = MappingProxyType(
    {
        "lower_limb": (
            ("pain", "Pain"),
            ("function", "Function"),
            ("emotional_acceptance", "Emotional acceptance"),
            ("supports", "Supports"),
            ("walking", "Walking"),
            ("gait", "Gait"),
        ),
        "upper_limb": (
            ("pain", "Pain"),
            ("function", "Function"),
            ("emotional_acceptance", "Emotional acceptance"),
            ("hand_positioning", "Hand positioning"),
            ("manual_dexterity", "Manual dexterity"),
            ("lifting_ability", "Lifting ability"),
        ),
    }
)


@dataclass(frozen=True, slots=True)
class MstsResult:
    """MSTS functional score: total 0–30 and percentage of 30.

    MSTS has no published bands, so ``category`` is the limb key.
    """

    total: int
    category: str
    interpretation: str
    percentage: float
    points: tuple[tuple[str, int], ...]


def msts_functional(
    limb: object, scores: Mapping[str, int] | Sequence[int]
) -> MstsResult:
    """Return the MSTS functional score from six category scores 0–5 (§9.3).

    ``scores`` is a mapping keyed by the limb's ``MSTS_CATEGORIES`` keys, or a
    sequence of six integers in that order. ``percentage`` is total / 30 × 100,
    rounded to one decimal.
    """
    func = "msts_functional"
    limb_key = choice(func, "limb", limb, MSTS_CATEGORIES)
    keys = [key for key, _ in MSTS_CATEGORIES[limb_key]]
    if isinstance(scores, Mapping):
        if set(scores) != set(keys):
            raise reject(
                func,
                "scores",
                scores,
                f"a mapping with exactly the keys {', '.join(keys)}",
            )
        values = [scores[key] for key in keys]
    elif isinstance(scores, Sequence) and not isinstance(scores, str | bytes):
        if len(scores) != len(keys):
            raise reject(
                func,
                "scores",
                scores,
                "six integers 0–5 in the order " + ", ".join(keys),
            )
        values = list(scores)
    else:
        raise reject(
            func, "scores", scores, "a mapping or a sequence of six integers 0–5"
        )
    points = tuple(
        (key, integer(func, key, value, minimum=0, maximum=5))
        for key, value in zip(keys, values, strict=True)
    )
    total = sum(p for _, p in points)
    percentage = round(total * 100 / 30, 1)
    label = dict(MSTS_LIMBS)[limb_key].lower()
    return MstsResult(
        total,
        limb_key,
        f"MSTS {label} {total}/30 ({percentage:g} %).",
        percentage,
        points,
    )
