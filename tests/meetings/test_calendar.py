"""iCalendar output, read back with vobject (an independent RFC 5545 parser)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
import vobject

from tumorboard.meetings import calendar, services

URL = "https://tumorboard.example.org/meetings/1"


def _parse(body: bytes):
    assert body.endswith(b"\r\n")
    for line in body.split(b"\r\n"):
        assert len(line) <= 75, line  # RFC 5545 3.1: lines are folded at 75 octets
    return vobject.readOne(body.decode("utf-8"))


@pytest.fixture
def coordinator(make_user):
    """The coordinator who schedules meetings."""
    return make_user("coordinator")


def _generate_across_dst(coordinator, make_board):
    board = make_board(name="Bone sarcoma board")
    now = datetime(2026, 10, 12, 9, 0, tzinfo=UTC)
    return board, services.generate_meetings(coordinator, board, 3, now=now)


def test_meeting_ics_round_trips_with_time_zone(coordinator, make_board):
    board, meetings = _generate_across_dst(coordinator, make_board)
    for meeting in meetings:
        body = calendar.meeting_ics(meeting, URL)
        cal = _parse(body)
        assert cal.method.value == "PUBLISH"
        assert cal.vtimezone.tzid.value == "Europe/London"
        event = cal.vevent
        assert event.uid.value == f"meeting-{meeting.id}@tumorboard"
        start, end = event.dtstart.value, event.dtend.value
        # The parser applies the VTIMEZONE we sent: same instant as stored,
        # 16:00 local on both sides of the clock change.
        assert start.tzinfo is not None
        assert start.astimezone(UTC) == meeting.starts_at
        assert end.astimezone(UTC) == meeting.ends_at
        assert (start.hour, start.minute) == (16, 0)
        local = meeting.local_start.strftime("%Y%m%dT%H%M%S")
        assert f"DTSTART;TZID=Europe/London:{local}\r\n".encode() in body
        assert int(event.sequence.value) == 0
        assert event.status.value == "CONFIRMED"
        assert event.summary.value == "Bone sarcoma board"
        assert event.location.value == board.location
        assert URL in event.description.value
        assert board.video_url in event.description.value
    utc_hours = [m.starts_at.hour for m in meetings]
    assert utc_hours == [15, 15, 16]


def test_sequence_grows_and_cancellation_is_sent(coordinator, make_board):
    board = make_board()
    meeting = services.create_meeting(
        coordinator,
        board,
        {"day": date(2099, 1, 6), "start_time": time(16), "end_time": time(18)},
    )
    uid = _parse(calendar.meeting_ics(meeting, URL)).vevent.uid.value
    services.update_meeting(
        coordinator,
        meeting,
        {
            "day": date(2099, 1, 6),
            "start_time": time(16, 30),
            "end_time": time(18),
            "location": meeting.location,
            "video_url": meeting.video_url,
        },
        meeting.version,
    )
    moved = _parse(calendar.meeting_ics(meeting, URL)).vevent
    assert moved.uid.value == uid
    assert int(moved.sequence.value) == 1
    assert (moved.dtstart.value.hour, moved.dtstart.value.minute) == (16, 30)

    services.cancel_meeting(coordinator, meeting, "Room unavailable")
    cal = _parse(calendar.meeting_ics(meeting, URL))
    assert cal.method.value == "CANCEL"
    assert cal.vevent.status.value == "CANCELLED"
    assert cal.vevent.uid.value == uid
    assert int(cal.vevent.sequence.value) == 2


def test_board_feed_lists_every_meeting_and_no_patient_data(
    coordinator, make_board, make_ready_case, make_patient
):
    board = make_board(name="Skeletal metastasis board")
    meetings = services.generate_meetings(coordinator, board, 3)
    patient = make_patient(family_name="Zebedee-Uniquename")
    case = make_ready_case(patient=patient)
    services.add_case(
        coordinator, meetings[0], case, {"question": "Q?", "planned_minutes": 10}
    )
    services.cancel_meeting(coordinator, meetings[1], "Holiday")
    body = calendar.board_feed_ics(board, meetings, lambda m: f"{URL}/{m.id}")
    assert b"Zebedee" not in body and patient.mrn.encode() not in body
    assert case.clinical_question.encode() not in body
    cal = _parse(body)
    assert cal.method.value == "PUBLISH"
    assert cal.contents["x-wr-calname"][0].value == board.name
    events = cal.vevent_list
    assert [e.uid.value for e in events] == [m.ical_uid for m in meetings]
    assert [e.status.value for e in events] == ["CONFIRMED", "CANCELLED", "CONFIRMED"]
    assert len(cal.vtimezone_list) == 1


def test_feed_token_is_compared_safely(make_board):
    board = make_board()
    assert services.feed_token_matches(board, board.feed_token)
    assert not services.feed_token_matches(board, board.feed_token[:-1] + "x")
    assert not services.feed_token_matches(board, "")
    assert len(board.feed_token) >= 40
