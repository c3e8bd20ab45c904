"""Delivering the outbox over SMTP: ``flask outbox send`` / ``worker``.

Each message is sent at most once, even with several senders running: a
sender first claims a batch (``SELECT ... FOR UPDATE SKIP LOCKED`` on
PostgreSQL; a conditional ``UPDATE ... WHERE status = 'queued'`` on SQLite,
whose writers take turns) and commits the claim before it talks to the mail
server. A failed attempt goes back to the queue with an exponential backoff,
and after ``OUTBOX_MAX_ATTEMPTS`` the message is dead, with its error shown
on the administrator's outbox page. A message claimed by a sender that then
stopped is not retried (the server may have accepted it): it is marked dead
for the administrator to look at.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import ssl
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

import sqlalchemy as sa
from flask import current_app

from tumorboard.audit import services as audit
from tumorboard.auth.models import User
from tumorboard.db import utcnow
from tumorboard.extensions import db
from tumorboard.notifications.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

#: Errors that mean "try again later" (the server is down, refuses, is slow or
#: closes the connection mid-message).
TRANSIENT = (smtplib.SMTPException, OSError, socket.timeout, ssl.SSLError)


@dataclass
class SendResult:
    """What one pass of the sender did."""

    sent: int = 0
    retried: int = 0
    dead: int = 0
    withheld: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """One line for the command's output."""
        return (
            f"{self.sent} sent, {self.retried} to retry, {self.dead} failed for good, "
            f"{self.withheld} withheld (deactivated accounts)."
        )


def smtp_configured() -> bool:
    """Whether a mail server is set (without one, e-mails stay in the outbox)."""
    return bool(current_app.config.get("MAIL_SMTP_HOST"))


def backoff(attempts: int) -> timedelta:
    """Wait before the next attempt: base × 2^(attempts − 1), at most a day."""
    base = current_app.config["OUTBOX_RETRY_BASE_SECONDS"]
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 86_400))


def build_email(message: OutboxMessage) -> EmailMessage:
    """The MIME message of an outbox row (text, and the invitation if any)."""
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = message.message_id
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body)
    if message.ics:
        email.add_attachment(
            message.ics.encode(),
            maintype="text",
            subtype="calendar",
            filename="invite.ics",
            params={"method": message.ics_method or "REQUEST"},
        )
    return email


