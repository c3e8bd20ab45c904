"""The outbox sender against a real SMTP server (aiosmtpd on a free port):
headers, invitations, retries with backoff, dead letters, deactivated
recipients, and every message exactly once with two senders at once."""

from __future__ import annotations

import threading
from datetime import timedelta

import icalendar
import pytest
import sqlalchemy as sa

from tests import factories
from tests.conftest import (
    BACKENDS,
    BASE_CONFIG,
    shared_database_app,
)
from tests.notifications.conftest import SmtpServer, smtp_config
from tests.notifications.factories import ITEM, board_setup
from tumorboard.db import utcnow
from tumorboard.extensions import db
from tumorboard.meetings import services as meetings
from tumorboard.notifications import outbox, services
from tumorboard.notifications.models import OutboxMessage, OutboxStatus


def _queue(n: int = 1, user=None) -> list[OutboxMessage]:
    user = user or factories.make_user("radiologist")
    messages = [
        services.queue_email(user, f"[Tumour board] Test {i}", f"Body {i}\n")
        for i in range(n)
    ]
    db.session.commit()
    return messages


def _status(message_id: int) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def test_a_message_arrives_with_correct_headers(app, smtp):
    s = board_setup()
    meetings.add_case(s.coordinator, s.meeting, s.case, ITEM)
    db.session.commit()
    result = outbox.send_pending()
    assert result.sent == len(smtp.inbox.received) > 0
    mail = next(m for m in smtp.inbox.received if m["To"] == s.radiologist.email)
    assert mail["From"] == app.config["MAIL_FROM"]
    assert mail["Subject"] == f"[Tumour board] Review needed: {s.case.reference}"
    assert mail["Message-ID"].startswith("<outbox-")
    assert mail["Date"] and mail["Auto-Submitted"] == "auto-generated"
    body = mail.get_body(("plain",)).get_content()
    assert f"https://tumorboard.hospital.example.org/cases/{s.case.id}" in body
    assert smtp.inbox.envelopes[0][0] == "board@hospital.example.org"
    sent = db.session.scalars(sa.select(OutboxMessage)).all()
    assert {m.status for m in sent} == {OutboxStatus.SENT}
    assert all(m.sent_at is not None and m.attempts == 1 for m in sent)


def test_an_invitation_arrives_as_a_calendar_attachment(app, smtp):
    s = board_setup()
    meetings.add_case(s.coordinator, s.meeting, s.case, ITEM)
    meetings.publish_meeting(s.coordinator, s.meeting)
    db.session.commit()
    outbox.send_pending()
    invites = [
        m for m in smtp.inbox.received if m["Subject"].endswith("Agenda published")
    ]
    assert len(invites) == 3
    (part,) = [p for p in invites[0].iter_attachments()]
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == "invite.ics"
    cal = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    (event,) = cal.walk("VEVENT")
    assert str(event["UID"]) == s.meeting.ical_uid


def test_without_a_mail_server_messages_stay_in_the_outbox(app):
    app.config["MAIL_SMTP_HOST"] = None
    (message,) = _queue()
    assert outbox.send_pending().sent == 0
    assert _status(message.id).status == OutboxStatus.QUEUED


def test_a_deactivated_recipient_is_not_sent_to(app, smtp):
    user = factories.make_user("radiologist")
    (message,) = _queue(user=user)
    user.is_active = False
    db.session.commit()
    result = outbox.send_pending()
    assert result.withheld == 1 and smtp.inbox.received == []
    row = _status(message.id)
    assert row.status == OutboxStatus.WITHHELD
    assert "deactivated" in row.last_error


def test_a_refusing_server_is_retried_with_backoff_then_delivered(app, smtp):
    (message,) = _queue()
    smtp.inbox.refuse = 1
    now = utcnow()
    result = outbox.send_pending(now=now)
    assert result.retried == 1 and smtp.inbox.received == []
    row = _status(message.id)
    assert row.status == OutboxStatus.QUEUED and row.attempts == 1
    assert "451" in row.last_error
    first_wait = row.next_attempt_at - now
    assert timedelta(seconds=59) <= first_wait <= timedelta(seconds=90)
    # Not due yet: nothing happens.
    assert outbox.send_pending(now=now + timedelta(seconds=10)).sent == 0
    smtp.inbox.refuse = 1
    outbox.send_pending(now=row.next_attempt_at + timedelta(seconds=1))
    row = _status(message.id)
    assert row.attempts == 2
    # The second wait is twice the first.
    assert row.next_attempt_at - utcnow() > timedelta(seconds=100)
    outbox.send_pending(now=row.next_attempt_at + timedelta(seconds=1))
    assert _status(message.id).status == OutboxStatus.SENT
    assert len(smtp.inbox.received) == 1


