"""Synthetic demonstration boards and meetings.

Two weekly boards with the demo clinicians as members (palliative care sits
on the skeletal metastasis board only, so that it shows how access follows
the work), meetings planned for six weeks, two closed meetings in the past,
and the demo's ready cases listed on each board's next meeting. Loading twice
adds nothing.
"""

from __future__ import annotations

from datetime import time, timedelta

import sqlalchemy as sa

from tumorboard.auth.disciplines import discipline_of
from tumorboard.auth.models import User
from tumorboard.auth.permissions import Role
from tumorboard.cases.models import Case, CaseStatus, CaseType
from tumorboard.cases.services import transition_case
from tumorboard.db import utcnow
from tumorboard.extensions import db
from tumorboard.meetings import services
from tumorboard.meetings.models import (
    AgendaItem,
    AgendaItemStatus,
    Attendance,
    Board,
    Meeting,
    MeetingStatus,
)

BOARDS = [
    {
        "name": "Bone sarcoma board",
        "kind": "bone_sarcoma",
        "required_disciplines": [
            "orthopaedic_oncology",
            "radiology",
            "pathology",
            "medical_oncology",
        ],
        "weekday": 1,
        "start_time": time(16, 0),
        "timezone": "Europe/London",
        "duration_minutes": 120,
        "minutes_per_case": 15,
        "capacity": 8,
        "location": "Sarcoma unit seminar room, level 3",
        "video_url": "https://video.example.org/bone-sarcoma-board",
        "chair": "ortho@example.org",
        "case_type": CaseType.PRIMARY_BONE_TUMOUR,
        "not_members": ["palliative@example.org"],
    },
    {
        "name": "Skeletal metastasis board",
        "kind": "skeletal_metastasis",
        "required_disciplines": [
            "orthopaedic_oncology",
            "radiology",
            "radiation_oncology",
            "palliative_care",
        ],
        "weekday": 3,
        "start_time": time(8, 0),
        "timezone": "Europe/London",
        "duration_minutes": 90,
        "minutes_per_case": 10,
        "capacity": 8,
        "location": "Oncology meeting room B",
        "video_url": "https://video.example.org/skeletal-metastasis-board",
        "chair": "radonc@example.org",
        "case_type": CaseType.SKELETAL_METASTASIS,
        "not_members": [],
    },
]


def _past_meeting(
    board: Board,
    weeks_ago: int,
    members: list[User],
    chair: User,
    discussed: list[Case],
) -> None:
    """A closed meeting ``weeks_ago`` weeks back, with its attendance and the
    ``discussed`` cases on its agenda (moved listed → discussed)."""
    local_today = utcnow().astimezone(board.zone).date()
    back = (local_today.weekday() - board.weekday) % 7 or 7
    day = local_today - timedelta(days=back + 7 * (weeks_ago - 1))
    starts = services.local_to_utc(board, day, board.start_time)
    meeting = Meeting(
        board_id=board.id,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=board.duration_minutes),
        status=MeetingStatus.CLOSED,
        location=board.location,
        video_url=board.video_url,
        published_at=starts - timedelta(days=2),
        started_at=starts,
        closed_at=starts + timedelta(minutes=board.duration_minutes),
        chair_id=chair.id,
    )
    db.session.add(meeting)
    db.session.flush()
    # Written directly: the services refuse to list cases on a past meeting.
    for position, case in enumerate(discussed, start=1):
        db.session.add(
            AgendaItem(
                meeting_id=meeting.id,
                case_id=case.id,
                position=position,
                question=case.clinical_question,
                presenter_id=case.lead_clinician_id,
                planned_minutes=board.minutes_per_case,
                status=AgendaItemStatus.DISCUSSED,
                discussed_at=starts + timedelta(minutes=10 * position),
            )
        )
        for target in (CaseStatus.LISTED, CaseStatus.DISCUSSED):
            transition_case(None, case, target, manual=False)
    # The older meeting missed its pathologist or palliative-care physician.
    absent = {Role.PATHOLOGIST, Role.PALLIATIVE_CARE} if weeks_ago == 2 else set()
    rows = [
        Attendance(
            meeting_id=meeting.id,
            user_id=user.id,
            discipline=discipline_of(user.role),
            present=Role(user.role) not in absent,
            recorded_at=starts,
        )
        for user in members
    ]
    db.session.add_all(rows)
    result = services.quorum_from(board, rows)
    meeting.is_quorate = result.is_quorate
    meeting.missing_disciplines = [d.value for d in result.missing]


def _members(users: dict[str, User], spec: dict) -> list[User]:
    coordinator = users["coordinator@example.org"]
    return [
        u
        for email, u in users.items()
        if Role(u.role) not in (Role.ADMIN, Role.PRIVACY_OFFICER)
        and (u.is_clinician or u is coordinator)
        and email not in spec["not_members"]
    ]


def make_boards(users: dict[str, User]) -> dict[CaseType, Board]:
    """The demo boards by the case type they discuss (made if missing)."""
    coordinator = users["coordinator@example.org"]
    boards = {}
    for spec in BOARDS:
        board = db.session.scalar(sa.select(Board).where(Board.name == spec["name"]))
        if board is None:
            fields = {
                k: v
                for k, v in spec.items()
                if k not in ("chair", "case_type", "not_members")
            }
            board = services.create_board(
                coordinator,
                {**fields, "member_ids": [u.id for u in _members(users, spec)]},
            )
        boards[spec["case_type"]] = board
    return boards


def load(
    users: dict[str, User], cases: list[Case], boards: dict[CaseType, Board]
) -> int:
    """Create the demo meetings; returns how many meetings were added."""
    first = boards[BOARDS[0]["case_type"]]
    if db.session.scalar(sa.select(Meeting.id).where(Meeting.board_id == first.id)):
        return 0
    coordinator = users["coordinator@example.org"]
    created = 0
    for spec in BOARDS:
        board = boards[spec["case_type"]]
        chair = users[spec["chair"]]
        case_type = spec["case_type"]
        members = _members(users, spec)
        ready = [
            c
            for c in cases
            if c.status == CaseStatus.READY and c.case_type == case_type
        ]
        # Last week's meeting discussed two cases; the older one none.
        _past_meeting(board, 2, members, chair, [])
        _past_meeting(board, 1, members, chair, ready[:2])
        created += 2
        planned = services.generate_meetings(coordinator, board, 6)
        created += len(planned)
        for meeting in planned:
            meeting.chair_id = chair.id
        db.session.flush()
        if not planned:
            continue
        # A few stay in the ready pool for the coordinator to list.
        for case in ready[2:5]:
            services.add_case(
                coordinator,
                planned[0],
                case,
                {
                    "question": case.clinical_question,
                    "presenter_id": case.lead_clinician_id,
                    "planned_minutes": board.minutes_per_case,
                },
            )
    return created
