"""Notifying people: the notification centre, preferences, and the e-mails
written to the outbox in the transaction of the event that causes them.

Nothing here commits. Texts and e-mails carry the case reference
(``TB-00012``) and a link into the application, never a patient's name, MRN,
diagnosis or free text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app

from tumorboard.auth.models import User
from tumorboard.db import prebuilt, utcnow
from tumorboard.errors import InvalidInput, NotFound
from tumorboard.extensions import db
from tumorboard.notifications.kinds import (
    KIND_TITLES,
    SAFETY_KINDS,
    Channel,
    Kind,
    allowed_channels,
    default_channel,
)
from tumorboard.notifications.models import (
    TEXT_LIMIT,
    Notification,
    NotificationPreference,
    OutboxMessage,
)

#: Notifications shown per page of the notification centre.
PAGE_SIZE = 50

SUBJECT_PREFIX = "[Tumour board]"


def path_for(endpoint: str, **values: Any) -> str:
    """The path of ``endpoint`` inside the application, with or without a
    request (events also happen in commands and the demo loader)."""
    adapter = current_app.url_map.bind(
        "localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/"
    )
    return adapter.build(endpoint, values)


def public_url(path: str) -> str:
    """``path`` as an absolute address for e-mails (``PUBLIC_URL`` + path)."""
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


@dataclass(frozen=True)
class Invitation:
    """A calendar attachment: the .ics text and its METHOD (REQUEST or CANCEL)."""

    ics: str
    method: str


def channels_for(users: Iterable[User], kind: Kind) -> dict[int, Channel]:
    """Each user's channel for ``kind``: their choice, else their role's default."""
    users = list(users)
    if not users:
        return {}
    chosen = dict(
        db.session.execute(
            sa.select(
                NotificationPreference.user_id, NotificationPreference.channel
            ).where(
                NotificationPreference.user_id.in_([u.id for u in users]),
                NotificationPreference.kind == kind,
            )
        ).all()
    )
    result = {}
    for user in users:
        channel = Channel(chosen.get(user.id) or default_channel(user.role, kind))
        if channel == Channel.OFF and kind in SAFETY_KINDS:
            channel = Channel.IN_APP
        result[user.id] = channel
    return result


def email_body(text: str, link: str) -> str:
    """The plain-text e-mail of one notification: the sentence and the link."""
    return (
        f"{text}\n\n"
        f"Open it in the tumour board application:\n{public_url(link)}\n\n"
        "You receive this e-mail because of your notification settings:\n"
        f"{public_url('/notifications/preferences')}\n"
    )


def email_subject(kind: Kind, case_reference: str | None) -> str:
    """``[Tumour board] Review needed: TB-00012`` (the reference only)."""
    title = KIND_TITLES[kind]
    return f"{SUBJECT_PREFIX} {title}" + (
        f": {case_reference}" if case_reference else ""
    )


def queue_email(
    user: User,
    subject: str,
    body: str,
    invitation: Invitation | None = None,
    *,
    now: datetime | None = None,
) -> OutboxMessage:
    """Write one e-mail to the outbox (sent after the transaction commits)."""
    message = OutboxMessage(
        recipient_id=user.id,
        to_address=user.email,
        subject=subject[:200],
        body=body,
        ics=invitation.ics if invitation else None,
        ics_method=invitation.method if invitation else None,
        next_attempt_at=now or utcnow(),
        created_at=now or utcnow(),
    )
    db.session.add(message)
    return message


def notify(
    recipients: Iterable[User | None],
    kind: Kind,
    text: str,
    link: str,
    *,
    case: Any = None,
    invitation: Any = None,
    exclude: User | None = None,
    now: datetime | None = None,
) -> list[Notification]:
    """Tell each active recipient (once, never ``exclude``, the person who
    acted) about ``kind``: in the notification centre, and by e-mail now when
    that is their channel. ``invitation`` is an :class:`Invitation` or a
    callable ``user -> Invitation`` (each attendee gets their own)."""
    people: dict[int, User] = {}
    for user in recipients:
        if user is None or not user.is_active or user.id in people:
            continue
        if exclude is not None and user.id == exclude.id:
            continue
        people[user.id] = user
    channels = channels_for(people.values(), kind)
    reference = case.reference if case is not None else None
    text = text[:TEXT_LIMIT]
    created = []
    for user in people.values():
        channel = channels[user.id]
        if channel == Channel.OFF:
            continue
        notification = Notification(
            recipient_id=user.id,
            kind=kind,
            case_id=case.id if case is not None else None,
            case_reference=reference,
            text=text,
            link=link,
            channel=channel,
            created_at=now or utcnow(),
        )
        db.session.add(notification)
        created.append(notification)
        if channel == Channel.EMAIL:
            invite = invitation(user) if callable(invitation) else invitation
            queue_email(
                user,
                email_subject(kind, reference),
                email_body(text, link),
                invite,
                now=now,
            )
    db.session.flush()
    return created


# The notification centre -------------------------------------------------------


def unread_count(user: User) -> int:
    """Unread notifications of ``user``: one COUNT on an index."""
    return db.session.scalar(_unread_count(), {"recipient_id": user.id})


@prebuilt
def _unread_count() -> sa.Select:
    """Every page's navigation runs it (parameter ``recipient_id``)."""
    return sa.select(sa.func.count(Notification.id)).where(
        Notification.recipient_id == sa.bindparam("recipient_id"),
        Notification.read_at.is_(None),
    )


