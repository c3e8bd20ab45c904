"""Server-side sessions: rows, timeouts, pruning and revocation as services."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import session
from flask_login import login_user

from tumorboard import create_app
from tumorboard.audit.models import AuditEntry
from tumorboard.auth import services, sessions
from tumorboard.auth.devices import describe_device
from tumorboard.auth.models import UserSession
from tumorboard.db import utcnow
from tumorboard.errors import AccessDenied
from tumorboard.extensions import db


def _row(user, *, age=timedelta(0), idle=timedelta(0), ua="Test browser"):
    """A session of ``user`` started ``age`` ago and last used ``idle`` ago."""
    now = utcnow()
    row = UserSession(
        user_id=user.id,
        token_hash=sessions.hash_token(secrets.token_urlsafe(8)),
        created_at=now - age,
        last_seen_at=now - idle,
        user_agent=ua,
    )
    db.session.add(row)
    db.session.flush()
    return row


def _rows_of(user) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(UserSession.id).where(UserSession.user_id == user.id)
        )
    )


def _audited(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action))
    )


@pytest.mark.parametrize(
    ("user_agent", "device"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
            "like Gecko) Chrome/131.0.0.0 Safari/537.36",
            "Chrome on Windows",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
            "like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.1 Safari/605.1.15",
            "Safari on macOS",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605."
            "1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
            "Safari on iOS",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, "
            "like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        (
            "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 "
            "Firefox/133.0",
            "Firefox on Linux",
        ),
        ("Werkzeug/3.1.9", "Unknown browser"),
        ("", "Unknown browser"),
        (None, "Unknown browser"),
    ],
)
def test_device_is_named_from_the_user_agent(user_agent, device):
    assert describe_device(user_agent) == device


def test_only_the_hash_of_the_token_is_stored(app, make_user):
    user = make_user("coordinator")
    db.session.commit()
    with app.test_request_context(
        headers={"User-Agent": "Test browser"}, environ_base={"REMOTE_ADDR": "10.1.2.3"}
    ):
        session["planted"] = "before sign-in"
        session["_flashes"] = [("info", "left over")]
        login_user(user, remember=True)
        token = session[sessions.TOKEN_KEY]
        assert "planted" not in session and "_flashes" not in session
        # No remember-me cookie, whatever the caller asks for.
        assert "_remember" not in session
        assert session["_user_id"] == user.login_id
    row = db.session.scalar(
        sa.select(UserSession).where(UserSession.user_id == user.id)
    )
    assert len(token) >= 43
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in row.token_hash
    assert (row.ip_address, row.user_agent) == ("10.1.2.3", "Test browser")
    assert row.created_at == row.last_seen_at


def test_each_sign_in_gets_its_own_token(app, make_user):
    user = make_user("coordinator")
    tokens = set()
    for _ in range(2):
        with app.test_request_context():
            login_user(user)
            tokens.add(session[sessions.TOKEN_KEY])
    assert len(tokens) == 2
    assert len(_rows_of(user)) == 2


def test_live_sessions_leave_out_idle_and_old_ones(app, make_user):
    user, other = make_user("coordinator"), make_user("radiologist")
    recent = _row(user, idle=timedelta(minutes=1))
    newest = _row(user)
    _row(user, idle=timedelta(minutes=31))
    _row(user, age=timedelta(hours=12, minutes=1))
    _row(other)
    assert [r.id for r in sessions.live_sessions(user)] == [newest.id, recent.id]
    assert sessions.count_live(user) == 2


def test_timeouts_come_from_the_settings(app, make_user):
    user = make_user("coordinator")
    _row(user, idle=timedelta(minutes=20))
    _row(user, age=timedelta(hours=3))
    app.config.update(SESSION_IDLE_MINUTES=15, SESSION_ABSOLUTE_HOURS=2)
    assert sessions.count_live(user) == 0
    assert sessions.idle_message() == (
        "You were signed out after 15 minutes without activity. Please sign in again."
    )
    assert "at most 2 hours" in sessions.absolute_message()


def test_prune_deletes_only_expired_rows(app, make_user):
    user, other = make_user("coordinator"), make_user("radiologist")
    live = _row(user)
    _row(user, idle=timedelta(minutes=45))
    other_expired = _row(other, age=timedelta(hours=13))
    assert sessions.prune(user_id=user.id) == 1
    assert _rows_of(user) == {live.id}
    assert _rows_of(other) == {other_expired.id}
    assert sessions.prune() == 1
    assert _rows_of(other) == set()


def test_signing_in_prunes_that_persons_expired_rows(app, make_user):
    user, other = make_user("coordinator"), make_user("radiologist")
    _row(user, idle=timedelta(hours=1))
    kept = _row(user)
    other_expired = _row(other, idle=timedelta(hours=1))
    with app.test_request_context():
        login_user(user)
    assert kept.id in _rows_of(user) and len(_rows_of(user)) == 2
    assert _rows_of(other) == {other_expired.id}


def test_revoke_all_keeps_only_the_given_session(app, make_user):
    user = make_user("coordinator")
    keep = _row(user)
    _row(user)
    assert sessions.revoke_all(user, keep=keep) == 1
    assert _rows_of(user) == {keep.id}
    assert sessions.revoke_all(user) == 1
    assert _rows_of(user) == set()


def test_admin_reset_and_deactivation_end_every_session(app, make_user):
    admin, user = make_user("admin"), make_user("radiologist")
    _row(user)
    _row(user)
    services.set_password(admin, user, "a-reset-password-123")
    assert _rows_of(user) == set()
    _row(user)
    services.update_user(
        admin,
        user,
        version=user.version,
        email=user.email,
        name=user.name,
        role=user.role,
        is_active=False,
    )
    assert _rows_of(user) == set()


def test_a_role_change_keeps_the_sessions(app, make_user):
    admin, user = make_user("admin"), make_user("radiologist")
    row = _row(user)
    services.update_user(
        admin,
        user,
        version=user.version,
        email=user.email,
        name=user.name,
        role="pathologist",
        is_active=True,
    )
    assert _rows_of(user) == {row.id}


def test_only_administrators_sign_someone_out_everywhere(app, make_user):
    nurse, admin = make_user("nurse_specialist"), make_user("admin")
    user = make_user("radiologist")
    _row(user)
    _row(user, idle=timedelta(hours=2))
    with pytest.raises(AccessDenied):
        sessions.end_all_sessions(nurse, user)
    assert len(_rows_of(user)) == 2
    assert sessions.end_all_sessions(admin, user) == 2
    assert _rows_of(user) == set()
    [entry] = _audited("auth.sign_out_everywhere")
    assert entry.actor_id == admin.id and entry.entity_id == str(user.id)
    assert "2 sessions" in entry.summary


def test_nobody_ends_someone_elses_session(app, make_user):
    user, other = make_user("coordinator"), make_user("radiologist")
    theirs = _row(other)
    with pytest.raises(AccessDenied):
        sessions.end_session(user, theirs)
    assert _rows_of(other) == {theirs.id}


@pytest.mark.parametrize("value", [0, -5, "soon", None])
def test_a_timeout_that_is_not_a_positive_number_stops_start_up(value, backend):
    with pytest.raises(RuntimeError, match="SESSION_IDLE_MINUTES must be a positive"):
        create_app({"ENV_NAME": "testing", "SESSION_IDLE_MINUTES": value})


def test_timeouts_are_read_from_the_environment(tmp_path, monkeypatch, backend):
    monkeypatch.setenv("TUMORBOARD_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("TUMORBOARD_ENV", "development")
    monkeypatch.setenv("TUMORBOARD_SESSION_IDLE_MINUTES", "45")
    monkeypatch.setenv("TUMORBOARD_SESSION_ABSOLUTE_HOURS", "8")
    app = create_app()
    assert app.config["SESSION_IDLE_MINUTES"] == 45
    assert app.config["SESSION_ABSOLUTE_HOURS"] == 8