def test_after_the_last_attempt_a_message_is_dead_with_its_error(app, smtp_port):
    app.config["OUTBOX_MAX_ATTEMPTS"] = 3
    (message,) = _queue()  # no server listens on the port
    when = utcnow()
    for _ in range(3):
        outbox.send_pending(now=when)
        when += timedelta(days=1)
    row = _status(message.id)
    assert row.status == OutboxStatus.DEAD and row.attempts == 3
    assert "Connection refused" in row.last_error or "Errno" in row.last_error
    # Queued again by the administrator, it is delivered once a server listens.
    outbox.requeue(None, row)
    db.session.commit()
    server = SmtpServer(smtp_port)
    server.start()
    try:
        assert outbox.send_pending().sent == 1
    finally:
        server.stop()
    assert len(server.inbox.received) == 1


def test_a_server_stopped_mid_run_loses_nothing_and_sends_each_once(app, smtp):
    messages = _queue(6)
    ids = {m.message_id for m in messages}
    now = utcnow()
    # First pass delivers two, then the server goes away mid-run.
    assert outbox.send_pending(now=now, limit=2).sent == 2
    smtp.stop()
    result = outbox.send_pending(now=now)
    assert result.retried == 4 and result.sent == 0
    db.session.expire_all()
    waiting = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.QUEUED)
    ).all()
    assert len(waiting) == 4
    # Back up: the later pass delivers the rest, and nothing twice.
    smtp.start()
    later = now + timedelta(hours=1)
    assert outbox.send_pending(now=later).sent == 4
    assert outbox.send_pending(now=later + timedelta(days=1)).sent == 0
    assert sorted(smtp.inbox.message_ids()) == sorted(ids)


def test_a_server_stopping_during_a_pass_loses_nothing_and_sends_each_once(app, smtp):
    messages = _queue(8)
    ids = {m.message_id for m in messages}
    stopped = threading.Event()

    def stop() -> None:
        smtp.stop()
        stopped.set()

    # The server shuts down right after accepting the second message, while
    # the sender is still working through its batch on the same connection.
    smtp.inbox.after, smtp.inbox.then = 2, stop
    now = utcnow()
    first = outbox.send_pending(now=now)
    assert stopped.wait(10)
    assert first.sent >= 2 and first.sent + first.retried == 8
    assert first.retried > 0 or first.sent == 8
    smtp.inbox.then = None
    smtp.start()
    later = now + timedelta(hours=1)
    second = outbox.send_pending(now=later)
    assert first.sent + second.sent == 8
    assert outbox.send_pending(now=later + timedelta(days=1)).sent == 0
    assert sorted(smtp.inbox.message_ids()) == sorted(ids)


def test_a_sender_that_stopped_while_sending_is_not_repeated(app, smtp):
    (message,) = _queue()
    claimed = outbox.claim("crashed-sender", utcnow(), 10)
    assert claimed == [message.id]
    # Another sender within the claim timeout leaves it alone...
    assert outbox.send_pending().sent == 0
    # ...and after it, marks it dead instead of risking a second copy.
    outbox.send_pending(now=utcnow() + timedelta(hours=1))
    row = _status(message.id)
    assert row.status == OutboxStatus.DEAD
    assert "may already have accepted" in row.last_error
    assert smtp.inbox.received == []


# Two senders at once, with real commits on both databases ----------------------


@pytest.fixture(params=BACKENDS)
def shared_app(request, tmp_path, smtp_port):
    """An app on a database that several threads share for real (a file for
    SQLite, a throwaway schema for PostgreSQL)."""
    config = {**BASE_CONFIG, **smtp_config(smtp_port), "OUTBOX_BATCH_SIZE": 3}
    with shared_database_app(request.param, config, tmp_path, "tbout") as app:
        yield app


def test_two_senders_at_once_send_every_message_exactly_once(shared_app, smtp):
    with shared_app.app_context():
        user = factories.make_user("radiologist")
        for i in range(24):
            services.queue_email(user, f"[Tumour board] Test {i}", "Body\n")
        db.session.commit()
        expected = {m.message_id for m in db.session.scalars(sa.select(OutboxMessage))}
    assert len(expected) == 24
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def sender(name: str) -> None:
        try:
            with shared_app.app_context():
                start.wait()
                for _ in range(30):
                    result = outbox.send_pending(worker=name)
                    if not (result.sent or result.retried):
                        break
                db.session.remove()
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=sender, args=(n,)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    received = smtp.inbox.message_ids()
    assert len(received) == 24 and set(received) == expected
    with shared_app.app_context():
        statuses = set(db.session.scalars(sa.select(OutboxMessage.status)))
        assert statuses == {OutboxStatus.SENT}


def test_a_stopping_sender_gives_the_rest_of_its_claim_back(app, smtp):
    messages = _queue(4)
    calls = []

    def stopping() -> bool:
        calls.append(1)
        return len(calls) > 1  # stop after the first message

    result = outbox.send_pending(stopping=stopping)
    assert result.sent == 1
    db.session.expire_all()
    states = [db.session.get(OutboxMessage, m.id).status for m in messages]
    assert states == [OutboxStatus.SENT] + [OutboxStatus.QUEUED] * 3
    assert outbox.send_pending().sent == 3
    assert len(smtp.inbox.received) == 4
