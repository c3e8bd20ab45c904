"""The request boundary: one database transaction per request.

Every view runs inside one transaction (in the spirit of Indico's request
handler): once the view has returned its response the transaction commits, and
any exception rolls it back before the error page is built. Views and services
never commit; a view that calls a service through :func:`attempt` gets a
refused request back as a form error or a flash message, with the service's
half-done changes rolled back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from flask import Flask, flash, session

from tumorboard.errors import ServiceError, apply_to_form
from tumorboard.extensions import db


class App(Flask):
    """Flask with the transaction boundary around every view."""

    def dispatch_request(self) -> Any:
        """Run the view, then commit; roll back on any exception."""
        try:
            response = super().dispatch_request()
        except BaseException:
            db.session.rollback()
            raise
        try:
            db.session.commit()
        except BaseException:
            db.session.rollback()
            # "Saved" messages queued by the view are no longer true.
            session.pop("_flashes", None)
            raise
        return response


class _Refused:
    """The result of :func:`attempt` when the service refused the request."""

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "REFUSED"


#: Returned by :func:`attempt` when the service raised a :class:`ServiceError`.
REFUSED: Final = _Refused()


def attempt(form: Any, service: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``service``; on a :class:`ServiceError` undo its changes and say why.

    The message goes onto ``form`` (its field, or the form itself) when a form
    is given, otherwise into a flash message. Returns the service's result, or
    :data:`REFUSED`. Objects loaded before the call are expired by the
    rollback: reload them before rendering their relationships.
    """
    try:
        return service(*args, **kwargs)
    except ServiceError as error:
        db.session.rollback()
        if form is None:
            flash(error.message, "error")
        else:
            apply_to_form(form, error)
        return REFUSED
