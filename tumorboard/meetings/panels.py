"""Panels other features add to presentation mode for the agenda item on
screen (see :mod:`tumorboard.panels`): recommendations add the decision panel
the chair or coordinator records the board's recommendation in."""

from __future__ import annotations

from tumorboard.panels import Panel, PanelRegistry

#: ``load(user, item)`` returns the panel's context; slot ``decision`` is the
#: side panel of presentation mode.
item_panels = PanelRegistry(slots=("decision",))
register_item_panel = item_panels.register
load_item_panels = item_panels.load

__all__ = ["Panel", "item_panels", "load_item_panels", "register_item_panel"]
