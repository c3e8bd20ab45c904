"""``flask outbox send`` and ``flask reminders run``."""

from __future__ import annotations

import os
import signal
import threading

import sqlalchemy as sa

from tests import factories
from tests.notifications.factories import ITEM, board_setup
from tumorboard.extensions import db
from tumorboard.meetings import services as meetings
from tumorboard.notifications.models import Notification, OutboxMessage, OutboxStatus
from tumorboard.notifications.services import queue_email


def test_outbox_send_delivers_and_reports(app, smtp):
    user = factories.make_user("radiologist")
    queue_email(user, "[Tumour board] Test", "Body\n")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "1 sent, 0 to retry" in result.output
    assert len(smtp.inbox.received) == 1


def test_outbox_send_without_a_server_keeps_the_messages(app):
    app.config["MAIL_SMTP_HOST"] = ""
    user = factories.make_user("radiologist")
    queue_email(user, "[Tumour board] Test", "Body\n")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert "No mail server configured" in result.output
    assert "1 queued e-mail(s) stay in the outbox" in result.output
    status = db.session.scalar(sa.select(OutboxMessage.status))
    assert status == OutboxStatus.QUEUED


def test_reminders_run_twice_gives_nothing_twice(app):
    s = board_setup(days=1)
    meetings.add_case(s.coordinator, s.meeting, s.case, ITEM)
    db.session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["reminders", "run"])
    assert first.exit_code == 0, first.output
    assert "review missing 3" in first.output
    db.session.expire_all()
    count = db.session.scalar(sa.select(sa.func.count(Notification.id)))
    mails = db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)))
    second = runner.invoke(args=["reminders", "run"])
    assert "No reminder due." in second.output
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == count
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == mails
    # Links in the e-mails start with the public address.
    body = db.session.scalars(sa.select(OutboxMessage.body)).first()
    assert "https://tumorboard.hospital.example.org/cases/" in body


def test_the_worker_delivers_until_stopped(app, smtp):
    user = factories.make_user("radiologist")
    queue_email(user, "[Tumour board] Test", "Body\n")
    db.session.commit()
    previous = signal.getsignal(signal.SIGTERM)
    timer = threading.Timer(2.0, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    try:
        result = app.test_cli_runner().invoke(
            args=["outbox", "worker", "--interval", "0.2"]
        )
    finally:
        timer.cancel()
        signal.signal(signal.SIGTERM, previous)
    assert result.exit_code == 0, result.output
    assert "1 sent" in result.output and "Stopped." in result.output
    assert len(smtp.inbox.received) == 1