def notifications_of(user: User, page: int = 1) -> tuple[list[Notification], bool]:
    """One page of ``user``'s notifications, newest first, and whether more follow."""
    rows = list(
        db.session.scalars(
            sa.select(Notification)
            .where(Notification.recipient_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE + 1)
        )
    )
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def mark_read(user: User, notification_id: int) -> Notification:
    """Mark one of ``user``'s own notifications read."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.recipient_id != user.id:
        raise NotFound("That notification does not exist.")
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()
    return notification


def mark_all_read(user: User) -> int:
    """Mark every unread notification of ``user`` read; returns how many."""
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


# Preferences -----------------------------------------------------------------


@dataclass(frozen=True)
class PreferenceRow:
    """One line of the preferences page."""

    kind: Kind
    channel: Channel
    default: Channel
    choices: list[Channel]

    @property
    def is_safety(self) -> bool:
        """In-app cannot be turned off for this kind."""
        return self.kind in SAFETY_KINDS


def preference_rows(user: User) -> list[PreferenceRow]:
    """Every kind with ``user``'s channel, their role's default and the choices."""
    chosen = dict(
        db.session.execute(
            sa.select(
                NotificationPreference.kind, NotificationPreference.channel
            ).where(NotificationPreference.user_id == user.id)
        ).all()
    )
    rows = []
    for kind in Kind:
        default = default_channel(user.role, kind)
        rows.append(
            PreferenceRow(
                kind=kind,
                channel=Channel(chosen.get(kind) or default),
                default=default,
                choices=allowed_channels(kind),
            )
        )
    return rows


def save_preferences(user: User, data: dict[str, Any]) -> int:
    """Store ``user``'s channel per kind from ``{kind: channel}``; unknown kinds
    and channels, and "off" for a safety-relevant kind, are refused. Returns
    the number of kinds changed."""
    clean: dict[Kind, Channel] = {}
    for key, value in data.items():
        try:
            kind = Kind(key)
        except ValueError:
            raise InvalidInput(
                f"There is no kind of notification called '{str(key)[:40]}'; "
                "nothing was saved."
            ) from None
        try:
            channel = Channel(value)
        except ValueError:
            raise InvalidInput(
                f"'{str(value)[:40]}' is not a way of being notified; choose one "
                f"of the options for '{kind.label}'.",
                key,
            ) from None
        if channel not in allowed_channels(kind):
            raise InvalidInput(
                f"'{kind.label}' is safety-relevant: it always appears in the "
                "app and cannot be turned off.",
                key,
            )
        clean[kind] = channel
    existing = {
        p.kind: p
        for p in db.session.scalars(
            sa.select(NotificationPreference).where(
                NotificationPreference.user_id == user.id
            )
        )
    }
    changed = 0
    for kind, channel in clean.items():
        row = existing.get(kind)
        current = row.channel if row else default_channel(user.role, kind)
        if row is None:
            if channel == current:
                continue
            db.session.add(
                NotificationPreference(user_id=user.id, kind=kind, channel=channel)
            )
        elif row.channel == channel:
            continue
        else:
            row.channel = channel
        changed += 1
    db.session.flush()
    return changed
