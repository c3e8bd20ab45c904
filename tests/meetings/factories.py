"""Builders for boards, meetings and agenda items (synthetic data only)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time, timedelta

from tests import factories
from tumorboard.cases.models import Case, CaseStatus
from tumorboard.db import utcnow
from tumorboard.extensions import db
from tumorboard.meetings.models import (
    AgendaItem,
    AgendaItemStatus,
    Board,
    Meeting,
    MeetingStatus,
)

_seq = itertools.count(1)

SARCOMA_REQUIRED = [
    "orthopaedic_oncology",
    "radiology",
    "pathology",
    "medical_oncology",
]


def make_board(members=None, **fields) -> Board:
    """A weekly Tuesday 16:00 Europe/London board, 120 minutes, 6 cases.

    Without ``members`` the board is open: the default clinicians and
    coordinators made before and after it sit on it (``tests.factories``);
    ``members=[]`` makes a board nobody sits on yet."""
    values = {
        "name": f"Test board {next(_seq)}",
        "kind": "bone_sarcoma",
        "required_disciplines": list(SARCOMA_REQUIRED),
        "weekday": 1,
        "start_time": time(16, 0),
        "timezone": "Europe/London",
        "duration_minutes": 120,
        "minutes_per_case": 15,
        "capacity": 6,
        "location": "Seminar room 2",
        "video_url": "https://video.example.org/board",
    }
    values.update(fields)
    board = Board(**values)
    if members is not None:
        board.members = list(members)
    db.session.add(board)
    db.session.flush()
    if members is None:
        factories.open_board(board)
    return board


def make_meeting(board: Board | None = None, *, days: float = 7, **fields) -> Meeting:
    """A planned meeting of ``board`` at 09:00 UTC ``days`` days from today,
    lasting the board's duration (a fixed time of day, so that no meeting
    runs past midnight whatever the hour the tests run at)."""
    board = board or make_board()
    starts = fields.pop("starts_at", None) or datetime.combine(
        utcnow().date() + timedelta(days=days), time(9, 0), UTC
    )
    values = {
        "board_id": board.id,
        "starts_at": starts,
        "ends_at": starts + timedelta(minutes=board.duration_minutes),
        "location": board.location,
        "video_url": board.video_url,
    }
    values.update(fields)
    meeting = Meeting(**values)
    meeting.board = board
    db.session.add(meeting)
    db.session.flush()
    return meeting


def make_ready_case(**fields) -> Case:
    """A case in status ready (as if its work-up were complete)."""
    fields.setdefault("status", CaseStatus.READY)
    return factories.make_case(**fields)


def make_item(meeting: Meeting, case: Case | None = None, **fields) -> AgendaItem:
    """A listed agenda item (its case set to listed) at the end of the agenda."""
    case = case or factories.make_case(status=CaseStatus.LISTED)
    if fields.get("status", AgendaItemStatus.LISTED) == AgendaItemStatus.LISTED:
        case.status = CaseStatus.LISTED
    count = db.session.query(AgendaItem).filter_by(meeting_id=meeting.id).count()
    values = {
        "meeting_id": meeting.id,
        "case_id": case.id,
        "position": count + 1,
        "question": case.clinical_question,
        "planned_minutes": 15,
    }
    values.update(fields)
    item = AgendaItem(**values)
    db.session.add(item)
    db.session.flush()
    return item


def past_meeting(board: Board, *, status=MeetingStatus.CLOSED) -> Meeting:
    """A meeting of ``board`` that ended last week."""
    starts = datetime.now(UTC).replace(microsecond=0) - timedelta(days=7)
    return make_meeting(board, starts_at=starts, status=status)
