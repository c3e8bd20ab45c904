"""Operational logs: JSON lines in production and one line per request.

Each request gets an id (the proxy's ``X-Request-ID`` when it sends a
sensible one, else a new one), sent back in the ``X-Request-ID`` header and
logged with the method, the path without its query string (a search may
carry a patient's name), the route, the status, the duration and the
signed-in account's id. Nothing else of the request is logged: no query
string, form, header or cookie. Secret path parts (a calendar feed's token)
are masked.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

import sqlalchemy as sa
from flask import Flask, g, request
from pythonjsonlogger.json import JsonFormatter

log = logging.getLogger("tumorboard.request")

#: An incoming request id is kept only if it looks like one.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
#: URL variables whose values are secrets.
SECRET_ARGS = ("token",)
MASK = "[masked]"
#: Libraries that report each step of their work at INFO: WARNING and above.
CHATTY = ("weasyprint", "fontTools", "pikepdf")


def json_formatter() -> logging.Formatter:
    """One JSON object per line: time, level, logger, message and extras."""
    return JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        datefmt="%Y-%m-%dT%H:%M:%S%z",
    )


def configure_logging(app: Flask) -> None:
    """``LOG_FORMAT = "json"``: the root logger writes JSON lines to stderr
    at ``LOG_LEVEL``. ``"text"`` leaves logging as it is (development and
    tests, where pytest and the console show records)."""
    if app.config.get("LOG_FORMAT") != "json":
        return
    root = logging.getLogger()
    for handler in root.handlers:
        if getattr(handler, "tumorboard_json", False):
            break
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.tumorboard_json = True
        handler.setFormatter(json_formatter())
        root.addHandler(handler)
    root.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.WARNING)


def request_id() -> str | None:
    """The current request's id."""
    return g.get("request_id")


def logged_path() -> str:
    """The request's path without the query string, secret parts masked."""
    path = request.path
    for name, value in (request.view_args or {}).items():
        if any(secret in name for secret in SECRET_ARGS) and value:
            path = path.replace(str(value), MASK)
    return path


def init_app(app: Flask) -> None:
    """Give each request an id and log one line when its response leaves."""
    configure_logging(app)

    @app.before_request
    def start_request_log():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def write_request_log(response):
        started = g.get("request_started")
        if started is None:
            return response
        response.headers["X-Request-ID"] = g.request_id
        if app.config.get("REQUEST_LOG", True):
            duration = (time.perf_counter() - started) * 1000
            # The account the request already loaded, if any, from its
            # identity key: never a query of its own (the request's commit
            # has expired its attributes, the database may be down, /healthz
            # needs none). Its id, not Flask-Login's id, which is a revocable
            # session key. An anonymous user is not a mapped object.
            state = sa.inspect(g.get("_login_user"), raiseerr=False)
            user_id = (
                state.identity[0] if state is not None and state.identity else None
            )
            path = logged_path()
            log.info(
                "%s %s %s %.1f ms",
                request.method,
                path,
                response.status_code,
                duration,
                extra={
                    "request_id": g.request_id,
                    "method": request.method,
                    "path": path,
                    "route": request.url_rule.rule if request.url_rule else None,
                    "status": response.status_code,
                    "duration_ms": round(duration, 1),
                    "user_id": user_id,
                },
            )
        return response
