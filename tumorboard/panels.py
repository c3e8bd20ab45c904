"""Panels: page sections that features higher up contribute to a lower feature's page.

A page owned by a lower layer (the case page, the patient page) keeps a
:class:`PanelRegistry`; features built on it register a :class:`Panel` when
their views module is imported (by ``create_app``). The page calls each
panel's ``load`` to build its context, so templates never query; every loader
must issue a fixed number of statements whatever the data size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Panel:
    """A template fragment shown for one record, with its context loader."""

    #: Unique name, also the key of the panel's context in the template.
    name: str
    template: str
    #: ``load(user, record) -> dict`` returns the context the template reads as
    #: ``panel``.
    load: Callable[[Any, Any], dict[str, Any]]
    slot: str = "main"
    #: Lower numbers come first.
    order: int = 100


class PanelRegistry:
    """The panels registered for one kind of page."""

    def __init__(self, slots: tuple[str, ...]) -> None:
        self.slots = slots
        self._panels: dict[str, Panel] = {}

    def register(self, panel: Panel) -> Panel:
        """Add (or replace, by name) a panel."""
        if panel.slot not in self.slots:
            raise ValueError(f"unknown panel slot {panel.slot!r}; use {self.slots}")
        self._panels[panel.name] = panel
        return panel

    def panels_for(self, slot: str) -> list[Panel]:
        """Registered panels for a slot, in display order."""
        return sorted(
            (p for p in self._panels.values() if p.slot == slot),
            key=lambda p: (p.order, p.name),
        )

    def load(self, slot: str, user: Any, record: Any) -> list[tuple[Panel, dict]]:
        """Each panel of ``slot`` with the context its loader returns."""
        return [(panel, panel.load(user, record)) for panel in self.panels_for(slot)]
