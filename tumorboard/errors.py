"""Exceptions raised by services and the HTTP error pages."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from redis.exceptions import RedisError
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from tumorboard.extensions import db
from tumorboard.hooks import Hook

log = logging.getLogger(__name__)

#: Run when a request is refused, with the action to record
#: (``access.denied`` for a 403, ``access.csrf_refused`` for a form whose
#: security token failed) and the application's short explanation; the audit
#: log registers here. The callbacks run in a transaction of their own, after
#: the request's own changes were rolled back (:func:`note_refusal`).
request_refused = Hook(
    "request_refused", "A request was refused: (action, explanation) -> None"
)

#: The database cannot be reached (down, restarting, refusing connections, no
#: free connection in the pool): a 503 page, never a traceback.
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError, PoolTimeout)

#: Seconds a client is asked to wait before retrying when the database is down
#: (the ``Retry-After`` header); ``UNAVAILABLE_RETRY_AFTER`` overrides it.
DEFAULT_RETRY_AFTER = 30


class AccessDenied(Exception):
    """Raised by services when an object rule refuses the actor (a 403 page)."""


class ServiceError(Exception):
    """A request that a service refuses; the message is shown to the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        #: Form field the message belongs to, when there is one.
        self.field = field


class InvalidInput(ServiceError, ValueError):
    """Input that breaks a rule only the service can check."""


class SeveralInvalid(InvalidInput):
    """Several rule errors found in one go, so that a form shows them all at
    once instead of one per round."""

    def __init__(self, errors: list[ServiceError]):
        super().__init__(" ".join(e.message for e in errors))
        self.errors = errors


class ErrorCollector:
    """Gathers the :class:`InvalidInput` errors of independent checks."""

    def __init__(self) -> None:
        self.errors: list[ServiceError] = []

    @contextmanager
    def check(self) -> Iterator[None]:
        """Run one check; an InvalidInput it raises is kept, not propagated."""
        try:
            yield
        except SeveralInvalid as error:
            self.errors.extend(error.errors)
        except InvalidInput as error:
            self.errors.append(error)

    def raise_any(self) -> None:
        """Raise what was gathered: one error as itself, several together."""
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise SeveralInvalid(list(self.errors))


@contextmanager
def collect_errors() -> Iterator[ErrorCollector]:
    """A collector whose errors are raised together when the block ends."""
    errors = ErrorCollector()
    yield errors
    errors.raise_any()


class NotFound(ServiceError):
    """The record exists no more for this purpose (withdrawn, file missing): a 404."""


class Conflict(ServiceError):
    """The record changed since the user opened it (stale edit) or already exists."""


def apply_to_form(form, error: ServiceError) -> None:
    """Attach a service error to the matching form field, or to the form itself
    (each of several errors to its own field)."""
    for one in getattr(error, "errors", None) or [error]:
        field = getattr(form, one.field, None) if one.field else None
        if field is not None:
            if one.message not in field.errors:
                field.errors = [*field.errors, one.message]
        elif one.message not in form.form_errors:
            form.form_errors.append(one.message)


def database_unavailable(error: BaseException | None) -> bool:
    """Whether ``error`` says the database cannot be reached right now."""
    return isinstance(error, UNAVAILABLE_ERRORS) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    )


def _brief(error: BaseException) -> str:
    """The driver's first line about ``error``, without the SQL statement and
    its parameters (which may hold patient data)."""
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0] if lines else ''}"


