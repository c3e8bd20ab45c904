"""The demo boards and meetings load through the services, once."""

from __future__ import annotations

import sqlalchemy as sa

from tests import factories
from tumorboard.cases.models import CaseStatus
from tumorboard.demo import DEMO_USERS
from tumorboard.extensions import db
from tumorboard.meetings import demo
from tumorboard.meetings.models import AgendaItem, Board, Meeting, MeetingStatus


def test_demo_boards_meetings_and_agendas(app):
    users = {
        email: factories.make_user(role, email=email, name=name)
        for email, name, role in DEMO_USERS
    }
    cases = [factories.make_case(status=CaseStatus.READY) for _ in range(3)]
    cases += [
        factories.make_case(
            status=CaseStatus.READY,
            case_type="skeletal_metastasis",
            known_primary="breast",
        )
        for _ in range(2)
    ]
    cases.append(factories.make_case(status=CaseStatus.WORKUP))
    ready_before = 5

    made = demo.make_boards(users)
    created = demo.load(users, cases, made)
    assert created == 2 * (6 + 2)
    boards = db.session.scalars(
        sa.select(Board)
        .where(Board.name != factories.DEFAULT_BOARD)
        .order_by(Board.name)
    ).all()
    assert [b.name for b in boards] == [
        "Bone sarcoma board",
        "Skeletal metastasis board",
    ]
    closed = db.session.scalars(
        sa.select(Meeting).where(Meeting.status == MeetingStatus.CLOSED)
    ).all()
    assert len(closed) == 4
    assert {m.is_quorate for m in closed} == {True, False}
    items = db.session.scalar(sa.select(sa.func.count(AgendaItem.id)))
    assert items == ready_before > 0
    # Last week's meetings discussed the first two ready cases of each board;
    # the rest are listed on the next meeting.
    assert [c.status for c in cases] == [
        CaseStatus.DISCUSSED,
        CaseStatus.DISCUSSED,
        CaseStatus.LISTED,
        CaseStatus.DISCUSSED,
        CaseStatus.DISCUSSED,
        CaseStatus.WORKUP,
    ]
    discussed_at = db.session.scalars(
        sa.select(Meeting.status)
        .join(AgendaItem, AgendaItem.meeting_id == Meeting.id)
        .where(AgendaItem.status == "discussed")
    ).all()
    assert discussed_at == [MeetingStatus.CLOSED] * 4

    assert demo.load(users, cases, demo.make_boards(users)) == 0
    assert db.session.scalar(sa.select(sa.func.count(Meeting.id))) == created
