"""Break-glass access: reading a case outside one's work, for a stated reason,
for a limited time, audited and reviewed afterwards.

A clinician who finds a case outside their scope (:mod:`tumorboard.auth.scope`)
asks for access with a reason from a short list and a sentence of their own.
The grant lasts ``BREAK_GLASS_HOURS`` (12 by default). While it lasts every
audit entry about the case written for that person names the grant, the case
pages show a banner, and the case's lead clinician is told. A second request
for the same case while a grant is running is refused (the running grant and
its end are named): one reason covers one stretch of access, and the
privacy officer reviews each grant once. After the grant ends, the case is
closed to them again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from tumorboard.audit import services as audit
from tumorboard.auth import scope
from tumorboard.auth.models import User
from tumorboard.auth.permissions import Permission, authorize, has_permission
from tumorboard.cases import hooks
from tumorboard.cases.models import Case
from tumorboard.db import LabelledEnum, enum_type, utcnow
from tumorboard.errors import Conflict, InvalidInput, NotFound
from tumorboard.extensions import db
from tumorboard.validation import REASON_LIMIT, clean_text


class GlassReason(LabelledEnum):
    """Why someone needs a case outside their work."""

    EMERGENCY_CARE = "emergency_care"
    SECOND_OPINION = "second_opinion"
    COVERING = "covering"
    OTHER = "other"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.EMERGENCY_CARE: "Emergency care",
            cls.SECOND_OPINION: "Second opinion requested",
            cls.COVERING: "Covering for a colleague",
            cls.OTHER: "Other",
        }


class BreakGlassGrant(db.Model):
    """One person's time-limited access to one case outside their scope."""

    __tablename__ = "break_glass_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    reason: Mapped[GlassReason] = mapped_column(enum_type(GlassReason, "glass_reason"))
    explanation: Mapped[str] = mapped_column(sa.Text)
    granted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    expires_at: Mapped[datetime]
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    review_note: Mapped[str | None] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(default=1)

    user: Mapped[User] = relationship("User", foreign_keys=[user_id], lazy="raise")
    reviewed_by: Mapped[User | None] = relationship(
        "User", foreign_keys=[reviewed_by_id], lazy="raise"
    )
    case: Mapped[Case] = relationship("Case", lazy="raise")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.CheckConstraint("expires_at > granted_at", name="ends_after_start"),
        sa.CheckConstraint(
            "(reviewed_at IS NULL) = (reviewed_by_id IS NULL)", name="reviewed_by_whom"
        ),
    )

    @property
    def reason_label(self) -> str:
        return GlassReason(self.reason).label

    def is_active(self, now: datetime | None = None) -> bool:
        """True until the grant expires."""
        return (now or utcnow()) < self.expires_at


def running(user: User, case_id: int) -> scope.Grant | None:
    """``user``'s running grant on the case, if any."""
    return scope.running_grant(user.id, case_id)


def _as_running(grant: BreakGlassGrant) -> scope.Grant:
    return scope.Grant(
        grant.id, grant.user_id, grant.case_id, grant.reason.value, grant.expires_at
    )


def break_glass(user: User, case_id: int, data: dict[str, Any]) -> BreakGlassGrant:
    """Grant ``user`` access to the case for ``BREAK_GLASS_HOURS``."""
    authorize(
        has_permission(user, Permission.BREAK_GLASS),
        "Only clinicians may ask for access to a case outside their work.",
    )
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotFound(f"There is no case {case_id}.")
    if case.id in scope.scoped_ids(user.id, [case.id]):
        raise InvalidInput(f"You already have access to {case.reference}.")
    running = scope.running_grant(user.id, case.id)
    if running is not None:
        raise Conflict(
            f"You already have access to {case.reference} until "
            f"{running.expires_at:%H:%M} UTC; ask again once it has ended."
        )
    try:
        reason = GlassReason(data.get("reason") or "")
    except ValueError:
        raise InvalidInput("Choose why you need this case.", "reason") from None
    explanation = clean_text(
        data.get("explanation"),
        "explanation",
        "Explanation",
        REASON_LIMIT,
        required=True,
    )
    if len(explanation) < 10:
        raise InvalidInput(
            "Say in a sentence why you need this case (10 characters or more).",
            "explanation",
        )
    now = utcnow()
    grant = BreakGlassGrant(
        user_id=user.id,
        case_id=case.id,
        reason=reason,
        explanation=explanation,
        granted_at=now,
        expires_at=now + timedelta(hours=current_app.config["BREAK_GLASS_HOURS"]),
    )
    db.session.add(grant)
    db.session.flush()
    scope.remember_grant(_as_running(grant))
    audit.record(
        user,
        "case.break_glass",
        "break_glass_grant",
        grant.id,
        f"Broke the glass on {case.reference}: {reason.label}",
        changes={
            "reason": [None, reason.value],
            "explanation": [None, explanation],
            "expires_at": [None, grant.expires_at.isoformat()],
        },
        case_id=case.id,
        patient_id=case.patient_id,
    )
    hooks.glass_broken.run(user, grant, case)
    return grant


def grants_query(*, unreviewed: bool = False, older_than_days: int | None = None):
    """Grants, newest first, with their holder, reviewer and case."""
    stmt = sa.select(BreakGlassGrant).options(
        joinedload(BreakGlassGrant.user),
        joinedload(BreakGlassGrant.reviewed_by),
        joinedload(BreakGlassGrant.case),
    )
    if unreviewed:
        stmt = stmt.where(BreakGlassGrant.reviewed_at.is_(None))
    if older_than_days is not None:
        stmt = stmt.where(
            BreakGlassGrant.granted_at < utcnow() - timedelta(days=older_than_days)
        )
    return stmt.order_by(BreakGlassGrant.granted_at.desc(), BreakGlassGrant.id.desc())


def review(
    officer: User, grant: BreakGlassGrant, note: Any, version: int
) -> BreakGlassGrant:
    """The privacy officer marks a grant reviewed, with a note."""
    authorize(
        has_permission(officer, Permission.PRIVACY_REVIEW),
        "Only the privacy officer reviews break-glass access.",
    )
    if version != grant.version:
        raise Conflict(
            "This grant was reviewed or changed by someone else since you opened "
            "it. Your note is kept below; check the grant and save again."
        )
    if grant.reviewed_at is not None:
        raise Conflict("This grant has already been reviewed.")
    text = clean_text(note, "note", "Review note", REASON_LIMIT, required=True)
    grant.review_note = text
    grant.reviewed_at = utcnow()
    grant.reviewed_by_id = officer.id
    db.session.flush()
    audit.record(
        officer,
        "break_glass.review",
        "break_glass_grant",
        grant.id,
        f"Reviewed break-glass grant {grant.id}",
        changes={"review_note": [None, text]},
    )
    return grant
