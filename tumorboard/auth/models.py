"""User accounts."""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tumorboard.auth.permissions import Role
from tumorboard.db import TimestampMixin, enum_type, utcnow
from tumorboard.extensions import db


def new_login_id() -> str:
    """A fresh random session identifier for Flask-Login."""
    return secrets.token_urlsafe(24)


class User(UserMixin, TimestampMixin, db.Model):
    """A person who signs in; one role per account."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[Role] = mapped_column(enum_type(Role, "user_role"))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    #: TOTP secret, encrypted with the MFA key from the settings (never stored
    #: in clear); set when enrolment starts, in force once ``mfa_enabled_at``.
    mfa_secret: Mapped[str | None] = mapped_column(sa.String(255))
    #: When the owner confirmed enrolment with a valid code.
    mfa_enabled_at: Mapped[datetime | None]
    #: The TOTP time step of the last accepted code: a code is never accepted
    #: twice, nor an older one.
    mfa_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    #: What the session cookie carries instead of the primary key; replacing it
    #: signs out every existing session (password change, deactivation).
    login_id: Mapped[str] = mapped_column(
        sa.String(64), unique=True, default=new_login_id
    )
    last_login_at: Mapped[datetime | None]
    #: Wrong passwords in a row since the last successful sign-in.
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Sign-in is refused until then after too many wrong passwords.
    locked_until: Mapped[datetime | None]
    #: Wrong own passwords in a row when confirming a signature (step-up).
    step_up_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Signing is refused until then after too many wrong own passwords.
    step_up_locked_until: Mapped[datetime | None]
    #: Set when an administrator chose the password: the owner replaces it at
    #: the next sign-in.
    must_change_password: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false()
    )
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    def get_id(self) -> str:
        """Flask-Login identifier: the revocable login id, not the primary key."""
        return self.login_id

    @property
    def role_label(self) -> str:
        """Human-readable role."""
        return Role(self.role).label

    @property
    def is_clinician(self) -> bool:
        """True for roles that take part in the clinical discussion."""
        return Role(self.role).is_clinician

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class RecoveryCode(db.Model):
    """A single-use MFA recovery code, stored as an Argon2 hash."""

    __tablename__ = "mfa_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]


class UserSession(db.Model):
    """A signed-in browser: the cookie carries a random token whose SHA-256 is
    kept here, so signing out (or being signed out) kills a copied cookie."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str | None] = mapped_column(sa.String(255))

    user: Mapped[User] = relationship()
