"""Multi-factor sign-in over HTTP: the second step, bad input, the pending
marker, mandatory enrolment, one's own settings and the administrator's
reset."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from tests.factories import PASSWORD, totp_code
from tumorboard.audit.models import AuditEntry
from tumorboard.auth import mfa, mfa_keys, mfa_pending
from tumorboard.auth.models import RecoveryCode, User
from tumorboard.extensions import db, limiter

CODE_FIELD_ERROR = "The code is the 6 digits (0 to 9) shown in your authenticator app"


def _entries(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action))
    )


def _password_step(client, user, **extra):
    return client.post(
        "/login", data={"email": user.email, "password": PASSWORD, **extra}
    )


def _signed_in(client) -> bool:
    return client.get("/account/password").status_code == 200


def _codes_on(page: str) -> list[str]:
    return re.findall(r"<li><code>([a-z0-9-]{14})</code></li>", page)


@pytest.fixture
def enrolled(make_user):
    """A coordinator with multi-factor sign-in on (the test secret)."""
    user = make_user("coordinator", mfa=True)
    db.session.commit()
    return user


# --- second step of signing in ------------------------------------------------


def test_the_password_alone_does_not_sign_in(client, enrolled):
    response = _password_step(client, enrolled, next="/cases/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/verify"
    assert not _signed_in(client)
    assert _entries("auth.login") == []
    page = client.get("/login/verify")
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in page.text
    assert 'href="/login/verify/recovery"' in page.text

    response = client.post("/login/verify", data={"code": totp_code()})
    assert response.status_code == 302
    assert response.headers["Location"] == "/cases/"
    assert _signed_in(client)
    assert len(_entries("auth.mfa_verified")) == 1
    assert len(_entries("auth.login")) == 1
    # The marker is gone: the second step cannot be repeated.
    client.post("/logout")
    assert client.get("/login/verify").headers["Location"] == "/login"


def test_a_code_with_spaces_is_accepted(client, enrolled):
    _password_step(client, enrolled)
    typed = totp_code()
    response = client.post("/login/verify", data={"code": f" {typed[:3]} {typed[3:]}"})
    assert response.status_code == 302 and _signed_in(client)


def test_a_wrong_code_is_refused_counted_and_audited(client, enrolled):
    _password_step(client, enrolled)
    wrong = "000000" if totp_code() != "000000" else "111111"
    response = client.post("/login/verify", data={"code": wrong})
    assert response.status_code == 400
    assert "The code is not correct, or it has already been used." in response.text
    assert not _signed_in(client)
    db.session.refresh(enrolled)
    assert enrolled.failed_logins == 1
    [failed] = _entries("auth.mfa_failed")
    assert wrong not in failed.summary


def test_a_replayed_code_is_refused(app, client, enrolled):
    _password_step(client, enrolled)
    used = totp_code()
    assert client.post("/login/verify", data={"code": used}).status_code == 302
    client.post("/logout")
    _password_step(client, enrolled)
    response = client.post("/login/verify", data={"code": used})
    assert response.status_code == 400
    assert "already been used" in response.text
    assert not _signed_in(client)


def test_a_code_from_two_windows_ago_is_refused(client, enrolled):
    _password_step(client, enrolled)
    response = client.post("/login/verify", data={"code": totp_code(-2)})
    assert response.status_code == 400
    assert not _signed_in(client)


@pytest.mark.parametrize(
    "typed, message",
    [
        ("12a456", CODE_FIELD_ERROR),
        ("1234567", CODE_FIELD_ERROR),
        ("12345", CODE_FIELD_ERROR),
        ("١٢٣٤٥٦", CODE_FIELD_ERROR),  # digits of another script
        ("1" * 5000, "At most 64 characters."),
        ("", "Enter the 6-digit code from your authenticator app."),
    ],
)
def test_malformed_codes_get_a_message(client, enrolled, typed, message):
    _password_step(client, enrolled)
    response = client.post("/login/verify", data={"code": typed})
    assert response.status_code == 400
    assert message in response.text
    db.session.refresh(enrolled)
    assert enrolled.failed_logins == 0  # not checked, not counted


def test_a_nul_in_the_code_is_a_400_page(client, enrolled):
    _password_step(client, enrolled)
    response = client.post("/login/verify", data={"code": "123\x00456"})
    assert response.status_code == 400
    assert "control character" in response.text


def test_without_the_password_step_the_code_page_sends_to_sign_in(client, enrolled):
    for response in [
        client.get("/login/verify"),
        client.post("/login/verify", data={"code": totp_code()}),
        client.post("/login/verify/recovery", data={"code": "2222-3333-4444"}),
    ]:
        assert response.status_code == 302
        assert response.headers["Location"] == "/login"
    page = client.get("/login").text
    assert "Enter your email and password first." in page
    assert _entries("auth.mfa_failed") == []


def test_an_expired_marker_sends_back_to_sign_in(client, enrolled):
    _password_step(client, enrolled)
    with client.session_transaction() as session:
        marker = dict(session[mfa_pending.PENDING_KEY])
        marker["at"] -= 5 * 60 + 1
        session[mfa_pending.PENDING_KEY] = marker
    response = client.post("/login/verify", data={"code": totp_code()})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "took longer than 5 minutes" in client.get("/login").text
    assert not _signed_in(client)
    # Gone for good: a second try does not revive it.
    assert client.get("/login/verify").headers["Location"] == "/login"


def test_a_password_reset_meanwhile_voids_the_marker(client, enrolled):
    _password_step(client, enrolled)
    enrolled.login_id = "replaced-by-a-reset"
    db.session.commit()
    response = client.post("/login/verify", data={"code": totp_code()})
    assert response.headers["Location"] == "/login"
    assert not _signed_in(client)


def test_a_recovery_code_signs_in_once(client, make_user):
    user = make_user("coordinator")
    secret = mfa.start_enrolment(user)
    codes = mfa.confirm_enrolment(user, mfa.code_at(secret, mfa.current_step() - 1))
    db.session.commit()
    _password_step(client, user)
    assert "Use a recovery code" in client.get("/login/verify/recovery").text
    response = client.post("/login/verify/recovery", data={"code": codes[0]})
    assert response.status_code == 302 and _signed_in(client)
    assert len(_entries("auth.recovery_code_used")) == 1
    client.post("/logout")

    _password_step(client, user)
    response = client.post("/login/verify/recovery", data={"code": codes[0]})
    assert response.status_code == 400
    assert "not correct, or it has already been used" in response.text
    assert not _signed_in(client)
    response = client.post("/login/verify/recovery", data={"code": "12-ab"})
    assert response.status_code == 400
    assert "three groups of four letters and digits" in response.text


def test_a_wrong_key_is_a_clear_page(app, client, enrolled):
    _password_step(client, enrolled)
    app.config["MFA_ENCRYPTION_KEY"] = Fernet.generate_key().decode()
    mfa_keys.install_key(app)
    response = client.post("/login/verify", data={"code": totp_code()})
    assert response.status_code == 503
    assert "Multi-factor sign-in is unavailable" in response.text
    assert "Traceback" not in response.text
    assert not _signed_in(client)


class TestThrottled:
    @pytest.fixture
    def app_config(self):
        return {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "AUTH_RATE_LIMIT_PER_IP": "10 per minute",
            "AUTH_RATE_LIMIT_PER_ACCOUNT": "2 per minute",
        }

    @pytest.fixture(autouse=True)
    def _limiter_restored(self):
        enabled = limiter.enabled
        yield
        limiter.enabled = enabled

    def test_the_code_step_is_limited_per_account(self, client, enrolled):
        _password_step(client, enrolled)
        for _ in range(2):
            assert client.post("/login/verify", data={"code": "000000"}).status_code
        response = client.post("/login/verify", data={"code": totp_code()})
        assert response.status_code == 429
        assert "Too many attempts" in response.text
        assert not _signed_in(client)


# --- enrolment ------------------------------------------------------------------


def test_an_administrator_without_a_second_factor_must_enrol_first(client, make_user):
    admin = make_user("admin", mfa=False)
    db.session.commit()
    response = _password_step(client, admin)
    assert response.status_code == 302  # signed in with the password alone
    for method, path in [("GET", "/"), ("GET", "/admin/users"), ("POST", "/x")]:
        blocked = client.open(path, method=method)
        if path != "/x":
            assert blocked.status_code == 303, path
            assert blocked.headers["Location"] == "/account/mfa"
    partial = client.get("/admin/users", headers={"HX-Request": "true"})
    assert partial.headers["HX-Redirect"] == "/account/mfa"

    page = client.get("/account/mfa")
    assert page.status_code == 200
    assert "Your account must use multi-factor sign-in" in page.text
    assert 'src="data:image/svg+xml' in page.text
    assert "style=" not in page.text
    db.session.refresh(admin)
    secret = mfa_keys.decrypt(admin.mfa_secret)
    assert mfa.grouped(secret) in page.text
    assert re.search(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", page.text)
    assert "Issuer: Tumour board" in page.text

    wrong = client.post("/account/mfa", data={"code": "123abc"})
    assert wrong.status_code == 400 and CODE_FIELD_ERROR in wrong.text
    bad = mfa.code_at(secret, mfa.current_step() + 5)
    wrong = client.post("/account/mfa", data={"code": bad})
    assert wrong.status_code == 400
    assert "not turned on yet" in wrong.text
    db.session.refresh(admin)
    assert not mfa.is_enrolled(admin)
    assert client.get("/admin/users").status_code == 303

    done = client.post(
        "/account/mfa", data={"code": mfa.code_at(secret, mfa.current_step())}
    )
    assert done.status_code == 200
    codes = _codes_on(done.text)
    assert len(codes) == 10
    assert "shown only now" in done.text
    assert client.get("/admin/users").status_code == 200
    # Shown once: the page now shows the status, not the codes.
    status = client.get("/account/mfa").text
    assert "10</strong> unused recovery codes" in status
    assert not any(code in status for code in codes)
    assert "cannot be turned off" in status


def test_everyone_must_enrol_when_required(app, client, make_user):
    app.config["REQUIRE_MFA"] = True
    user = make_user("radiologist")
    db.session.commit()
    _password_step(client, user)
    assert client.get("/cases/").headers["Location"] == "/account/mfa"


def test_a_voluntary_user_enrols_and_turns_it_off(client, login_as):
    user = login_as("coordinator")
    assert client.get("/cases/").status_code == 200  # not mandatory
    page = client.get("/account/mfa").text
    assert "Your account must use" not in page
    db.session.refresh(user)
    secret = mfa_keys.decrypt(user.mfa_secret)
    step = mfa.current_step()
    assert client.post("/account/mfa", data={"code": mfa.code_at(secret, step)})

    refused = client.post(
        "/account/mfa/disable",
        data={"off-password": "wrong-password-here", "off-code": "123456"},
    )
    assert refused.status_code == 400
    assert "Your password is not correct" in refused.text
    assert len(_entries("auth.step_up_failed")) == 1
    refused = client.post(
        "/account/mfa/disable",
        data={"off-password": PASSWORD, "off-code": mfa.code_at(secret, step)},
    )
    assert refused.status_code == 400 and "already been used" in refused.text
    done = client.post(
        "/account/mfa/disable",
        data={"off-password": PASSWORD, "off-code": mfa.code_at(secret, step + 1)},
        follow_redirects=True,
    )
    assert "turned off for your account" in done.text
    db.session.refresh(user)
    assert not mfa.is_enrolled(user)
    assert len(_entries("auth.mfa_disabled")) == 1


def test_an_administrator_cannot_turn_it_off(client, login_as):
    admin = login_as("admin")
    response = client.post(
        "/account/mfa/disable",
        data={"off-password": PASSWORD, "off-code": totp_code(1)},
    )
    assert response.status_code == 400
    assert "cannot be turned off" in response.text
    db.session.refresh(admin)
    assert mfa.is_enrolled(admin)


def test_new_recovery_codes_need_the_password(client, login_as):
    admin = login_as("admin")
    refused = client.post(
        "/account/mfa/recovery-codes", data={"codes-password": "not-my-password"}
    )
    assert refused.status_code == 400
    assert "Your password is not correct; nothing was changed." in refused.text
    assert mfa.recovery_codes_left(admin) == 0
    done = client.post("/account/mfa/recovery-codes", data={"codes-password": PASSWORD})
    assert done.status_code == 200
    assert len(_codes_on(done.text)) == 10
    assert mfa.recovery_codes_left(admin) == 10
    assert len(_entries("auth.recovery_codes_regenerated")) == 1


# --- the administrator's reset ----------------------------------------------------


def test_an_administrator_resets_someone_s_second_factor(
    app, client, login_as, make_user
):
    admin = login_as("admin")
    other = make_user("admin")
    db.session.add(RecoveryCode(user_id=other.id, code_hash="x"))
    db.session.commit()
    # The other administrator is signed in elsewhere.
    elsewhere = app.test_client()
    _password_step(elsewhere, other)
    elsewhere.post("/login/verify", data={"code": totp_code()})
    assert elsewhere.get("/admin/users").status_code == 200

    page = client.get(f"/admin/users/{other.id}").text
    assert "Multi-factor sign-in" in page
    assert f'action="/admin/users/{other.id}/mfa-reset"' in page
    refused = client.post(
        f"/admin/users/{other.id}/mfa-reset", data={"mfa-admin_password": "nope-nope"}
    )
    assert refused.status_code == 400
    assert "Your own password is not correct" in refused.text
    db.session.refresh(other)
    assert mfa.is_enrolled(other)

    response = client.post(
        f"/admin/users/{other.id}/mfa-reset",
        data={"mfa-admin_password": PASSWORD},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert f"Multi-factor sign-in of {other.name} reset" in response.text
    db.session.refresh(other)
    assert other.mfa_secret is None and other.mfa_enabled_at is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0
    [entry] = _entries("auth.mfa_reset")
    assert entry.actor_id == admin.id
    # Signed out everywhere; the next sign-in leads to enrolment.
    assert elsewhere.get("/admin/users").headers["Location"].startswith("/login")
    _password_step(elsewhere, other)
    assert elsewhere.get("/admin/users").headers["Location"] == "/account/mfa"
    assert db.session.get(User, other.id).mfa_secret is None


def test_own_reset_is_refused_on_the_admin_page(client, login_as):
    admin = login_as("admin")
    page = client.get(f"/admin/users/{admin.id}").text
    assert "mfa-reset" not in page
    response = client.post(
        f"/admin/users/{admin.id}/mfa-reset", data={"mfa-admin_password": PASSWORD}
    )
    assert response.status_code == 400
    assert "cannot reset your own" in response.text
    db.session.refresh(admin)
    assert mfa.is_enrolled(admin)
