"""Access matrix rows for one's own sessions, multi-factor sign-in and an
administrator's sign out and reset."""

from __future__ import annotations

import secrets

from tests import factories
from tumorboard.auth.models import UserSession
from tumorboard.auth.permissions import AUTHENTICATED
from tumorboard.auth.permissions import Permission as P
from tumorboard.auth.sessions import hash_token
from tumorboard.extensions import db

ENDPOINTS = [
    ("/account/sessions", "GET", AUTHENTICATED),
    ("/account/sessions/{session}/end", "POST", AUTHENTICATED),
    ("/account/sessions/end-others", "POST", AUTHENTICATED),
    # Another person: signing out the tester would end the matrix run.
    ("/admin/users/{other_user}/sessions/end", "POST", P.USER_MANAGE),
    ("/account/mfa", "GET", AUTHENTICATED),
    ("/account/mfa/recovery-codes", "POST", AUTHENTICATED),
    ("/account/mfa/disable", "POST", AUTHENTICATED),
    ("/admin/users/{user}/mfa-reset", "POST", P.USER_MANAGE),
]


def url_values(user, case) -> dict:
    """A second session of ``user`` to sign out, and another account."""
    row = UserSession(user_id=user.id, token_hash=hash_token(secrets.token_hex(8)))
    db.session.add(row)
    db.session.flush()
    return {"session": row.id, "other_user": factories.make_user("pathologist").id}
