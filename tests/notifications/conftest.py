"""Fixtures for the notification tests: a real SMTP server (aiosmtpd) on a
free local port, and a board whose meeting lists cases."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Inbox:
    """What the test SMTP server received; ``refuse`` answers the next N
    messages with a temporary failure."""

    received: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    refuse: int = 0
    #: Called (in a thread of its own) once this many messages have arrived.
    after: int | None = None
    then: Callable[[], None] | None = None

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 Try again later"
        self.received.append(
            message_from_bytes(envelope.content, policy=policy.default)
        )
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        if self.then is not None and len(self.received) == self.after:
            threading.Thread(target=self.then).start()
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        """Message-ID of every message received, in order."""
        return [m["Message-ID"] for m in self.received]


class SmtpServer:
    """An aiosmtpd server the test can stop and start again on the same port."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_port() -> int:
    """The port of the test mail server."""
    return free_port()


def smtp_config(port: int) -> dict:
    """Settings that send to the test mail server (no TLS on localhost)."""
    return {
        "MAIL_SMTP_HOST": "127.0.0.1",
        "MAIL_SMTP_PORT": port,
        "MAIL_SMTP_STARTTLS": False,
        "MAIL_SMTP_TIMEOUT": 5,
        "MAIL_FROM": "Tumour board <board@hospital.example.org>",
        "PUBLIC_URL": "https://tumorboard.hospital.example.org",
    }


@pytest.fixture
def app_config(smtp_port) -> dict:
    """Every app of these tests knows the test mail server."""
    return smtp_config(smtp_port)


@pytest.fixture
def smtp(smtp_port):
    """A running SMTP server that collects what it receives."""
    server = SmtpServer(smtp_port)
    server.start()
    try:
        yield server
    finally:
        server.stop()
