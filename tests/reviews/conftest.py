"""Fixtures for review tests."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def radiologist(app):
    """A radiologist account."""
    return factories.make_user("radiologist")


@pytest.fixture
def pathologist(app):
    """A pathologist account."""
    return factories.make_user("pathologist")


@pytest.fixture
def surgeon(app):
    """An orthopaedic oncologist account."""
    return factories.make_user("orthopedic_oncologist")


@pytest.fixture
def palliative(app):
    """A palliative care physician account."""
    return factories.make_user("palliative_care")


@pytest.fixture
def coordinator(app):
    """A coordinator account."""
    return factories.make_user("coordinator")
