"""Sign-in, sign-out, session revocation, CSRF and account administration over HTTP."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD
from tumorboard.audit.models import AuditEntry
from tumorboard.auth.models import User
from tumorboard.extensions import db


def _audited(action: str) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == action)
    )


def _edit_account(client, user, **fields):
    """Post the administrator's edit form for ``user``; unnamed fields keep
    the account's current values and the version it was opened at."""
    data = {
        "name": user.name,
        "email": user.email,
        "is_active": "y",
        "version": user.version,
        **fields,
    }
    return client.post(f"/admin/users/{user.id}", data=data)


def _reset_password(client, user, **kwargs):
    """Post the administrator's password reset for ``user``."""
    return client.post(
        f"/admin/users/{user.id}/password",
        data={
            "reset-new_password": "reset-password-123",
            "reset-confirm": "reset-password-123",
            "reset-admin_password": PASSWORD,
        },
        **kwargs,
    )


def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert "Sign in to tumorboard" in response.text


def test_login_with_wrong_password_shows_message_and_keeps_email(client, make_user):
    user = make_user("coordinator")
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": "nope"})
    assert response.status_code == 400
    assert "email or password is not correct" in response.text
    assert f'value="{user.email}"' in response.text


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.test/x",
        "//evil.test",
        "/\\evil.test",
        "/\\/evil.test",
        "/ok\nLocation: x",
    ],
)
def test_login_refuses_redirects_that_leave_the_site(client, make_user, target):
    user = make_user("coordinator")
    db.session.commit()
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_follows_only_local_next(client, make_user):
    user = make_user("coordinator")
    db.session.commit()
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "next": "https://evil.test/x"},
    )
    assert response.headers["Location"] == "/"
    client.post("/logout")
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "next": "/cases/"}
    )
    assert response.headers["Location"] == "/cases/"


def test_logout_ends_the_session(client, login_as):
    login_as("coordinator")
    assert client.get("/cases/").status_code == 200
    client.post("/logout")
    assert client.get("/cases/").status_code == 302


def test_deactivation_ends_existing_sessions(client, login_as, make_user):
    user = login_as("coordinator")
    assert client.get("/cases/").status_code == 200
    user.is_active = False
    user.login_id = "revoked-" + user.login_id
    db.session.commit()
    assert client.get("/cases/").status_code == 302


def test_password_change_signs_out_other_sessions(app, client, login_as):
    user = login_as("radiologist")
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": PASSWORD})
    assert other.get("/cases/").status_code == 200
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a-new-long-password",
            "confirm": "a-new-long-password",
        },
    )
    assert response.status_code == 302
    assert client.get("/cases/").status_code == 200  # this session continues
    assert other.get("/cases/").status_code == 302  # the other one is gone


def test_password_change_errors_are_specific(client, login_as):
    login_as("radiologist")
    response = client.post(
        "/account/password",
        data={"current_password": "wrong", "new_password": "short", "confirm": "x"},
    )
    assert response.status_code == 400
    assert "Use between 12 and 200 characters." in response.text
    assert "The two passwords differ." in response.text


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_post_without_token_is_refused(self, client, make_user):
        user = make_user("coordinator")
        db.session.commit()
        response = client.post(
            "/login", data={"email": user.email, "password": PASSWORD}
        )
        assert response.status_code == 400
        assert "security token was missing" in response.text

    def test_post_with_forged_token_is_refused(self, client, make_user):
        user = make_user("coordinator")
        db.session.commit()
        client.get("/login")
        response = client.post(
            "/login",
            data={"email": user.email, "password": PASSWORD, "csrf_token": "forged"},
        )
        assert response.status_code == 400

    def test_post_with_token_from_the_form_works(self, client, make_user):
        user = make_user("coordinator")
        db.session.commit()
        page = client.get("/login").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
        response = client.post(
            "/login",
            data={"email": user.email, "password": PASSWORD, "csrf_token": token},
        )
        assert response.status_code == 302


def test_admin_creates_an_account(client, login_as):
    login_as("admin")
    response = client.post(
        "/admin/users/new",
        data={
            "name": "Dr Ada Bone",
            "email": "ada@example.org",
            "role": "pathologist",
            "password": "initial-password-1",
            "admin_password": PASSWORD,
            "is_active": "y",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "ada@example.org"))
    assert user.role == "pathologist" and user.is_active


