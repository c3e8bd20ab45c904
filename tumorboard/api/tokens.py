"""Personal API tokens: create (the secret shown once), list, revoke, and
authenticate a request's bearer token. Every use is audited with the token id."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from tumorboard.api.models import TOKEN_NAME_LIMIT, ApiToken, TokenScope
from tumorboard.audit import services as audit
from tumorboard.auth.models import User
from tumorboard.auth.permissions import authorize
from tumorboard.db import utcnow
from tumorboard.errors import InvalidInput, collect_errors
from tumorboard.extensions import db
from tumorboard.validation import clean_text

#: What every secret starts with, so that leaked tokens are easy to recognise.
SECRET_PREFIX = "tbk_"
#: Lifetimes a person may choose, in days.
LIFETIMES = (7, 30, 90, 365)


def hash_secret(secret: str) -> str:
    """SHA-256 (hex) of a token's secret, the only form that is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    actor: User,
    name: str,
    scope: TokenScope | str,
    lifetime_days: int,
    *,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Create a token for ``actor``; returns it and its secret (shown once)."""
    authorize(bool(actor.is_active), "Only an active account can create tokens.")
    with collect_errors() as errors:
        with errors.check():
            name = clean_text(name, "name", "The name", TOKEN_NAME_LIMIT) or ""
            if not name:
                raise InvalidInput("Give the token a name.", "name")
        with errors.check():
            try:
                scope = TokenScope(scope)
            except ValueError:
                raise InvalidInput("Choose read or read and write.", "scope") from None
        with errors.check():
            if lifetime_days not in LIFETIMES:
                raise InvalidInput(
                    "Choose a lifetime of "
                    + ", ".join(str(d) for d in LIFETIMES)
                    + " days.",
                    "lifetime_days",
                )
    now = now or utcnow()
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=actor.id,
        name=name,
        token_hash=hash_secret(secret),
        prefix=secret[: len(SECRET_PREFIX) + 4],
        scope=scope,
        created_at=now,
        expires_at=now + timedelta(days=lifetime_days),
    )
    db.session.add(token)
    db.session.flush()
    audit.record(
        actor,
        "api_token.create",
        "api_token",
        token.id,
        f"Created API {token.reference}, {scope.label.lower()}, "
        f"expires in {lifetime_days} days",
        changes={"name": [None, name], "scope": [None, scope.value]},
    )
    return token, secret


def tokens_of(user: User) -> list[ApiToken]:
    """A person's tokens, newest first (revoked and expired ones too)."""
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_token(actor: User, token: ApiToken, *, now: datetime | None = None) -> None:
    """Revoke one of the actor's own tokens; audited."""
    authorize(token.user_id == actor.id, "You can only revoke your own tokens.")
    if token.revoked_at is not None:
        raise InvalidInput("This token is already revoked.")
    token.revoked_at = now or utcnow()
    db.session.flush()
    audit.record(
        actor,
        "api_token.revoke",
        "api_token",
        token.id,
        f"Revoked API {token.reference}",
    )


class TokenRefused(Exception):
    """The bearer token is unknown, revoked, expired or its owner inactive."""

    def __init__(self, message: str, token: ApiToken | None = None):
        super().__init__(message)
        self.message = message
        self.token = token


def authenticate(secret: str, *, now: datetime | None = None) -> ApiToken:
    """The live token of ``secret`` with its owner loaded (one SELECT), or
    :class:`TokenRefused` saying why."""
    now = now or utcnow()
    token = db.session.scalar(
        sa.select(ApiToken)
        .join(ApiToken.user)
        .options(contains_eager(ApiToken.user))
        .where(ApiToken.token_hash == hash_secret(secret))
    )
    if token is None:
        raise TokenRefused("The API token is not valid.")
    if token.revoked_at is not None:
        raise TokenRefused("The API token was revoked.", token)
    if token.expires_at <= now:
        raise TokenRefused("The API token has expired.", token)
    if not token.user.is_active:
        raise TokenRefused("The account of this API token is deactivated.", token)
    return token


def record_use(token: ApiToken, method: str, path: str, now: datetime | None = None):
    """Audit one request made with ``token`` (the token id, method and path)."""
    token.last_used_at = now or utcnow()
    audit.record(
        token.user,
        "api_token.use",
        "api_token",
        token.id,
        f"API {token.reference}: {method} {path[:300]}",
    )


class _Owner:
    """Who an audit entry names when only the id is at hand."""

    def __init__(self, user_id: int | None):
        self.id = user_id


def record_refused(
    token_id: int | None, user_id: int | None, message: str, method: str, path: str
):
    """Audit a request refused for its token (revoked, expired, unknown)."""
    audit.record(
        _Owner(user_id),
        "api_token.refused",
        "api_token",
        token_id if token_id is not None else "-",
        f"Refused {method} {path[:300]}: {message}",
    )
