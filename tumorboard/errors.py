"""Exceptions raised by services and the HTTP error pages."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError


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


class NotFound(ServiceError):
    """The record exists no more for this purpose (withdrawn, file missing): a 404."""


class Conflict(ServiceError):
    """The record changed since the user opened it (stale edit) or already exists."""


def apply_to_form(form, error: ServiceError) -> None:
    """Attach a service error to the matching form field, or to the form itself."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def register_error_handlers(app: Flask) -> None:
    """HTML error pages for 400, 403, 404, 405, 413 and 500."""

    def page(code: int, title: str, message: str):
        return (
            render_template(
                "errors/error.html", code=code, title=title, message=message
            ),
            code,
        )

    @app.errorhandler(CSRFError)
    def csrf_error(error):
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
        return page(400, "Bad request", getattr(error, "description", ""))

    @app.errorhandler(AccessDenied)
    def access_denied(error):
        return page(403, "Not allowed", str(error))

    @app.errorhandler(403)
    def forbidden(error):
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
        return page(405, "Method not allowed", "This page cannot be used that way.")

    @app.errorhandler(413)
    def too_large(error):
        limit = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return page(413, "Upload too large", f"Files may be at most {limit} MB.")

    @app.errorhandler(500)
    def server_error(error):
        return page(
            500,
            "Something went wrong",
            "The error was logged. Nothing you submitted was half-saved; please try "
            "again, and tell the administrator if it happens again.",
        )
