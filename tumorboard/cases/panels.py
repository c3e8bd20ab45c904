"""Panels other features contribute to the case page and presentation mode.

See :mod:`tumorboard.panels`: reviews, annotations, attachments and
recommendations register theirs when their views module is imported.
"""

from __future__ import annotations

from typing import Literal

from tumorboard.panels import Panel, PanelRegistry

Slot = Literal["main", "side", "presentation", "presentation_side"]

#: A panel of the case page (main column, side column) or of presentation mode
#: (its main and side columns).
CasePanel = Panel

case_panels = PanelRegistry(slots=("main", "side", "presentation", "presentation_side"))
register_panel = case_panels.register
panels_for = case_panels.panels_for
load_panels = case_panels.load