def _plain_page(code: int, title: str, message: str) -> str:
    """An error page built without templates, for when even they fail."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)} · tumorboard</title></head><body>"
        f"<h1>{escape(title)}</h1><p>{escape(message)}</p>"
        f"<p>Error {code}</p></body></html>"
    )


def _error_headers(error) -> list[tuple[str, str]]:
    """Headers an HTTP error must keep (``Allow``, ``Retry-After``...)."""
    if not isinstance(error, HTTPException):
        return []
    return [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]


def register_error_handlers(app: Flask) -> None:
    """HTML error pages: 400, 403, 404, 405, 409, 413, 500, every other HTTP
    error, and 503 when the database cannot be reached.

    An error page never needs the database: if showing the usual page fails
    because the database is down, the 503 page is shown instead, and if it
    fails for any other reason a plain page is.
    """

    def unavailable(error: BaseException):
        log.error("database unavailable on %s: %s", request.path, _brief(error))
        _forget_failed_transaction()
        try:
            body = render_template("errors/unavailable.html")
        except Exception:
            log.exception("the 503 page could not be rendered")
            body = _plain_page(
                503,
                "Temporarily unavailable",
                "The service cannot reach its database. Try again in a minute.",
            )
        response = make_response(body, 503)
        response.headers["Retry-After"] = str(
            app.config.get("UNAVAILABLE_RETRY_AFTER", DEFAULT_RETRY_AFTER)
        )
        return response

    def page(code: int, title: str, message: str, error=None):
        try:
            # ``error_page``: the menu leaves out what would query (the
            # signature count), as the request's transaction may have failed.
            body = render_template(
                "errors/error.html",
                code=code,
                title=title,
                message=message,
                error_page=True,
            )
        except Exception as failure:
            # The page itself needed the database (the signed-in user, the
            # menu) and the database is down; or the template broke.
            if database_unavailable(failure):
                return unavailable(failure)
            log.exception("the %s page could not be rendered", code)
            body = _plain_page(code, title, message)
        return body, code, _error_headers(error)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        note_refusal("access.csrf_refused", "security token missing or expired")
        return page(
            400,
            "The form expired",
            "The form could not be accepted because its security token was missing "
            "or has expired. Go back, reload the page and submit it again; nothing "
            "was saved.",
        )

    @app.errorhandler(StaleDataError)
    def stale_data(error):
        # Two saves of the same record crossed: the later one lost the race.
        return page(
            409,
            "Changed by someone else",
            "Someone else saved this record at the same moment, so your change was "
            "not saved. Go back, reload the page to see their version, and apply "
            "your change again.",
        )

    @app.errorhandler(IntegrityError)
    def integrity_error(error):
        return page(
            409,
            "Conflicts with an existing record",
            "Your change conflicts with a record saved a moment ago (for example a "
            "duplicate). Nothing was saved; reload the page and try again.",
        )

    @app.errorhandler(400)
    def bad_request(error):
        return page(400, "Bad request", getattr(error, "description", ""), error)

    @app.errorhandler(AccessDenied)
    def access_denied(error):
        note_refusal("access.denied", str(error))
        return page(403, "Not allowed", str(error))

    @app.errorhandler(403)
    def forbidden(error):
        note_refusal("access.denied", "the role does not give access to this page")
        return page(
            403,
            "Not allowed",
            "Your role does not give access to this page. Ask an administrator "
            "if you think it should.",
        )

    @app.errorhandler(NotFound)
    def gone(error):
        return page(404, "Not found", error.message)

    @app.errorhandler(404)
    def not_found(error):
        return page(
            404, "Not found", f"There is nothing at {request.path}, or it was removed."
        )

    @app.errorhandler(405)
    def method_not_allowed(error):
        return page(
            405, "Method not allowed", "This page cannot be used that way.", error
        )

    @app.errorhandler(413)
    def too_large(error):
        limit = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return page(413, "Upload too large", f"Files may be at most {limit} MB.")

    @app.errorhandler(RedisError)
    def limits_unavailable(error):
        # Redis holds the rate-limit counters of the sign-in and password
        # forms: without them those forms fail closed, refused rather than
        # left without a limit. Every other page goes on working.
        log.error("rate-limit store unavailable on %s: %s", request.path, _brief(error))
        shown = page(
            503,
            "Sign-in temporarily unavailable",
            "Sign-in and password changes cannot be checked against their limits "
            "right now, so they are refused for the moment; nothing was changed. "
            "Try again in a minute. If this lasts, tell the administrator.",
        )
        response = make_response(*shown) if isinstance(shown, tuple) else shown
        response.headers["Retry-After"] = str(
            app.config.get("UNAVAILABLE_RETRY_AFTER", DEFAULT_RETRY_AFTER)
        )
        return response

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)
    def value_out_of_range(error):
        # Input that got past the forms but not past the database: a number
        # too large for its column, a text too long, a character it refuses.
        log.warning(
            "value refused by the database on %s: %s",
            request.endpoint,
            type(getattr(error, "orig", None) or error).__name__,
        )
        return page(
            400,
            "A value cannot be stored",
            "A value you entered is out of range: a number too large, a text too "
            "long or a character that cannot be stored. Nothing was saved; go "
            "back, correct it and try again.",
        )

    for unavailable_error in UNAVAILABLE_ERRORS:
        app.register_error_handler(unavailable_error, unavailable)

    @app.errorhandler(HTTPException)
    def other_http_error(error):
        # Every HTTP error without a page of its own above (401, 410, 429...).
        if error.code is None or error.code < 400:
            return error
        return page(error.code, error.name, error.description or "", error)

    @app.errorhandler(500)
    def server_error(error):
        original = getattr(error, "original_exception", None)
        if database_unavailable(original):
            return unavailable(original)
        return page(
            500,
            "Something went wrong",
            "The error was logged. Nothing you submitted was half-saved; please try "
            "again, and tell the administrator if it happens again.",
        )


def note_refusal(action: str, explanation: str) -> None:
    """Run :data:`request_refused` in a transaction of its own (see
    :func:`record_apart`)."""
    record_apart(lambda: request_refused.run(action, explanation), "the refusal")


def record_apart(write: Callable[[], Any], what: str) -> None:
    """Run ``write`` in a transaction of its own, so that its record of a
    refused request survives the request.

    Whatever the refused request changed is rolled back first (a view that
    raised was already rolled back by the request boundary; a refusal before
    the view, such as an undeclared endpoint, a failed CSRF check or a refused
    API token, is rolled back here), then ``write``'s changes are committed. If
    that fails (the database is down) ``what`` is logged as not recorded and
    the refusal is still answered.
    """
    try:
        db.session.rollback()
        write()
        db.session.commit()
    except Exception:
        log.exception(
            "%s of %s %s was not recorded", what, request.method, request.path
        )
        _forget_failed_transaction()


def _forget_failed_transaction() -> None:
    """Roll the session back after a lost connection, ignoring further errors."""
    try:
        db.session.rollback()
    except Exception:
        log.debug("rollback after a database error failed too", exc_info=True)
