"""Builders for the notification tests (synthetic data only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from tests import factories
from tests.meetings import factories as mf
from tumorboard.auth.models import User
from tumorboard.cases.models import Case
from tumorboard.db import utcnow
from tumorboard.meetings.models import Board, Meeting


@dataclass
class BoardSetup:
    """A board with a radiologist, a pathologist and an orthopaedic oncologist
    who leads a ready case; the coordinator plans a meeting in three days."""

    coordinator: User
    radiologist: User
    pathologist: User
    lead: User
    board: Board
    meeting: Meeting
    case: Case


def board_setup(days: int = 3) -> BoardSetup:
    """Build the :class:`BoardSetup`; the meeting starts at noon UTC (so that
    moving it by hours stays on its day)."""
    coordinator = factories.make_user("coordinator")
    radiologist = factories.make_user("radiologist")
    pathologist = factories.make_user("pathologist")
    lead = factories.make_user("orthopedic_oncologist")
    board = mf.make_board(members=[radiologist, pathologist, lead])
    day = utcnow().date() + timedelta(days=days)
    meeting = mf.make_meeting(
        board, starts_at=datetime.combine(day, time(12, 0), UTC), chair_id=lead.id
    )
    case = mf.make_ready_case(lead_clinician_id=lead.id)
    return BoardSetup(coordinator, radiologist, pathologist, lead, board, meeting, case)


ITEM = {"question": "Resection or definitive radiotherapy?", "planned_minutes": 15}
