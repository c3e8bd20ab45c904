"""Personal API tokens."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tumorboard.auth.models import User
from tumorboard.db import enum_type, utcnow
from tumorboard.extensions import db

#: Longest name a person may give a token.
TOKEN_NAME_LIMIT = 80


class TokenScope(enum.StrEnum):
    """What a token may do: read only, or read and change."""

    READ = "read"
    READ_WRITE = "read_write"

    @property
    def label(self) -> str:
        """Human-readable scope."""
        return {"read": "Read", "read_write": "Read and write"}[self.value]


class ApiToken(db.Model):
    """A personal API token: its secret is shown once and only its SHA-256 kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(TOKEN_NAME_LIMIT))
    #: SHA-256 (hex) of the secret. The secret has 256 random bits, so a fast
    #: hash cannot be brute-forced and lets a request find its token in one
    #: indexed lookup; a slow password hash would protect nothing more.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: The first characters of the secret, shown so the owner can tell tokens apart.
    prefix: Mapped[str] = mapped_column(sa.String(12))
    scope: Mapped[TokenScope] = mapped_column(enum_type(TokenScope, "api_token_scope"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="raise")

    def is_live(self, now: datetime) -> bool:
        """Neither revoked nor expired at ``now``."""
        return self.revoked_at is None and self.expires_at > now

    @property
    def reference(self) -> str:
        """How the audit log and pages name the token."""
        return f"token {self.id} ({self.prefix}…)"