@pytest.mark.parametrize(
    ("taken", "typed", "name"),
    [
        ("dup@example.org", "dup@example.org", "Typed Name"),
        ("taken@example.org", "Taken@example.org", "Second Account"),
    ],
    ids=["same-spelling", "differs-in-case"],
)
def test_account_with_a_taken_email_is_refused_keeps_input_and_stores_nothing(
    client, login_as, make_user, taken, typed, name
):
    make_user("admin", email=taken)
    db.session.commit()
    login_as("admin")
    response = client.post(
        "/admin/users/new",
        data={
            "name": name,
            "email": typed,
            "role": "pathologist",
            "password": "initial-password-1",
            "admin_password": PASSWORD,
        },
    )
    assert response.status_code == 400
    assert f"An account with the email {taken} already exists." in response.text
    assert f'value="{name}"' in response.text
    assert (
        db.session.scalar(sa.select(sa.func.count(User.id)).where(User.email == taken))
        == 1
    )
    assert _audited("user.create") == 0


def test_admin_create_form_names_each_bad_field(client, login_as):
    login_as("admin")
    response = client.post(
        "/admin/users/new",
        data={"name": "", "email": "not-an-email", "role": "wizard", "password": "x"},
    )
    assert "Enter the person&#39;s name." in response.text
    assert "Enter a valid email address." in response.text
    assert "Not a valid choice" in response.text


def test_admin_edit_with_stale_version_is_refused(client, login_as, make_user):
    login_as("admin")
    user = make_user("radiologist", name="Original Name")
    db.session.commit()
    response = _edit_account(
        client,
        user,
        name="Someone Else's Edit",
        role="radiologist",
        version=user.version + 5,
    )
    assert response.status_code == 400
    assert "changed by someone else" in response.text
    assert "Someone Else&#39;s Edit" in response.text
    db.session.refresh(user)
    assert user.name == "Original Name"


def test_admin_resets_a_password(client, login_as, make_user):
    login_as("admin")
    user = make_user("radiologist")
    db.session.commit()
    old_login_id = user.login_id
    response = _reset_password(client, user)
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.login_id != old_login_id


def test_tampered_user_id_is_404(client, login_as):
    login_as("admin")
    assert client.get("/admin/users/999999").status_code == 404


def test_navigation_depends_on_role(client, login_as):
    login_as("radiologist")
    page = client.get("/").text
    assert (
        "All cases" in page
        and "Cases I lead" in page
        and "Register case" not in page
        and "Audit log" not in page
    )


def test_failed_sign_in_is_audited_although_the_page_is_refused(client, make_user):
    user = make_user("coordinator")
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": "nope"})
    assert response.status_code == 400
    response = client.post(
        "/login", data={"email": "nobody@example.org", "password": "nope"}
    )
    assert response.status_code == 400
    assert _audited("auth.login_failed") == 2
    assert _audited("auth.login") == 0


def test_sign_in_is_audited_and_recorded_on_the_account(client, make_user):
    user = make_user("coordinator")
    db.session.commit()
    assert user.last_login_at is None
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/cases/").status_code == 200  # the session is signed in
    db.session.refresh(user)
    assert user.last_login_at is not None
    assert _audited("auth.login") == 1


def test_wrong_current_password_changes_nothing(client, login_as):
    user = login_as("radiologist")
    old_hash, old_login_id = user.password_hash, user.login_id
    response = client.post(
        "/account/password",
        data={
            "current_password": "not-my-password",
            "new_password": "a-new-long-password",
            "confirm": "a-new-long-password",
        },
    )
    assert response.status_code == 400
    assert "The current password is not correct." in response.text
    db.session.refresh(user)
    assert (user.password_hash, user.login_id) == (old_hash, old_login_id)
    assert _audited("user.password") == 0
    assert client.get("/cases/").status_code == 200  # still signed in


def test_refused_account_edit_offers_the_current_version(client, login_as, make_user):
    admin = login_as("admin")
    user = make_user("radiologist")
    db.session.commit()
    # may not remove one's own admin role
    response = _edit_account(client, admin, role="radiologist")
    assert response.status_code == 400
    assert "cannot deactivate your own account" in response.text
    assert f'name="version" type="hidden" value="{admin.version}"' in response.text
    db.session.refresh(admin)
    assert admin.role == "admin"
    stale = _edit_account(
        client, user, name="Changed", role="radiologist", version=user.version + 3
    )
    assert stale.status_code == 400
    assert f'name="version" type="hidden" value="{user.version}"' in stale.text
    assert _audited("user.update") == 0


def test_admin_reset_is_audited(client, login_as, make_user):
    login_as("admin")
    user = make_user("radiologist")
    db.session.commit()
    response = _reset_password(client, user, follow_redirects=True)
    assert f"Password of {user.name} reset" in response.text
    assert _audited("user.password") == 1
