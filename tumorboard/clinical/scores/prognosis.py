"""Prognosis of spinal metastases: the revised Tokuhashi score (reference §9.1)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .._validate import choice, integer
from ..catalogue import METASTATIC_PRIMARIES, TOKUHASHI_2014_POINTS
from .result import ScoreResult, frozen_table, option_points

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
TOKUHASHI_POINTS: Mapping[str, Mapping[str, int]] = frozen_table(
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
        option_points(
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
