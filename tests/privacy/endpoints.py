"""Access matrix rows of break-glass access and its review."""

from __future__ import annotations

from datetime import timedelta

from tests import factories
from tests.meetings.factories import make_board
from tumorboard.auth.permissions import Permission
from tumorboard.cases.breakglass import BreakGlassGrant
from tumorboard.db import utcnow
from tumorboard.extensions import db

ENDPOINTS = [
    ("/cases/{case}/access", "POST", Permission.BREAK_GLASS),
    ("/privacy/", "GET", Permission.PRIVACY_REVIEW),
    ("/privacy/grants/{grant}", "GET", Permission.PRIVACY_REVIEW),
    ("/privacy/grants/{grant}", "POST", Permission.PRIVACY_REVIEW),
]


def url_values(user, case) -> dict:
    """A grant held by a clinician on a case of another board."""
    board = make_board(members=[])
    holder = factories.make_user("medical_oncologist", boards=[])
    elsewhere = factories.make_case(board_id=board.id)
    now = utcnow()
    grant = BreakGlassGrant(
        user_id=holder.id,
        case_id=elsewhere.id,
        reason="second_opinion",
        explanation="Second opinion asked by the family.",
        granted_at=now,
        expires_at=now + timedelta(hours=12),
    )
    db.session.add(grant)
    db.session.flush()
    return {"grant": grant.id}
