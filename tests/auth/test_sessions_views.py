"""Server-side sessions over HTTP: timeouts, sign-out, copied cookies,
Your sessions, an administrator's sign out, and the per-request cost."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD
from tumorboard.audit.models import AuditEntry
from tumorboard.auth.models import UserSession
from tumorboard.auth.sessions import TOKEN_KEY
from tumorboard.extensions import db

OTHER_BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/131.0.0.0 Safari/537.36"
)


def _audited(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action))
    )


def _rows_of(user) -> list[UserSession]:
    return list(
        db.session.scalars(
            sa.select(UserSession)
            .where(UserSession.user_id == user.id)
            .order_by(UserSession.id)
        )
    )


def _token(client) -> str | None:
    with client.session_transaction() as session:
        return session.get(TOKEN_KEY)


def _row_of(client) -> UserSession:
    """The server session the client's cookie points at."""
    digest = hashlib.sha256(_token(client).encode()).hexdigest()
    return db.session.scalar(
        sa.select(UserSession).where(UserSession.token_hash == digest)
    )


def _browser(app, user_agent: str | None = None, address: str | None = None):
    """Another test client, optionally with its own User-Agent and address."""
    browser = app.test_client()
    if user_agent:
        browser.environ_base["HTTP_USER_AGENT"] = user_agent
    if address:
        browser.environ_base["REMOTE_ADDR"] = address
    return browser


def _copy_cookie(app, client, **kwargs):
    """A new client carrying ``client``'s session cookie, as a thief would."""
    thief = _browser(app, **kwargs)
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _sign_in(app, user, **kwargs):
    """A second browser signed in as ``user``."""
    other = _browser(app, **kwargs)
    response = other.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return other


def _sent_to_sign_in(response, message: str | None = None) -> None:
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


# Signing in -------------------------------------------------------------------


def test_sign_in_stores_the_hash_address_and_browser(client, login_as):
    user = login_as("coordinator")
    [row] = _rows_of(user)
    token = _token(client)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.ip_address == "127.0.0.1"
    assert row.user_agent.startswith("Werkzeug/")


def test_sign_in_starts_a_fresh_flask_session(client, make_user):
    user = make_user("coordinator")
    db.session.commit()
    with client.session_transaction() as session:
        session["planted"] = "by someone before sign-in"
        session[TOKEN_KEY] = "chosen-by-an-attacker"
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session[TOKEN_KEY] != "chosen-by-an-attacker"
    assert "remember_token" not in response.headers.get("Set-Cookie", "")
    assert client.get("/cases/").status_code == 200


# Timeouts ---------------------------------------------------------------------


def test_idle_session_is_ended_with_a_clear_message(client, login_as, clock):
    user = login_as("coordinator")
    clock.advance(minutes=31)
    response = client.get("/cases/")
    _sent_to_sign_in(response)
    assert _rows_of(user) == []
    [entry] = _audited("auth.session_expired")
    assert entry.entity_id == str(user.id) and "idle" in entry.summary
    page = client.get(response.headers["Location"]).text
    assert "You were signed out after 30 minutes without activity." in page
    # The cookie is spent: the next request is simply not signed in.
    _sent_to_sign_in(client.get("/cases/"))
    assert len(_audited("auth.session_expired")) == 1


def test_activity_keeps_a_session_alive(client, login_as, clock):
    login_as("coordinator")
    for _ in range(4):
        clock.advance(minutes=25)
        assert client.get("/cases/").status_code == 200


def test_a_session_ends_at_the_absolute_limit_however_active(client, login_as, clock):
    user = login_as("coordinator")
    for _ in range(28):  # 11 h 40 min of activity
        clock.advance(minutes=25)
        assert client.get("/").status_code in (200, 302)
        assert client.get("/cases/").status_code == 200
    clock.advance(minutes=25)
    response = client.get("/cases/")
    _sent_to_sign_in(response)
    assert _rows_of(user) == []
    page = client.get(response.headers["Location"]).text
    assert "a session lasts at most 12 hours" in page
    assert "12-hour limit" in _audited("auth.session_expired")[0].summary


def test_last_seen_is_written_at_most_once_a_minute(
    client, login_as, clock, count_queries
):
    user = login_as("coordinator")
    started = _rows_of(user)[0].last_seen_at
    clock.advance(seconds=50)
    with count_queries() as counter:
        assert client.get("/cases/").status_code == 200
    assert not [s for s in counter.statements if "UPDATE user_sessions" in s]
    assert _rows_of(user)[0].last_seen_at == started
    clock.advance(seconds=15)
    with count_queries() as counter:
        assert client.get("/cases/").status_code == 200
    updates = [s for s in counter.statements if "UPDATE user_sessions" in s]
    assert len(updates) == 1
    assert _rows_of(user)[0].last_seen_at == clock.now


