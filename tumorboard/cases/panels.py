"""Panels other features contribute to the case page and presentation mode.

A feature registers a :class:`CasePanel` when its views module is imported (by
``create_app``). The case page calls each panel's ``load`` to build its
context, so templates never query; every loader must issue a fixed number of
statements whatever the data size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

Slot = Literal["main", "side", "presentation"]


@dataclass(frozen=True)
class CasePanel:
    """A template fragment shown for one case, with its context loader."""

    #: Unique name, also the key of the panel's context in the template.
    name: str
    template: str
    #: ``load(user, case) -> dict`` returns the context the template reads as
    #: ``panel``.
    load: Callable[[Any, Any], dict[str, Any]]
    slot: Slot = "main"
    #: Lower numbers come first.
    order: int = 100


_PANELS: dict[str, CasePanel] = {}


def register_panel(panel: CasePanel) -> CasePanel:
    """Add (or replace, by name) a panel."""
    _PANELS[panel.name] = panel
    return panel


def panels_for(slot: Slot) -> list[CasePanel]:
    """Registered panels for a slot, in display order."""
    return sorted(
        (p for p in _PANELS.values() if p.slot == slot), key=lambda p: (p.order, p.name)
    )


def load_panels(slot: Slot, user, case) -> list[tuple[CasePanel, dict[str, Any]]]:
    """Each panel of ``slot`` with the context its loader returns."""
    return [(panel, panel.load(user, case)) for panel in panels_for(slot)]
