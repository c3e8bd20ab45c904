"""Performance status: ECOG, Karnofsky and the Palliative Performance Scale
(reference §8)."""

from __future__ import annotations

from .._validate import integer
from .result import ScoreResult

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
