""" "Waiting for me": what each role has to do before the next boards.

Review roles see open cases heading for the board (work-up, ready or listed)
that need a review by their discipline (the readiness table) and have none;
the coordinator sees the cases in work-up with their readiness checklist;
other clinicians see the cases they lead. Every page is a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import joinedload

from tumorboard.auth import scope
from tumorboard.auth.disciplines import REVIEW_DISCIPLINES, Discipline, discipline_of
from tumorboard.auth.models import User
from tumorboard.auth.permissions import Role
from tumorboard.cases import status_counts
from tumorboard.cases.models import Case, CaseStatus, Urgency
from tumorboard.db import utcnow
from tumorboard.extensions import db
from tumorboard.formatting import with_article
from tumorboard.meetings.models import (
    AgendaItem,
    AgendaItemStatus,
    Meeting,
    MeetingStatus,
)
from tumorboard.pagination import paginate
from tumorboard.reviews import readiness
from tumorboard.reviews.models import DisciplineReview

#: Statuses of cases on their way to a board discussion.
READY_SOON = (CaseStatus.WORKUP, CaseStatus.READY, CaseStatus.LISTED)


@dataclass
class Entry:
    """One case on a worklist."""

    case: Case
    next_meeting_at: datetime | None
    checklist: readiness.Checklist | None = None


@dataclass
class Worklist:
    """What a worklist is about, for the page heading."""

    kind: str
    title: str
    description: str
    discipline: Discipline | None = None


def worklist_for(user: User) -> Worklist:
    """Which worklist ``user``'s role gets."""
    role = Role(user.role)
    discipline = discipline_of(role)
    if role == Role.COORDINATOR:
        return Worklist(
            "readiness",
            "Cases at the readiness gate",
            "Cases in work-up and what each still lacks before it can be marked "
            "ready for the board.",
        )
    if discipline in REVIEW_DISCIPLINES:
        return Worklist(
            "review",
            f"Waiting for {with_article(discipline.label.lower())} review",
            f"Cases in work-up, ready or listed for a board that need "
            f"{with_article(discipline.label.lower())} review and have none yet.",
            discipline,
        )
    return Worklist(
        "lead",
        "Cases you lead",
        "Cases you lead that are in work-up, ready or listed for a board.",
    )


def next_meeting_subquery() -> sa.ScalarSelect:
    """The start of the next planned or published meeting listing the case."""
    return (
        sa.select(sa.func.min(Meeting.starts_at))
        .join(AgendaItem, AgendaItem.meeting_id == Meeting.id)
        .where(
            AgendaItem.case_id == Case.id,
            AgendaItem.status == AgendaItemStatus.LISTED,
            Meeting.status.in_([MeetingStatus.PLANNED, MeetingStatus.PUBLISHED]),
            Meeting.starts_at >= utcnow(),
        )
        .correlate(Case)
        .scalar_subquery()
    )


def next_meetings() -> sa.Subquery:
    """Each listed case with the start of its next planned or published
    meeting: a small table (the coming agendas), computed once per query
    rather than once per candidate case."""
    return _next_meetings().subquery("next_meetings")


def _next_meetings() -> sa.Select:
    return (
        sa.select(
            AgendaItem.case_id.label("case_id"),
            sa.func.min(Meeting.starts_at).label("starts_at"),
        )
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(
            AgendaItem.status == AgendaItemStatus.LISTED,
            Meeting.status.in_([MeetingStatus.PLANNED, MeetingStatus.PUBLISHED]),
            Meeting.starts_at >= utcnow(),
        )
        .group_by(AgendaItem.case_id)
    )


