"""The session cookie a production app sets at sign-in."""

from __future__ import annotations

import pytest

from tests import factories
from tests.factories import PASSWORD
from tumorboard import create_app
from tumorboard.extensions import db


@pytest.fixture
def app_config() -> dict:
    """Production settings, with the test suite's cheap hashing and no limits."""
    return {
        "ENV_NAME": "production",
        "SECRET_KEY": "production-test-secret-key",
        "AUDIT_HMAC_KEY": "production-test-audit-key-of-40-characters",
        "MFA_ENCRYPTION_KEY": factories.MFA_KEY,
        "ARGON2_PROFILE": "cheapest",
        "RATELIMIT_ENABLED": False,
        "TESTING": True,
    }


def _attributes(set_cookie: str) -> tuple[str, dict[str, str]]:
    name_value, *attributes = (part.strip() for part in set_cookie.split(";"))
    parsed = {}
    for attribute in attributes:
        key, _, value = attribute.partition("=")
        parsed[key.lower()] = value
    return name_value.partition("=")[0], parsed


def test_production_session_cookie_is_host_only_secure_and_http_only(app, make_user):
    assert app.config["ENV_NAME"] == "production"
    # Production asks everyone for a second factor (REQUIRE_MFA).
    user = make_user("coordinator", mfa=True)
    db.session.commit()
    client = app.test_client()
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD},
        base_url="https://localhost",
    )
    assert response.headers["Location"] == "/login/verify"
    response = client.post(
        "/login/verify",
        data={"code": factories.fresh_totp_code(user.email)},
        base_url="https://localhost",
    )
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1  # no remember-me cookie
    name, attributes = _attributes(cookies[0])
    assert name == "__Host-tumorboard"
    assert "secure" in attributes and "httponly" in attributes
    assert attributes["samesite"] == "Lax"
    assert attributes["path"] == "/"
    assert "domain" not in attributes
    # A session cookie: it ends with the browser, the server ends it sooner.
    assert "expires" not in attributes and "max-age" not in attributes
    assert client.get("/cases/", base_url="https://localhost").status_code == 200


def test_development_keeps_a_plain_cookie_name(tmp_path, monkeypatch, backend):
    # http://127.0.0.1 can set neither a __Host- nor a Secure cookie.
    monkeypatch.setenv("TUMORBOARD_INSTANCE_PATH", str(tmp_path))
    development = create_app({"ENV_NAME": "development", "TESTING": True})
    assert development.config["SESSION_COOKIE_NAME"] == "session"
    assert not development.config.get("SESSION_COOKIE_SECURE")
