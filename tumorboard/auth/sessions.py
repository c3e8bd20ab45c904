"""Server-side sessions: one ``user_sessions`` row per signed-in browser.

The signed Flask session cookie carries a random token; only its SHA-256 is
stored. Flask-Login's signals create the row when someone is signed in and
delete it when they sign out, so every way of signing in (password, second
factor) gets a server session without the views knowing about it. The user
loader accepts a person only while the token matches a live row of theirs:
not idle for more than ``SESSION_IDLE_MINUTES``, not older than
``SESSION_ABSOLUTE_HOURS``, and used from the browser (User-Agent) that signed
in. Deleting a row therefore signs that browser out, and a copied cookie dies
with it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import (
    Flask,
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    request,
    session,
)
from flask_login import (
    login_url,
    session_protected,
    user_logged_in,
    user_logged_out,
)
from sqlalchemy.orm import contains_eager

from tumorboard.audit import services as audit
from tumorboard.auth import scope
from tumorboard.auth.devices import describe_device
from tumorboard.auth.models import User, UserSession
from tumorboard.auth.permissions import authorize, can_manage_users
from tumorboard.db import prebuilt, utcnow
from tumorboard.errors import InvalidInput
from tumorboard.extensions import db, login_manager

#: Key of the token in the signed Flask session.
TOKEN_KEY = "_session_token"
#: What Flask-Login keeps in the Flask session for a signed-in person.
_LOGIN_KEYS = ("_user_id", "_fresh", "_id")

DEFAULT_IDLE_MINUTES = 30
DEFAULT_ABSOLUTE_HOURS = 12
#: ``last_seen_at`` is written at most this often, not on every request.
TOUCH_INTERVAL = timedelta(minutes=1)

#: ``g`` attributes: the current request's session row, and why a session
#: was refused in this request (the message already shown).
_CURRENT = "tb_user_session"
_REFUSED = "tb_session_refused"

ENDED_MESSAGE = "Your session has ended. Please sign in again."
OTHER_BROWSER_MESSAGE = (
    "You were signed out because this session was used from another browser "
    "or network. Please sign in again."
)


def idle_message() -> str:
    """What someone signed out for inactivity reads on the sign-in page."""
    minutes = _number(idle_timeout().total_seconds() / 60)
    return (
        f"You were signed out after {minutes} minutes without activity. "
        "Please sign in again."
    )


def absolute_message() -> str:
    """What someone signed out at the session's age limit reads."""
    hours = _number(absolute_timeout().total_seconds() / 3600)
    return (
        f"You were signed out because a session lasts at most {hours} hours. "
        "Please sign in again."
    )


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# Settings ---------------------------------------------------------------------


def _positive_setting(app: Flask, name: str, default: float) -> float:
    value = app.config.get(name, default)
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = 0
    if not number > 0:
        raise RuntimeError(f"{name} must be a positive number, not {value!r}.")
    return number


def idle_timeout() -> timedelta:
    """How long a session may go unused (``SESSION_IDLE_MINUTES``)."""
    return timedelta(
        minutes=float(
            current_app.config.get("SESSION_IDLE_MINUTES", DEFAULT_IDLE_MINUTES)
        )
    )


def absolute_timeout() -> timedelta:
    """How long a session may last after sign-in (``SESSION_ABSOLUTE_HOURS``)."""
    return timedelta(
        hours=float(
            current_app.config.get("SESSION_ABSOLUTE_HOURS", DEFAULT_ABSOLUTE_HOURS)
        )
    )


# Rows -------------------------------------------------------------------------


def hash_token(token: str) -> str:
    """SHA-256 hex of a session token: what the database keeps."""
    return hashlib.sha256(token.encode()).hexdigest()


def _request_user_agent() -> str:
    return (request.user_agent.string or "")[:255]


def expiry(row: UserSession, now: datetime) -> str | None:
    """``"absolute"`` or ``"idle"`` when the session has run out, else None."""
    if now - row.created_at > absolute_timeout():
        return "absolute"
    if now - row.last_seen_at > idle_timeout():
        return "idle"
    return None


