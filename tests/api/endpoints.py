"""Access matrix rows for the web pages of interoperability: personal API
tokens, the FHIR referral upload and the registry extract.

The JSON API itself (``/api/v1/``) answers 401 with problem details instead of
redirecting to the sign-in page, so it is not in this matrix; its access
(token scope, the owner's role, 404 for what the caller may not see) is tested
in tests/api/test_tokens.py, test_cases.py, test_meetings.py, test_signing.py
and the board work's test_boards.py, test_agenda.py, test_attendance.py,
test_recommendation_changes.py, test_actions.py, test_audit_log.py and
test_case_patch.py."""

from __future__ import annotations

from tumorboard.api import tokens
from tumorboard.api.models import TokenScope
from tumorboard.auth.permissions import AUTHENTICATED
from tumorboard.auth.permissions import Permission as P

ENDPOINTS = [
    ("/account/tokens", "GET", AUTHENTICATED),
    ("/account/tokens", "POST", AUTHENTICATED),
    ("/account/tokens/{own_token}/revoke", "POST", AUTHENTICATED),
    ("/cases/import", "GET", P.CASE_WRITE),
    ("/cases/import", "POST", P.CASE_WRITE),
    ("/registry/extract.csv", "GET", P.IMPLEMENTATION_MONITOR),
]


def url_values(user, case) -> dict:
    """A token of the signed-in user, to revoke."""
    token, _ = tokens.create_token(user, "matrix", TokenScope.READ, 30)
    return {"own_token": token.id}
