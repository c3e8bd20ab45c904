"""Panels other features contribute to the patient page (see tumorboard.panels)."""

from __future__ import annotations

from tumorboard.panels import PanelRegistry

patient_panels = PanelRegistry(slots=("main",))
