"""Fracture and instability scores of skeletal metastases: Mirels for the
long bones (reference §4) and SINS for the spine (reference §5)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .._validate import choice, text
from .result import ScoreResult, frozen_table, option_points

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
MIRELS_POINTS: Mapping[str, Mapping[str, int]] = frozen_table(
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
    points = option_points(
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
SINS_POINTS: Mapping[str, Mapping[str, int]] = frozen_table(
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
    points = option_points(
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
