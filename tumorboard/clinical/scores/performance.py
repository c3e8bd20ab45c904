"""Performance status: ECOG, Karnofsky, the Palliative Performance Scale, the
Lansky Play-Performance Scale and the ECOG–Karnofsky consistency check
(reference §8)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

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


#: Lansky Play-Performance levels, 100 down to 0 (§8.5). The reference gives
#: words for the two ends only (100 = fully active, 0 = unresponsive); it has no
#: descriptor for 10–90 and asks for licensing to be checked before any
#: descriptor text is reproduced, so those levels are labelled by number alone.
LANSKY_LEVELS: tuple[tuple[int, str], ...] = tuple(
    (
        level,
        {100: "Lansky 100: fully active", 0: "Lansky 0: unresponsive"}.get(
            level, f"Lansky {level}"
        ),
    )
    for level in range(100, -1, -10)
)

#: Karnofsky band ``(lowest, highest)``, both ends included, that agrees with
#: each ECOG grade: Ma 2010 (§8.4) for grades 0–4, and Karnofsky 0 only for
#: ECOG 5 (dead). The bands cover every Karnofsky value exactly once.
ECOG_KARNOFSKY_BANDS: Mapping[int, tuple[int, int]] = MappingProxyType(
    {0: (100, 100), 1: (80, 90), 2: (60, 70), 3: (40, 50), 4: (10, 30), 5: (0, 0)}
)

_LANSKY = dict(LANSKY_LEVELS)


def lansky(level: object) -> ScoreResult:
    """Validate a Lansky Play-Performance level 0–100 in steps of 10 (§8.5).

    For children under 16. ``total`` is the level and ``category`` is
    ``lansky_<level>``. Only levels 100 ("fully active") and 0 ("unresponsive")
    carry words, because the reference describes no other level.
    """
    value = integer("lansky", "level", level, minimum=0, maximum=100, step=10)
    return ScoreResult(value, f"lansky_{value}", f"{_LANSKY[value]}.")


def performance_status_agree(ecog: object, karnofsky: object) -> bool:
    """Whether an ECOG grade and a Karnofsky value fit together (§8.4, Ma 2010).

    True when ``karnofsky`` lies in the Ma 2010 band for ``ecog`` (see
    ``ECOG_KARNOFSKY_BANDS``; band ends included): ECOG 0 ↔ 100, 1 ↔ 80–90,
    2 ↔ 60–70, 3 ↔ 40–50, 4 ↔ 10–30, and ECOG 5 (dead) ↔ Karnofsky 0 only.
    Karnofsky 0 therefore agrees with ECOG 5 alone, and a pair that only the
    Prasad 2018 bands would accept (e.g. ECOG 4 with Karnofsky 40) disagrees.
    A False result is for a consistency warning; never derive one scale from
    the other.

    Both values are checked as ``ecog()`` and ``karnofsky()`` check them (an
    integer 0–5; an integer 0–100 in steps of 10), and the ``ValueError`` names
    this function and its parameter, e.g. ``performance_status_agree: ecog 6``.
    """
    func = "performance_status_agree"
    grade = integer(func, "ecog", ecog, minimum=0, maximum=5)
    kps = integer(func, "karnofsky", karnofsky, minimum=0, maximum=100, step=10)
    lowest, highest = ECOG_KARNOFSKY_BANDS[grade]
    return lowest <= kps <= highest
