"""Refused requests in the audit log: every 403 and every failed CSRF check.

:func:`tumorboard.errors.note_refusal` runs the ``request_refused`` hook in a
transaction of its own, after the refused request was rolled back, so the
entry is kept whatever the request had done.
"""

from __future__ import annotations

from flask import request
from flask_login import current_user

from tumorboard.audit.services import record
from tumorboard.errors import request_refused


@request_refused.register
def record_refusal(action: str, explanation: str) -> None:
    """One entry naming the actor (or nobody), the method, the path and why.

    The path holds ids only; the query string, which may hold a searched
    name, is never recorded. ``explanation`` is the application's own
    message, never clinical text.
    """
    actor = current_user if getattr(current_user, "is_authenticated", False) else None
    record(
        actor,
        action,
        "request",
        (request.endpoint or "-")[:40],
        f"Refused {request.method} {request.path[:300]}: {explanation}",
    )
