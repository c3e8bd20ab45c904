"""Response of osteosarcoma to neoadjuvant chemotherapy: the Huvos grade
(reference §6)."""

from __future__ import annotations

from .._validate import number

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
