"""Builders for boards, meetings, discussed items and recommendations; every
value is synthetic. Attendance and meetings are created directly so these
tests do not depend on the meeting pages."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from tests import factories
from tests.factories import signing_proof
from tumorboard.auth.disciplines import Discipline, discipline_of
from tumorboard.auth.models import User
from tumorboard.cases.models import Case, CaseStatus
from tumorboard.db import today, utcnow
from tumorboard.extensions import db
from tumorboard.meetings.models import (
    AgendaItem,
    AgendaItemStatus,
    Attendance,
    Board,
    Meeting,
    MeetingStatus,
)
from tumorboard.recommendations import services
from tumorboard.recommendations.models import Recommendation

_seq = itertools.count(1)

REQUIRED = [
    Discipline.ORTHOPAEDIC_ONCOLOGY.value,
    Discipline.RADIOLOGY.value,
    Discipline.PATHOLOGY.value,
]


def make_board(members=None, **fields) -> Board:
    """A weekly UTC board requiring orthopaedics, radiology and pathology;
    open to the default clinicians unless ``members`` names its own."""
    n = next(_seq)
    values = {
        "name": f"Bone sarcoma board {n}",
        "kind": "bone_sarcoma",
        "required_disciplines": list(REQUIRED),
        "weekday": 1,
        "start_time": time(16, 0),
        "timezone": "UTC",
        "duration_minutes": 120,
        "minutes_per_case": 10,
        "capacity": 12,
    }
    values.update(fields)
    board = Board(**values)
    db.session.add(board)
    db.session.flush()
    if members is None:
        return factories.open_board(board)
    for user in members:
        factories.join_board(user, board)
    return board


def make_meeting(board: Board | None = None, **fields) -> Meeting:
    """A meeting in progress that started up to an hour ago, today (UTC).

    Just after midnight it starts at midnight, so the meeting day is always
    today and "before the meeting" means yesterday at any time of day.
    """
    board = board or make_board()
    now = utcnow()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    starts = fields.pop("starts_at", max(now - timedelta(hours=1), midnight))
    values = {
        "board_id": board.id,
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "status": MeetingStatus.IN_PROGRESS,
    }
    values.update(fields)
    meeting = Meeting(**values)
    db.session.add(meeting)
    db.session.flush()
    return meeting


def make_item(meeting: Meeting, case: Case | None = None, **fields) -> AgendaItem:
    """An agenda item for ``case`` (a new case if none), discussed by default."""
    case = case or factories.make_case()
    status = fields.pop("status", AgendaItemStatus.DISCUSSED)
    values = {
        "meeting_id": meeting.id,
        "case_id": case.id,
        "position": next(_seq),
        "question": case.clinical_question,
        "planned_minutes": 10,
        "status": status,
    }
    values.update(fields)
    item = AgendaItem(**values)
    if status == AgendaItemStatus.DISCUSSED:
        item.discussed_at = utcnow()
        case.status = CaseStatus.DISCUSSED
    elif status == AgendaItemStatus.LISTED:
        case.status = CaseStatus.LISTED
    db.session.add(item)
    db.session.flush()
    return item


def attend(meeting: Meeting, user: User, present: bool = True) -> Attendance:
    """Record ``user`` at the meeting for their role's discipline."""
    row = Attendance(
        meeting_id=meeting.id,
        user_id=user.id,
        discipline=discipline_of(user.role),
        present=present,
    )
    db.session.add(row)
    db.session.flush()
    return row


def make_quorate(meeting: Meeting, chair: User | None = None) -> list[User]:
    """Add one present attendee per required discipline (the chair counts)."""
    people = []
    roles = {
        Discipline.ORTHOPAEDIC_ONCOLOGY: "orthopedic_oncologist",
        Discipline.RADIOLOGY: "radiologist",
        Discipline.PATHOLOGY: "pathologist",
    }
    covered = {discipline_of(chair.role)} if chair else set()
    if chair:
        attend(meeting, chair)
    for discipline, role in roles.items():
        if discipline not in covered:
            user = factories.make_user(role)
            attend(meeting, user)
            people.append(user)
    return people


@dataclass
class Setup:
    """A chair, a meeting in progress and a discussed item of one case."""

    chair: User
    meeting: Meeting
    item: AgendaItem
    case: Case


def discussed_item(
    *,
    quorate: bool = True,
    item_status=AgendaItemStatus.DISCUSSED,
    case: Case | None = None,
    chair: User | None = None,
    **meeting_fields,
) -> Setup:
    """A meeting chaired by an orthopaedic oncologist with one discussed case."""
    chair = chair or factories.make_user("orthopedic_oncologist")
    meeting_fields.setdefault("chair_id", chair.id)
    meeting = make_meeting(**meeting_fields)
    if quorate:
        make_quorate(meeting, chair)
    else:
        attend(meeting, chair)
    case = case or factories.make_case()
    item = make_item(meeting, case, status=item_status)
    return Setup(chair=chair, meeting=meeting, item=item, case=case)


def rec_data(**overrides) -> dict:
    """Valid service data for a pre-therapeutic curative recommendation."""
    data = {
        "conference_type": "pre_therapeutic",
        "intent": "curative",
        "types": [
            {"code": "neoadjuvant_chemotherapy"},
            {"code": "surgery", "detail": "limb_salvage"},
        ],
        "free_text": "MAP chemotherapy, then limb-salvage resection of the femur.",
        "rationale": "High-grade osteosarcoma without metastases on staging CT.",
        "consensus": True,
        "dissent": [],
        "standard_of_care": True,
        "start_by": today() + timedelta(days=14),
    }
    data.update(overrides)
    return data


def form_data(**overrides) -> dict:
    """Valid POST data for the recommendation form."""
    data = {
        "conference_type": "pre_therapeutic",
        "intent": "curative",
        "type_neoadjuvant_chemotherapy": "y",
        "type_surgery": "y",
        "surgery_kind": "limb_salvage",
        "trial_nct": "",
        "rediscussion_event": "",
        "free_text": "MAP chemotherapy, then limb-salvage resection of the femur.",
        "rationale": "High-grade osteosarcoma without metastases.",
        "consensus": "y",
        "standard_of_care": "y",
        "start_by": (today() + timedelta(days=14)).isoformat(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def signed_recommendation(setup: Setup | None = None, **data) -> Recommendation:
    """A recommendation recorded by the coordinator and signed by the chair."""
    setup = setup or discussed_item()
    coordinator = factories.make_user("coordinator")
    rec = services.record_recommendation(coordinator, setup.item, rec_data(**data))
    services.sign_recommendation(
        setup.chair, rec, step_up=signing_proof(setup.chair), version=rec.version
    )
    return rec


def meeting_day(meeting: Meeting):
    """The meeting's calendar day in its board's time zone."""
    return services.meeting_date(meeting)


def at_midnight(day) -> datetime:
    """00:00 UTC on ``day``."""
    return datetime.combine(day, time.min, UTC)
