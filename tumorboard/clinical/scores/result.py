"""What every score returns, and the helpers the score tables share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from .._validate import choice


@dataclass(frozen=True, slots=True)
class ScoreResult:
    """Result of a score: total, a stable category key and a short sentence.

    ``total`` is ``None`` for a grade that has no number (ESCC, reference §9.4).
    ``points`` lists ``(component, points)`` in input order so a report can show
    how the total was reached.
    """

    total: int | None
    category: str
    interpretation: str
    points: tuple[tuple[str, int], ...] = ()


def option_points(table: Mapping[str, Mapping[str, int]], func: str, **chosen: object):
    """Validate each chosen option against ``table`` and return its points."""
    return tuple(
        (param, table[param][choice(func, param, value, table[param])])
        for param, value in chosen.items()
    )


def frozen_table(table: dict) -> Mapping:
    """Read-only view of a nested dict of dicts."""
    return MappingProxyType(
        {k: MappingProxyType(v) if isinstance(v, dict) else v for k, v in table.items()}
    )
