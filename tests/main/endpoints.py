"""Access matrix rows for the home page's worklist."""

from __future__ import annotations

from tumorboard.auth.permissions import Permission

ENDPOINTS = [
    ("/worklist", "GET", Permission.WORKLIST_READ),
]
