"""Access matrix rows for the case's performance status."""

from __future__ import annotations

from tumorboard.auth.permissions import Permission

ENDPOINTS = [
    ("/cases/{case}/performance-status", "GET", Permission.PERFORMANCE_RECORD),
]
