"""iCalendar (RFC 5545) output for meetings: one file per meeting and a feed
per board.

Invites leave the hospital, so they carry no patient data: only the board's
name, the time, the place, the video link and a link back to the meeting.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

import icalendar

from tumorboard.meetings.models import Board, Meeting, MeetingStatus

PRODID = "-//tumorboard//board meetings//EN"


def _calendar(method: str, name: str | None = None) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    return cal


def _event(
    meeting: Meeting,
    url: str,
    organizer: str | None = None,
    attendee: str | None = None,
) -> icalendar.Event:
    board: Board = meeting.board
    event = icalendar.Event()
    event.add("uid", meeting.ical_uid)
    event.add("dtstamp", meeting.updated_at)
    event.add("last-modified", meeting.updated_at)
    event.add("created", meeting.created_at)
    event.add("dtstart", meeting.local_start)
    event.add("dtend", meeting.local_end)
    event.add("sequence", meeting.ical_sequence)
    cancelled = meeting.status == MeetingStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("summary", f"{'Cancelled: ' if cancelled else ''}{board.name}")
    if meeting.location:
        event.add("location", meeting.location)
    lines = [f"Agenda: {url}"]
    if meeting.video_url:
        lines.append(f"Video conference: {meeting.video_url}")
    event.add("description", "\n".join(lines))
    event.add("url", url)
    event.add("transp", "OPAQUE")
    if organizer:
        event.add("organizer", f"mailto:{organizer}", parameters={"CN": board.name})
    if attendee:
        event.add(
            "attendee",
            f"mailto:{attendee}",
            parameters={"ROLE": "REQ-PARTICIPANT", "RSVP": "FALSE"},
        )
    return event


def _timezone(board: Board, meetings: Sequence[Meeting]) -> icalendar.Timezone:
    """The board's VTIMEZONE, covering a year either side of the meetings.

    Each transition gets its own RDATE line: several calendar programs read
    only the first value of a comma-separated RDATE list and would then put
    meetings after a clock change an hour out.
    """
    starts = [m.starts_at for m in meetings]
    zone = icalendar.Timezone.from_tzid(
        board.timezone,
        first_date=(min(starts) - timedelta(days=366)).date(),
        last_date=(max(starts) + timedelta(days=366)).date(),
    )
    for observance in zone.subcomponents:
        rdate = observance.pop("RDATE", None)
        if rdate is None:
            continue
        for value in rdate if isinstance(rdate, list) else [rdate]:
            for period in value.dts:
                observance.add("rdate", period.dt)
    return zone


def meeting_ics(
    meeting: Meeting,
    url: str,
    *,
    invite: bool = False,
    organizer: str | None = None,
    attendee: str | None = None,
) -> bytes:
    """A calendar with one event; METHOD:CANCEL once the meeting is cancelled.

    ``invite`` makes it an invitation sent by e-mail (RFC 5546): METHOD:REQUEST
    (or CANCEL) with the organiser and the attendee, the same UID and SEQUENCE
    as the feed, so calendars update the event they already hold.
    """
    cancelled = meeting.status == MeetingStatus.CANCELLED
    if cancelled:
        method = "CANCEL"
    else:
        method = "REQUEST" if invite else "PUBLISH"
    cal = _calendar(method)
    cal.add_component(_timezone(meeting.board, [meeting]))
    cal.add_component(_event(meeting, url, organizer, attendee))
    return cal.to_ical()


def board_feed_ics(
    board: Board, meetings: Sequence[Meeting], url_for: Callable[[Meeting], str]
) -> bytes:
    """The board's subscribable calendar: every meeting, cancelled ones marked."""
    cal = _calendar("PUBLISH", name=board.name)
    cal.add("x-wr-timezone", board.timezone)
    if meetings:
        cal.add_component(_timezone(board, meetings))
    for meeting in meetings:
        cal.add_component(_event(meeting, url_for(meeting)))
    return cal.to_ical()
