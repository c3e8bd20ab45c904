"""The signer's own password asked again before a signature (counted step-up).

Kept apart from sign-in: wrong passwords here pause signing, never sign-in.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from tumorboard.audit import services as audit
from tumorboard.auth.models import User
from tumorboard.auth.passwords import verify_password
from tumorboard.auth.services import StepUp, _set_counters
from tumorboard.db import utcnow
from tumorboard.errors import InvalidInput
from tumorboard.extensions import db

__all__ = [
    "SIGNING_STEP_UP_MINUTES",
    "SIGNING_STEP_UP_THRESHOLD",
    "StepUp",
    "confirm_signature",
    "require_signature_step_up",
    "signing_locked_until",
]


#: Wrong own passwords in a row that stop a person signing, and for how long.
SIGNING_STEP_UP_THRESHOLD = 5
SIGNING_STEP_UP_MINUTES = 15


def signing_locked_until(actor: User, now: datetime | None = None) -> datetime | None:
    """When signing opens again after too many wrong own passwords, or None."""
    until = actor.step_up_locked_until
    return until if until is not None and until > (now or utcnow()) else None


def confirm_signature(
    actor: User, password: str | None, *, purpose: str, now: datetime | None = None
) -> StepUp | str:
    """Check the signer's own password before a signature (counted step-up).

    Returns the proof, or the message to show. Five wrong passwords in a row
    refuse signing for 15 minutes (the password is then not checked); every
    outcome is audited. A view calls this outside :func:`~tumorboard.web.attempt`
    so that the count and the audit entry of a refusal are kept.
    """
    now = now or utcnow()
    until = signing_locked_until(actor, now)
    if until is not None:
        audit.record(
            actor,
            "auth.step_up_failed",
            "user",
            actor.id,
            f"Signature refused to {purpose} (signing locked; the password was "
            "not checked)",
        )
        return (
            "Signing is paused after too many wrong passwords; try again after "
            f"{until:%H:%M} UTC."
        )
    if password and verify_password(actor.password_hash, password):
        if actor.step_up_failures or actor.step_up_locked_until is not None:
            _set_counters(actor, step_up_failures=0, step_up_locked_until=None)
        audit.record(
            actor,
            "auth.step_up",
            "user",
            actor.id,
            f"{actor.name} confirmed their own password to {purpose}",
        )
        return StepUp(actor.id, now)
    failures = db.session.execute(
        sa.update(User)
        .where(User.id == actor.id)
        .values(step_up_failures=User.step_up_failures + 1)
        .returning(User.step_up_failures),
        execution_options={"synchronize_session": "fetch"},
    ).scalar_one()
    audit.record(
        actor,
        "auth.step_up_failed",
        "user",
        actor.id,
        f"{actor.name} gave a wrong own password to {purpose} ({failures} in a "
        "row); refused",
    )
    if failures >= SIGNING_STEP_UP_THRESHOLD:
        until = now + timedelta(minutes=SIGNING_STEP_UP_MINUTES)
        _set_counters(actor, step_up_locked_until=until, step_up_failures=0)
        audit.record(
            actor,
            "auth.step_up_lockout",
            "user",
            actor.id,
            f"Signing by {actor.name} paused until {until:%Y-%m-%d %H:%M} UTC "
            f"after {failures} wrong passwords in a row",
            changes={"step_up_locked_until": [None, until.isoformat()]},
        )
        return (
            f"The password is not correct; nothing was signed. After {failures} "
            f"wrong passwords signing is paused until {until:%H:%M} UTC."
        )
    left = SIGNING_STEP_UP_THRESHOLD - failures
    return (
        "The password is not correct; nothing was signed. "
        f"{left} {'try' if left == 1 else 'tries'} left before signing is paused "
        f"for {SIGNING_STEP_UP_MINUTES} minutes."
    )


def require_signature_step_up(actor: User, step_up: StepUp | None) -> None:
    """Refuse a signature without this actor's own fresh step-up proof."""
    if step_up is None or step_up.actor_id != actor.id:
        raise InvalidInput("Confirm the signature with your own password.", "password")
