"""Scheduling meetings: planning from a board's recurrence, ad hoc meetings,
editing, publishing, starting, closing and cancelling."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tumorboard.audit import services as audit
from tumorboard.auth.models import User
from tumorboard.auth.permissions import (
    authorize,
    can_manage_meeting,
    can_run_meeting,
    may_chair,
)
from tumorboard.cases.models import CaseStatus
from tumorboard.cases.services import transition_case
from tumorboard.errors import Conflict, InvalidInput
from tumorboard.extensions import db
from tumorboard.meetings.hooks import (
    meeting_cancelled,
    meeting_published,
    meeting_rescheduled,
)
from tumorboard.meetings.models import (
    AgendaItem,
    AgendaItemStatus,
    Board,
    Meeting,
    MeetingStatus,
)
from tumorboard.meetings.services._shared import (
    RUN_REFUSED,
    active_count,
    active_minutes,
    agenda_of,
    board_of,
    case_of,
    record_meeting,
    resolve_now,
    video_url,
)
from tumorboard.meetings.services.agenda import CarryOver, carry_over
from tumorboard.meetings.services.attendance import quorum
from tumorboard.validation import REASON_LIMIT, SHORT_TEXT_LIMIT, clean_id, clean_text

MEETING_FIELDS = ("starts_at", "ends_at", "chair_id", "location", "video_url")
#: Fields whose change must reach calendars (SEQUENCE is incremented).
CALENDAR_FIELDS = ("starts_at", "ends_at", "location", "video_url")
MAX_WEEKS = 26


def local_to_utc(board: Board, day: date, at: time) -> datetime:
    """The UTC instant of wall-clock ``day at`` in the board's time zone.

    Raises InvalidInput for a wall-clock time skipped by a clock change.
    """
    local = datetime.combine(day, at, tzinfo=board.zone)
    instant = local.astimezone(UTC)
    if instant.astimezone(board.zone).replace(tzinfo=None) != local.replace(
        tzinfo=None
    ):
        raise InvalidInput(
            f"{at:%H:%M} on {day.isoformat()} does not exist in {board.timezone} "
            "(the clocks change that night).",
            "start_time",
        )
    return instant


def _overlapping(
    board: Board, starts: datetime, ends: datetime, exclude_id: int | None
) -> Meeting | None:
    return db.session.scalar(
        sa.select(Meeting)
        .options(joinedload(Meeting.board))
        .where(
            Meeting.board_id == board.id,
            Meeting.status != MeetingStatus.CANCELLED,
            Meeting.starts_at < ends,
            Meeting.ends_at > starts,
            Meeting.id != (exclude_id or -1),
        )
        .order_by(Meeting.starts_at)
        .limit(1)
    )


def _check_times(
    board: Board,
    starts: datetime,
    ends: datetime,
    now: datetime,
    exclude_id: int | None = None,
) -> None:
    if ends <= starts:
        raise InvalidInput("The end time must be after the start time.", "end_time")
    if starts <= now:
        raise InvalidInput(
            "The meeting would start in the past; choose a later date or time.",
            "day",
        )
    if ends - starts > timedelta(hours=12):
        raise InvalidInput("A meeting can last at most 12 hours.", "end_time")
    other = _overlapping(board, starts, ends, exclude_id)
    if other is not None:
        raise Conflict(
            f"It overlaps this board's meeting of {other.when_label}.", "start_time"
        )
    cancelled = db.session.scalar(
        sa.select(Meeting.id).where(
            Meeting.board_id == board.id,
            Meeting.starts_at == starts,
            Meeting.id != (exclude_id or -1),
        )
    )
    if cancelled is not None:
        raise Conflict(
            "A cancelled meeting of this board starts at exactly that time; "
            "choose another start time.",
            "start_time",
        )


def _meeting_snapshot(meeting: Meeting) -> dict[str, Any]:
    return audit.snapshot(meeting, (*MEETING_FIELDS, "status"))


def _chair(chair_id: Any) -> int | None:
    if chair_id in (None, "", 0):
        return None
    chair = db.session.get(User, clean_id(chair_id, "chair_id", "chosen chair"))
    if not may_chair(chair):
        raise InvalidInput("The chair must be an active clinician.", "chair_id")
    return chair.id


def _slot_started(board: Board, day: date, now: datetime) -> bool:
    """True when the board's usual start on ``day`` is not in the future."""
    try:
        return local_to_utc(board, day, board.start_time) <= now
    except InvalidInput:
        return False


