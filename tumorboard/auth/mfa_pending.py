"""Between the password and the second factor: the pending marker.

A correct password for an account with a second factor does not sign in. The
Flask session holds a marker instead: who, a fingerprint of their login id
(not the id itself, which is what a signed-in cookie carries), and when. The
person is signed in (one ``login_user`` call) only once the second factor has
been accepted, within :data:`PENDING_LIFETIME`.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from flask import session

from tumorboard.auth.mfa import is_enrolled
from tumorboard.auth.models import User
from tumorboard.db import utcnow
from tumorboard.extensions import db

#: How long the marker between password and second factor lasts.
PENDING_LIFETIME = timedelta(minutes=5)
PENDING_KEY = "mfa_pending"


def _fingerprint(login_id: str) -> str:
    """Which login id the marker belongs to, without putting it in the cookie."""
    return hashlib.sha256(login_id.encode()).hexdigest()[:32]


def begin_pending(user: User, next_url: str | None, now: datetime | None = None):
    """The password was right: remember who still owes a second factor."""
    session[PENDING_KEY] = {
        "user_id": user.id,
        "login": _fingerprint(user.login_id),
        "at": int((now or utcnow()).timestamp()),
        "next": (next_url or "")[:2000],
    }


def pending_user(now: datetime | None = None) -> tuple[User | None, str]:
    """The user of the pending marker and ``"ok"``, or None and why not:
    ``"missing"`` or ``"expired"`` (the marker is then dropped). A marker
    whose account changed its login id since (password or MFA reset,
    deactivation) counts as missing."""
    marker = session.get(PENDING_KEY)
    if not isinstance(marker, dict):
        session.pop(PENDING_KEY, None)
        return None, "missing"
    now = now or utcnow()
    try:
        started = int(marker["at"])
        user_id = int(marker["user_id"])
        login = str(marker["login"])
    except (KeyError, TypeError, ValueError):
        session.pop(PENDING_KEY, None)
        return None, "missing"
    if now.timestamp() - started > PENDING_LIFETIME.total_seconds():
        session.pop(PENDING_KEY, None)
        return None, "expired"
    user = db.session.get(User, user_id)
    if (
        user is None
        or not hmac.compare_digest(_fingerprint(user.login_id), login)
        or not is_enrolled(user)
    ):
        session.pop(PENDING_KEY, None)
        return None, "missing"
    return user, "ok"


def finish_pending() -> str:
    """Drop the marker; return where the person wanted to go."""
    marker = session.pop(PENDING_KEY, None) or {}
    return str(marker.get("next") or "")