def _expired(now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(
        UserSession.created_at < now - absolute_timeout(),
        UserSession.last_seen_at < now - idle_timeout(),
    )


def live_sessions(user: User, now: datetime | None = None) -> list[UserSession]:
    """The user's sessions that are still valid, most recently used first."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            sa.select(UserSession)
            .where(UserSession.user_id == user.id, sa.not_(_expired(now)))
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        )
    )


def count_live(user: User, now: datetime | None = None) -> int:
    """How many valid sessions the user has."""
    now = now or utcnow()
    return db.session.scalar(
        sa.select(sa.func.count(UserSession.id)).where(
            UserSession.user_id == user.id, sa.not_(_expired(now))
        )
    )


def current_session() -> UserSession | None:
    """The session row of the signed-in person of this request, if any."""
    row = g.get(_CURRENT)
    token = session.get(TOKEN_KEY) if has_request_context() else None
    # ``g`` belongs to the application context, which can outlive a request
    # (tests, commands): the row counts only for the request holding its token.
    if row is None or not isinstance(token, str):
        return None
    return row if row.token_hash == hash_token(token) else None


def prune(*, user_id: int | None = None, now: datetime | None = None) -> int:
    """Delete expired rows (of one user, or of everybody); returns how many."""
    stmt = sa.delete(UserSession).where(_expired(now or utcnow()))
    if user_id is not None:
        stmt = stmt.where(UserSession.user_id == user_id)
    return db.session.execute(
        stmt, execution_options={"synchronize_session": "fetch"}
    ).rowcount


def revoke_all(user: User, *, keep: UserSession | None = None) -> int:
    """Delete every session of ``user`` except ``keep``; returns how many.

    Called where the account's login id is replaced (password set,
    deactivation); the caller audits the change that caused it.
    """
    stmt = sa.delete(UserSession).where(UserSession.user_id == user.id)
    if keep is not None:
        stmt = stmt.where(UserSession.id != keep.id)
    return db.session.execute(
        stmt, execution_options={"synchronize_session": "fetch"}
    ).rowcount


def _delete(row: UserSession) -> None:
    """Delete one session; a request that ended it at the same moment (two
    tabs of an expired session) is not an error."""
    db.session.execute(
        sa.delete(UserSession).where(UserSession.id == row.id),
        execution_options={"synchronize_session": "fetch"},
    )


# Signing in and out (Flask-Login signals) ---------------------------------------


def _keep_only(*keys: str) -> None:
    """Empty the Flask session except ``keys``: nothing from before survives."""
    kept = {key: session[key] for key in keys if key in session}
    session.clear()
    session.update(kept)


def start_session(sender: Flask, user: User, **extra) -> None:
    """``user_logged_in``: give this browser a new token and server session.

    The Flask session is emptied except for Flask-Login's keys (no data from
    before sign-in survives, and no remember-me cookie is ever set). Signing
    in again inside a live session of the same person (after changing one's
    password) keeps that session, with a new token and its original start.
    """
    now = utcnow()
    row = current_session()
    _keep_only(*_LOGIN_KEYS)
    token = secrets.token_urlsafe(32)
    if row is not None and row.user_id != user.id:
        _delete(row)
        row = None
    if row is None:
        prune(user_id=user.id, now=now)
        row = UserSession(
            user_id=user.id,
            created_at=now,
            ip_address=(request.remote_addr or "")[:45] or None,
            user_agent=_request_user_agent() or None,
        )
        db.session.add(row)
    row.token_hash = hash_token(token)
    row.last_seen_at = now
    db.session.flush()
    session[TOKEN_KEY] = token
    setattr(g, _CURRENT, row)


def end_session_on_logout(sender: Flask, user, **extra) -> None:
    """``user_logged_out``: delete this browser's session row; audited."""
    row = current_session()
    token = session.get(TOKEN_KEY)
    if row is None and isinstance(token, str) and token:
        row = db.session.scalar(
            sa.select(UserSession).where(UserSession.token_hash == hash_token(token))
        )
    if row is not None:
        actor = user if getattr(user, "is_authenticated", False) else None
        audit.record(
            actor,
            "auth.sign_out",
            "user",
            row.user_id,
            f"Signed out (session {row.id})",
        )
        _delete(row)
    _keep_only("_remember")
    g.pop(_CURRENT, None)


def _forget() -> None:
    """Drop the sign-in from the Flask session."""
    for key in (TOKEN_KEY, *_LOGIN_KEYS):
        session.pop(key, None)


def _refuse(
    row: UserSession | None,
    action: str,
    user_id: int | None,
    summary: str,
    message: str,
) -> None:
    """End a session the request may not use: row deleted, audited, the
    person told why at the sign-in page."""
    if row is not None:
        _delete(row)
    audit.record(None, action, "user", user_id or "-", summary)
    _forget()
    flash(message, "info")
    setattr(g, _REFUSED, message)


def on_session_protected(sender: Flask, **extra) -> None:
    """``session_protected``: Flask-Login saw the cookie come from another
    browser or address; the server session it belongs to ends too."""
    token = session.pop(TOKEN_KEY, None)
    if not isinstance(token, str) or g.get(_REFUSED):
        return
    row = db.session.scalar(
        sa.select(UserSession).where(UserSession.token_hash == hash_token(token))
    )
    _refuse(
        row,
        "auth.session_refused",
        row.user_id if row else None,
        f"Session {row.id if row else '(unknown)'} used from another browser or "
        "address; ended",
        OTHER_BROWSER_MESSAGE,
    )


@prebuilt
def _session_with_user() -> sa.Select:
    """The session of a token (parameter ``token_hash``) with its account and
    whether the person sits on every board: every request runs it."""
    return (
        sa.select(UserSession, scope.on_every_board(User.id))
        .join(UserSession.user)
        .options(contains_eager(UserSession.user))
        .where(UserSession.token_hash == sa.bindparam("token_hash"))
    )


