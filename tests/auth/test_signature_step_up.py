"""Counted password confirmation before a signature (step-up)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests import factories
from tumorboard.audit.models import AuditEntry
from tumorboard.auth import signing as services
from tumorboard.db import utcnow
from tumorboard.extensions import db


def _actions() -> list[str]:
    return list(
        db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id))
    )


def test_right_password_gives_proof_and_is_audited(app):
    user = factories.make_user("orthopedic_oncologist")
    proof = services.confirm_signature(user, factories.PASSWORD, purpose="sign")
    assert isinstance(proof, services.StepUp)
    assert proof.actor_id == user.id
    assert "auth.step_up" in _actions()


def test_wrong_passwords_are_counted_and_pause_signing_for_15_minutes(app):
    user = factories.make_user("orthopedic_oncologist")
    now = utcnow()
    for n in range(1, 5):
        message = services.confirm_signature(user, "wrong", purpose="sign", now=now)
        assert message.startswith("The password is not correct; nothing was signed.")
        db.session.refresh(user)
        assert user.step_up_failures == n
    message = services.confirm_signature(user, "wrong", purpose="sign", now=now)
    assert "signing is paused until" in message
    assert services.signing_locked_until(user, now) == now + timedelta(minutes=15)
    # Paused: the right password is refused without being checked.
    refused = services.confirm_signature(
        user, factories.PASSWORD, purpose="sign", now=now + timedelta(minutes=14)
    )
    assert isinstance(refused, str)
    assert "Signing is paused" in refused
    later = now + timedelta(minutes=15, seconds=1)
    proof = services.confirm_signature(
        user, factories.PASSWORD, purpose="sign", now=later
    )
    assert isinstance(proof, services.StepUp)
    db.session.refresh(user)
    assert user.step_up_failures == 0
    assert user.step_up_locked_until is None
    assert _actions().count("auth.step_up_lockout") == 1


def test_a_right_password_resets_the_count(app):
    user = factories.make_user("orthopedic_oncologist")
    for _ in range(4):
        services.confirm_signature(user, "wrong", purpose="sign")
    services.confirm_signature(user, factories.PASSWORD, purpose="sign")
    message = services.confirm_signature(user, "wrong", purpose="sign")
    assert "4 tries left" in message