def generate_meetings(
    actor: User, board: Board, weeks: int, *, now: datetime | None = None
) -> list[Meeting]:
    """Create the board's meetings for the coming ``weeks`` from its recurrence.

    The local start time stays the same across daylight-saving changes; dates
    that already have a meeting (of any status) and slots that would overlap
    another meeting of the board are skipped.
    """
    authorize(can_manage_meeting(actor, None), "Only the coordinator plans meetings.")
    if not isinstance(weeks, int) or not 1 <= weeks <= MAX_WEEKS:
        raise InvalidInput(f"Choose between 1 and {MAX_WEEKS} weeks.", "weeks")
    if not board.is_active:
        raise InvalidInput(f"'{board.name}' is inactive; activate it first.")
    now = resolve_now(now)
    today_local = now.astimezone(board.zone).date()
    first = today_local + timedelta(days=(board.weekday - today_local.weekday()) % 7)
    if _slot_started(board, first, now):
        # Today's meeting time has passed: the coming weeks start next week.
        first += timedelta(weeks=1)
    horizon_end = datetime.combine(
        first + timedelta(weeks=weeks), time.min, tzinfo=board.zone
    )
    existing = db.session.scalars(
        sa.select(Meeting).where(
            Meeting.board_id == board.id,
            Meeting.ends_at > now - timedelta(days=1),
            Meeting.starts_at < horizon_end.astimezone(UTC) + timedelta(days=1),
        )
    ).all()
    taken_days = {m.starts_at.astimezone(board.zone).date() for m in existing}
    live = [m for m in existing if m.status != MeetingStatus.CANCELLED]
    created = []
    for week in range(weeks):
        day = first + timedelta(weeks=week)
        if day in taken_days:
            continue
        try:
            starts = local_to_utc(board, day, board.start_time)
        except InvalidInput:
            continue
        ends = starts + timedelta(minutes=board.duration_minutes)
        if starts <= now or any(
            m.starts_at < ends and m.ends_at > starts for m in live
        ):
            continue
        meeting = Meeting(
            board_id=board.id,
            starts_at=starts,
            ends_at=ends,
            location=board.location,
            video_url=board.video_url,
        )
        meeting.board = board
        db.session.add(meeting)
        created.append(meeting)
    db.session.flush()
    for meeting in created:
        record_meeting(
            actor,
            "meeting.create",
            meeting,
            f"Planned {board.name}, {meeting.when_label}",
            changes=audit.diff({}, _meeting_snapshot(meeting)),
        )
    return created


def _times_from(board: Board, data: dict[str, Any]) -> tuple[datetime, datetime]:
    day, start, end = data.get("day"), data.get("start_time"), data.get("end_time")
    if not isinstance(day, date):
        raise InvalidInput("Enter the date (YYYY-MM-DD).", "day")
    if not isinstance(start, time):
        raise InvalidInput("Enter the start time (HH:MM).", "start_time")
    if not isinstance(end, time):
        raise InvalidInput("Enter the end time (HH:MM).", "end_time")
    starts = local_to_utc(board, day, start)
    try:
        ends = local_to_utc(board, day, end)
    except InvalidInput as error:
        error.field = "end_time"
        raise
    return starts, ends


def create_meeting(
    actor: User, board: Board, data: dict[str, Any], *, now: datetime | None = None
) -> Meeting:
    """Schedule an ad hoc meeting of ``board`` (times are local to the board)."""
    authorize(can_manage_meeting(actor, None), "Only the coordinator plans meetings.")
    if not board.is_active:
        raise InvalidInput(f"'{board.name}' is inactive.", "board_id")
    starts, ends = _times_from(board, data)
    _check_times(board, starts, ends, resolve_now(now))
    meeting = Meeting(
        board_id=board.id,
        starts_at=starts,
        ends_at=ends,
        chair_id=_chair(data.get("chair_id")),
        location=clean_text(
            data.get("location"), "location", "The location", SHORT_TEXT_LIMIT
        )
        or board.location,
        video_url=video_url(data.get("video_url")) or board.video_url,
    )
    meeting.board = board
    db.session.add(meeting)
    db.session.flush()
    record_meeting(
        actor,
        "meeting.create",
        meeting,
        f"Scheduled {board.name}, {meeting.when_label}",
        changes=audit.diff({}, _meeting_snapshot(meeting)),
    )
    return meeting


def update_meeting(
    actor: User,
    meeting: Meeting,
    data: dict[str, Any],
    version: int | None,
    *,
    now: datetime | None = None,
) -> Meeting:
    """Change time, chair, location or video link; calendars get a new SEQUENCE."""
    authorize(can_manage_meeting(actor, meeting), "Only the coordinator.")
    if version != meeting.version:
        raise Conflict(
            "This meeting was changed by someone else since you opened the form. "
            "Your entries are kept below; check them and save again."
        )
    if meeting.status not in (MeetingStatus.PLANNED, MeetingStatus.PUBLISHED):
        raise InvalidInput(
            f"A meeting that is {meeting.status.label.lower()} cannot be edited."
        )
    board = board_of(meeting)
    starts, ends = _times_from(board, data)
    if (starts, ends) != (meeting.starts_at, meeting.ends_at):
        _check_times(board, starts, ends, resolve_now(now), exclude_id=meeting.id)
    before = _meeting_snapshot(meeting)
    meeting.starts_at, meeting.ends_at = starts, ends
    meeting.chair_id = _chair(data.get("chair_id"))
    meeting.location = clean_text(
        data.get("location"), "location", "The location", SHORT_TEXT_LIMIT
    )
    meeting.video_url = video_url(data.get("video_url"))
    if active_minutes(meeting) > meeting.duration_minutes:
        raise InvalidInput(
            "The agenda needs more time than the shortened meeting has; "
            "remove or defer cases first.",
            "end_time",
        )
    changes = audit.diff(before, _meeting_snapshot(meeting))
    if changes:
        if any(key in changes for key in CALENDAR_FIELDS):
            meeting.ical_sequence += 1
        db.session.flush()
        record_meeting(
            actor,
            "meeting.update",
            meeting,
            f"Updated {board.name}, {meeting.when_label}: {', '.join(changes)}",
            changes=changes,
        )
        if meeting.status == MeetingStatus.PUBLISHED and any(
            key in changes for key in CALENDAR_FIELDS
        ):
            meeting_rescheduled.run(actor, meeting)
    return meeting


