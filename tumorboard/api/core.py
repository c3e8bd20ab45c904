"""What every API request goes through: who is calling (a bearer token, or the
browser's session with its CSRF token), what they may do, pagination by
cursor, and ETag / If-Match on versioned records."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, g, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from tumorboard.api import tokens
from tumorboard.api.models import TokenScope
from tumorboard.api.problems import Problem
from tumorboard.auth.permissions import ACCESS_ATTR, Permission, has_permission
from tumorboard.errors import note_refusal, record_apart
from tumorboard.extensions import csrf

#: Methods that change nothing: a read-only token may use them.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Most records one page of a list holds, and how many it holds by default.
MAX_PAGE = 250
DEFAULT_PAGE = 50


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return secret.strip()


def authenticate_request() -> None:
    """Blueprint ``before_request``: a bearer token signs the request in for
    this request only (no cookie); without one, the browser's session is
    used and unsafe methods need the CSRF token as in the web pages."""
    if g.get("api_token") is not None:
        # A context shared with an earlier request (tests) must not keep its
        # token's user.
        g.pop("_login_user", None)
    g.api_token = None
    if "Authorization" not in request.headers:
        if request.method not in SAFE_METHODS and current_app.config.get(
            "WTF_CSRF_ENABLED", True
        ):
            try:
                csrf.protect()
            except CSRFError:
                note_refusal("access.csrf_refused", "security token missing or expired")
                raise Problem(
                    403,
                    "A signed-in browser must send the X-CSRFToken header; "
                    "other clients use an API token.",
                ) from None
        return
    secret = _bearer()
    if not secret:
        raise Problem(
            401,
            "Send the API token as 'Authorization: Bearer <token>'.",
            headers={"WWW-Authenticate": 'Bearer realm="tumorboard"'},
        )
    try:
        token = tokens.authenticate(secret)
    except tokens.TokenRefused as refused:
        token_id = refused.token.id if refused.token else None
        user_id = refused.token.user_id if refused.token else None
        message = refused.message
        # Recorded in a transaction of its own: the request goes no further.
        record_apart(
            lambda: tokens.record_refused(
                token_id, user_id, message, request.method, request.path
            ),
            "the refused token",
        )
        raise Problem(
            401,
            message,
            headers={
                "WWW-Authenticate": 'Bearer realm="tumorboard", error="invalid_token"'
            },
        ) from None
    # Flask-Login's current user for this request only: nothing is stored in
    # the session, and every rule sees the token's owner.
    g._login_user = token.user
    g.api_token = token
    tokens.record_use(token, request.method, request.path)
    if request.method not in SAFE_METHODS and token.scope != TokenScope.READ_WRITE:
        raise Problem(403, "This API token may only read.")


def access(permission: Permission | None) -> Callable[[Callable], Callable]:
    """Declare and check an API view's access: signed in (token or session)
    and, unless ``permission`` is None, granted ``permission`` by the role."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                raise Problem(
                    401,
                    "Sign in, or send an API token as 'Authorization: Bearer <token>'.",
                    headers={"WWW-Authenticate": 'Bearer realm="tumorboard"'},
                )
            if permission is not None and not has_permission(current_user, permission):
                note_refusal("access.denied", "the role does not give access to this")
                raise Problem(403, "Your role does not give access to this.")
            return view(*args, **kwargs)

        setattr(wrapper, ACCESS_ATTR, permission or "authenticated")
        return wrapper

    return decorator


def per_method_access(view: Callable) -> Callable:
    """Declare a class-based view whose every method declares :func:`access`."""
    setattr(view, ACCESS_ATTR, "per method")
    return view


def multipart(view: Callable) -> Callable:
    """An API view whose body is ``multipart/form-data`` (a file upload)
    rather than JSON."""
    view.multipart = True
    return view


def takes_multipart(view: Callable | None, method: str) -> bool:
    """Whether ``view`` (a function, or a class-based view's method) is
    marked with :func:`multipart`."""
    handler = getattr(getattr(view, "view_class", None), method.lower(), view)
    return bool(getattr(handler, "multipart", False))


def public(view: Callable) -> Callable:
    """An API view that needs no sign-in (the OpenAPI document)."""
    setattr(view, ACCESS_ATTR, "public")
    return view


# Pagination ------------------------------------------------------------------


def page(items: list[Any], limit: int) -> dict[str, Any]:
    """A page of ``items`` (fetched ``limit + 1`` to know whether more follow)."""
    more = len(items) > limit
    shown = items[:limit]
    return {
        "items": shown,
        # Keyset pagination: the cursor is the last id shown, so a page never
        # skips or repeats a record when others are added meanwhile.
        "next_cursor": shown[-1].id if more and shown else None,
    }


# ETag / If-Match --------------------------------------------------------------


def etag_of(record: Any) -> str:
    """The strong ETag of a versioned record: its type, id and version."""
    return f'"{type(record).__name__.lower()}-{record.id}-v{record.version}"'


def required_version(record: Any) -> int:
    """The version the client last saw, from ``If-Match``: 428 without the
    header, 412 when it names another version."""
    given = request.headers.get("If-Match")
    if not given:
        raise Problem(
            428,
            "Send If-Match with the ETag of the record you last read, so that "
            "no one else's change is overwritten.",
        )
    if given.strip() != etag_of(record):
        raise Problem(
            412,
            "The record changed since you read it. Read it again and re-apply "
            "your change.",
            headers={"ETag": etag_of(record)},
        )
    return record.version
