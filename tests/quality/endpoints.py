"""Access matrix rows for the quality dashboard and teaching exports."""

from __future__ import annotations

from tests.recommendations import factories as rf
from tumorboard.auth.permissions import Permission as P

ENDPOINTS = [
    ("/quality/", "GET", P.QUALITY_READ),
    ("/quality/{indicator}/list", "GET", P.QUALITY_READ),
    ("/quality/{indicator}.csv", "GET", P.QUALITY_READ),
    ("/quality/teaching/cases/{case}", "GET", P.TEACHING_EXPORT),
    ("/quality/teaching/cases/{case}.pdf", "GET", P.TEACHING_EXPORT),
    ("/quality/teaching/meetings/{chaired_meeting}", "GET", P.TEACHING_EXPORT),
    ("/quality/teaching/meetings/{chaired_meeting}.pdf", "GET", P.TEACHING_EXPORT),
    ("/quality/meetings/{chaired_meeting}/ratify", "GET", P.RECOMMENDATION_SIGN),
    ("/quality/meetings/{chaired_meeting}/ratify", "POST", P.RECOMMENDATION_SIGN),
]


def url_values(user, case) -> dict:
    """An indicator every quality reader sees; a meeting in progress that
    ``user`` chairs."""
    meeting = rf.make_meeting(chair_id=user.id)
    return {"indicator": "quorum", "chaired_meeting": meeting.id}
