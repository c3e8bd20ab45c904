"""Account services: sign-in checks, lockout and user administration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from tumorboard.audit import services as audit
from tumorboard.auth import sessions
from tumorboard.auth.models import User, new_login_id
from tumorboard.auth.passwords import (
    dummy_verify,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from tumorboard.auth.permissions import (
    CLINICAL_ROLES,
    Role,
    authorize,
    can_manage_users,
)
from tumorboard.db import prebuilt, utcnow
from tumorboard.errors import Conflict, InvalidInput
from tumorboard.extensions import db

USER_FIELDS = ("email", "name", "role", "is_active")

#: Wrong passwords in a row that lock an account, and for how long.
DEFAULT_LOCKOUT_THRESHOLD = 10
DEFAULT_LOCKOUT_MINUTES = 15


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def _check_password(
    password: str, *, email: str, name: str, field: str = "password"
) -> None:
    """Refuse a password that breaks the policy (see ``passwords.password_problem``)."""
    problem = password_problem(password, email=email, name=name)
    if problem:
        raise InvalidInput(problem, field)


def lockout_threshold() -> int:
    """Wrong passwords in a row that lock an account (``LOGIN_LOCKOUT_THRESHOLD``)."""
    return int(
        current_app.config.get("LOGIN_LOCKOUT_THRESHOLD", DEFAULT_LOCKOUT_THRESHOLD)
    )


def lockout_duration() -> timedelta:
    """How long a locked account refuses sign-in (``LOGIN_LOCKOUT_MINUTES``)."""
    minutes = current_app.config.get("LOGIN_LOCKOUT_MINUTES", DEFAULT_LOCKOUT_MINUTES)
    return timedelta(minutes=float(minutes))


def is_locked(user: User, now: datetime | None = None) -> bool:
    """True while the account refuses sign-in after too many wrong passwords."""
    return user.locked_until is not None and user.locked_until > (now or utcnow())


def _check_email_free(email: str, exclude_id: int | None = None) -> None:
    stmt = sa.select(User.id).where(User.email == email)
    if exclude_id is not None:
        stmt = stmt.where(User.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise Conflict(f"An account with the email {email} already exists.", "email")


def _looks_like_email(text: str) -> bool:
    """Only something shaped like an address is written to the audit log: a
    password typed into the email field by mistake must never be stored."""
    local, at, domain = text.partition("@")
    return bool(local and at and "." in domain and not any(c.isspace() for c in text))


def _set_counters(user: User, **values) -> None:
    """Write sign-in counters with one UPDATE that bypasses the account's edit
    version: a failed sign-in must not make an administrator's open form stale,
    and two failures at once must both count (the increment is done by the
    database, not read-modify-write)."""
    db.session.execute(
        sa.update(User).where(User.id == user.id).values(**values),
        execution_options={"synchronize_session": "fetch"},
    )


def record_failure(
    user: User, reason: str, now: datetime, *, action: str = "auth.login_failed"
) -> None:
    """Count a failed sign-in (wrong password, or wrong second factor); lock
    the account at the threshold. Audited under ``action``."""
    failures = db.session.execute(
        sa.update(User)
        .where(User.id == user.id)
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins),
        execution_options={"synchronize_session": "fetch"},
    ).scalar_one()
    audit.record(
        None,
        action,
        "user",
        user.id,
        f"Failed sign-in ({reason}; {failures} in a row)",
    )
    if failures >= lockout_threshold():
        until = now + lockout_duration()
        _set_counters(user, locked_until=until, failed_logins=0)
        audit.record(
            None,
            "auth.lockout",
            "user",
            user.id,
            f"Sign-in to {user.email} locked until {until:%Y-%m-%d %H:%M} UTC "
            f"after {failures} failed attempts in a row",
            changes={"locked_until": [None, until.isoformat()]},
        )


def authenticate(
    email: str, password: str, *, now: datetime | None = None
) -> User | None:
    """Return the active user with these credentials, or None; audits both
    outcomes and, on success, records the sign-in (:func:`record_sign_in`).

    For an account with a second factor, the view calls
    :func:`check_credentials` and records the sign-in only once the second
    factor has been accepted.
    """
    now = now or utcnow()
    user = check_credentials(email, password, now=now)
    if user is not None:
        record_sign_in(user, now=now)
    return user


def check_credentials(
    email: str, password: str, *, now: datetime | None = None
) -> User | None:
    """Return the active user with these credentials, or None (audited).

    Every refusal looks the same to the caller and takes one Argon2
    verification: an unknown email and a locked account are checked against a
    dummy hash, so neither the answer nor its timing tells them apart from a
    wrong password. Wrong passwords are counted per account; at
    ``LOGIN_LOCKOUT_THRESHOLD`` in a row the account is locked for
    ``LOGIN_LOCKOUT_MINUTES``. The count is reset by :func:`record_sign_in`,
    not here: a correct password alone does not clear the failures of a
    second factor.
    """
    now = now or utcnow()
    email = normalise_email(email)
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        dummy_verify(password)
        shown = email if _looks_like_email(email) else "an entry that is not an email"
        audit.record(
            None, "auth.login_failed", "user", "-", f"Failed sign-in for {shown}"
        )
        return None
    if is_locked(user, now):
        dummy_verify(password)
        audit.record(
            None,
            "auth.login_failed",
            "user",
            user.id,
            "Failed sign-in (account locked; the password was not checked)",
        )
        return None
    if user.locked_until is not None:
        # The lock has run out: sign-in is possible again.
        expired = user.locked_until
        _set_counters(user, locked_until=None, failed_logins=0)
        audit.record(
            None,
            "auth.unlock",
            "user",
            user.id,
            f"Sign-in lock of {user.email} expired",
            changes={"locked_until": [expired.isoformat(), None]},
        )
    if not verify_password(user.password_hash, password):
        record_failure(user, "wrong password", now)
        return None
    if not user.is_active:
        audit.record(
            None,
            "auth.login_failed",
            "user",
            user.id,
            "Failed sign-in (inactive account)",
        )
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def record_sign_in(user: User, *, now: datetime | None = None) -> None:
    """The person is fully signed in: clear the failure count, note the time,
    audit ``auth.login``."""
    if user.failed_logins:
        _set_counters(user, failed_logins=0)
    user.last_login_at = now or utcnow()
    audit.record(user, "auth.login", "user", user.id, f"{user.name} signed in")


def unlock_user(actor: User, user: User, *, now: datetime | None = None) -> None:
    """An administrator lifts a sign-in lock (and clears the failure count)."""
    authorize(can_manage_users(actor), "Only administrators manage accounts.")
    now = now or utcnow()
    if not is_locked(user, now) and not user.failed_logins:
        raise InvalidInput(f"The account of {user.name} is not locked.")
    before = {
        "locked_until": user.locked_until.isoformat() if user.locked_until else None,
        "failed_logins": user.failed_logins,
    }
    _set_counters(user, locked_until=None, failed_logins=0)
    audit.record(
        actor,
        "auth.unlock",
        "user",
        user.id,
        f"Unlocked sign-in for {user.email}",
        changes=audit.diff(before, {"locked_until": None, "failed_logins": 0}),
    )


@dataclass(frozen=True)
class StepUp:
    """Proof that ``actor_id`` typed their own password again in this request,
    returned by :func:`confirm_identity` and required by administrators'
    password actions."""

    actor_id: int
    at: datetime


def confirm_identity(
    actor: User, password: str | None, *, purpose: str, now: datetime | None = None
) -> StepUp | None:
    """Check the actor's own password before a sensitive action (step-up).

    Returns the proof, or None after auditing the refusal: a view calls this
    outside :func:`~tumorboard.web.attempt` so that the audit entry of a
    refused confirmation is kept.
    """
    if password and verify_password(actor.password_hash, password):
        return StepUp(actor.id, now or utcnow())
    audit.record(
        actor,
        "auth.step_up_failed",
        "user",
        actor.id,
        f"{actor.name} gave a wrong own password to {purpose}; refused",
    )
    return None


def _require_step_up(actor: User, step_up: StepUp | None) -> None:
    if step_up is None or step_up.actor_id != actor.id:
        raise InvalidInput("Confirm with your own password.", "admin_password")


def create_user(
    actor: User | None,
    *,
    email: str,
    name: str,
    role: Role | str,
    password: str,
    is_active: bool = True,
) -> User:
    """Create an account (admin only; ``actor`` None is the command line).

    A password chosen by an administrator must be replaced by its owner at the
    first sign-in; one typed at the command line (the first administrator,
    demo accounts) need not.
    """
    if actor is not None:
        authorize(can_manage_users(actor), "Only administrators manage accounts.")
    email = normalise_email(email)
    _check_email_free(email)
    _check_password(password, email=email, name=name)
    user = User(
        email=email,
        name=name.strip(),
        role=Role(role),
        password_hash=hash_password(password),
        is_active=is_active,
        must_change_password=actor is not None,
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
        sessions.revoke_all(user)
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


def admin_create_user(actor: User, *, step_up: StepUp | None, **fields) -> User:
    """An administrator creates an account after confirming their own password."""
    authorize(can_manage_users(actor), "Only administrators manage accounts.")
    _require_step_up(actor, step_up)
    return create_user(actor, **fields)


def set_password(actor: User, user: User, new_password: str) -> None:
    """Set a new password (admin reset or own change); old sessions are revoked.

    An administrator's reset ends every session of the person; the owner's own
    change keeps the session it was made in and ends the others. A password
    set by an administrator must be changed by its owner at the next sign-in;
    the owner's own change clears that.
    """
    if actor.id != user.id:
        authorize(can_manage_users(actor), "Only administrators reset passwords.")
    _check_password(
        new_password, email=user.email, name=user.name, field="new_password"
    )
    user.password_hash = hash_password(new_password)
    user.login_id = new_login_id()
    own = sessions.current_session() if actor.id == user.id else None
    sessions.revoke_all(user, keep=own if own and own.user_id == user.id else None)
    user.must_change_password = actor.id != user.id
    db.session.flush()
    summary = (
        "Changed own password"
        if actor.id == user.id
        else f"Reset the password of {user.email}; to be changed at the next sign-in"
    )
    audit.record(actor, "user.password", "user", user.id, summary)


def admin_reset_password(
    actor: User, user: User, new_password: str, *, step_up: StepUp | None
) -> None:
    """An administrator sets someone's password after confirming their own."""
    authorize(can_manage_users(actor), "Only administrators reset passwords.")
    _require_step_up(actor, step_up)
    set_password(actor, user, new_password)


def change_own_password(user: User, current_password: str, new_password: str) -> None:
    """A user changes their own password after proving the current one."""
    if not verify_password(user.password_hash, current_password):
        raise InvalidInput("The current password is not correct.", "current_password")
    if new_password == current_password:
        raise InvalidInput(
            "The new password must differ from the current one.", "new_password"
        )
    set_password(user, user, new_password)


def clinicians() -> list[User]:
    """Active clinicians, by name, for lead-clinician choices."""
    return list(db.session.scalars(_active_clinicians()))


@prebuilt
def _active_clinicians() -> sa.Select:
    return (
        sa.select(User)
        .where(User.is_active.is_(True), User.role.in_(sorted(CLINICAL_ROLES)))
        .order_by(User.name)
    )
