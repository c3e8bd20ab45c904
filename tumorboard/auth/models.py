"""User accounts."""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from tumorboard.auth.permissions import Role
from tumorboard.db import TimestampMixin, enum_type
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
    #: Base32 TOTP secret once multi-factor sign-in is enrolled.
    mfa_secret: Mapped[str | None] = mapped_column(sa.String(64))
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