def _conditions(user: User, worklist: Worklist) -> list[sa.ColumnElement[bool]]:
    """Which cases are on ``user``'s worklist: of their work (access scope)."""
    if worklist.kind == "readiness":
        return [Case.status == CaseStatus.WORKUP, scope.in_scope(user.id)]
    if worklist.kind == "review":
        return [
            scope.in_scope(user.id),
            Case.status.in_(READY_SOON),
            readiness.review_needed(worklist.discipline),
            ~sa.exists().where(
                DisciplineReview.case_id == Case.id,
                DisciplineReview.discipline == worklist.discipline,
            ),
        ]
    return [Case.status.in_(READY_SOON), Case.lead_clinician_id == user.id]


def _page_keys(
    conditions: list[sa.ColumnElement[bool]], offset: int, limit: int
) -> sa.Select:
    """The ids of one page, most urgent first; within an urgency, the cases
    listed for a coming meeting (soonest first) before the others, then the
    oldest referral first.

    The cases listed for a coming meeting are few (the coming agendas) and
    sorted whole; the others are read for each urgency off the index on
    status, urgency and referral date, and only as far as the end of the
    page. Sorting every candidate by urgency and next meeting instead costs
    as much as the list is long.
    """
    upcoming = _next_meetings().cte("next_meetings")
    rank = {level: n for n, level in enumerate(Urgency)}
    arms: list[sa.Select] = [
        sa.select(
            sa.case(
                {level.value: 2 * n for level, n in rank.items()}, value=Case.urgency
            ).label("part"),
            upcoming.c.starts_at.label("at"),
            Case.referral_date.label("referral_date"),
            Case.id.label("id"),
        )
        .select_from(upcoming)
        .join(Case, Case.id == upcoming.c.case_id)
        .where(*conditions)
    ]
    no_meeting = sa.cast(sa.null(), Meeting.starts_at.type)
    listed = sa.select(upcoming.c.case_id)
    for level, n in rank.items():
        waiting = (
            sa.select(
                sa.literal(2 * n + 1).label("part"),
                no_meeting.label("at"),
                Case.referral_date.label("referral_date"),
                Case.id.label("id"),
            )
            .where(*conditions, Case.urgency == level, Case.id.not_in(listed))
            .order_by(Case.referral_date, Case.id)
            .limit(offset + limit)
            .subquery()
        )
        arms.append(sa.select(waiting))
    merged = sa.union_all(*arms).subquery("page_order")
    return (
        sa.select(merged.c.id)
        .order_by(merged.c.part, merged.c.at, merged.c.referral_date, merged.c.id)
        .limit(limit)
        .offset(offset)
    )


def page_for(user: User, worklist: Worklist, page: int, per_page: int) -> Pagination:
    """One page of ``user``'s worklist (a page past the end shows the last one):
    a count, the page's keys, its cases, their next meetings, and for the
    coordinator two more queries for the checklists."""
    conditions = _conditions(user, worklist)
    # The readiness gate of someone with every case in scope is every case in
    # work-up: the kept number, not a count.
    total = None
    if worklist.kind == "readiness" and scope.has_every_case(user.id):
        total = status_counts.by_status([CaseStatus.WORKUP])[CaseStatus.WORKUP]
    loaded = sa.select(Case).options(joinedload(Case.patient, innerjoin=True))
    stmt = loaded.where(*conditions)

    def pages(number: int):
        return paginate(
            stmt,
            Case.id,
            page=number,
            per_page=per_page,
            error_out=False,
            keys=lambda offset, limit: (_page_keys(conditions, offset, limit), {}),
            counted=sa.select(Case.id).where(*conditions),
            rows=loaded,
            total=total,
        )

    result = pages(max(1, page))
    if result.page > result.pages > 0:
        result = pages(result.pages)
    cases = list(result.items)
    next_at = dict(
        db.session.execute(
            sa.select(Case.id, next_meeting_subquery()).where(
                Case.id.in_([c.id for c in cases])
            )
        ).all()
    )
    entries = [Entry(case, next_at.get(case.id)) for case in cases]
    if worklist.kind == "readiness" and entries:
        lists = readiness.checklists(e.case for e in entries)
        for entry in entries:
            entry.checklist = lists[entry.case.id]
    result.items = entries
    return result
