"""Errors of the API as ``application/problem+json`` (RFC 9457), with the
field-level details of refused input."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, jsonify, request
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException, default_exceptions
from werkzeug.http import HTTP_STATUS_CODES

from tumorboard.errors import (
    AccessDenied,
    Conflict,
    NotFound,
    ServiceError,
    note_refusal,
)
from tumorboard.extensions import db

PROBLEM_TYPE = "application/problem+json"
#: Where every API address starts.
PREFIX = "/api/v1"


class FieldError(Schema):
    field = fields.String()
    message = fields.String()
    location = fields.String()


class ProblemSchema(Schema):
    """RFC 9457 problem details, with the refused fields."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    instance = fields.String()
    errors = fields.List(fields.Nested(FieldError))


def problem(blueprint, code: int, description: str):
    """Document that a view may answer ``code`` with a problem document."""
    return blueprint.alt_response(
        code, schema=ProblemSchema, content_type=PROBLEM_TYPE, description=description
    )


class Problem(HTTPException):
    """An API error with a status, a title and optional field errors."""

    def __init__(
        self,
        code: int,
        detail: str,
        *,
        title: str | None = None,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail)
        self.code = code
        self.title = title
        self.errors = errors or []
        self.extra_headers = headers or {}


def problem_response(
    status: int,
    title: str,
    detail: str = "",
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
):
    """A problem details document."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_TYPE
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _field_errors(messages: Any, path: str = "") -> list[dict[str, str]]:
    """webargs/marshmallow messages as ``[{"field", "message"}]``, one per message."""
    found: list[dict[str, str]] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            found += _field_errors(value, f"{path}.{key}" if path else str(key))
    elif isinstance(messages, list | tuple):
        for value in messages:
            if isinstance(value, dict | list | tuple):
                found += _field_errors(value, path)
            else:
                found.append({"field": path or "body", "message": str(value)})
    else:
        found.append({"field": path or "body", "message": str(messages)})
    return found


def _location_free(errors: list[dict[str, str]]) -> list[dict[str, str]]:
    """Drop webargs' location (``json.``, ``query.``) from field names."""
    for error in errors:
        for location in ("json.", "query.", "headers.", "form.", "files."):
            if error["field"].startswith(location):
                error["field"] = error["field"].removeprefix(location)
                error["location"] = location.rstrip(".")
                break
    return errors


def from_http_error(error: HTTPException):
    """Any HTTP error raised under the API, as a problem."""
    if isinstance(error, Problem):
        return problem_response(
            error.code,
            error.title or _title(error.code),
            error.description or "",
            error.errors,
            error.extra_headers,
        )
    code = error.code or 500
    errors = None
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if messages:
        errors = _location_free(_field_errors(messages))
    detail = error.description or ""
    if code == 422 and errors:
        detail = "The request has invalid or unknown fields: " + ", ".join(
            sorted({e["field"] for e in errors})
        )
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    return problem_response(code, _title(code), detail, errors, headers)


def _title(code: int) -> str:
    return HTTP_STATUS_CODES.get(code, "Error")


def from_service_error(error: ServiceError):
    """A service's refusal: 404, 409 or 422 with the field named."""
    db.session.rollback()
    if isinstance(error, NotFound):
        status = 404
    elif isinstance(error, Conflict):
        status = 409
    else:
        status = 422
    errors = [
        {"field": one.field or "body", "message": one.message}
        for one in (getattr(error, "errors", None) or [error])
    ]
    return problem_response(status, _title(status), error.message, errors)


def from_access_denied(error: AccessDenied):
    """An object rule refused the caller."""
    note_refusal("access.denied", str(error))
    return problem_response(403, "Forbidden", str(error))


def register_on(blueprint) -> None:
    """Problem documents for everything raised in ``blueprint``'s views."""
    for code in default_exceptions:
        blueprint.register_error_handler(code, from_http_error)
    blueprint.register_error_handler(HTTPException, from_http_error)
    blueprint.register_error_handler(ServiceError, from_service_error)
    blueprint.register_error_handler(AccessDenied, from_access_denied)


def register_unmatched(app: Flask) -> None:
    """Problem documents for addresses under the API that match no route."""

    # No blueprint handles an address that matches no route: the app's HTML
    # pages would answer; under the API a problem answers instead.
    for code in (404, 405):
        html = app.error_handler_spec[None][code].get(default_exceptions[code])

        def handler(error, html=html):
            if request.path.startswith(PREFIX + "/") and request.blueprint is None:
                return from_http_error(error)
            return html(error)

        app.register_error_handler(code, handler)


def server_error(error):
    """A crash under the API: logged, and a problem without internals."""
    current_app.logger.exception("API error on %s", request.path)
    return problem_response(500, "Internal Server Error", "The error was logged.")
