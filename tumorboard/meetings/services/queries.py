"""Reading meetings: lists, agendas, the ready pool, preparation and room
on later meetings, and the audit entries of who read an agenda."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import contains_eager, joinedload

from tumorboard.audit import services as audit
from tumorboard.auth.disciplines import Discipline
from tumorboard.auth.models import User
from tumorboard.auth.permissions import authorize, can_view_agenda
from tumorboard.cases import status_counts
from tumorboard.cases.models import Case, CaseStatus, Urgency
from tumorboard.extensions import db
from tumorboard.meetings.models import (
    AgendaItem,
    Attendance,
    Board,
    Meeting,
    MeetingStatus,
)
from tumorboard.meetings.services._shared import (
    ACTIVE_VALUES,
    board_of,
    case_of,
    check_item,
    resolve_now,
)
from tumorboard.reviews import readiness

AGENDA_REFUSED = (
    "This agenda is for the board's members, the meeting's chair and those "
    "present, once the coordinator publishes it."
)


def preparation_for(cases: Iterable[Case]) -> dict[int, dict[Discipline, str]]:
    """Per case, where each reviewing discipline stands before the board: its
    review written, stood in for by a pre-biopsy discussion, waived by the
    coordinator at the readiness gate, or missing (``readiness.preparation``)."""
    return readiness.preparation(cases)


def agenda_items(actor: User, meeting: Meeting) -> list[AgendaItem]:
    """Every item of a meeting with case, patient and presenter, in order."""
    authorize(can_view_agenda(actor, meeting), AGENDA_REFUSED)
    return list(
        db.session.scalars(
            sa.select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id)
            .join(AgendaItem.case)
            .join(Case.patient)
            .options(
                contains_eager(AgendaItem.case).contains_eager(Case.patient),
                joinedload(AgendaItem.presenter),
            )
            .order_by(AgendaItem.position, AgendaItem.id)
        ).unique()
    )


def attendance_rows(meeting: Meeting) -> list[Attendance]:
    """Attendance rows of a meeting with their users."""
    return list(
        db.session.scalars(
            sa.select(Attendance)
            .where(Attendance.meeting_id == meeting.id)
            .options(joinedload(Attendance.user))
            .order_by(Attendance.id)
        )
    )


#: Ready cases the meeting page lists at a time.
POOL_PAGE = 50


@dataclass
class PoolPage:
    """One page of the ready pool, and where it lies in the whole pool."""

    cases: list[Case]
    page: int
    #: Every case ready for the board.
    total: int
    #: Cases per page.
    size: int

    @property
    def pages(self) -> int:
        return _pages(self.total, self.size)

    @property
    def first(self) -> int:
        """The position of the page's first case in the pool (from 1)."""
        return (self.page - 1) * self.size + 1 if self.cases else 0

    @property
    def last(self) -> int:
        return self.first + len(self.cases) - 1 if self.cases else 0


def ready_pool_page(page: int = 1) -> PoolPage:
    """Page ``page`` of the ready pool (``POOL_PAGE`` cases; a page past the
    end gives the last one, and one before the first the first)."""
    total = status_counts.by_status([CaseStatus.READY])[CaseStatus.READY]
    page = min(max(page, 1), _pages(total, POOL_PAGE))
    cases = ready_pool(limit=POOL_PAGE, offset=(page - 1) * POOL_PAGE)
    return PoolPage(cases=cases, page=page, total=total, size=POOL_PAGE)


def _pages(total: int, size: int) -> int:
    """Pages of ``size`` for ``total`` rows; one, empty, for none."""
    return max(1, math.ceil(total / size))


def ready_pool(limit: int = POOL_PAGE, offset: int = 0) -> list[Case]:
    """Cases ready for the board, most urgent and longest waiting first:
    ``limit`` of them after the first ``offset``.

    The ids are read for each urgency off the index on status, urgency and
    time of readiness, only as far as ``offset + limit``; sorting every ready
    case by urgency instead costs as much as the pool is long. Then only
    those cases are loaded, with their patients."""
    arms = [
        sa.select(
            sa.literal(rank).label("rank"),
            Case.status_changed_at.label("since"),
            Case.id.label("id"),
        )
        .where(Case.status == CaseStatus.READY, Case.urgency == level)
        .order_by(Case.status_changed_at, Case.id)
        .limit(offset + limit)
        .subquery()
        for rank, level in enumerate(Urgency)
    ]
    merged = sa.union_all(*(sa.select(arm) for arm in arms)).subquery("pool")
    ids = db.session.scalars(
        sa.select(merged.c.id)
        .order_by(merged.c.rank, merged.c.since, merged.c.id)
        .offset(offset)
        .limit(limit)
    ).all()
    if not ids:
        return []
    loaded = db.session.scalars(
        sa.select(Case)
        .where(Case.id.in_(ids))
        .join(Case.patient)
        .options(contains_eager(Case.patient))
    ).all()
    by_id = {case.id: case for case in loaded}
    return [by_id[case_id] for case_id in ids]


@dataclass
class MeetingRow:
    """A meeting in a list, with how full its agenda is."""

    meeting: Meeting
    count: int
    minutes: int


