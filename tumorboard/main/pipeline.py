"""The coordinator's pipeline on My work: counts by stage, the decisions
to record and sign of their boards, and the coming agendas."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import url_for

from tumorboard.auth import scope
from tumorboard.auth.models import User
from tumorboard.cases import status_counts
from tumorboard.cases.models import Case, CaseStatus
from tumorboard.extensions import db
from tumorboard.meetings.models import (
    AgendaItem,
    AgendaItemStatus,
    Meeting,
    MeetingStatus,
)
from tumorboard.recommendations.models import (
    Recommendation,
    RecommendationState,
)
from tumorboard.recommendations.services import (
    overdue_actions_query,
    overdue_recommendations_query,
)

#: Rows shown per section; the count and the link give the rest.

#: Rows listed per section of My work, with the total and a link to the rest.
LIMIT = 8

#: Statuses counted in the coordinator's pipeline.
PIPELINE_STATUSES = (
    CaseStatus.REFERRED,
    CaseStatus.WORKUP,
    CaseStatus.READY,
    CaseStatus.LISTED,
)


@dataclass
class Stage:
    """One step of the coordinator's pipeline."""

    label: str
    count: int
    url: str
    hint: str = ""


def count(stmt: sa.Select) -> int:
    """The rows of ``stmt``, counted without its order (a sort the database
    would otherwise make before counting)."""
    counted = stmt.order_by(None).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(counted))


def pipeline(user: User, discussed: int, drafts: int) -> list[Stage]:
    """The coordinator's pipeline, each stage with its count (three queries).
    The counts by status are those of the case list, kept as the cases
    change (:mod:`tumorboard.cases.status_counts`); the decisions to record
    and sign (``discussed`` and ``drafts``, counted for the sections of My
    work) are those of the coordinator's boards (access scope)."""
    by_status = status_counts.by_status(PIPELINE_STATUSES)
    overdue_recs = count(overdue_recommendations_query(user).options())
    overdue_actions = count(overdue_actions_query(user).options())
    overdue_url = url_for("recommendations.overdue")
    return [
        Stage(
            "New referrals",
            by_status.get(CaseStatus.REFERRED, 0),
            url_for("cases.index", status=CaseStatus.REFERRED.value),
            "to start the work-up",
        ),
        Stage(
            "Work-up",
            by_status.get(CaseStatus.WORKUP, 0),
            url_for("main.worklist"),
            "what each still lacks before the board",
        ),
        Stage(
            "Ready, not yet listed",
            by_status.get(CaseStatus.READY, 0),
            url_for("cases.index", status=CaseStatus.READY.value),
            "to put on an agenda",
        ),
        Stage(
            "Listed for a meeting",
            by_status.get(CaseStatus.LISTED, 0),
            url_for("meetings.index"),
            "by meeting below",
        ),
        Stage(
            "Discussed without a recommendation",
            discussed,
            url_for("main.index") + "#discussed",
            "to record",
        ),
        Stage(
            "Unsigned draft recommendations",
            drafts,
            url_for("main.index") + "#drafts",
            "waiting for the chair",
        ),
        Stage(
            "Overdue implementation",
            overdue_recs,
            overdue_url,
            "signed, not started by the start-by date",
        ),
        Stage("Overdue actions", overdue_actions, overdue_url, "past their due date"),
    ]


def listed_by_meeting() -> list[tuple[Meeting, int]]:
    """Upcoming and running meetings with the number of cases listed (one query)."""
    rows = db.session.execute(
        sa.select(Meeting, sa.func.count(AgendaItem.id))
        .join(AgendaItem, AgendaItem.meeting_id == Meeting.id)
        .where(
            AgendaItem.status == AgendaItemStatus.LISTED,
            Meeting.status.in_(
                [
                    MeetingStatus.PLANNED,
                    MeetingStatus.PUBLISHED,
                    MeetingStatus.IN_PROGRESS,
                ]
            ),
        )
        .group_by(Meeting.id)
        .order_by(Meeting.starts_at)
        .limit(LIMIT)
    ).all()
    return [(meeting, count) for meeting, count in rows]


def discussed_without_recommendation(user: User) -> sa.Select:
    """Discussed items of ``user``'s cases with no recommendation recorded,
    meeting by meeting (read off the index on status and the flag)."""
    return (
        sa.select(AgendaItem)
        .join(Case, Case.id == AgendaItem.case_id)
        .where(
            AgendaItem.status == AgendaItemStatus.DISCUSSED,
            AgendaItem.has_recommendation == sa.false(),
            scope.in_scope(user.id),
        )
        .order_by(AgendaItem.meeting_id, AgendaItem.id)
    )


def drafts_query(user: User) -> sa.Select:
    return (
        sa.select(Recommendation)
        .join(Case, Case.id == Recommendation.case_id)
        .where(
            Recommendation.state == RecommendationState.DRAFT,
            scope.in_scope(user.id),
        )
        .order_by(Recommendation.created_at, Recommendation.id)
    )
