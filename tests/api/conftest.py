"""Fixtures of the API tests: a token for a person of a given role."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests import factories
from tumorboard.api import tokens
from tumorboard.api.models import TokenScope
from tumorboard.extensions import db


@pytest.fixture
def token_for(app):
    """``token_for(role, scope=...)`` -> (user, token row, Authorization headers)."""

    def make(role="coordinator", scope=TokenScope.READ_WRITE, days=30, user=None):
        user = user or factories.make_user(role)
        token, secret = tokens.create_token(user, "script", scope, days)
        db.session.commit()
        return user, token, {"Authorization": f"Bearer {secret}"}

    return make


def demo_user(email: str):
    """A demo account (they sit on the demo boards: they read the demo cases)."""
    from tumorboard.auth.models import User

    return db.session.scalar(sa.select(User).where(User.email == email))
