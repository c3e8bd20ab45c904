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
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from tumorboard.errors import ServiceError, apply_to_form
from tumorboard.extensions import db

#: ``Session.info`` key of the undo callbacks of the current transaction.
_UNDO = "tumorboard.undo"


class App(Flask):
    """Flask with the transaction boundary around every view."""

    def dispatch_request(self) -> Any:
        """Run the view, then commit; roll back on any exception."""
        before = dict(session)
        try:
            response = super().dispatch_request()
        except BaseException:
            db.session.rollback()
            raise
        try:
            db.session.commit()
        except BaseException:
            db.session.rollback()
            # The request did not happen: no "saved" message, no sign-in or
            # new login id that the database never stored.
            session.clear()
            session.update(before)
            raise
        return response


def on_rollback(undo: Callable[[], Any]) -> None:
    """Run ``undo`` if the current transaction rolls back (e.g. remove a file
    written for a row that is not stored after all)."""
    current = db.session()
    if not current.in_transaction():
        current.begin()
    current.info.setdefault(_UNDO, []).append(undo)


@event.listens_for(Session, "after_soft_rollback")
def _run_undo(session: Session, previous: SessionTransaction) -> None:
    if previous.parent is None:
        for undo in reversed(session.info.pop(_UNDO, [])):
            undo()


@event.listens_for(Session, "after_commit")
def _forget_undo(session: Session) -> None:
    # Releasing a savepoint also "commits": the outer transaction may still
    # roll back, so its undo callbacks stay until the outermost commit.
    if session.get_nested_transaction() is None:
        session.info.pop(_UNDO, None)


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
