"""Scheduling, agenda building, carry-over, attendance and quorum."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from tests import factories
from tests.factories import signing_proof
from tests.meetings.factories import make_item as build_item
from tests.reviews.factories import make_review
from tumorboard.audit.models import AuditEntry
from tumorboard.auth.disciplines import Discipline
from tumorboard.auth.models import User
from tumorboard.cases.models import Case, CaseStatus
from tumorboard.db import utcnow
from tumorboard.errors import AccessDenied, Conflict, InvalidInput
from tumorboard.extensions import db
from tumorboard.meetings import services
from tumorboard.meetings.models import (
    AgendaItem,
    AgendaItemStatus,
    Attendance,
    Meeting,
    MeetingStatus,
)
from tumorboard.meetings.services import agenda, boards, scheduling
from tumorboard.reviews import services as review_services

LONDON = ZoneInfo("Europe/London")


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _item_data(**overrides) -> dict:
    data = {"question": "Resection or definitive radiotherapy?", "planned_minutes": 15}
    data.update(overrides)
    return data


@pytest.fixture
def coordinator(make_user):
    """The coordinator who runs the board."""
    return make_user("coordinator")


# Recurrence --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "weekday", "at", "now", "expected_utc"),
    [
        # Europe/London leaves BST on Sunday 25 October 2026.
        (
            "Europe/London",
            1,
            time(16, 0),
            datetime(2026, 10, 12, 9, 0, tzinfo=UTC),
            [
                "2026-10-13 15:00",
                "2026-10-20 15:00",
                "2026-10-27 16:00",
                "2026-11-03 16:00",
            ],
        ),
        # And enters BST on Sunday 28 March 2027.
        (
            "Europe/London",
            1,
            time(16, 0),
            datetime(2027, 3, 15, 9, 0, tzinfo=UTC),
            [
                "2027-03-16 16:00",
                "2027-03-23 16:00",
                "2027-03-30 15:00",
                "2027-04-06 15:00",
            ],
        ),
        # America/New_York leaves DST on Sunday 1 November 2026.
        (
            "America/New_York",
            3,
            time(8, 0),
            datetime(2026, 10, 20, 9, 0, tzinfo=UTC),
            [
                "2026-10-22 12:00",
                "2026-10-29 12:00",
                "2026-11-05 13:00",
                "2026-11-12 13:00",
            ],
        ),
    ],
)
def test_recurrence_keeps_the_local_time_across_a_clock_change(
    coordinator, make_board, zone, weekday, at, now, expected_utc
):
    board = make_board(timezone=zone, weekday=weekday, start_time=at)
    created = services.generate_meetings(coordinator, board, 4, now=now)
    assert [m.starts_at.strftime("%Y-%m-%d %H:%M") for m in created] == expected_utc
    for meeting in created:
        local = meeting.starts_at.astimezone(ZoneInfo(zone))
        assert (local.weekday(), local.time()) == (weekday, at)
        assert meeting.duration_minutes == board.duration_minutes
        assert meeting.status == MeetingStatus.PLANNED
        assert meeting.location == board.location


def test_recurrence_starts_today_only_while_the_meeting_is_ahead(
    coordinator, make_board
):
    board = make_board()  # Tuesday 16:00 London
    tuesday_morning = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
    created = services.generate_meetings(coordinator, board, 1, now=tuesday_morning)
    assert [m.starts_at for m in created] == [datetime(2026, 11, 3, 16, 0, tzinfo=UTC)]

    # This week's slot has passed: nothing in the past, the next week instead,
    # so planning N weeks always gives the next N meetings.
    tuesday_evening = datetime(2026, 11, 10, 17, 0, tzinfo=UTC)
    created = services.generate_meetings(coordinator, board, 1, now=tuesday_evening)
    assert [m.starts_at for m in created] == [datetime(2026, 11, 17, 16, 0, tzinfo=UTC)]


def test_recurrence_skips_dates_with_a_meeting_and_is_idempotent(
    coordinator, make_board, make_meeting
):
    board = make_board()
    now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    # An ad hoc (cancelled) meeting on the second Tuesday, at another hour.
    make_meeting(
        board,
        starts_at=datetime(2026, 11, 10, 9, 0, tzinfo=UTC),
        status=MeetingStatus.CANCELLED,
    )
    created = services.generate_meetings(coordinator, board, 3, now=now)
    assert [m.starts_at.date() for m in created] == [
        date(2026, 11, 3),
        date(2026, 11, 17),
    ]
    assert services.generate_meetings(coordinator, board, 3, now=now) == []
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.entity_type == "meeting")
    ).all()
    assert actions == ["meeting.create", "meeting.create"]


@pytest.mark.parametrize("weeks", [0, 27, -1])
def test_recurrence_refuses_silly_week_counts(coordinator, make_board, weeks):
    with pytest.raises(InvalidInput, match="between 1 and 26 weeks"):
        services.generate_meetings(coordinator, make_board(), weeks)


def test_only_the_coordinator_plans_meetings(make_user, make_board):
    with pytest.raises(AccessDenied):
        services.generate_meetings(make_user("admin"), make_board(), 4)


# Ad hoc meetings -----------------------------------------------------------------


def _adhoc(day: date, start=time(12, 0), end=time(13, 0), **extra) -> dict:
    return {"day": day, "start_time": start, "end_time": end, **extra}


def test_ad_hoc_meeting_is_stored_in_utc(coordinator, make_board):
    board = make_board()
    day = (utcnow() + timedelta(days=10)).date()
    meeting = services.create_meeting(coordinator, board, _adhoc(day))
    assert meeting.local_start.replace(tzinfo=None) == datetime.combine(
        day, time(12, 0)
    )
    assert meeting.starts_at.tzinfo is not None
    assert meeting.location == board.location  # empty location: the board's


@pytest.mark.parametrize(
    ("data", "message", "field"),
    [
        (
            _adhoc(date(2020, 1, 7)),
            "would start in the past",
            "day",
        ),
        (
            _adhoc(date(2099, 1, 6), time(14, 0), time(13, 0)),
            "end time must be after the start time",
            "end_time",
        ),
        (
            _adhoc(date(2099, 1, 6), time(14, 0), time(14, 0)),
            "end time must be after the start time",
            "end_time",
        ),
        (
            _adhoc(date(2099, 3, 29), time(1, 30), time(3, 0)),
            "does not exist in Europe/London",
            "start_time",
        ),
    ],
)
def test_bad_ad_hoc_meetings_are_refused(coordinator, make_board, data, message, field):
    board = make_board()
    with pytest.raises(InvalidInput, match=message) as error:
        services.create_meeting(coordinator, board, data)
    assert error.value.field == field
    assert _count(Meeting) == 0


def test_overlapping_meetings_of_the_same_board_are_refused(
    coordinator, make_board, make_meeting
):
    board = make_board()
    other_board = make_board()
    day = date(2099, 1, 6)
    existing = services.create_meeting(coordinator, board, _adhoc(day))
    with pytest.raises(
        Conflict, match="overlaps this board's meeting of Tue 6 Jan 2099"
    ):
        services.create_meeting(
            coordinator, board, _adhoc(day, time(12, 30), time(14, 0))
        )
    # Back to back is fine, and another board may meet at the same time.
    services.create_meeting(coordinator, board, _adhoc(day, time(13, 0), time(14, 0)))
    services.create_meeting(coordinator, other_board, _adhoc(day))
    assert _count(Meeting) == 3
    # A cancelled meeting frees its slot for another time.
    services.cancel_meeting(coordinator, existing, "Bank holiday")
    services.create_meeting(coordinator, board, _adhoc(day, time(11, 0), time(12, 30)))


def test_changing_the_time_increments_the_calendar_sequence(
    coordinator, make_board, make_user
):
    board = make_board()
    meeting = services.create_meeting(coordinator, board, _adhoc(date(2099, 1, 6)))
    chair = make_user("medical_oncologist")
    place = {"location": meeting.location, "video_url": meeting.video_url}
    data = _adhoc(date(2099, 1, 6), chair_id=chair.id, **place)
    services.update_meeting(coordinator, meeting, data, meeting.version)
    assert meeting.ical_sequence == 0  # the chair is not in the invitation
    data = _adhoc(date(2099, 1, 6), time(12, 15), time(13, 15), **place)
    services.update_meeting(coordinator, meeting, data, meeting.version)
    assert meeting.ical_sequence == 1
    data["location"] = "Lecture theatre"
    services.update_meeting(coordinator, meeting, data, meeting.version)
    assert meeting.ical_sequence == 2
    with pytest.raises(Conflict, match="changed by someone else"):
        services.update_meeting(coordinator, meeting, data, meeting.version - 1)


def test_the_chair_must_be_a_clinician(coordinator, make_board):
    with pytest.raises(InvalidInput, match="chair must be an active clinician"):
        services.create_meeting(
            coordinator, make_board(), _adhoc(date(2099, 1, 6), chair_id=coordinator.id)
        )


# Agenda building -------------------------------------------------------------------


def test_adding_a_ready_case_lists_it(coordinator, make_meeting, make_ready_case):
    meeting = make_meeting()
    case = make_ready_case()
    item = services.add_case(coordinator, meeting, case, _item_data())
    assert case.status == CaseStatus.LISTED
    assert (item.position, item.status, item.planned_minutes) == (
        1,
        AgendaItemStatus.LISTED,
        15,
    )
    actions = db.session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.case_id == case.id)
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["case.status", "agenda.add"]


@pytest.mark.parametrize("status", ["referred", "workup", "discussed", "closed"])
def test_a_case_that_is_not_ready_is_refused(
    coordinator, make_meeting, make_case, status
):
    meeting = make_meeting()
    case = make_case(status=status)
    with pytest.raises(InvalidInput, match="not ready for the board"):
        services.add_case(coordinator, meeting, case, _item_data())
    assert _count(AgendaItem) == 0
    assert case.status == status


def test_a_case_appears_once_per_meeting(coordinator, make_meeting, make_ready_case):
    meeting = make_meeting()
    case = make_ready_case()
    services.add_case(coordinator, meeting, case, _item_data())
    with pytest.raises(Conflict, match="already on this agenda"):
        services.add_case(coordinator, meeting, case, _item_data())
    assert _count(AgendaItem) == 1


def test_the_database_refuses_a_second_item_for_the_same_case(
    make_meeting, make_ready_case
):
    meeting = make_meeting()
    case = make_ready_case()
    build_item(meeting, case)
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            build_item(meeting, case)


@pytest.mark.parametrize(
    ("meeting_fields", "message"),
    [
        ({"status": MeetingStatus.CLOSED}, "is closed; its agenda cannot change"),
        ({"status": MeetingStatus.CANCELLED}, "is cancelled"),
        ({"status": MeetingStatus.IN_PROGRESS}, "is in progress"),
        ({"days": -3}, "is in the past"),
    ],
    ids=["closed", "cancelled", "in-progress", "past"],
)
def test_closed_or_past_meetings_take_no_case(
    coordinator, make_meeting, make_ready_case, meeting_fields, message
):
    meeting = make_meeting(**meeting_fields)
    case = make_ready_case()
    with pytest.raises(InvalidInput, match=message):
        services.add_case(coordinator, meeting, case, _item_data())
    assert case.status == CaseStatus.READY


def test_capacity_is_enforced_and_names_the_next_meeting_with_room(
    coordinator, make_board, make_meeting, make_ready_case
):
    board = make_board(capacity=2)
    first = make_meeting(board, days=7)
    full_too = make_meeting(board, days=14)
    with_room = make_meeting(board, days=21)
    for meeting in (first, full_too):
        for _ in range(2):
            services.add_case(coordinator, meeting, make_ready_case(), _item_data())
    case = make_ready_case()
    with pytest.raises(InvalidInput) as error:
        services.add_case(coordinator, first, case, _item_data())
    assert "is full (2 of 2 cases)" in error.value.message
    assert f"The next meeting with room is {with_room.when_label}." in (
        error.value.message
    )
    assert case.status == CaseStatus.READY


def test_the_time_budget_is_enforced(
    coordinator, make_board, make_meeting, make_ready_case
):
    board = make_board(duration_minutes=60, capacity=10)
    meeting = make_meeting(board)
    services.add_case(
        coordinator, meeting, make_ready_case(), _item_data(planned_minutes=50)
    )
    with pytest.raises(InvalidInput, match="would exceed the meeting's 60 minutes"):
        services.add_case(
            coordinator, meeting, make_ready_case(), _item_data(planned_minutes=15)
        )
    services.add_case(
        coordinator, meeting, make_ready_case(), _item_data(planned_minutes=10)
    )
    assert _count(AgendaItem) == 2


def _agenda(meeting) -> list[int]:
    reader = factories.make_user("coordinator")
    return [i.id for i in services.agenda_items(reader, meeting) if i.is_active]


def test_reorder_takes_the_full_list(coordinator, make_meeting, make_item):
    meeting = make_meeting()
    a, b, c = (make_item(meeting) for _ in range(3))
    services.reorder_agenda(coordinator, meeting, [c.id, a.id, b.id])
    assert _agenda(meeting) == [c.id, a.id, b.id]
    assert db.session.scalar(
        sa.select(AuditEntry.changes).where(AuditEntry.action == "agenda.reorder")
    ) == {"order": [[a.id, b.id, c.id], [c.id, a.id, b.id]]}


def test_reorder_refuses_items_of_another_meeting(coordinator, make_meeting, make_item):
    meeting, other = make_meeting(days=7), make_meeting(days=8)
    a, b = make_item(meeting), make_item(meeting)
    stranger = make_item(other)
    with pytest.raises(
        InvalidInput, match=rf"not on this meeting's agenda \({stranger.id}\)"
    ):
        services.reorder_agenda(coordinator, meeting, [b.id, a.id, stranger.id])
    with pytest.raises(Conflict, match="agenda changed since the page was loaded"):
        services.reorder_agenda(coordinator, meeting, [b.id])
    with pytest.raises(InvalidInput, match="names an item twice"):
        services.reorder_agenda(coordinator, meeting, [b.id, a.id, a.id])
    assert _agenda(meeting) == [a.id, b.id]


def test_publishing_freezes_the_order(coordinator, make_meeting, make_item, make_user):
    meeting = make_meeting(chair_id=make_user("radiologist").id)
    a, b = make_item(meeting), make_item(meeting)
    services.publish_meeting(coordinator, meeting)
    assert meeting.status == MeetingStatus.PUBLISHED and meeting.published_at
    with pytest.raises(InvalidInput, match="published; its order is frozen"):
        services.reorder_agenda(coordinator, meeting, [b.id, a.id])
    with pytest.raises(InvalidInput, match="frozen"):
        services.move_item(coordinator, meeting, b, "up")
    assert _agenda(meeting) == [a.id, b.id]


def test_publishing_needs_a_chair_and_a_case(coordinator, make_meeting, make_user):
    meeting = make_meeting()
    with pytest.raises(InvalidInput, match="Choose the chair"):
        services.publish_meeting(coordinator, meeting)
    meeting.chair_id = make_user("pathologist").id
    with pytest.raises(InvalidInput, match="at least one case"):
        services.publish_meeting(coordinator, meeting)


def test_move_up_and_down(coordinator, make_meeting, make_item):
    meeting = make_meeting()
    a, b, c = (make_item(meeting) for _ in range(3))
    message = services.move_item(coordinator, meeting, c, "up")
    assert message.endswith("moved to position 2 of 3.")
    assert _agenda(meeting) == [a.id, c.id, b.id]
    services.move_item(coordinator, meeting, a, "down")
    assert _agenda(meeting) == [c.id, a.id, b.id]
    assert "already first" in services.move_item(coordinator, meeting, c, "up")
    assert _agenda(meeting) == [c.id, a.id, b.id]


def test_prioritise_urgent_keeps_relative_order(
    coordinator, make_meeting, make_item, make_case
):
    meeting = make_meeting()
    urgencies = ["routine", "urgent", "emergency", "routine", "urgent"]
    items = [
        make_item(meeting, make_case(urgency=u, status="listed")) for u in urgencies
    ]
    services.prioritise_urgent(coordinator, meeting)
    expected = [items[2], items[1], items[4], items[0], items[3]]
    assert _agenda(meeting) == [i.id for i in expected]


# Removal, deferral and carry-over ----------------------------------------------------


def test_removing_returns_the_case_and_it_can_come_back(
    coordinator, make_meeting, make_ready_case
):
    meeting = make_meeting()
    case = make_ready_case()
    item = services.add_case(coordinator, meeting, case, _item_data())
    with pytest.raises(InvalidInput, match="Give a reason"):
        services.remove_item(coordinator, meeting, item, "  ")
    services.remove_item(coordinator, meeting, item, "Imaging not yet reported")
    assert (item.status, item.status_reason) == (
        AgendaItemStatus.WITHDRAWN,
        "Imaging not yet reported",
    )
    assert case.status == CaseStatus.READY
    with pytest.raises(InvalidInput, match="this one is withdrawn"):
        services.remove_item(coordinator, meeting, item, "Twice")
    again = services.add_case(coordinator, meeting, case, _item_data())
    assert again.id == item.id and again.status == AgendaItemStatus.LISTED


def test_deferring_carries_the_case_to_the_next_meeting_with_room(
    coordinator, make_board, make_meeting, make_ready_case, make_user
):
    board = make_board(capacity=1)
    first = make_meeting(board, days=2)
    full = make_meeting(board, days=9)
    services.add_case(coordinator, full, make_ready_case(), _item_data())
    later = make_meeting(board, days=16)
    case = make_ready_case()
    item = services.add_case(
        coordinator,
        first,
        case,
        _item_data(
            question="Which biopsy route?", presenter_id=make_user("radiologist").id
        ),
    )
    result = services.defer_item(coordinator, first, item, "PET-CT pending")
    assert item.status == AgendaItemStatus.DEFERRED
    assert result.to_meeting is later
    carried = result.carried_to
    assert (carried.meeting_id, carried.carried_from_id, carried.question) == (
        later.id,
        item.id,
        "Which biopsy route?",
    )
    assert carried.presenter_id == item.presenter_id
    assert case.status == CaseStatus.LISTED
    assert "carried over to" in result.message


def test_deferring_with_no_room_leaves_the_case_ready(
    coordinator, make_meeting, make_ready_case
):
    meeting = make_meeting()
    case = make_ready_case()
    item = services.add_case(coordinator, meeting, case, _item_data())
    result = services.defer_item(coordinator, meeting, item, "Patient unwell")
    assert result.carried_to is None
    assert case.status == CaseStatus.READY
    assert "back in the ready pool" in result.message


def _discussed(coordinator, make_board, make_meeting, make_ready_case):
    """A case discussed at a meeting in progress, with a next meeting planned."""
    board = make_board()
    meeting = make_meeting(board, days=1)
    nxt = make_meeting(board, days=8)
    case = make_ready_case()
    item = services.add_case(coordinator, meeting, case, _item_data())
    meeting.status = MeetingStatus.IN_PROGRESS
    services.mark_discussed(coordinator, meeting, item, reason="For information")
    return meeting, nxt, case, item


def test_deferring_a_discussed_item(
    coordinator, make_meeting, make_ready_case, make_board
):
    meeting, nxt, case, item = _discussed(
        coordinator, make_board, make_meeting, make_ready_case
    )
    assert case.status == CaseStatus.DISCUSSED and item.discussed_at
    result = services.defer_item(coordinator, meeting, item, "Needs pathology review")
    assert result.to_meeting is nxt
    assert case.status == CaseStatus.LISTED
    statuses = db.session.scalars(
        sa.select(AuditEntry.changes)
        .where(AuditEntry.case_id == case.id, AuditEntry.action == "case.status")
        .order_by(AuditEntry.id)
    ).all()
    assert [c["status"] for c in statuses] == [
        ["ready", "listed"],
        ["listed", "discussed"],
        ["discussed", "ready"],
        ["ready", "listed"],
    ]


def test_marking_discussed_needs_a_started_meeting(
    coordinator, make_meeting, make_item
):
    meeting = make_meeting(status=MeetingStatus.PUBLISHED)
    item = make_item(meeting)
    with pytest.raises(InvalidInput, match="Start the meeting"):
        services.mark_discussed(coordinator, meeting, item)


def test_an_item_of_another_meeting_is_refused(coordinator, make_meeting, make_item):
    meeting, other = make_meeting(days=3), make_meeting(days=4)
    item = make_item(other)
    with pytest.raises(InvalidInput, match="not on this meeting's agenda"):
        services.defer_item(coordinator, meeting, item, "x")


def test_cancelling_returns_undiscussed_cases_to_the_ready_pool(
    coordinator, make_meeting, make_ready_case
):
    meeting = make_meeting(status=MeetingStatus.PUBLISHED)
    cases = [make_ready_case() for _ in range(2)]
    for case in cases:
        services.add_case(coordinator, meeting, case, _item_data())
    with pytest.raises(InvalidInput, match="reason for cancelling"):
        services.cancel_meeting(coordinator, meeting, "")
    returned = services.cancel_meeting(coordinator, meeting, "Strike day")
    assert len(returned) == 2
    assert meeting.status == MeetingStatus.CANCELLED
    assert meeting.ical_sequence == 1
    for case in cases:
        assert case.status == CaseStatus.READY
        assert "was cancelled (Strike day)" in case.status_reason


def test_closing_stores_quorum_and_carries_over_undiscussed_items(
    coordinator, make_board, make_meeting, make_ready_case, make_user
):
    ortho, radiologist = make_user("orthopedic_oncologist"), make_user("radiologist")
    board = make_board(members=[ortho, radiologist])
    meeting = make_meeting(board, days=1, status=MeetingStatus.IN_PROGRESS)
    nxt = make_meeting(board, days=8)
    done, waiting = make_ready_case(), make_ready_case()
    meeting.status = MeetingStatus.PLANNED
    first = services.add_case(coordinator, meeting, done, _item_data())
    services.add_case(coordinator, meeting, waiting, _item_data())
    meeting.status = MeetingStatus.IN_PROGRESS
    services.mark_discussed(coordinator, meeting, first, reason="For information")
    services.record_attendance(coordinator, meeting, [ortho.id, radiologist.id])
    results = services.close_meeting(coordinator, meeting)
    assert meeting.status == MeetingStatus.CLOSED and meeting.closed_at
    assert meeting.is_quorate is False
    assert meeting.missing_disciplines == ["pathology", "medical_oncology"]
    assert [r.to_meeting for r in results] == [nxt]
    assert waiting.status == CaseStatus.LISTED and done.status == CaseStatus.DISCUSSED


# Attendance and quorum ---------------------------------------------------------------


def test_paediatric_disciplines_count_when_the_board_requires_them(
    coordinator, make_board, make_meeting, make_user
):
    """A paediatric sarcoma board requires paediatric and AYA oncology and
    paediatric surgery; a board that does not require them is quorate without."""
    oncologist = make_user("paediatric_oncologist")
    surgeon = make_user("paediatric_surgeon")
    radiologist = make_user("radiologist")
    paediatric = make_board(
        members=[oncologist, surgeon, radiologist],
        required_disciplines=[
            Discipline.PAEDIATRIC_ONCOLOGY.value,
            Discipline.PAEDIATRIC_SURGERY.value,
            Discipline.RADIOLOGY.value,
        ],
    )
    meeting = make_meeting(paediatric, status=MeetingStatus.PUBLISHED)
    result = services.record_attendance(
        coordinator, meeting, [oncologist.id, radiologist.id]
    )
    assert result.missing == [Discipline.PAEDIATRIC_SURGERY]
    assert Discipline.PAEDIATRIC_ONCOLOGY in result.present
    assert services.record_attendance(
        coordinator, meeting, [oncologist.id, surgeon.id, radiologist.id]
    ).is_quorate
    adult = make_board(
        members=[radiologist, oncologist],
        required_disciplines=[Discipline.RADIOLOGY.value],
    )
    other = make_meeting(adult, status=MeetingStatus.PUBLISHED)
    assert services.record_attendance(coordinator, other, [radiologist.id]).is_quorate


def test_quorum_counts_present_disciplines(
    coordinator, make_board, make_meeting, make_user
):
    members = [
        make_user("orthopedic_oncologist"),
        make_user("radiologist"),
        make_user("pathologist"),
        make_user("medical_oncologist"),
        make_user("nurse_specialist"),
    ]
    board = make_board(members=members)
    meeting = make_meeting(board, status=MeetingStatus.PUBLISHED)
    result = services.record_attendance(
        coordinator, meeting, [m.id for m in members[:2] + members[4:]]
    )
    assert not result.is_quorate
    assert result.missing == [Discipline.PATHOLOGY, Discipline.MEDICAL_ONCOLOGY]
    assert Discipline.NURSING in result.present

    # A guest pathologist fills one gap; the medical oncologist arrives late.
    services.add_guest(coordinator, meeting, "Dr Visiting Pathologist", "pathology")
    assert services.quorum(meeting).missing == [Discipline.MEDICAL_ONCOLOGY]
    services.record_attendance(
        coordinator, meeting, [m.id for m in members if m is not members[2]]
    )
    quorum = services.quorum(meeting)
    assert quorum.is_quorate and quorum.missing == []
    rows = db.session.scalars(sa.select(Attendance)).all()
    assert {(r.user_id, r.discipline) for r in rows if r.present} == {
        (members[0].id, Discipline.ORTHOPAEDIC_ONCOLOGY),
        (members[1].id, Discipline.RADIOLOGY),
        (members[3].id, Discipline.MEDICAL_ONCOLOGY),
        (members[4].id, Discipline.NURSING),
        (None, Discipline.PATHOLOGY),
    }


def test_absent_members_do_not_count(coordinator, make_board, make_meeting, make_user):
    radiologist = make_user("radiologist")
    board = make_board(members=[radiologist], required_disciplines=["radiology"])
    meeting = make_meeting(board, status=MeetingStatus.PUBLISHED)
    assert services.record_attendance(coordinator, meeting, [radiologist.id]).is_quorate
    result = services.record_attendance(coordinator, meeting, [])
    assert not result.is_quorate
    row = db.session.scalar(sa.select(Attendance))
    assert row.present is False and row.recorded_by_id == coordinator.id


def test_only_members_are_ticked_present(
    coordinator, make_board, make_meeting, make_user
):
    meeting = make_meeting(make_board(members=[]), status=MeetingStatus.PUBLISHED)
    stranger = make_user("radiologist")
    with pytest.raises(InvalidInput, match="add anyone else as a guest"):
        services.record_attendance(coordinator, meeting, [stranger.id])
    assert _count(Attendance) == 0


def test_the_chair_records_attendance_other_clinicians_do_not(
    make_board, make_meeting, make_user
):
    chair, other = make_user("pathologist"), make_user("radiologist")
    board = make_board(members=[chair, other])
    meeting = make_meeting(board, status=MeetingStatus.IN_PROGRESS, chair_id=chair.id)
    services.record_attendance(chair, meeting, [chair.id])
    with pytest.raises(AccessDenied):
        services.record_attendance(other, meeting, [other.id])


def test_attendance_is_not_recorded_on_a_draft(coordinator, make_meeting):
    meeting = make_meeting()
    with pytest.raises(InvalidInput, match="once the agenda is published"):
        services.add_guest(coordinator, meeting, "Dr Guest", "radiology")


def test_duplicate_guests_are_refused(coordinator, make_meeting):
    meeting = make_meeting(status=MeetingStatus.PUBLISHED)
    services.add_guest(coordinator, meeting, "Dr Guest", "radiology")
    with pytest.raises(Conflict, match="already recorded"):
        services.add_guest(coordinator, meeting, "dr guest", "pathology")


# Preparation ---------------------------------------------------------------------


def test_preparation_reports_reviews_per_discipline(make_case):
    case, other = make_case(), make_case()
    prepared = services.preparation_for([case, other])
    assert set(prepared) == {case.id, other.id}
    # A primary bone tumour needs no palliative care review (readiness table).
    assert prepared[case.id] == {
        Discipline.RADIOLOGY: "missing",
        Discipline.PATHOLOGY: "missing",
        Discipline.ORTHOPAEDIC_ONCOLOGY: "missing",
        Discipline.PALLIATIVE_CARE: "not_needed",
    }

    make_review(case, "radiology")
    prepared = services.preparation_for([case, other])
    assert prepared[case.id][Discipline.RADIOLOGY] == "done"
    assert prepared[case.id][Discipline.PATHOLOGY] == "missing"
    assert prepared[other.id][Discipline.RADIOLOGY] == "missing"


def test_preparation_shows_waived_items_as_waived_not_missing(make_case):
    coordinator = factories.make_user("coordinator")
    case = make_case(status="workup", biopsy_status="not_biopsied")
    review_services.waive_item(
        coordinator, case, "orthopaedic_review", "Surgeon presents at the board."
    )
    review_services.waive_item(
        coordinator, case, "pathology", "Biopsy route first.", kind="pre_biopsy"
    )
    prepared = services.preparation_for([case])[case.id]
    assert prepared[Discipline.ORTHOPAEDIC_ONCOLOGY] == "waived"
    assert prepared[Discipline.PATHOLOGY] == "pre_biopsy"
    assert prepared[Discipline.RADIOLOGY] == "missing"
    assert prepared[Discipline.PALLIATIVE_CARE] == "not_needed"

    # A written review counts as done, whatever was waived before it.
    make_review(case, "orthopaedic_oncology")
    prepared = services.preparation_for([case])[case.id]
    assert prepared[Discipline.ORTHOPAEDIC_ONCOLOGY] == "done"


def test_agenda_and_print_show_only_what_applies(
    client, login_as, make_meeting, make_item, make_case
):
    """A curative primary tumour: no "Palliative care: missing" on the agenda,
    and "not needed" (never "missing") in the printed agenda."""
    login_as("coordinator")
    meeting = make_meeting()
    case = make_case(status="workup")
    make_item(meeting, case)
    db.session.commit()
    page = client.get(f"/meetings/{meeting.id}").text
    assert "Radiology: missing" in page
    assert "Palliative care:" not in page
    printed = client.get(f"/meetings/{meeting.id}/print").text
    assert '<td class="prep-not_needed">' in printed


def test_preparation_of_a_discipline_with_some_items_waived_is_missing(make_case):
    coordinator = factories.make_user("coordinator")
    case = make_case(
        status="workup",
        case_type="skeletal_metastasis",
        site_code="C41.2",
        known_primary="breast",
    )
    # Radiology completes both the imaging item and SINS at the spine.
    review_services.waive_item(coordinator, case, "imaging", "Outside MRI coming.")
    prepared = services.preparation_for([case])[case.id]
    assert prepared[Discipline.RADIOLOGY] == "missing"
    review_services.waive_item(coordinator, case, "sins", "Scored at the board.")
    prepared = services.preparation_for([case])[case.id]
    assert prepared[Discipline.RADIOLOGY] == "waived"


def test_preparation_runs_three_queries_whatever_the_number_of_cases(
    make_case, count_queries
):
    cases = [make_case() for _ in range(5)]
    with count_queries() as counter:
        services.preparation_for(cases)
    assert counter.count == 3


def test_ready_pool_lists_only_ready_cases_most_urgent_first(make_case):
    routine = make_case(status="ready", urgency="routine")
    emergency = make_case(status="ready", urgency="emergency")
    make_case(status="workup", urgency="emergency")
    assert [c.id for c in services.ready_pool()] == [emergency.id, routine.id]
    assert all(isinstance(c, Case) for c in services.ready_pool())


def test_ready_pool_takes_the_longest_waiting_of_each_urgency_up_to_the_limit(
    make_case,
):
    from tumorboard.db import utcnow

    now = utcnow()

    def ready(urgency: str, days_waiting: int):
        case = make_case(status="ready", urgency=urgency)
        case.status_changed_at = now - timedelta(days=days_waiting)
        return case

    routine_old, routine_new = ready("routine", 30), ready("routine", 2)
    urgent_new, urgent_old = ready("urgent", 1), ready("urgent", 9)
    emergency = ready("emergency", 0)
    db.session.flush()
    assert [c.id for c in services.ready_pool()] == [
        emergency.id,
        urgent_old.id,
        urgent_new.id,
        routine_old.id,
        routine_new.id,
    ]
    # The limit cuts the merged order, not each urgency on its own.
    assert [c.id for c in services.ready_pool(limit=2)] == [emergency.id, urgent_old.id]
    assert [c.patient.id for c in services.ready_pool(limit=1)] == [
        emergency.patient_id
    ]


# Agenda visibility, deferral after a recommendation, boards not loaded ------------


def test_draft_agenda_is_refused_to_clinicians_by_the_service(
    coordinator, make_user, make_meeting, make_item
):
    meeting = make_meeting()
    item = make_item(meeting)
    clinician = make_user("pathologist")
    with pytest.raises(AccessDenied):
        services.agenda_items(clinician, meeting)
    with pytest.raises(AccessDenied):
        services.record_presentation_read(clinician, meeting, item)
    with pytest.raises(AccessDenied):
        services.record_agenda_read(clinician, meeting, [item])
    assert [i.id for i in services.agenda_items(coordinator, meeting)] == [item.id]
    meeting.status = MeetingStatus.PUBLISHED
    assert [i.id for i in services.agenda_items(clinician, meeting)] == [item.id]


@pytest.mark.parametrize("sign", [False, True], ids=["draft", "signed"])
def test_a_discussed_item_with_a_recommendation_cannot_be_deferred(
    coordinator, make_user, make_board, make_meeting, make_ready_case, sign
):
    from tests.recommendations.factories import rec_data
    from tumorboard.recommendations import services as recommendations

    meeting, _nxt, case, item = _discussed(
        coordinator, make_board, make_meeting, make_ready_case
    )
    rec = recommendations.record_recommendation(coordinator, item, rec_data())
    if sign:
        chair = make_user("orthopedic_oncologist")
        meeting.chair_id = chair.id
        recommendations.sign_recommendation(
            chair,
            rec,
            step_up=signing_proof(chair),
            override_reason="Quorum not needed here",
            version=rec.version,
        )
    before = case.status
    with pytest.raises(InvalidInput, match="amend it instead of deferring"):
        services.defer_item(coordinator, meeting, item, "Needs pathology review")
    assert item.status == AgendaItemStatus.DISCUSSED
    assert case.status == before


def test_services_load_the_board_whatever_the_caller_loaded(
    coordinator, make_board, make_meeting, make_ready_case
):
    board = make_board()
    meeting = make_meeting(board, days=1)
    nxt = make_meeting(board, days=8)
    case = make_ready_case()
    ids = meeting.id, nxt.id, case.id, coordinator.id
    db.session.commit()
    db.session.expunge_all()
    meeting = db.session.get(Meeting, ids[0])
    case = db.session.get(Case, ids[2])
    actor = db.session.get(User, ids[3])
    services.check_room(meeting, 15, case.id)
    item_id = services.add_case(actor, meeting, case, _item_data()).id
    db.session.commit()
    db.session.expunge_all()
    meeting = db.session.get(Meeting, ids[0])
    item = db.session.get(AgendaItem, item_id)
    actor = db.session.get(User, ids[3])
    result = services.defer_item(actor, meeting, item, "PET-CT pending")
    assert result.to_meeting.id == ids[1]
    assert "carried over to" in result.message


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c, m: boards._members(["7", "x"]), "member_ids"),
        (lambda c, m: scheduling._chair("not-a-number"), "chair_id"),
        (
            lambda c, m: agenda._clean_item_data(m, _item_data(presenter_id="abc")),
            "presenter_id",
        ),
    ],
    ids=["members", "chair", "presenter"],
)
def test_non_numeric_ids_are_invalid_input_naming_the_field(
    coordinator, make_meeting, call, field
):
    meeting = make_meeting()
    with pytest.raises(InvalidInput, match="is not valid") as caught:
        call(coordinator, meeting)
    assert caught.value.field == field


def test_update_meeting_with_a_non_numeric_chair_is_refused(coordinator, make_meeting):
    meeting = make_meeting()
    local = meeting.local_start
    with pytest.raises(InvalidInput) as caught:
        services.update_meeting(
            coordinator,
            meeting,
            {
                "day": local.date(),
                "start_time": local.time(),
                "end_time": meeting.local_end.time(),
                "chair_id": "chair",
            },
            meeting.version,
        )
    assert caught.value.field == "chair_id"
    assert meeting.chair_id is None


def test_close_preview_says_where_each_undiscussed_case_goes(
    coordinator, make_board, make_meeting, make_ready_case
):
    board = make_board(capacity=3)
    meeting = make_meeting(board, days=1)
    nxt = make_meeting(board, days=8)
    discussed, first, second = (make_ready_case() for _ in range(3))
    done = services.add_case(coordinator, meeting, discussed, _item_data())
    for case in (first, second):
        services.add_case(coordinator, meeting, case, _item_data())
    # The next meeting has room for one more case only.
    services.add_case(coordinator, nxt, make_ready_case(), _item_data())
    services.add_case(coordinator, nxt, make_ready_case(), _item_data())
    meeting.status = MeetingStatus.IN_PROGRESS
    services.mark_discussed(coordinator, meeting, done, reason="For information")
    plan = services.close_preview(meeting)
    assert [(p.reference, p.to_meeting) for p in plan] == [
        (first.reference, nxt),
        (second.reference, None),
    ]
    assert plan[0].outcome == f"Deferred to the meeting of {nxt.when_label}."
    assert "returns to the ready pool" in plan[1].outcome
    # Nothing changed until the meeting is closed; then the same happens.
    assert first.status == CaseStatus.LISTED
    results = services.close_meeting(coordinator, meeting)
    assert [(r.reference, r.to_meeting) for r in results] == [
        (p.reference, p.to_meeting) for p in plan
    ]
    assert second.status == CaseStatus.READY
    assert services.close_preview(meeting) == []


def test_meeting_lists_classify_by_status_not_only_by_time(make_board, make_meeting):
    board = make_board()
    planned = make_meeting(board, days=7)
    closed_early = make_meeting(board, days=2, status=MeetingStatus.CLOSED)
    cancelled = make_meeting(board, days=3, status=MeetingStatus.CANCELLED)
    overrunning = make_meeting(board, days=-1, status=MeetingStatus.IN_PROGRESS)
    never_held = make_meeting(board, days=-2)

    def listed(upcoming: bool) -> set[int]:
        stmt = services.meetings_query(board_id=board.id, upcoming=upcoming)
        return {m.id for m in db.session.scalars(stmt).unique()}

    assert listed(True) == {planned.id, overrunning.id}
    assert listed(False) == {closed_early.id, cancelled.id, never_held.id}