def _expire_stale_claims(now: datetime) -> int:
    """Dead-letter messages whose sender stopped while sending them."""
    limit = now - timedelta(seconds=current_app.config["OUTBOX_CLAIM_TIMEOUT_SECONDS"])
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.claimed_at < limit,
        )
        .values(
            status=OutboxStatus.DEAD,
            last_error="The sender stopped while delivering this message; it is "
            "not sent again automatically because the mail server may already "
            "have accepted it.",
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def claim(worker: str, now: datetime, limit: int) -> list[int]:
    """Claim up to ``limit`` due messages for ``worker`` and commit the claim."""
    due = (
        sa.select(OutboxMessage.id)
        .where(
            OutboxMessage.status == OutboxStatus.QUEUED,
            OutboxMessage.next_attempt_at <= now,
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        ids = list(db.session.scalars(due.with_for_update(skip_locked=True)))
        if ids:
            db.session.execute(
                sa.update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids))
                .values(status=OutboxStatus.SENDING, claimed_by=worker, claimed_at=now)
                .execution_options(synchronize_session=False)
            )
    else:
        # One statement: SQLite runs writers one at a time, and the status
        # condition keeps a row another sender claimed first.
        db.session.execute(
            sa.update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(due.scalar_subquery()),
                OutboxMessage.status == OutboxStatus.QUEUED,
            )
            .values(status=OutboxStatus.SENDING, claimed_by=worker, claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        ids = list(
            db.session.scalars(
                sa.select(OutboxMessage.id)
                .where(
                    OutboxMessage.claimed_by == worker,
                    OutboxMessage.status == OutboxStatus.SENDING,
                )
                .order_by(OutboxMessage.id)
            )
        )
    db.session.commit()
    return ids


class _Connection:
    """One SMTP connection, opened on first use and reopened after a failure."""

    def __init__(self) -> None:
        self.smtp: smtplib.SMTP | None = None

    def get(self) -> smtplib.SMTP:
        if self.smtp is None:
            config = current_app.config
            smtp = smtplib.SMTP(
                config["MAIL_SMTP_HOST"],
                int(config["MAIL_SMTP_PORT"]),
                timeout=float(config["MAIL_SMTP_TIMEOUT"]),
            )
            try:
                if config["MAIL_SMTP_STARTTLS"]:
                    smtp.starttls(context=ssl.create_default_context())
                if config.get("MAIL_SMTP_USER"):
                    smtp.login(config["MAIL_SMTP_USER"], config["MAIL_SMTP_PASSWORD"])
            except BaseException:
                smtp.close()
                raise
            self.smtp = smtp
        return self.smtp

    def drop(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except TRANSIENT:
                self.smtp.close()
            self.smtp = None


def _deliver(message: OutboxMessage, connection: _Connection) -> None:
    connection.get().send_message(build_email(message))


def _release(ids: list[int]) -> None:
    """Give claimed messages that were not attempted back to the queue."""
    if ids:
        db.session.execute(
            sa.update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(ids),
                OutboxMessage.status == OutboxStatus.SENDING,
            )
            .values(status=OutboxStatus.QUEUED, claimed_by=None, claimed_at=None)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()


def send_pending(
    *,
    now: datetime | None = None,
    worker: str | None = None,
    limit: int | None = None,
    stopping: Callable[[], bool] | None = None,
) -> SendResult:
    """One pass: claim the due messages and deliver them; commits per message.
    When ``stopping()`` turns true the pass ends after the current message and
    gives the rest of its claim back to the queue."""
    result = SendResult()
    if not smtp_configured():
        return result
    worker = worker or f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"
    now = now or utcnow()
    if _expire_stale_claims(now):
        db.session.commit()
    ids = claim(worker, now, limit or current_app.config["OUTBOX_BATCH_SIZE"])
    connection = _Connection()
    max_attempts = current_app.config["OUTBOX_MAX_ATTEMPTS"]
    try:
        for index, message_id in enumerate(ids):
            if stopping is not None and stopping():
                _release(ids[index:])
                break
            message = db.session.get(OutboxMessage, message_id)
            recipient = (
                db.session.get(User, message.recipient_id)
                if message.recipient_id
                else None
            )
            if recipient is not None and not recipient.is_active:
                message.status = OutboxStatus.WITHHELD
                message.last_error = "The recipient's account was deactivated."
                result.withheld += 1
            else:
                message.attempts += 1
                try:
                    _deliver(message, connection)
                except TRANSIENT as error:
                    connection.drop()
                    text = f"{type(error).__name__}: {error}"[:1000]
                    message.last_error = text
                    result.errors.append(f"message {message.id}: {text}")
                    if message.attempts >= max_attempts:
                        message.status = OutboxStatus.DEAD
                        result.dead += 1
                    else:
                        message.status = OutboxStatus.QUEUED
                        message.next_attempt_at = utcnow() + backoff(message.attempts)
                        result.retried += 1
                    log.warning("outbox message %s not sent: %s", message.id, text)
                else:
                    message.status = OutboxStatus.SENT
                    message.sent_at = utcnow()
                    message.last_error = None
                    result.sent += 1
            message.claimed_by = None
            db.session.commit()
    finally:
        connection.drop()
    return result


def requeue(actor: User | None, message: OutboxMessage) -> None:
    """Put a dead message back in the queue (the administrator's choice)."""
    audit.record(
        actor,
        "outbox.requeue",
        "outbox_message",
        message.id,
        f"Queued e-mail #{message.id} again after {message.attempts} attempt(s)",
        changes={"status": [message.status.value, OutboxStatus.QUEUED.value]},
    )
    message.status = OutboxStatus.QUEUED
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.claimed_by = None
    message.claimed_at = None
    db.session.flush()


def counts() -> dict[OutboxStatus, int]:
    """How many messages are in each state."""
    rows = db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count(OutboxMessage.id)).group_by(
            OutboxMessage.status
        )
    ).all()
    found = {OutboxStatus(status): n for status, n in rows}
    return {status: found.get(status, 0) for status in OutboxStatus}
