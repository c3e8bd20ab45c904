"""Fixtures for recommendation tests."""

from __future__ import annotations

import pytest

from tests.recommendations import factories as rf


@pytest.fixture
def setup(app) -> rf.Setup:
    """A quorate meeting in progress, its chair and one discussed case."""
    return rf.discussed_item()


@pytest.fixture
def coordinator(make_user):
    """An active coordinator."""
    return make_user("coordinator")
