"""Function after limb surgery: the MSTS functional score (reference §9.3)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from .._validate import choice, integer, reject

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
