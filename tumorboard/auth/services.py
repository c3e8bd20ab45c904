"""Account services: sign-in checks and user administration."""

from __future__ import annotations

import sqlalchemy as sa

from tumorboard.audit import services as audit
from tumorboard.auth.models import User, new_login_id
from tumorboard.auth.passwords import (
    MIN_PASSWORD_LENGTH,
    dummy_verify,
    hash_password,
    needs_rehash,
    verify_password,
)
from tumorboard.auth.permissions import (
    CLINICAL_ROLES,
    Role,
    authorize,
    can_manage_users,
)
from tumorboard.db import utcnow
from tumorboard.errors import Conflict, InvalidInput
from tumorboard.extensions import db

USER_FIELDS = ("email", "name", "role", "is_active")


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def _check_password(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"The password must have at least {MIN_PASSWORD_LENGTH} characters.", field
        )


def _check_email_free(email: str, exclude_id: int | None = None) -> None:
    stmt = sa.select(User.id).where(User.email == email)
    if exclude_id is not None:
        stmt = stmt.where(User.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise Conflict(f"An account with the email {email} already exists.", "email")


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with these credentials, or None; audits both outcomes."""
    email = normalise_email(email)
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        dummy_verify(password)
        audit.record(
            None, "auth.login_failed", "user", "-", f"Failed sign-in for {email}"
        )
        return None
    if not verify_password(user.password_hash, password) or not user.is_active:
        reason = "inactive account" if user.is_active is False else "wrong password"
        audit.record(
            None, "auth.login_failed", "user", user.id, f"Failed sign-in ({reason})"
        )
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    audit.record(user, "auth.login", "user", user.id, f"{user.name} signed in")
    return user


def create_user(
    actor: User | None,
    *,
    email: str,
    name: str,
    role: Role | str,
    password: str,
    is_active: bool = True,
) -> User:
    """Create an account (admin only; ``actor`` None is the command line)."""
    if actor is not None:
        authorize(can_manage_users(actor), "Only administrators manage accounts.")
    email = normalise_email(email)
    _check_email_free(email)
    _check_password(password)
    user = User(
        email=email,
        name=name.strip(),
        role=Role(role),
        password_hash=hash_password(password),
        is_active=is_active,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        actor,
        "user.create",
        "user",
        user.id,
        f"Created account {email} ({Role(role).label})",
        changes=audit.diff({}, audit.snapshot(user, USER_FIELDS)),
    )
    return user


def update_user(actor: User, user: User, *, version: int, **data) -> User:
    """Change name, email, role or active flag; deactivation ends every session."""
    authorize(can_manage_users(actor), "Only administrators manage accounts.")
    if version != user.version:
        raise Conflict(
            "This account was changed by someone else since you opened it. "
            "The form now shows the current values; apply your change again."
        )
    if user.id == actor.id and (
        data.get("is_active") is False or data.get("role") not in (None, Role.ADMIN)
    ):
        raise InvalidInput(
            "You cannot deactivate your own account or remove your own admin role."
        )
    before = audit.snapshot(user, USER_FIELDS)
    email = normalise_email(data["email"])
    _check_email_free(email, exclude_id=user.id)
    user.email = email
    user.name = data["name"].strip()
    user.role = Role(data["role"])
    if user.is_active and not data["is_active"]:
        user.login_id = new_login_id()
    user.is_active = bool(data["is_active"])
    changes = audit.diff(before, audit.snapshot(user, USER_FIELDS))
    if changes:
        db.session.flush()
        audit.record(
            actor,
            "user.update",
            "user",
            user.id,
            f"Updated account {email}",
            changes=changes,
        )
    return user


def set_password(actor: User, user: User, new_password: str) -> None:
    """Set a new password (admin reset or own change); old sessions are revoked."""
    if actor.id != user.id:
        authorize(can_manage_users(actor), "Only administrators reset passwords.")
    _check_password(new_password, "new_password")
    user.password_hash = hash_password(new_password)
    user.login_id = new_login_id()
    db.session.flush()
    summary = (
        "Changed own password"
        if actor.id == user.id
        else f"Reset the password of {user.email}"
    )
    audit.record(actor, "user.password", "user", user.id, summary)


def change_own_password(user: User, current_password: str, new_password: str) -> None:
    """A user changes their own password after proving the current one."""
    if not verify_password(user.password_hash, current_password):
        raise InvalidInput("The current password is not correct.", "current_password")
    set_password(user, user, new_password)


def clinicians() -> list[User]:
    """Active clinicians, by name, for lead-clinician choices."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.is_active.is_(True), User.role.in_(list(CLINICAL_ROLES)))
            .order_by(User.name)
        )
    )