def meetings_query(
    *, board_id: int | None = None, upcoming: bool = True, now: datetime | None = None
) -> sa.Select:
    """One SELECT of meetings with their board and chair, in list order.

    Classified by status first: upcoming are the meetings still to be held
    (planned or published, not yet over) and every meeting in progress; the
    others (closed, cancelled, or planned but never held) are past, whatever
    their planned time.
    """
    now = resolve_now(now)
    waiting = Meeting.status.in_(
        [MeetingStatus.PLANNED.value, MeetingStatus.PUBLISHED.value]
    )
    running = Meeting.status == MeetingStatus.IN_PROGRESS.value
    is_upcoming = sa.or_(running, sa.and_(waiting, Meeting.ends_at > now))
    stmt = (
        sa.select(Meeting)
        .join(Meeting.board)
        .options(contains_eager(Meeting.board), joinedload(Meeting.chair))
    )
    if board_id:
        stmt = stmt.where(Meeting.board_id == board_id)
    if upcoming:
        stmt = stmt.where(is_upcoming).order_by(Meeting.starts_at, Meeting.id)
    else:
        stmt = stmt.where(~is_upcoming).order_by(
            Meeting.starts_at.desc(), Meeting.id.desc()
        )
    return stmt


def _rows(meetings: Sequence[Meeting]) -> list[MeetingRow]:
    """``meetings`` with the count and planned minutes of their active items."""
    load: dict[int, tuple[int, int]] = {}
    if meetings:
        load = {
            meeting_id: (count, minutes)
            for meeting_id, count, minutes in db.session.execute(
                sa.select(
                    AgendaItem.meeting_id,
                    sa.func.count(AgendaItem.id),
                    sa.func.coalesce(sa.func.sum(AgendaItem.planned_minutes), 0),
                )
                .where(
                    AgendaItem.meeting_id.in_([m.id for m in meetings]),
                    AgendaItem.status.in_(ACTIVE_VALUES),
                )
                .group_by(AgendaItem.meeting_id)
            )
        }
    return [MeetingRow(m, *load.get(m.id, (0, 0))) for m in meetings]


def meeting_rows(stmt: sa.Select, limit: int) -> list[MeetingRow]:
    """Run a :func:`meetings_query` with a limit."""
    return _rows(db.session.scalars(stmt.limit(limit)).unique().all())


def meeting_page(stmt: sa.Select, page: int, per_page: int) -> Pagination:
    """A page of a :func:`meetings_query`; its items are :class:`MeetingRow`."""
    pagination = db.paginate(
        stmt, page=page, per_page=per_page, max_per_page=None, error_out=False
    )
    pagination.items = _rows(pagination.items)
    return pagination


def _load_columns():
    """Correlated count and minutes of a meeting's active items."""
    count = (
        sa.select(sa.func.count(AgendaItem.id))
        .where(
            AgendaItem.meeting_id == Meeting.id, AgendaItem.status.in_(ACTIVE_VALUES)
        )
        .correlate(Meeting)
        .scalar_subquery()
    )
    minutes = (
        sa.select(sa.func.coalesce(sa.func.sum(AgendaItem.planned_minutes), 0))
        .where(
            AgendaItem.meeting_id == Meeting.id, AgendaItem.status.in_(ACTIVE_VALUES)
        )
        .correlate(Meeting)
        .scalar_subquery()
    )
    return count, minutes


def next_meeting_with_room(
    board: Board,
    minutes: int,
    *,
    after: datetime,
    case_id: int | None = None,
    now: datetime | None = None,
) -> Meeting | None:
    """The board's first open meeting after ``after`` with a free place and
    ``minutes`` of time left (and without ``case_id`` on it already)."""
    count, used = _load_columns()
    stmt = (
        sa.select(Meeting, count, used)
        .options(joinedload(Meeting.board))
        .where(
            Meeting.board_id == board.id,
            Meeting.status.in_(
                [MeetingStatus.PLANNED.value, MeetingStatus.PUBLISHED.value]
            ),
            Meeting.starts_at > max(after, resolve_now(now)),
        )
        .order_by(Meeting.starts_at)
        .limit(52)
    )
    if case_id is not None:
        stmt = stmt.where(
            ~sa.exists().where(
                AgendaItem.meeting_id == Meeting.id,
                AgendaItem.case_id == case_id,
                AgendaItem.status.in_(ACTIVE_VALUES),
            )
        )
    for meeting, n, total in db.session.execute(stmt).unique():
        if n < board.capacity and total + minutes <= meeting.duration_minutes:
            return meeting
    return None


def load_meeting(meeting_id: int) -> Meeting:
    """A meeting with its board and chair, or 404."""
    return db.first_or_404(
        sa.select(Meeting)
        .where(Meeting.id == meeting_id)
        .options(joinedload(Meeting.board), joinedload(Meeting.chair))
    )


def record_agenda_read(
    actor: User,
    meeting: Meeting,
    items: Iterable[AgendaItem],
    pool: Iterable[Case] = (),
) -> None:
    """Audit that ``actor`` viewed or printed an agenda (its ``items``), and
    the ready ``pool`` when the page showed it too: one entry with the case
    and patient ids."""
    authorize(can_view_agenda(actor, meeting), AGENDA_REFUSED)
    pool = list(pool)
    cases = [item.case for item in items] + pool
    what = f"the agenda of {board_of(meeting).name}, {meeting.when_label}"
    audit.record_list(
        actor,
        "agenda.read",
        what + (" and the ready pool" if pool else ""),
        {"meeting": meeting.id},
        case_ids=[c.id for c in cases],
        patient_ids=[c.patient_id for c in cases],
        entity_type="meeting",
        entity_id=meeting.id,
    )


def record_presentation_read(actor: User, meeting: Meeting, item: AgendaItem) -> None:
    """Audit that ``actor`` opened a case in presentation mode."""
    authorize(can_view_agenda(actor, meeting), AGENDA_REFUSED)
    check_item(meeting, item)
    case = case_of(item)
    audit.record(
        actor,
        "case.read",
        "case",
        case.id,
        f"Presented {case.reference} at {board_of(meeting).name}, {meeting.when_label}",
        case_id=case.id,
        patient_id=case.patient_id,
    )