def load_user(login_id: str) -> User | None:
    """Flask-Login's user loader: the person, if this request's token matches
    a live session of theirs (one SELECT, joined with the account)."""
    if g.get(_REFUSED):
        return None
    token = session.get(TOKEN_KEY)
    if not isinstance(token, str) or not token:
        # Signed in before server sessions existed, or the cookie was forged
        # with the secret key: not signed in.
        _forget()
        return None
    now = utcnow()
    # Whether the person sits on every board comes with it: their access
    # scope is then every case, and the request's queries say so plainly.
    found = db.session.execute(
        _session_with_user(), {"token_hash": hash_token(token)}
    ).one_or_none()
    row, on_every_board = found if found is not None else (None, False)
    if row is None:
        user_id = db.session.scalar(sa.select(User.id).where(User.login_id == login_id))
        _refuse(
            None,
            "auth.session_refused",
            user_id,
            "A session cookie that matches no session was refused",
            ENDED_MESSAGE,
        )
        return None
    user = row.user
    if user.login_id != login_id or not user.is_active:
        _refuse(
            row,
            "auth.session_refused",
            user.id,
            f"Session {row.id} belongs to a sign-in that was revoked; ended",
            ENDED_MESSAGE,
        )
        return None
    ran_out = expiry(row, now)
    if ran_out == "absolute":
        _refuse(
            row,
            "auth.session_expired",
            user.id,
            f"Session {row.id} reached the "
            f"{_number(absolute_timeout() / timedelta(hours=1))}-hour limit",
            absolute_message(),
        )
        return None
    if ran_out == "idle":
        _refuse(
            row,
            "auth.session_expired",
            user.id,
            f"Session {row.id} idle for more than "
            f"{_number(idle_timeout() / timedelta(minutes=1))} minutes",
            idle_message(),
        )
        return None
    if (row.user_agent or "") != _request_user_agent():
        _refuse(
            row,
            "auth.session_refused",
            user.id,
            f"Session {row.id} used from another browser; ended",
            OTHER_BROWSER_MESSAGE,
        )
        return None
    if now - row.last_seen_at >= TOUCH_INTERVAL:
        row.last_seen_at = now
    setattr(g, _CURRENT, row)
    scope.remember_on_every_board(user.id, on_every_board)
    return user


def unauthorized():
    """Not signed in (or no longer): to the sign-in page, with why.

    htmx requests get a 204 with ``HX-Redirect`` so the whole page goes to
    sign-in instead of a fragment being swapped for the sign-in form.
    """
    if not g.get(_REFUSED):
        flash(login_manager.login_message, login_manager.login_message_category)
    current = request.url
    if request.headers.get("HX-Request"):
        current = request.headers.get("HX-Current-URL") or current
    target = login_url(login_manager.login_view, next_url=current)
    if request.headers.get("HX-Request"):
        return "", 204, {"HX-Redirect": target}
    return redirect(target)


# The person's own sessions, and an administrator's sign out ----------------------


def end_session(actor: User, row: UserSession) -> None:
    """Sign out one of the actor's other sessions; audited."""
    authorize(row.user_id == actor.id, "You can only sign out your own sessions.")
    current = current_session()
    if current is not None and current.id == row.id:
        raise InvalidInput(
            "This is the session you are using now: use Sign out in the menu."
        )
    audit.record(
        actor,
        "auth.session_ended",
        "user",
        actor.id,
        f"Signed out own session {row.id} ({describe_device(row.user_agent)})",
    )
    _delete(row)


def end_other_sessions(actor: User) -> int:
    """Sign out every session of the actor except this one; audited."""
    ended = revoke_all(actor, keep=current_session())
    audit.record(
        actor,
        "auth.sign_out_others",
        "user",
        actor.id,
        f"Signed out everywhere else ({_sessions(ended)})",
    )
    return ended


def end_all_sessions(actor: User, user: User) -> int:
    """An administrator signs a person out of every session; audited."""
    authorize(can_manage_users(actor), "Only administrators manage accounts.")
    ended = revoke_all(user)
    audit.record(
        actor,
        "auth.sign_out_everywhere",
        "user",
        user.id,
        f"Signed {user.email} out everywhere ({_sessions(ended)})",
    )
    return ended


def _sessions(count: int) -> str:
    return f"{count} session" + ("" if count == 1 else "s")


def init_app(app: Flask) -> None:
    """Check the timeouts and connect the sign-in and sign-out signals."""
    _positive_setting(app, "SESSION_IDLE_MINUTES", DEFAULT_IDLE_MINUTES)
    _positive_setting(app, "SESSION_ABSOLUTE_HOURS", DEFAULT_ABSOLUTE_HOURS)
    user_logged_in.connect(start_session, app)
    user_logged_out.connect(end_session_on_logout, app)
    session_protected.connect(on_session_protected, app)