def test_the_session_check_is_one_select_joined_with_the_account(
    client, login_as, count_queries
):
    login_as("coordinator")
    client.get("/cases/")
    with count_queries() as counter:
        assert client.get("/cases/").status_code == 200
    touching = [s for s in counter.statements if "user_sessions" in s]
    assert len(touching) == 1
    assert touching[0].lstrip().upper().startswith("SELECT")
    assert "JOIN users" in touching[0]
    assert not [s for s in counter.statements if "users.login_id =" in s]


def test_htmx_request_after_expiry_gets_a_redirect_header(client, login_as, clock):
    login_as("coordinator")
    clock.advance(hours=1)
    response = client.get(
        "/cases/",
        headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/cases/"},
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/login?next=%2Fcases%2F"


# Sign-out and copied cookies ----------------------------------------------------


def test_sign_out_deletes_the_session_and_kills_a_copied_cookie(app, client, login_as):
    user = login_as("coordinator")
    thief = _copy_cookie(app, client)
    assert thief.get("/cases/").status_code == 200  # a copy works while signed in
    response = client.post("/logout")
    assert response.status_code == 302
    assert _rows_of(user) == []
    [entry] = _audited("auth.sign_out")
    assert entry.actor_id == user.id
    _sent_to_sign_in(thief.get("/cases/"))
    assert len(_audited("auth.session_refused")) == 1


def test_a_cookie_from_another_browser_is_refused_and_ends_the_session(
    app, client, login_as
):
    user = login_as("coordinator")
    thief = _copy_cookie(app, client, user_agent=OTHER_BROWSER)
    response = thief.get("/cases/")
    _sent_to_sign_in(response)
    assert _rows_of(user) == []
    [entry] = _audited("auth.session_refused")
    assert entry.entity_id == str(user.id)
    assert "another browser" in thief.get(response.headers["Location"]).text
    # The session is over for its owner too: the cookie was exposed.
    _sent_to_sign_in(client.get("/cases/"))


def test_the_user_agent_is_checked_without_flask_logins_protection(
    app, client, login_as
):
    app.config["SESSION_PROTECTION"] = None
    user = login_as("coordinator")
    thief = _copy_cookie(app, client, user_agent=OTHER_BROWSER)
    _sent_to_sign_in(thief.get("/cases/"))
    assert _rows_of(user) == []
    [entry] = _audited("auth.session_refused")
    assert "another browser" in entry.summary


def test_a_tampered_token_is_refused(client, login_as):
    user = login_as("coordinator")
    with client.session_transaction() as session:
        session[TOKEN_KEY] = session[TOKEN_KEY][:-2] + "xx"
    response = client.get("/cases/")
    _sent_to_sign_in(response)
    [entry] = _audited("auth.session_refused")
    assert entry.entity_id == str(user.id)
    assert "Your session has ended" in client.get(response.headers["Location"]).text


def test_a_session_without_a_token_is_not_signed_in(client, login_as):
    login_as("coordinator")
    with client.session_transaction() as session:
        del session[TOKEN_KEY]
    _sent_to_sign_in(client.get("/cases/"))


def test_a_tampered_cookie_is_not_signed_in(app, client, login_as):
    login_as("coordinator")
    value = client.get_cookie("session").value
    forged = app.test_client()
    forged.set_cookie("session", value[:-3] + ("abc" if value[-3:] != "abc" else "xyz"))
    _sent_to_sign_in(forged.get("/cases/"))


# Your sessions --------------------------------------------------------------------


def test_your_sessions_lists_own_sessions_and_marks_this_device(
    app, client, login_as, make_user
):
    user = login_as("coordinator")
    _sign_in(app, user, user_agent=OTHER_BROWSER)
    stranger = make_user("radiologist")
    db.session.commit()
    _sign_in(app, stranger, address="10.9.9.9")
    page = client.get("/account/sessions")
    assert page.status_code == 200
    assert "Chrome on Windows" in page.text
    assert page.text.count("This device") == 1
    assert page.text.index("This device") < page.text.index("Chrome on Windows")
    assert "127.0.0.1" in page.text and "10.9.9.9" not in page.text
    assert "Sign out everywhere else" in page.text
    assert 'href="/account/sessions"' in client.get("/").text


def test_signing_out_another_session(app, client, login_as):
    user = login_as("coordinator")
    other = _sign_in(app, user, user_agent=OTHER_BROWSER)
    mine, theirs = _row_of(client), _row_of(other)
    response = client.post(f"/account/sessions/{theirs.id}/end")
    assert response.status_code == 302
    assert [r.id for r in _rows_of(user)] == [mine.id]
    [entry] = _audited("auth.session_ended")
    assert entry.actor_id == user.id and "Chrome on Windows" in entry.summary
    _sent_to_sign_in(other.get("/cases/"))
    assert client.get("/cases/").status_code == 200


def test_this_session_is_not_ended_from_the_list(client, login_as):
    user = login_as("coordinator")
    mine = _row_of(client)
    response = client.post(f"/account/sessions/{mine.id}/end", follow_redirects=True)
    assert "use Sign out in the menu" in response.text
    assert [r.id for r in _rows_of(user)] == [mine.id]
    assert _audited("auth.session_ended") == []


@pytest.mark.parametrize("session_id", ["999999", "0", "-1", "abc", "9" * 30])
def test_an_unknown_session_id_is_404(client, login_as, session_id):
    login_as("coordinator")
    assert client.post(f"/account/sessions/{session_id}/end").status_code == 404


def test_another_persons_session_is_404(app, client, login_as, make_user):
    login_as("coordinator")
    stranger = make_user("radiologist")
    db.session.commit()
    theirs = _row_of(_sign_in(app, stranger))
    assert client.post(f"/account/sessions/{theirs.id}/end").status_code == 404
    assert [r.id for r in _rows_of(stranger)] == [theirs.id]


def test_sign_out_everywhere_else(app, client, login_as):
    user = login_as("coordinator")
    others = [_sign_in(app, user) for _ in range(2)]
    response = client.post("/account/sessions/end-others", follow_redirects=True)
    assert "You are signed out everywhere else." in response.text
    assert len(_rows_of(user)) == 1
    [entry] = _audited("auth.sign_out_others")
    assert "2 sessions" in entry.summary
    for other in others:
        _sent_to_sign_in(other.get("/cases/"))
    assert client.get("/cases/").status_code == 200


# Administrators and account changes ----------------------------------------------


def test_admin_signs_a_person_out_everywhere(app, client, login_as, make_user):
    login_as("admin")
    user = make_user("radiologist")
    db.session.commit()
    browsers = [_sign_in(app, user) for _ in range(2)]
    page = client.get(f"/admin/users/{user.id}").text
    assert "2 live sessions" in page
    response = client.post(f"/admin/users/{user.id}/sessions/end")
    assert response.status_code == 302
    assert _rows_of(user) == []
    assert "2 sessions ended" in client.get(response.headers["Location"]).text
    assert "No live session" in client.get(f"/admin/users/{user.id}").text
    [entry] = _audited("auth.sign_out_everywhere")
    assert entry.entity_id == str(user.id)
    for browser in browsers:
        _sent_to_sign_in(browser.get("/cases/"))


def test_only_administrators_may_sign_others_out(app, client, login_as, make_user):
    login_as("coordinator")
    user = make_user("radiologist")
    db.session.commit()
    other = _sign_in(app, user)
    assert client.post(f"/admin/users/{user.id}/sessions/end").status_code == 403
    assert other.get("/cases/").status_code == 200


def test_own_password_change_keeps_this_session_and_ends_the_others(
    app, client, login_as
):
    user = login_as("radiologist")
    other = _sign_in(app, user)
    mine = _row_of(client)
    old_token = _token(client)
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a-new-long-password",
            "confirm": "a-new-long-password",
        },
    )
    assert response.status_code == 302
    assert [r.id for r in _rows_of(user)] == [mine.id]
    assert _token(client) != old_token  # same session, new token
    assert client.get("/cases/").status_code == 200
    _sent_to_sign_in(other.get("/cases/"))


def test_admin_password_reset_ends_every_session(app, client, login_as, make_user):
    login_as("admin")
    user = make_user("radiologist")
    db.session.commit()
    other = _sign_in(app, user)
    response = client.post(
        f"/admin/users/{user.id}/password",
        data={
            "reset-new_password": "reset-password-123",
            "reset-confirm": "reset-password-123",
            "reset-admin_password": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert _rows_of(user) == []
    _sent_to_sign_in(other.get("/cases/"))


# The command line -----------------------------------------------------------------


def test_prune_command_deletes_expired_sessions(app, login_as, make_user, clock):
    first, second, third = (make_user("coordinator") for _ in range(3))
    db.session.commit()
    _sign_in(app, first)
    _sign_in(app, second)
    clock.advance(hours=1)
    live = _row_of(_sign_in(app, third))
    result = app.test_cli_runner().invoke(args=["sessions", "prune"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Deleted 2 expired sessions."
    assert db.session.scalars(sa.select(UserSession.id)).all() == [live.id]
    result = app.test_cli_runner().invoke(args=["sessions", "prune"])
    assert result.output.strip() == "Deleted 0 expired sessions."
