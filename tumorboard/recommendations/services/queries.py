"""Read models for the recommendation pages, and the audit of their reads."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from tumorboard.audit import services as audit
from tumorboard.auth import scope
from tumorboard.auth.models import User
from tumorboard.auth.permissions import (
    Permission,
    authorize,
    can_view_case,
    has_permission,
)
from tumorboard.cases.models import Case
from tumorboard.db import prebuilt, today
from tumorboard.extensions import db
from tumorboard.meetings.models import AgendaItem, Board, Meeting
from tumorboard.meetings.services import quorum as quorum
from tumorboard.recommendations.models import (
    ImplementationStatus,
    Recommendation,
    RecommendationState,
)


def meeting_date(meeting: Meeting) -> date:
    """The calendar day of the meeting in its board's time zone."""
    tz = db.session.scalar(
        sa.select(Board.timezone).where(Board.id == meeting.board_id)
    )
    return meeting.starts_at.astimezone(ZoneInfo(tz or "UTC")).date()


def current_recommendation(item: AgendaItem) -> Recommendation | None:
    """The current (not superseded) revision for an agenda item, if any."""
    return db.session.scalar(
        sa.select(Recommendation).where(Recommendation.current_key == item.id)
    )


def revisions_of(item_id: int) -> list[Recommendation]:
    """Every revision for an agenda item, newest first, with signer and author."""
    return list(
        db.session.scalars(
            sa.select(Recommendation)
            .where(Recommendation.agenda_item_id == item_id)
            .options(
                joinedload(Recommendation.signed_by),
                joinedload(Recommendation.created_by),
                joinedload(Recommendation.implementation_updated_by),
            )
            .order_by(Recommendation.revision.desc())
        )
    )


def case_history(case_id: int) -> list[Recommendation]:
    """Every revision of every recommendation for a case, newest first."""
    return list(db.session.scalars(_case_history(), {"case_id": case_id}))


@prebuilt
def _case_history() -> sa.Select:
    return (
        sa.select(Recommendation)
        .join(Recommendation.agenda_item)
        .join(AgendaItem.meeting)
        .join(Meeting.board)
        .where(Recommendation.case_id == sa.bindparam("case_id"))
        .options(
            contains_eager(Recommendation.agenda_item)
            .contains_eager(AgendaItem.meeting)
            .contains_eager(Meeting.board),
            joinedload(Recommendation.signed_by),
        )
        .order_by(Meeting.starts_at.desc(), Recommendation.revision.desc())
    )


def overdue_recommendations_query(user: User) -> sa.Select:
    """Signed, current recommendations not started by their start-by date, of
    the cases of ``user``'s work (access scope)."""
    return (
        sa.select(Recommendation)
        .where(
            scope.covers(user.id, Recommendation.case_id),
            Recommendation.state == RecommendationState.SIGNED,
            Recommendation.implementation_status == ImplementationStatus.NOT_STARTED,
            Recommendation.start_by < today(),
        )
        .options(
            joinedload(Recommendation.case).joinedload(Case.patient),
            joinedload(Recommendation.case).joinedload(Case.lead_clinician),
            joinedload(Recommendation.agenda_item).joinedload(AgendaItem.meeting),
            joinedload(Recommendation.signed_by),
        )
        .order_by(Recommendation.start_by, Recommendation.id)
    )


def awaiting_signature_query(user: User) -> sa.Select:
    """Draft revisions waiting for ``user``'s signature: every draft of a
    meeting they chair. The one definition behind the home page's list and
    the count in the navigation."""
    return (
        sa.select(Recommendation)
        .join(AgendaItem, Recommendation.agenda_item_id == AgendaItem.id)
        .join(Meeting, AgendaItem.meeting_id == Meeting.id)
        .where(
            Recommendation.state == RecommendationState.DRAFT,
            Meeting.chair_id == user.id,
        )
        .order_by(Meeting.starts_at, Recommendation.id)
    )


def count_awaiting_signature(user: User) -> int:
    """How many drafts wait for ``user``'s signature: one COUNT query, none
    for someone who never signs (only a clinician can chair)."""
    if not has_permission(user, Permission.RECOMMENDATION_SIGN):
        return 0
    stmt = (
        awaiting_signature_query(user)
        .with_only_columns(sa.func.count(Recommendation.id))
        .order_by(None)
    )
    return db.session.scalar(stmt) or 0


def record_read(actor: User, rec: Recommendation) -> None:
    """Audit that ``actor`` opened a recommendation."""
    case = db.session.get(Case, rec.case_id)
    authorize(can_view_case(actor, case), "You cannot see this case.")
    audit.record(
        actor,
        "recommendation.read",
        "recommendation",
        rec.id,
        f"Viewed the recommendation for {case.reference} (revision {rec.revision})",
        case_id=case.id,
        patient_id=case.patient_id,
    )
