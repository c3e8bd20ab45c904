"""Fixtures for the meeting tests."""

from __future__ import annotations

import pytest

from tests.meetings import factories as mf


@pytest.fixture
def make_board(app):
    """Factory: ``make_board(members=(), **fields)`` returns a flushed Board."""
    return mf.make_board


@pytest.fixture
def make_meeting(app):
    """Factory: ``make_meeting(board=None, days=7, **fields)`` returns a Meeting."""
    return mf.make_meeting


@pytest.fixture
def make_ready_case(app):
    """Factory: a flushed Case in status ready."""
    return mf.make_ready_case


@pytest.fixture
def make_item(app):
    """Factory: ``make_item(meeting, case=None, **fields)`` returns an AgendaItem."""
    return mf.make_item
