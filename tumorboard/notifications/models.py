"""Notifications, preferences, the e-mail outbox and the reminders already sent."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tumorboard.db import LabelledEnum, enum_type, utcnow
from tumorboard.extensions import db
from tumorboard.notifications.kinds import KIND_TITLES, Channel, Kind

if TYPE_CHECKING:
    from tumorboard.auth.models import User

#: Longest notification text (one sentence, no patient data).
TEXT_LIMIT = 300


class Notification(db.Model):
    """One thing one person is told in the notification centre."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    kind: Mapped[Kind] = mapped_column(enum_type(Kind, "notification_kind"))
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    #: The case reference (``TB-00012``), never the patient's name or MRN.
    case_reference: Mapped[str | None] = mapped_column(sa.String(20))
    text: Mapped[str] = mapped_column(sa.String(TEXT_LIMIT))
    #: Path inside the application (``/cases/12``).
    link: Mapped[str] = mapped_column(sa.String(300))
    #: The channel chosen when it was created: a digest e-mail collects
    #: the ``digest`` ones once a day.
    channel: Mapped[Channel] = mapped_column(enum_type(Channel, "notification_channel"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    digest_sent_at: Mapped[datetime | None]

    recipient: Mapped[User] = relationship("User", lazy="raise")

    __table_args__ = (
        # The unread count in the navigation of every page.
        sa.Index("ix_notifications_unread", "recipient_id", "read_at"),
    )

    @property
    def title(self) -> str:
        """``Review needed``."""
        return KIND_TITLES[Kind(self.kind)]


class NotificationPreference(db.Model):
    """A person's choice of channel for one kind (absent: the role's default)."""

    __tablename__ = "notification_preferences"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    kind: Mapped[Kind] = mapped_column(enum_type(Kind, "preference_kind"))
    channel: Mapped[Channel] = mapped_column(enum_type(Channel, "preference_channel"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (sa.UniqueConstraint("user_id", "kind", name="user_kind"),)


class OutboxStatus(LabelledEnum):
    """queued → sending → sent; back to queued after a failure; dead after the
    last attempt; withheld when the recipient's account was deactivated."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"
    WITHHELD = "withheld"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.QUEUED: "Queued",
            cls.SENDING: "Sending",
            cls.SENT: "Sent",
            cls.DEAD: "Failed (no more attempts)",
            cls.WITHHELD: "Not sent (account deactivated)",
        }


class OutboxMessage(db.Model):
    """An e-mail written in the transaction of the event that causes it and
    delivered afterwards by ``flask outbox send``."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id"), index=True
    )
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    #: Plain text: a short message and a link, never patient data.
    body: Mapped[str] = mapped_column(sa.Text)
    #: An iCalendar invitation (RFC 5546) attached as ``invite.ics``.
    ics: Mapped[str | None] = mapped_column(sa.Text)
    #: ``REQUEST`` or ``CANCEL``, the METHOD of ``ics``.
    ics_method: Mapped[str | None] = mapped_column(sa.String(10))
    status: Mapped[OutboxStatus] = mapped_column(
        enum_type(OutboxStatus, "outbox_status"), default=OutboxStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    #: Which sender run holds the message while it is being sent.
    claimed_by: Mapped[str | None] = mapped_column(sa.String(64))
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    recipient: Mapped[User | None] = relationship("User", lazy="raise")

    __table_args__ = (
        sa.Index("ix_outbox_messages_due", "status", "next_attempt_at"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )

    @property
    def message_id(self) -> str:
        """A stable Message-ID: a resent copy is recognisably the same message."""
        return f"<outbox-{self.id}.{self.created_at:%Y%m%d%H%M%S}@tumorboard>"


class ReminderSent(db.Model):
    """One reminder already given; the unique key makes a second run a no-op."""

    __tablename__ = "reminders_sent"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``<reminder kind>:<item id>:<recipient id>:<day>``.
    key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
