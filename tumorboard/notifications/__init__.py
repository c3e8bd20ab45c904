"""Notifications: the notification centre, preferences, the e-mail outbox and
its sender, reminders, and meeting invitations.

Importing the package registers its callbacks on the hooks of the features
below it (``events``), so those features never import it.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g
from flask_login import current_user

from tumorboard.notifications import events  # noqa: F401  (registers the hooks)
from tumorboard.notifications.services import unread_count


class _UnreadCount:
    """The signed-in person's unread count, counted once per request and only
    when a page shows it (fragments and files never do)."""

    def _value(self) -> int:
        if "unread_notifications" not in g:
            g.unread_notifications = (
                unread_count(current_user) if current_user.is_authenticated else 0
            )
        return g.unread_notifications

    def __int__(self) -> int:
        return self._value()

    def __bool__(self) -> bool:
        return self._value() > 0

    def __str__(self) -> str:
        return str(self._value())


def init_app(app: Flask) -> None:
    """Offer ``unread_notifications`` to every template."""

    @app.context_processor
    def unread() -> dict[str, Any]:
        return {"unread_notifications": _UnreadCount()}
