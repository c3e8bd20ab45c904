"""Boards, meetings, agenda building, attendance, calendars and presentation mode."""

from __future__ import annotations

# Importing the view modules registers their routes on the blueprint.
from tumorboard.meetings.views import (
    agenda,
    attendance,
    boards,
    calendar,
    follow,
    meetings,
    presentation,
)
from tumorboard.meetings.views.blueprint import bp

__all__ = [
    "agenda",
    "attendance",
    "boards",
    "bp",
    "calendar",
    "follow",
    "meetings",
    "presentation",
]
