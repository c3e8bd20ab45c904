"""Fixtures of the account tests: a clock the session checks read."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tumorboard.auth import sessions
from tumorboard.db import utcnow


class Clock:
    """Stands in for ``utcnow`` in :mod:`tumorboard.auth.sessions`."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        """Move the time forward, e.g. ``advance(minutes=31)``."""
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """The session module's time, starting now, moved only by the test."""
    fixed = Clock(utcnow().replace(microsecond=0))
    monkeypatch.setattr(sessions, "utcnow", fixed)
    return fixed
