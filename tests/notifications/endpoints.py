"""Access matrix rows for notifications and the outbox."""

from __future__ import annotations

from tumorboard.auth.permissions import AUTHENTICATED
from tumorboard.auth.permissions import Permission as P
from tumorboard.extensions import db
from tumorboard.notifications.models import Notification, OutboxMessage

ENDPOINTS = [
    ("/notifications/", "GET", AUTHENTICATED),
    ("/notifications/{notification}/read", "POST", AUTHENTICATED),
    ("/notifications/read-all", "POST", AUTHENTICATED),
    ("/notifications/preferences", "GET", AUTHENTICATED),
    ("/notifications/preferences", "POST", AUTHENTICATED),
    ("/admin/outbox/", "GET", P.OUTBOX_READ),
    ("/admin/outbox/{message}/requeue", "POST", P.OUTBOX_READ),
]


def url_values(user, case) -> dict:
    """A notification of the signed-in user and a message of the outbox."""
    note = Notification(
        recipient_id=user.id,
        kind="mention",
        text="Someone mentioned you.",
        link="/",
        channel="in_app",
    )
    message = OutboxMessage(
        recipient_id=user.id, to_address=user.email, subject="Test", body="Body"
    )
    db.session.add_all([note, message])
    db.session.flush()
    return {"notification": note.id, "message": message.id}
