""" "My work": what each person has to do, built from what they are to the cases.

A person sees every section that applies to them, whatever their role: the
coordinator's pipeline; the reviews their discipline owes; the decisions
waiting for their signature as chair; the next steps of the cases they lead;
the patients they are key worker for, with decisions to pass on; their open
actions. Each section costs a fixed number of queries and shows at most
:data:`LIMIT` rows with the total and a link to the full list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import contains_eager, joinedload

from tumorboard.auth import scope
from tumorboard.auth.disciplines import REVIEW_DISCIPLINES, discipline_of
from tumorboard.auth.models import User
from tumorboard.auth.permissions import Permission, Role, has_permission
from tumorboard.cases.listing import URGENCY_ORDER
from tumorboard.cases.models import Case, CaseStatus
from tumorboard.db import today, utcnow
from tumorboard.extensions import db
from tumorboard.formatting import format_date, with_article
from tumorboard.main.pipeline import (
    LIMIT,
    Stage,
    count,
    discussed_without_recommendation,
    drafts_query,
    listed_by_meeting,
    pipeline,
)
from tumorboard.main.worklists import READY_SOON, next_meeting_subquery
from tumorboard.meetings.models import (
    AgendaItem,
    Meeting,
)
from tumorboard.recommendations.models import (
    ActionItem,
    ActionStatus,
    Recommendation,
    RecommendationState,
)
from tumorboard.recommendations.services import (
    awaiting_signature_query,
    count_awaiting_signature,
)
from tumorboard.reviews import readiness
from tumorboard.reviews.models import DisciplineReview

#: Signed decisions this recent are shown to the key worker to pass on.
RECENT_DECISION_DAYS = 30

#: What comes next for a case the person leads, by status.
NEXT_STEPS = {
    CaseStatus.REFERRED: "Referred: the coordinator starts the work-up",
    CaseStatus.WORKUP: "Work-up: reviews and readiness items to complete",
    CaseStatus.READY: "Ready: waiting for a place on an agenda",
    CaseStatus.LISTED: "Listed for the board",
    CaseStatus.DISCUSSED: "Discussed: the board's decision to carry out",
    CaseStatus.FOLLOW_UP: "Follow-up after the board's decision",
}


@dataclass
class Row:
    """One line of a section: a case (or none) and what to do about it."""

    text: str
    url: str
    case: Case | None = None
    when: Any = None


@dataclass
class Section:
    key: str
    title: str
    count: int
    rows: list[Row] = field(default_factory=list)
    more_url: str | None = None
    empty: str = "Nothing waiting."


def _cases(stmt: sa.Select) -> sa.Select:
    return stmt.join(Case.patient).options(contains_eager(Case.patient))


# Coordinator ------------------------------------------------------------------------


def discussed_section(user: User) -> Section:
    stmt = discussed_without_recommendation(user)
    items = db.session.scalars(
        stmt.options(
            joinedload(AgendaItem.case).joinedload(Case.patient),
            joinedload(AgendaItem.meeting),
        ).limit(LIMIT)
    ).all()
    return Section(
        "discussed",
        "Discussed without a recommendation",
        count(stmt),
        [
            Row(
                f"Discussed on {format_date(item.meeting.starts_at)}: record the "
                "recommendation",
                url_for(
                    "recommendations.record",
                    meeting_id=item.meeting_id,
                    item_id=item.id,
                ),
                item.case,
                item.meeting.starts_at,
            )
            for item in items
        ],
        empty="Every discussed case has its recommendation.",
    )


def _draft_rows(stmt: sa.Select) -> list[Row]:
    recs = db.session.scalars(
        stmt.options(
            joinedload(Recommendation.case).joinedload(Case.patient),
            joinedload(Recommendation.agenda_item).joinedload(AgendaItem.meeting),
        ).limit(LIMIT)
    ).all()
    return [
        Row(
            f"Draft from {format_date(rec.agenda_item.meeting.starts_at)}"
            + (f", revision {rec.revision}" if rec.revision > 1 else ""),
            url_for("recommendations.detail", rec_id=rec.id),
            rec.case,
            rec.agenda_item.meeting.starts_at,
        )
        for rec in recs
    ]


def drafts_section(user: User) -> Section:
    stmt = drafts_query(user)
    return Section(
        "drafts",
        "Unsigned draft recommendations",
        count(stmt),
        _draft_rows(stmt),
        empty="No draft is waiting for a signature.",
    )


# Clinicians -------------------------------------------------------------------------


def signature_section(user: User) -> Section:
    """Drafts of meetings ``user`` chairs: waiting for their signature."""
    stmt = awaiting_signature_query(user)
    return Section(
        "signature",
        "Waiting for your signature",
        count_awaiting_signature(user),
        _draft_rows(stmt),
        empty="No decision is waiting for your signature.",
    )


def reviews_section(user: User) -> Section | None:
    """Cases waiting for the review of ``user``'s discipline, soonest meeting
    first (the readiness table decides which cases need it)."""
    discipline = discipline_of(user.role)
    if discipline not in REVIEW_DISCIPLINES or not has_permission(
        user, Permission.REVIEW_WRITE
    ):
        return None
    next_meeting = next_meeting_subquery()
    stmt = sa.select(Case).where(
        scope.in_scope(user.id),
        Case.status.in_(READY_SOON),
        readiness.review_needed(discipline),
        ~sa.exists().where(
            DisciplineReview.case_id == Case.id,
            DisciplineReview.discipline == discipline,
        ),
    )
    rows = db.session.execute(
        _cases(stmt)
        .add_columns(next_meeting)
        .order_by(next_meeting.is_(None), next_meeting, URGENCY_ORDER, Case.id)
        .limit(LIMIT)
    ).all()
    return Section(
        "reviews",
        f"Waiting for your {discipline.label.lower()} review",
        count(stmt),
        [
            Row(
                f"Board on {format_date(when)}" if when else "Not yet on an agenda",
                url_for("reviews.edit", case_id=case.id, discipline=discipline.value),
                case,
                when,
            )
            for case, when in rows
        ],
        url_for("main.worklist"),
        empty=f"No case is waiting for {with_article(discipline.label.lower())} "
        "review.",
    )


def lead_section(user: User) -> Section:
    """Open cases ``user`` leads, with what comes next for each."""
    next_meeting = next_meeting_subquery()
    stmt = sa.select(Case).where(
        Case.lead_clinician_id == user.id, Case.status.in_(list(NEXT_STEPS))
    )
    rows = db.session.execute(
        _cases(stmt)
        .add_columns(next_meeting)
        .order_by(URGENCY_ORDER, next_meeting.is_(None), next_meeting, Case.id)
        .limit(LIMIT)
    ).all()
    return Section(
        "lead",
        "Cases you lead: next steps",
        count(stmt),
        [
            Row(
                NEXT_STEPS[CaseStatus(case.status)]
                + (f" on {format_date(when)}" if when else ""),
                url_for("cases.detail", case_id=case.id),
                case,
                when,
            )
            for case, when in rows
        ],
        url_for("cases.mine"),
        empty="You lead no open case.",
    )


def key_worker_section(user: User) -> Section:
    """Patients ``user`` is key worker for, with recent decisions to pass on."""
    since = utcnow() - timedelta(days=RECENT_DECISION_DAYS)
    stmt = sa.select(Case).where(
        Case.key_worker_id == user.id,
        Case.status.notin_([CaseStatus.CLOSED, CaseStatus.WITHDRAWN]),
    )
    cases = db.session.scalars(
        _cases(stmt).order_by(Case.status_changed_at.desc(), Case.id).limit(LIMIT)
    ).all()
    decisions: dict[int, Recommendation] = {}
    if cases:
        for rec in db.session.scalars(
            sa.select(Recommendation)
            .where(
                Recommendation.case_id.in_([c.id for c in cases]),
                Recommendation.state == RecommendationState.SIGNED,
                Recommendation.signed_at >= since,
            )
            .order_by(Recommendation.signed_at)
        ):
            decisions[rec.case_id] = rec
    rows = []
    for case in cases:
        rec = decisions.get(case.id)
        if rec is not None:
            rows.append(
                Row(
                    f"Board decision signed {format_date(rec.signed_at)}: to pass on",
                    url_for("recommendations.detail", rec_id=rec.id),
                    case,
                    rec.signed_at,
                )
            )
        else:
            rows.append(
                Row(
                    CaseStatus(case.status).label,
                    url_for("cases.detail", case_id=case.id),
                    case,
                )
            )
    # Decisions to pass on first.
    rows.sort(key=lambda r: not isinstance(r.when, datetime))
    return Section(
        "key_worker",
        "Your patients (key worker)",
        count(stmt),
        rows,
        url_for("cases.my_patients"),
        empty="You are not key worker for any open case.",
    )


def actions_section(user: User) -> Section:
    stmt = sa.select(ActionItem).where(
        ActionItem.owner_id == user.id, ActionItem.status == ActionStatus.OPEN
    )
    items = db.session.scalars(
        stmt.options(
            joinedload(ActionItem.recommendation)
            .joinedload(Recommendation.case)
            .joinedload(Case.patient)
        )
        .order_by(ActionItem.due_date, ActionItem.id)
        .limit(LIMIT)
    ).all()
    now = today()
    return Section(
        "actions",
        "Your open actions",
        count(stmt),
        [
            Row(
                ("Overdue: " if item.due_date < now else "")
                + f"{item.description} (due {format_date(item.due_date)})",
                url_for("recommendations.my_actions"),
                item.recommendation.case,
                item.due_date,
            )
            for item in items
        ],
        url_for("recommendations.my_actions"),
        empty="No open action.",
    )


@dataclass
class Home:
    """Everything "My work" shows one person."""

    pipeline: list[Stage] = field(default_factory=list)
    meetings: list[tuple[Meeting, int]] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    #: Drafts waiting for the person's signature, when counted for the page
    #: (the navigation shows the same number without counting again).
    signatures_waiting: int | None = None

    @property
    def waiting(self) -> int:
        """Items waiting in the person's own sections."""
        return sum(s.count for s in self.sections)


def home_for(user: User) -> Home:
    """The sections of "My work" that apply to ``user``."""
    role = Role(user.role)
    home = Home()
    if role == Role.COORDINATOR:
        discussed, drafts = discussed_section(user), drafts_section(user)
        home.pipeline = pipeline(user, discussed.count, drafts.count)
        home.meetings = listed_by_meeting()
        home.sections = [discussed, drafts]
        return home
    if not user.is_clinician:
        return home
    reviews = reviews_section(user)
    nurse = role == Role.NURSE_SPECIALIST
    signature = signature_section(user)
    home.signatures_waiting = signature.count
    key_worker = key_worker_section(user)
    sections = []
    # The patients a nurse specialist is key worker for are their main work.
    if nurse or key_worker.count:
        sections.append(key_worker)
    # Shown to those chairing a meeting with decisions still to sign.
    if signature.count:
        sections.insert(0, signature)
    if reviews is not None:
        sections.append(reviews)
    sections += [lead_section(user), actions_section(user)]
    home.sections = sections
    return home
