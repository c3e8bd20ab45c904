"""Account services: creation, sign-in checks, revocation, stale edits."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD
from tumorboard.audit.models import AuditEntry
from tumorboard.auth import services
from tumorboard.auth.models import User
from tumorboard.auth.permissions import Role
from tumorboard.errors import AccessDenied, Conflict, InvalidInput
from tumorboard.extensions import db


def _actions() -> list[str]:
    return list(
        db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id))
    )


def test_create_user_hashes_password_and_audits(make_user):
    admin = make_user("admin")
    user = services.create_user(
        admin,
        email="  New.Person@Example.org ",
        name=" Dr New Person ",
        role="radiologist",
        password="a-long-enough-password",
    )
    assert user.email == "new.person@example.org"
    assert user.name == "Dr New Person"
    assert user.password_hash.startswith("$argon2id$")
    assert "a-long-enough-password" not in user.password_hash
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "user.create")
    ).one()
    assert entry.actor_id == admin.id
    assert entry.changes["role"] == [None, "radiologist"]
    assert "password_hash" not in entry.changes


def test_create_user_refuses_duplicate_email_case_insensitively(make_user):
    admin = make_user("admin", email="taken@example.org")
    with pytest.raises(Conflict, match="already exists") as error:
        services.create_user(
            admin, email="TAKEN@example.org", name="X", role="admin", password="x" * 12
        )
    assert error.value.field == "email"


def test_create_user_refuses_short_password(make_user):
    admin = make_user("admin")
    with pytest.raises(InvalidInput, match="at least 12 characters"):
        services.create_user(
            admin, email="a@example.org", name="A", role="admin", password="short"
        )
    assert (
        db.session.scalar(sa.select(User).where(User.email == "a@example.org")) is None
    )


def test_only_admins_create_users(make_user):
    coordinator = make_user("coordinator")
    with pytest.raises(AccessDenied):
        services.create_user(
            coordinator,
            email="b@example.org",
            name="B",
            role="admin",
            password="x" * 12,
        )


def test_authenticate_success_updates_last_login_and_audits(make_user):
    user = make_user("pathologist", email="path@example.org")
    assert services.authenticate("PATH@example.org ", PASSWORD) == user
    assert user.last_login_at is not None
    assert _actions()[-1] == "auth.login"


@pytest.mark.parametrize(
    ("email", "password", "active"),
    [
        ("path@example.org", "wrong-password", True),
        ("nobody@example.org", PASSWORD, True),
        ("path@example.org", PASSWORD, False),
    ],
)
def test_authenticate_failures_return_none_and_are_audited(
    make_user, email, password, active
):
    make_user("pathologist", email="path@example.org", is_active=active)
    assert services.authenticate(email, password) is None
    assert _actions()[-1] == "auth.login_failed"


def test_set_password_revokes_existing_sessions(make_user):
    admin = make_user("admin")
    user = make_user("nurse_specialist")
    old_login_id = user.login_id
    services.set_password(admin, user, "another-long-password")
    assert user.login_id != old_login_id
    assert services.authenticate(user.email, "another-long-password") == user


def test_change_own_password_checks_the_current_one(make_user):
    user = make_user("radiologist")
    with pytest.raises(InvalidInput, match="current password is not correct"):
        services.change_own_password(user, "not-it", "brand-new-password")
    services.change_own_password(user, PASSWORD, "brand-new-password")
    assert services.authenticate(user.email, "brand-new-password") == user


def test_deactivation_changes_login_id(make_user):
    admin = make_user("admin")
    user = make_user("radiologist")
    old_login_id = user.login_id
    services.update_user(
        admin,
        user,
        version=user.version,
        email=user.email,
        name=user.name,
        role=user.role,
        is_active=False,
    )
    assert user.is_active is False
    assert user.login_id != old_login_id
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "user.update")
    ).one()
    assert entry.changes == {"is_active": [True, False]}


def test_update_user_refuses_stale_version(make_user):
    admin = make_user("admin")
    user = make_user("radiologist")
    with pytest.raises(Conflict, match="changed by someone else"):
        services.update_user(
            admin,
            user,
            version=user.version - 1,
            email=user.email,
            name="Changed",
            role=user.role,
            is_active=True,
        )
    assert user.name != "Changed"


def test_admin_cannot_deactivate_or_demote_self(make_user):
    admin = make_user("admin")
    for change in (
        {"is_active": False, "role": Role.ADMIN},
        {"is_active": True, "role": Role.NURSE_SPECIALIST},
    ):
        with pytest.raises(InvalidInput, match="your own"):
            services.update_user(
                admin,
                admin,
                version=admin.version,
                email=admin.email,
                name=admin.name,
                **change,
            )


def test_clinicians_lists_only_active_clinical_roles(make_user):
    wanted = make_user("orthopedic_oncologist", name="Aaron Ortho")
    make_user("orthopedic_oncologist", is_active=False)
    make_user("coordinator")
    make_user("admin")
    assert services.clinicians() == [wanted]
