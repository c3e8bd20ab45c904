"""Epidural spinal cord compression: the ESCC ("Bilsky") scale (reference §9.4)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .._validate import choice
from .result import ScoreResult

#: The six ESCC grades with their short meaning (§9.4; Bilsky 2010, graded on
#: axial T2 MRI at the level of worst compression). Codes are stored exactly as
#: written here: lower-case sub-grade letters, no spaces.
ESCC_GRADES: tuple[tuple[str, str], ...] = (
    ("0", "bone-only disease"),
    ("1a", "epidural impingement, thecal sac not deformed"),
    ("1b", "thecal sac deformed, cord not abutted"),
    ("1c", "thecal sac deformed, cord abutted, not compressed"),
    ("2", "cord compressed, CSF visible around the cord"),
    ("3", "cord compressed, no CSF visible around the cord"),
)

#: Groups of ESCC grades (§9.4, "grouping used in practice"). The reference
#: calls 1c "debated"; ``intermediate`` is our key for that, not a published
#: group.
ESCC_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("low_grade", "Low grade"),
    ("intermediate", "Intermediate (grouping of 1c debated)"),
    ("high_grade", "High grade"),
)

#: Grade code → category key (§9.4).
ESCC_GRADE_CATEGORY: Mapping[str, str] = MappingProxyType(
    {
        "0": "low_grade",
        "1a": "low_grade",
        "1b": "low_grade",
        "1c": "intermediate",
        "2": "high_grade",
        "3": "high_grade",
    }
)

_ESCC = dict(ESCC_GRADES)
_CATEGORY_LABELS = dict(ESCC_CATEGORIES)


def escc(grade: object) -> ScoreResult:
    """Validate an ESCC (Bilsky) grade and return its group (§9.4).

    ``grade`` is one of the strings ``"0"``, ``"1a"``, ``"1b"``, ``"1c"``,
    ``"2"``, ``"3"``, matched exactly like every other code in this package:
    ``"1A"``, ``" 1a"`` and the integer ``1`` are refused, not normalised.
    ``category`` is ``low_grade`` (0, 1a, 1b), ``intermediate`` (1c, which the
    reference calls debated) or ``high_grade`` (2, 3). ``total`` is ``None``:
    ESCC is a grade, not a number.
    """
    code = choice("escc", "grade", grade, _ESCC)
    category = ESCC_GRADE_CATEGORY[code]
    return ScoreResult(
        None,
        category,
        f"ESCC {code}: {_ESCC[code]}; {_CATEGORY_LABELS[category].lower()}.",
    )
