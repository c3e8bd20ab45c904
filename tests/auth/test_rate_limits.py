"""Throttling of sign-in and password forms with Flask-Limiter, per client
address and per account, and the 429 page."""

from __future__ import annotations

import pytest
from flask import abort

from tests.factories import PASSWORD
from tumorboard.auth.permissions import public
from tumorboard.extensions import db, limiter

LIMITS = {
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    "AUTH_RATE_LIMIT_PER_IP": "4 per minute",
    "AUTH_RATE_LIMIT_PER_ACCOUNT": "2 per minute",
}


@pytest.fixture(autouse=True)
def _limiter_restored():
    """The limiter is one object shared by every app of the run: switch it back
    off afterwards, whatever the next app would do."""
    enabled = limiter.enabled
    yield
    limiter.enabled = enabled


def _sign_in(client, email: str, password: str = "not-the-password", ip="10.0.0.1"):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": ip},
    )


def _assert_throttled(response) -> None:
    assert response.status_code == 429
    assert "Too many attempts" in response.text
    assert "Try again in" in response.text
    assert 1 <= int(response.headers["Retry-After"]) <= 60


class TestLimitsOn:
    @pytest.fixture
    def app_config(self):
        return dict(LIMITS)

    def test_sign_in_is_limited_per_account(self, client, make_user):
        user = make_user("coordinator", email="kim@example.org")
        db.session.commit()
        assert _sign_in(client, "kim@example.org").status_code == 400
        # The same account however it is typed, from another address.
        assert _sign_in(client, "  KIM@Example.org", ip="10.0.0.2").status_code == 400
        response = _sign_in(client, "kim@example.org", PASSWORD, ip="10.0.0.3")
        _assert_throttled(response)
        assert client.get("/cases/").status_code == 302  # not signed in
        # Another account from the first address is still allowed.
        assert _sign_in(client, "other@example.org").status_code == 400
        db.session.refresh(user)
        assert user.failed_logins == 2  # the throttled try never reached the check

    def test_sign_in_is_limited_per_address(self, client):
        for n in range(4):
            assert _sign_in(client, f"user{n}@example.org").status_code == 400
        _assert_throttled(_sign_in(client, "user9@example.org"))
        assert _sign_in(client, "user9@example.org", ip="10.9.9.9").status_code == 400

    def test_showing_the_sign_in_page_is_not_counted(self, client):
        for _ in range(6):
            assert (
                client.get(
                    "/login", environ_base={"REMOTE_ADDR": "10.0.0.1"}
                ).status_code
                == 200
            )
        assert _sign_in(client, "a@example.org").status_code == 400

    def test_password_change_is_limited_per_account(self, client, login_as):
        login_as("radiologist")
        data = {
            "current_password": "wrong-current-password",
            "new_password": "plum-kettle-orbit-7",
            "confirm": "plum-kettle-orbit-7",
        }
        for _ in range(2):
            assert client.post("/account/password", data=data).status_code == 400
        _assert_throttled(client.post("/account/password", data=data))
        assert client.get("/account/password").status_code == 200

    def test_admin_reset_is_limited(self, client, login_as, make_user):
        login_as("admin")
        user = make_user("radiologist")
        db.session.commit()
        data = {
            "reset-new_password": "plum-kettle-orbit-7",
            "reset-confirm": "plum-kettle-orbit-7",
            "reset-admin_password": "guessing-the-admin",
        }
        url = f"/admin/users/{user.id}/password"
        for _ in range(2):
            assert client.post(url, data=data).status_code == 400
        _assert_throttled(client.post(url, data=data))
        data["reset-admin_password"] = PASSWORD
        _assert_throttled(client.post(url, data=data))

    def test_admin_account_creation_is_limited(self, client, login_as):
        login_as("admin")
        data = {"name": "X Y", "email": "x@example.org", "role": "nurse_specialist"}
        for _ in range(2):
            assert client.post("/admin/users/new", data=data).status_code == 400
        _assert_throttled(client.post("/admin/users/new", data=data))

    def test_other_pages_are_not_limited(self, client, login_as):
        login_as("coordinator")
        for _ in range(8):
            assert client.get("/cases/").status_code == 200


class TestLimitsFromSettings:
    @pytest.fixture
    def app_config(self):
        return {**LIMITS, "AUTH_RATE_LIMIT_PER_ACCOUNT": "1 per minute"}

    def test_the_limit_strings_are_read_from_the_settings(self, client):
        assert _sign_in(client, "kim@example.org").status_code == 400
        _assert_throttled(_sign_in(client, "kim@example.org"))


def test_limits_are_off_when_disabled(client, make_user):
    """The test configuration turns the limiter off; production keeps it on."""
    user = make_user("coordinator")
    db.session.commit()
    for _ in range(8):
        assert _sign_in(client, user.email).status_code == 400


def test_any_429_gets_the_page_and_a_retry_after(app, client):
    """Also a 429 that no limit of the limiter produced (no limit to ask)."""

    @public
    def busy():
        abort(429)

    app.add_url_rule("/busy", "busy", busy)
    response = client.get("/busy")
    _assert_throttled(response)
    assert response.headers["Retry-After"] == "60"
