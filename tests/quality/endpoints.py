"""Access matrix rows for the quality dashboard and teaching exports."""

from __future__ import annotations

from tumorboard.auth.permissions import Permission as P

ENDPOINTS = [
    ("/quality/", "GET", P.QUALITY_READ),
    ("/quality/{indicator}/list", "GET", P.QUALITY_READ),
    ("/quality/{indicator}.csv", "GET", P.QUALITY_READ),
]


def url_values(user, case) -> dict:
    """An indicator every quality reader sees."""
    return {"indicator": "quorum"}
