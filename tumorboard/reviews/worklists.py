""" "Waiting for me": what each role has to do before the next boards.

Review roles see open cases heading for the board (work-up, ready or listed)
that have no review by their discipline; the coordinator sees the cases in
work-up with their readiness checklist; other clinicians see the cases they
lead. Every page is a fixed number of queries.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from tumorboard.auth.disciplines import REVIEW_DISCIPLINES, Discipline, discipline_of
from tumorboard.auth.models import User
from tumorboard.auth.permissions import Role
from tumorboard.cases.models import Case, CaseStatus
from tumorboard.cases.services import URGENCY_ORDER
from tumorboard.db import utcnow
from tumorboard.extensions import db
from tumorboard.meetings.models import (
    AgendaItem,
    AgendaItemStatus,
    Meeting,
    MeetingStatus,
)
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
class Page:
    """One page of a worklist, shaped like Flask-SQLAlchemy's pagination."""

    items: list[Entry]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


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
            f"Waiting for a {discipline.label.lower()} review",
            f"Cases in work-up, ready or listed for a board that have no "
            f"{discipline.label.lower()} review yet.",
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


def _query(user: User, worklist: Worklist) -> sa.Select:
    next_meeting = next_meeting_subquery().label("next_meeting_at")
    stmt = (
        sa.select(Case, next_meeting)
        .join(Case.patient)
        .options(contains_eager(Case.patient))
    )
    if worklist.kind == "readiness":
        stmt = stmt.where(Case.status == CaseStatus.WORKUP)
    elif worklist.kind == "review":
        stmt = stmt.where(
            Case.status.in_(READY_SOON),
            ~sa.exists().where(
                DisciplineReview.case_id == Case.id,
                DisciplineReview.discipline == worklist.discipline,
            ),
        )
    else:
        stmt = stmt.where(
            Case.status.in_(READY_SOON), Case.lead_clinician_id == user.id
        )
    return stmt.order_by(
        URGENCY_ORDER,
        next_meeting.is_(None),
        next_meeting,
        Case.referral_date,
        Case.id,
    )


def page_for(user: User, worklist: Worklist, page: int, per_page: int) -> Page:
    """One page of ``user``'s worklist: a count, the rows, and for the
    coordinator two more queries for the checklists."""
    stmt = _query(user, worklist)
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
    )
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    entries = [Entry(case, next_at) for case, next_at in rows]
    if worklist.kind == "readiness" and entries:
        lists = readiness.checklists(e.case for e in entries)
        for entry in entries:
            entry.checklist = lists[entry.case.id]
    return Page(entries, page, per_page, total)