def _set_status(actor: User, meeting: Meeting, target: MeetingStatus, verb: str):
    old = meeting.status
    meeting.status = target
    meeting.ical_sequence += 1
    db.session.flush()
    record_meeting(
        actor,
        f"meeting.{verb}",
        meeting,
        f"{board_of(meeting).name}, {meeting.when_label}: {old.label} → {target.label}",
        changes={"status": [old.value, target.value]},
    )


def publish_meeting(
    actor: User, meeting: Meeting, *, now: datetime | None = None
) -> Meeting:
    """Freeze the agenda order and show the agenda to the board's clinicians."""
    authorize(can_manage_meeting(actor, meeting), "Only the coordinator publishes.")
    if meeting.status != MeetingStatus.PLANNED:
        raise InvalidInput(
            f"Only a planned meeting can be published; this one is "
            f"{meeting.status.label.lower()}."
        )
    if meeting.ends_at <= resolve_now(now):
        raise InvalidInput("This meeting is in the past and cannot be published.")
    if meeting.chair_id is None:
        raise InvalidInput("Choose the chair before publishing the agenda.")
    if active_count(meeting) == 0:
        raise InvalidInput("Add at least one case before publishing the agenda.")
    meeting.published_at = resolve_now(now)
    _set_status(actor, meeting, MeetingStatus.PUBLISHED, "publish")
    meeting_published.run(actor, meeting)
    return meeting


def start_meeting(
    actor: User, meeting: Meeting, *, now: datetime | None = None
) -> Meeting:
    """Open the published meeting so that items can be marked discussed."""
    authorize(can_run_meeting(actor, meeting), RUN_REFUSED)
    if meeting.status != MeetingStatus.PUBLISHED:
        raise InvalidInput("Publish the agenda before starting the meeting.")
    meeting.started_at = resolve_now(now)
    _set_status(actor, meeting, MeetingStatus.IN_PROGRESS, "start")
    return meeting


def close_meeting(
    actor: User, meeting: Meeting, *, now: datetime | None = None
) -> list[CarryOver]:
    """Close the meeting: store its quorum; undiscussed items are carried over."""
    authorize(can_run_meeting(actor, meeting), RUN_REFUSED)
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise InvalidInput("Only a meeting in progress can be closed.")
    board_of(meeting)
    results = [
        carry_over(
            actor,
            meeting,
            item,
            f"Not reached at the meeting of {meeting.when_label}.",
            now=resolve_now(now),
        )
        for item in agenda_of(meeting)
        if item.status == AgendaItemStatus.LISTED
    ]
    result = quorum(meeting)
    meeting.is_quorate = result.is_quorate
    meeting.missing_disciplines = [d.value for d in result.missing]
    meeting.closed_at = resolve_now(now)
    _set_status(actor, meeting, MeetingStatus.CLOSED, "close")
    return results


def cancel_meeting(
    actor: User, meeting: Meeting, reason: str, *, now: datetime | None = None
) -> list[AgendaItem]:
    """Cancel a planned or published meeting; its cases return to the ready pool."""
    authorize(can_manage_meeting(actor, meeting), "Only the coordinator cancels.")
    if meeting.status not in (MeetingStatus.PLANNED, MeetingStatus.PUBLISHED):
        raise InvalidInput(
            f"A meeting that is {meeting.status.label.lower()} cannot be cancelled."
        )
    board_of(meeting)
    reason = clean_text(reason, "reason", "The reason", REASON_LIMIT)
    if not reason:
        raise InvalidInput("Give the reason for cancelling.", "reason")
    returned = []
    for item in agenda_of(meeting):
        if item.status != AgendaItemStatus.LISTED:
            continue
        item.status = AgendaItemStatus.DEFERRED
        item.status_reason = f"Meeting cancelled: {reason}"
        case = case_of(item)
        transition_case(
            actor,
            case,
            CaseStatus.READY,
            reason=(
                f"The meeting of {meeting.when_label} was cancelled ({reason}); "
                "back in the ready pool."
            ),
            manual=False,
        )
        returned.append(item)
    was_published = meeting.status == MeetingStatus.PUBLISHED
    meeting.cancelled_at = resolve_now(now)
    meeting.cancel_reason = reason
    _set_status(actor, meeting, MeetingStatus.CANCELLED, "cancel")
    meeting_cancelled.run(actor, meeting, was_published)
    return returned
