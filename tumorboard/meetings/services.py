"""Boards, meeting scheduling, agenda building, attendance, quorum and the
running of a meeting.

Every function here authorises, validates, changes, flushes and writes its
audit entries; none commits. Times are stored as aware UTC and converted from
and to the board's IANA time zone at the edges.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from tumorboard.audit import services as audit
from tumorboard.auth.disciplines import REVIEW_DISCIPLINES, Discipline, discipline_of
from tumorboard.auth.models import User
from tumorboard.auth.permissions import (
    authorize,
    can_manage_board,
    can_manage_meeting,
    can_record_attendance,
    can_run_meeting,
    can_view_agenda,
    may_chair,
    may_present,
    may_sit_on_board,
)
from tumorboard.cases.models import Case, CaseStatus, Urgency
from tumorboard.cases.services import transition_case
from tumorboard.db import utcnow
from tumorboard.errors import Conflict, InvalidInput
from tumorboard.extensions import db
from tumorboard.meetings.hooks import before_defer
from tumorboard.meetings.models import (
    ACTIVE_ITEM_STATUSES,
    AgendaItem,
    AgendaItemStatus,
    Attendance,
    Board,
    BoardKind,
    Meeting,
    MeetingStatus,
    new_feed_token,
)
from tumorboard.reviews.models import DisciplineReview

BOARD_FIELDS = (
    "name",
    "kind",
    "required_disciplines",
    "weekday",
    "start_time",
    "timezone",
    "duration_minutes",
    "minutes_per_case",
    "capacity",
    "location",
    "video_url",
    "is_active",
)
MEETING_FIELDS = ("starts_at", "ends_at", "chair_id", "location", "video_url")
#: Fields whose change must reach calendars (SEQUENCE is incremented).
CALENDAR_FIELDS = ("starts_at", "ends_at", "location", "video_url")

MAX_WEEKS = 26
AGENDA_REFUSED = (
    "The agenda is visible to clinicians once the coordinator publishes it."
)
URGENCY_RANK = {Urgency.EMERGENCY: 0, Urgency.URGENT: 1, Urgency.ROUTINE: 2}
_ACTIVE = [s.value for s in ACTIVE_ITEM_STATUSES]


def _now(now: datetime | None) -> datetime:
    return now if now is not None else utcnow()


def _board(meeting: Meeting) -> Board:
    """The meeting's board, whatever the caller loaded.

    ``Meeting.board`` raises when not eagerly loaded; the board is fetched by
    id (no query when it is already in the session) and attached so that
    ``when_label`` and the local times work too.
    """
    board = db.session.get(Board, meeting.board_id)
    if "board" in sa.inspect(meeting).unloaded:
        set_committed_value(meeting, "board", board)
    return board


def _id(value: Any, field: str, label: str) -> int:
    """A submitted record id as an int, or InvalidInput naming the field."""
    if isinstance(value, bool):
        raise InvalidInput(f"The {label} is not valid.", field)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"The {label} is not valid.", field) from None


# Boards ----------------------------------------------------------------------


def _text(data: dict[str, Any], key: str, label: str, limit: int) -> str:
    value = (data.get(key) or "").strip()
    if len(value) > limit:
        raise InvalidInput(f"{label} must be at most {limit} characters.", key)
    return value


def _int_in(data: dict[str, Any], key: str, label: str, low: int, high: int) -> int:
    value = data.get(key)
    if value is None or isinstance(value, bool):
        raise InvalidInput(f"Enter the {label}.", key)
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"The {label} must be a whole number.", key) from None
    if not low <= value <= high:
        raise InvalidInput(f"The {label} must be between {low} and {high}.", key)
    return value


def valid_timezone(name: str) -> bool:
    """True for an IANA time zone name known to this system."""
    if not name or name not in available_timezones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _clean_board_data(data: dict[str, Any], board: Board | None) -> dict[str, Any]:
    """Check every board field; return clean values plus ``members``."""
    clean: dict[str, Any] = {}
    name = _text(data, "name", "The name", 120)
    if not name:
        raise InvalidInput("Name the board.", "name")
    clash = db.session.scalar(
        sa.select(Board.id).where(
            sa.func.lower(Board.name) == name.lower(),
            Board.id != (board.id if board else -1),
        )
    )
    if clash is not None:
        raise Conflict(f"A board called '{name}' already exists.", "name")
    clean["name"] = name
    try:
        clean["kind"] = BoardKind(data.get("kind"))
    except ValueError:
        raise InvalidInput("Choose the kind of board.", "kind") from None
    required = []
    for value in data.get("required_disciplines") or []:
        try:
            discipline = Discipline(value)
        except ValueError:
            raise InvalidInput(
                f"'{value}' is not a discipline.", "required_disciplines"
            ) from None
        if discipline not in required:
            required.append(discipline)
    if not required:
        raise InvalidInput(
            "Choose at least one discipline required for quorum.",
            "required_disciplines",
        )
    clean["required_disciplines"] = [d.value for d in required]
    clean["weekday"] = _int_in(data, "weekday", "weekday", 0, 6)
    start = data.get("start_time")
    if not isinstance(start, time):
        raise InvalidInput("Enter the start time (HH:MM).", "start_time")
    clean["start_time"] = start.replace(second=0, microsecond=0, tzinfo=None)
    zone = (data.get("timezone") or "").strip()
    if not valid_timezone(zone):
        raise InvalidInput(
            f"'{zone}' is not an IANA time zone (for example Europe/London).",
            "timezone",
        )
    clean["timezone"] = zone
    clean["duration_minutes"] = _int_in(
        data, "duration_minutes", "meeting length in minutes", 15, 600
    )
    clean["minutes_per_case"] = _int_in(
        data, "minutes_per_case", "minutes per case", 1, 180
    )
    if clean["minutes_per_case"] > clean["duration_minutes"]:
        raise InvalidInput(
            "The minutes per case cannot exceed the meeting length.",
            "minutes_per_case",
        )
    clean["capacity"] = _int_in(data, "capacity", "case capacity", 1, 100)
    clean["location"] = _text(data, "location", "The location", 200)
    clean["video_url"] = _clean_url(data.get("video_url"))
    clean["is_active"] = bool(data.get("is_active", True))
    clean["members"] = _members(data.get("member_ids") or [])
    return clean


def _clean_url(value: str | None) -> str:
    url = (value or "").strip()
    if len(url) > 500:
        raise InvalidInput(
            "The video link must be at most 500 characters.", "video_url"
        )
    if url and not url.lower().startswith("https://"):
        raise InvalidInput("The video link must be an https:// address.", "video_url")
    return url


def _members(ids: Iterable[Any]) -> list[User]:
    wanted = {_id(i, "member_ids", "chosen member") for i in ids}
    if not wanted:
        return []
    users = list(db.session.scalars(sa.select(User).where(User.id.in_(wanted))))
    found = {u.id for u in users}
    if found != wanted:
        raise InvalidInput("Some chosen members do not exist.", "member_ids")
    for user in users:
        if not may_sit_on_board(user):
            raise InvalidInput(
                f"{user.name} cannot be a member: only active clinicians and "
                "coordinators sit on a board.",
                "member_ids",
            )
    return sorted(users, key=lambda u: u.name)


def _board_snapshot(board: Board) -> dict[str, Any]:
    values = audit.snapshot(board, BOARD_FIELDS)
    values["start_time"] = board.start_time.strftime("%H:%M")
    return values


def load_board(board_id: int) -> Board:
    """A board with its members (for editing), or 404."""
    return db.first_or_404(
        sa.select(Board)
        .where(Board.id == board_id)
        .options(selectinload(Board.members))
    )


def create_board(actor: User, data: dict[str, Any]) -> Board:
    """Set up a recurring board with its members."""
    authorize(can_manage_board(actor), "Only administrators and the coordinator.")
    clean = _clean_board_data(data, None)
    members = clean.pop("members")
    board = Board(**clean)
    board.members = members
    db.session.add(board)
    db.session.flush()
    after = _board_snapshot(board)
    after["members"] = [u.name for u in members]
    audit.record(
        actor,
        "board.create",
        "board",
        board.id,
        f"Created board '{board.name}'",
        changes=audit.diff({}, after),
    )
    return board


def update_board(
    actor: User, board: Board, data: dict[str, Any], version: int | None
) -> Board:
    """Change a board's settings and members, refusing a stale form."""
    authorize(can_manage_board(actor), "Only administrators and the coordinator.")
    if version != board.version:
        raise Conflict(
            "This board was changed by someone else since you opened the form. "
            "Your entries are kept below; check them and save again."
        )
    clean = _clean_board_data(data, board)
    members = clean.pop("members")
    before = _board_snapshot(board)
    before["members"] = [u.name for u in board.members]
    for key, value in clean.items():
        setattr(board, key, value)
    board.members = members
    after = _board_snapshot(board)
    after["members"] = [u.name for u in members]
    changes = audit.diff(before, after)
    if changes:
        # Membership lives in another table: touch the board so its version moves.
        board.updated_at = utcnow()
        db.session.flush()
        audit.record(
            actor,
            "board.update",
            "board",
            board.id,
            f"Updated board '{board.name}': {', '.join(changes)}",
            changes=changes,
        )
    return board


def regenerate_feed_token(actor: User, board: Board) -> Board:
    """Replace the calendar feed secret: old subscription URLs stop working."""
    authorize(can_manage_board(actor), "Only administrators and the coordinator.")
    board.feed_token = new_feed_token()
    db.session.flush()
    audit.record(
        actor,
        "board.feed_token",
        "board",
        board.id,
        f"New calendar feed address for '{board.name}'",
    )
    return board


def feed_token_matches(board: Board, token: str) -> bool:
    """Constant-time comparison of a presented feed token."""
    return hmac.compare_digest(board.feed_token.encode(), (token or "").encode())


# Scheduling --------------------------------------------------------------------


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


def _chair(chair_id: Any) -> int | None:
    if chair_id in (None, "", 0):
        return None
    chair = db.session.get(User, _id(chair_id, "chair_id", "chosen chair"))
    if not may_chair(chair):
        raise InvalidInput("The chair must be an active clinician.", "chair_id")
    return chair.id


def _meeting_snapshot(meeting: Meeting) -> dict[str, Any]:
    return audit.snapshot(meeting, (*MEETING_FIELDS, "status"))


def _record_meeting(
    actor: User, action: str, meeting: Meeting, summary: str, changes=None
) -> None:
    audit.record(
        actor,
        action,
        "meeting",
        meeting.id,
        summary,
        changes=changes,
    )


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
    now = _now(now)
    today_local = now.astimezone(board.zone).date()
    first = today_local + timedelta(days=(board.weekday - today_local.weekday()) % 7)
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
        _record_meeting(
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
    _check_times(board, starts, ends, _now(now))
    meeting = Meeting(
        board_id=board.id,
        starts_at=starts,
        ends_at=ends,
        chair_id=_chair(data.get("chair_id")),
        location=_text(data, "location", "The location", 200) or board.location,
        video_url=_clean_url(data.get("video_url")) or board.video_url,
    )
    meeting.board = board
    db.session.add(meeting)
    db.session.flush()
    _record_meeting(
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
    board = _board(meeting)
    starts, ends = _times_from(board, data)
    if (starts, ends) != (meeting.starts_at, meeting.ends_at):
        _check_times(board, starts, ends, _now(now), exclude_id=meeting.id)
    before = _meeting_snapshot(meeting)
    meeting.starts_at, meeting.ends_at = starts, ends
    meeting.chair_id = _chair(data.get("chair_id"))
    meeting.location = _text(data, "location", "The location", 200)
    meeting.video_url = _clean_url(data.get("video_url"))
    if _active_minutes(meeting) > meeting.duration_minutes:
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
        _record_meeting(
            actor,
            "meeting.update",
            meeting,
            f"Updated {board.name}, {meeting.when_label}: {', '.join(changes)}",
            changes=changes,
        )
    return meeting


def _set_status(actor: User, meeting: Meeting, target: MeetingStatus, verb: str):
    old = meeting.status
    meeting.status = target
    meeting.ical_sequence += 1
    db.session.flush()
    _record_meeting(
        actor,
        f"meeting.{verb}",
        meeting,
        f"{_board(meeting).name}, {meeting.when_label}: {old.label} → {target.label}",
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
    if meeting.ends_at <= _now(now):
        raise InvalidInput("This meeting is in the past and cannot be published.")
    if meeting.chair_id is None:
        raise InvalidInput("Choose the chair before publishing the agenda.")
    if _active_count(meeting) == 0:
        raise InvalidInput("Add at least one case before publishing the agenda.")
    meeting.published_at = _now(now)
    _set_status(actor, meeting, MeetingStatus.PUBLISHED, "publish")
    return meeting


def start_meeting(
    actor: User, meeting: Meeting, *, now: datetime | None = None
) -> Meeting:
    """Open the published meeting so that items can be marked discussed."""
    authorize(can_run_meeting(actor, meeting), "Only the coordinator or the chair.")
    if meeting.status != MeetingStatus.PUBLISHED:
        raise InvalidInput("Publish the agenda before starting the meeting.")
    meeting.started_at = _now(now)
    _set_status(actor, meeting, MeetingStatus.IN_PROGRESS, "start")
    return meeting


def close_meeting(
    actor: User, meeting: Meeting, *, now: datetime | None = None
) -> list[CarryOver]:
    """Close the meeting: store its quorum; undiscussed items are carried over."""
    authorize(can_run_meeting(actor, meeting), "Only the coordinator or the chair.")
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise InvalidInput("Only a meeting in progress can be closed.")
    _board(meeting)
    results = [
        _defer(
            actor,
            meeting,
            item,
            f"Not reached at the meeting of {meeting.when_label}.",
            now=_now(now),
        )
        for item in _items(meeting)
        if item.status == AgendaItemStatus.LISTED
    ]
    result = quorum(meeting)
    meeting.is_quorate = result.is_quorate
    meeting.missing_disciplines = [d.value for d in result.missing]
    meeting.closed_at = _now(now)
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
    _board(meeting)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Give the reason for cancelling.", "reason")
    if len(reason) > 2000:
        raise InvalidInput("The reason must be at most 2000 characters.", "reason")
    returned = []
    for item in _items(meeting):
        if item.status != AgendaItemStatus.LISTED:
            continue
        item.status = AgendaItemStatus.DEFERRED
        item.status_reason = f"Meeting cancelled: {reason}"
        case = _case(item.case_id)
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
    meeting.cancelled_at = _now(now)
    meeting.cancel_reason = reason
    _set_status(actor, meeting, MeetingStatus.CANCELLED, "cancel")
    return returned


# Agenda ----------------------------------------------------------------------------


def _items(meeting: Meeting) -> list[AgendaItem]:
    """All items of a meeting in agenda order."""
    return list(
        db.session.scalars(
            sa.select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id)
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    )


def _active_items(meeting: Meeting) -> list[AgendaItem]:
    return [i for i in _items(meeting) if i.status in ACTIVE_ITEM_STATUSES]


def _active_count(meeting: Meeting) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(AgendaItem.id)).where(
            AgendaItem.meeting_id == meeting.id, AgendaItem.status.in_(_ACTIVE)
        )
    )


def _active_minutes(meeting: Meeting) -> int:
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(AgendaItem.planned_minutes), 0)).where(
            AgendaItem.meeting_id == meeting.id, AgendaItem.status.in_(_ACTIVE)
        )
    )


def _case(case_id: int) -> Case:
    return db.session.get(Case, case_id)


def _load_columns():
    """Correlated count and minutes of a meeting's active items."""
    count = (
        sa.select(sa.func.count(AgendaItem.id))
        .where(AgendaItem.meeting_id == Meeting.id, AgendaItem.status.in_(_ACTIVE))
        .correlate(Meeting)
        .scalar_subquery()
    )
    minutes = (
        sa.select(sa.func.coalesce(sa.func.sum(AgendaItem.planned_minutes), 0))
        .where(AgendaItem.meeting_id == Meeting.id, AgendaItem.status.in_(_ACTIVE))
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
            Meeting.starts_at > max(after, _now(now)),
        )
        .order_by(Meeting.starts_at)
        .limit(52)
    )
    if case_id is not None:
        stmt = stmt.where(
            ~sa.exists().where(
                AgendaItem.meeting_id == Meeting.id,
                AgendaItem.case_id == case_id,
                AgendaItem.status.in_(_ACTIVE),
            )
        )
    for meeting, n, total in db.session.execute(stmt).unique():
        if n < board.capacity and total + minutes <= meeting.duration_minutes:
            return meeting
    return None


def _room_hint(meeting: Meeting, minutes: int, case_id: int | None) -> str:
    nxt = next_meeting_with_room(
        _board(meeting), minutes, after=meeting.starts_at, case_id=case_id
    )
    if nxt is None:
        return (
            "No later meeting of this board has room yet; generate more meetings "
            "or raise the capacity."
        )
    return f"The next meeting with room is {nxt.when_label}."


def check_room(meeting: Meeting, minutes: int, case_id: int | None = None) -> None:
    """Refuse when the agenda is full or the time budget would be exceeded."""
    board = _board(meeting)
    count, used = _active_count(meeting), _active_minutes(meeting)
    if count >= board.capacity:
        raise InvalidInput(
            f"The agenda of {meeting.when_label} is full ({count} of "
            f"{board.capacity} cases). {_room_hint(meeting, minutes, case_id)}"
        )
    if used + minutes > meeting.duration_minutes:
        raise InvalidInput(
            f"Adding {minutes} minutes would exceed the meeting's "
            f"{meeting.duration_minutes} minutes ({used} already planned). "
            f"{_room_hint(meeting, minutes, case_id)}",
            "planned_minutes",
        )


def _clean_item_data(meeting: Meeting, data: dict[str, Any]) -> dict[str, Any]:
    question = (data.get("question") or "").strip()
    if not question:
        raise InvalidInput("State the question for this discussion.", "question")
    if len(question) > 2000:
        raise InvalidInput("The question must be at most 2000 characters.", "question")
    minutes = _int_in(data, "planned_minutes", "planned minutes", 1, 180)
    presenter_id = data.get("presenter_id") or None
    if presenter_id is not None:
        presenter = db.session.get(
            User, _id(presenter_id, "presenter_id", "chosen presenter")
        )
        if not may_present(presenter):
            raise InvalidInput(
                "The presenter must be an active clinician.", "presenter_id"
            )
        presenter_id = presenter.id
    return {
        "question": question,
        "planned_minutes": minutes,
        "presenter_id": presenter_id,
    }


def _check_open(meeting: Meeting, now: datetime) -> None:
    _board(meeting)
    if meeting.status not in (MeetingStatus.PLANNED, MeetingStatus.PUBLISHED):
        raise InvalidInput(
            f"The meeting of {meeting.when_label} is "
            f"{meeting.status.label.lower()}; its agenda cannot change."
        )
    if meeting.ends_at <= now:
        raise InvalidInput(
            f"The meeting of {meeting.when_label} is in the past; "
            "choose a future meeting."
        )


def _list_case(
    actor: User,
    meeting: Meeting,
    case: Case,
    clean: dict[str, Any],
    *,
    carried_from: AgendaItem | None = None,
) -> AgendaItem:
    """Put ``case`` on the agenda (reusing a removed item's row) and list it."""
    item = db.session.scalar(
        sa.select(AgendaItem).where(
            AgendaItem.meeting_id == meeting.id, AgendaItem.case_id == case.id
        )
    )
    last = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.max(AgendaItem.position), 0)).where(
            AgendaItem.meeting_id == meeting.id
        )
    )
    if item is None:
        item = AgendaItem(meeting_id=meeting.id, case_id=case.id)
        db.session.add(item)
    item.position = last + 1
    item.status = AgendaItemStatus.LISTED
    item.status_reason = None
    item.discussed_at = None
    item.carried_from_id = carried_from.id if carried_from else None
    for key, value in clean.items():
        setattr(item, key, value)
    db.session.flush()
    transition_case(
        actor,
        case,
        CaseStatus.LISTED,
        reason=f"Listed on {_board(meeting).name}, {meeting.when_label}.",
        manual=False,
    )
    audit.record(
        actor,
        "agenda.carry_over" if carried_from else "agenda.add",
        "agenda_item",
        item.id,
        f"{case.reference} {'carried over to' if carried_from else 'listed on'} "
        f"{_board(meeting).name}, {meeting.when_label}",
        changes=audit.diff(
            {},
            {
                "meeting_id": meeting.id,
                "position": item.position,
                "question": item.question,
                "presenter_id": item.presenter_id,
                "planned_minutes": item.planned_minutes,
            },
        ),
        case_id=case.id,
        patient_id=case.patient_id,
    )
    return item


def add_case(
    actor: User,
    meeting: Meeting,
    case: Case,
    data: dict[str, Any],
    *,
    now: datetime | None = None,
) -> AgendaItem:
    """List a ready case on the meeting's agenda with its question for this
    discussion, presenter and planned minutes."""
    authorize(can_manage_meeting(actor, meeting), "Only the coordinator.")
    _check_open(meeting, _now(now))
    duplicate = db.session.scalar(
        sa.select(AgendaItem.id).where(
            AgendaItem.meeting_id == meeting.id,
            AgendaItem.case_id == case.id,
            AgendaItem.status.in_(_ACTIVE),
        )
    )
    if duplicate is not None:
        raise Conflict(f"{case.reference} is already on this agenda.")
    if case.status != CaseStatus.READY:
        raise InvalidInput(
            f"{case.reference} is '{CaseStatus(case.status).label}', not ready "
            "for the board; only ready cases can be listed."
        )
    clean = _clean_item_data(meeting, data)
    check_room(meeting, clean["planned_minutes"], case.id)
    return _list_case(actor, meeting, case, clean)


def _apply_order(actor: User, meeting: Meeting, ordered: list[AgendaItem]) -> None:
    before = [i.id for i in sorted(ordered, key=lambda i: (i.position, i.id))]
    after = [i.id for i in ordered]
    if before == after:
        return
    for position, item in enumerate(ordered, start=1):
        item.position = position
    db.session.flush()
    _record_meeting(
        actor,
        "agenda.reorder",
        meeting,
        f"Reordered the agenda of {_board(meeting).name}, {meeting.when_label}",
        changes={"order": [before, after]},
    )


def _check_reorderable(actor: User, meeting: Meeting) -> None:
    authorize(can_manage_meeting(actor, meeting), "Only the coordinator.")
    if meeting.status != MeetingStatus.PLANNED:
        raise InvalidInput(
            "The agenda was published; its order is frozen."
            if meeting.status == MeetingStatus.PUBLISHED
            else f"The meeting is {meeting.status.label.lower()}; "
            "its agenda cannot be reordered."
        )


def reorder_agenda(actor: User, meeting: Meeting, item_ids: list[int]) -> None:
    """Put the agenda in the order of ``item_ids``, which must name every item."""
    _check_reorderable(actor, meeting)
    active = _active_items(meeting)
    by_id = {i.id: i for i in active}
    if len(set(item_ids)) != len(item_ids):
        raise InvalidInput("The new order names an item twice; nothing was changed.")
    foreign = [i for i in item_ids if i not in by_id]
    if foreign:
        raise InvalidInput(
            "The new order names items that are not on this meeting's agenda "
            f"({', '.join(map(str, foreign))}); nothing was changed."
        )
    if set(item_ids) != set(by_id):
        raise Conflict(
            "The agenda changed since the page was loaded (items were added or "
            "removed); reload the page and reorder again."
        )
    _apply_order(actor, meeting, [by_id[i] for i in item_ids])


def move_item(actor: User, meeting: Meeting, item: AgendaItem, direction: str) -> str:
    """Move one item up or down by one place; returns a sentence for the user."""
    _check_reorderable(actor, meeting)
    if direction not in ("up", "down"):
        raise InvalidInput("Move up or down.")
    active = _active_items(meeting)
    ids = [i.id for i in active]
    if item.meeting_id != meeting.id or item.id not in ids:
        raise InvalidInput("That item is not on this meeting's agenda.")
    index = ids.index(item.id)
    target = index - 1 if direction == "up" else index + 1
    case = _case(item.case_id)
    if not 0 <= target < len(active):
        return f"{case.reference} is already {'first' if target < 0 else 'last'}."
    active[index], active[target] = active[target], active[index]
    _apply_order(actor, meeting, active)
    return f"{case.reference} moved to position {target + 1} of {len(active)}."


def prioritise_urgent(actor: User, meeting: Meeting) -> None:
    """Sort the agenda emergency, urgent, routine, keeping the relative order."""
    _check_reorderable(actor, meeting)
    active = _active_items(meeting)
    cases = {
        c.id: c
        for c in db.session.scalars(
            sa.select(Case).where(Case.id.in_([i.case_id for i in active]))
        )
    }
    ordered = sorted(active, key=lambda i: URGENCY_RANK[cases[i.case_id].urgency])
    _apply_order(actor, meeting, ordered)


def _check_item(meeting: Meeting, item: AgendaItem) -> None:
    if item.meeting_id != meeting.id:
        raise InvalidInput("That item is not on this meeting's agenda.")


def remove_item(
    actor: User,
    meeting: Meeting,
    item: AgendaItem,
    reason: str,
    *,
    now: datetime | None = None,
) -> AgendaItem:
    """Take a listed case off the agenda; it returns to the ready pool."""
    authorize(can_manage_meeting(actor, meeting), "Only the coordinator.")
    _check_item(meeting, item)
    _check_open(meeting, _now(now))
    if item.status != AgendaItemStatus.LISTED:
        raise InvalidInput(
            "Only a listed item can be removed; this one is "
            f"{item.status.label.lower()}."
        )
    reason = _reason(reason)
    item.status = AgendaItemStatus.WITHDRAWN
    item.status_reason = reason
    case = _case(item.case_id)
    db.session.flush()
    transition_case(
        actor,
        case,
        CaseStatus.READY,
        reason=f"Removed from the agenda of {meeting.when_label}: {reason}",
        manual=False,
    )
    audit.record(
        actor,
        "agenda.remove",
        "agenda_item",
        item.id,
        f"{case.reference} removed from {_board(meeting).name}, {meeting.when_label}",
        changes={"status": ["listed", "withdrawn"], "reason": [None, reason]},
        case_id=case.id,
        patient_id=case.patient_id,
    )
    return item


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Give a reason.", "reason")
    if len(reason) > 2000:
        raise InvalidInput("The reason must be at most 2000 characters.", "reason")
    return reason


@dataclass(frozen=True)
class CarryOver:
    """What happened to a deferred item: where it went, or why it stayed ready."""

    item: AgendaItem
    reference: str
    carried_to: AgendaItem | None = None
    to_meeting: Meeting | None = None

    @property
    def message(self) -> str:
        """A sentence for the coordinator."""
        if self.to_meeting is not None:
            return (
                f"{self.reference} was deferred and carried over to "
                f"{self.to_meeting.when_label}."
            )
        return (
            f"{self.reference} was deferred; no later meeting of this board has "
            "room, so it is back in the ready pool."
        )


def _defer(
    actor: User, meeting: Meeting, item: AgendaItem, reason: str, *, now: datetime
) -> CarryOver:
    board = _board(meeting)
    case = _case(item.case_id)
    old = item.status
    item.status = AgendaItemStatus.DEFERRED
    item.status_reason = reason
    item.discussed_at = None
    db.session.flush()
    transition_case(
        actor,
        case,
        CaseStatus.READY,
        reason=f"Deferred at {meeting.when_label}: {reason}",
        manual=False,
    )
    audit.record(
        actor,
        "agenda.defer",
        "agenda_item",
        item.id,
        f"{case.reference} deferred at {_board(meeting).name}, {meeting.when_label}",
        changes={"status": [old.value, "deferred"], "reason": [None, reason]},
        case_id=case.id,
        patient_id=case.patient_id,
    )
    target = next_meeting_with_room(
        board,
        item.planned_minutes,
        after=meeting.starts_at,
        case_id=case.id,
        now=now,
    )
    if target is None:
        return CarryOver(item=item, reference=case.reference)
    new_item = _list_case(
        actor,
        target,
        case,
        {
            "question": item.question,
            "presenter_id": item.presenter_id,
            "planned_minutes": item.planned_minutes,
        },
        carried_from=item,
    )
    return CarryOver(
        item=item, reference=case.reference, carried_to=new_item, to_meeting=target
    )


def defer_item(
    actor: User,
    meeting: Meeting,
    item: AgendaItem,
    reason: str,
    *,
    now: datetime | None = None,
) -> CarryOver:
    """Defer an item with a reason; it is carried over to the board's next
    meeting with room, or returns to the ready pool when none has room."""
    authorize(can_run_meeting(actor, meeting), "Only the coordinator or the chair.")
    _check_item(meeting, item)
    if meeting.status not in (
        MeetingStatus.PLANNED,
        MeetingStatus.PUBLISHED,
        MeetingStatus.IN_PROGRESS,
    ):
        raise InvalidInput(
            f"The meeting is {meeting.status.label.lower()}; its items cannot change."
        )
    if item.status not in ACTIVE_ITEM_STATUSES:
        raise InvalidInput(f"This item is already {item.status.label.lower()}.")
    before_defer.run(item)
    return _defer(actor, meeting, item, _reason(reason), now=_now(now))


def mark_discussed(
    actor: User, meeting: Meeting, item: AgendaItem, *, now: datetime | None = None
) -> AgendaItem:
    """Record that the board discussed the item (the case becomes discussed)."""
    authorize(can_run_meeting(actor, meeting), "Only the coordinator or the chair.")
    _check_item(meeting, item)
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise InvalidInput("Start the meeting before marking cases discussed.")
    if item.status != AgendaItemStatus.LISTED:
        raise InvalidInput(f"This item is already {item.status.label.lower()}.")
    case = _case(item.case_id)
    item.status = AgendaItemStatus.DISCUSSED
    item.discussed_at = _now(now)
    db.session.flush()
    transition_case(
        actor,
        case,
        CaseStatus.DISCUSSED,
        reason=f"Discussed at {_board(meeting).name}, {meeting.when_label}.",
        manual=False,
    )
    audit.record(
        actor,
        "agenda.discussed",
        "agenda_item",
        item.id,
        f"{case.reference} discussed at {_board(meeting).name}, {meeting.when_label}",
        changes={"status": ["listed", "discussed"]},
        case_id=case.id,
        patient_id=case.patient_id,
    )
    return item


# Attendance and quorum ------------------------------------------------------------


@dataclass(frozen=True)
class Quorum:
    """Whether every discipline the board requires is present."""

    is_quorate: bool
    present: set[Discipline] = field(default_factory=set)
    missing: list[Discipline] = field(default_factory=list)


def quorum_from(board: Board, attendance: Iterable[Attendance]) -> Quorum:
    """Quorum from already loaded attendance rows (no query)."""
    present = {Discipline(a.discipline) for a in attendance if a.present}
    missing = [d for d in board.required if d not in present]
    return Quorum(is_quorate=not missing, present=present, missing=missing)


def quorum(meeting: Meeting) -> Quorum:
    """Quorum of ``meeting`` from its attendance rows marked present."""
    board = db.session.get(Board, meeting.board_id)
    rows = db.session.scalars(
        sa.select(Attendance).where(
            Attendance.meeting_id == meeting.id, Attendance.present.is_(True)
        )
    )
    return quorum_from(board, rows)


def _check_attendance_open(actor: User, meeting: Meeting) -> None:
    authorize(
        can_record_attendance(actor, meeting),
        "Only the coordinator or the chair records attendance.",
    )
    if meeting.status not in (MeetingStatus.PUBLISHED, MeetingStatus.IN_PROGRESS):
        raise InvalidInput(
            "Attendance is recorded once the agenda is published and until the "
            f"meeting closes; this meeting is {meeting.status.label.lower()}."
        )


def _attendance_names(rows: Iterable[Attendance], users: dict[int, User]) -> list[str]:
    return sorted(
        (users[a.user_id].name if a.user_id else f"{a.guest_name} (guest)")
        for a in rows
        if a.present
    )


def record_attendance(
    actor: User, meeting: Meeting, present_ids: Iterable[int]
) -> Quorum:
    """Mark which board members are present (the others absent)."""
    _check_attendance_open(actor, meeting)
    board = db.session.scalar(
        sa.select(Board)
        .where(Board.id == meeting.board_id)
        .options(selectinload(Board.members))
    )
    members = {u.id: u for u in board.members}
    wanted = {_id(i, "present", "attendance entry") for i in present_ids}
    strangers = wanted - set(members)
    if strangers:
        raise InvalidInput(
            "Only members of the board can be ticked present; add anyone else "
            "as a guest."
        )
    rows = list(
        db.session.scalars(
            sa.select(Attendance).where(Attendance.meeting_id == meeting.id)
        )
    )
    users = dict(members)
    others = [a.user_id for a in rows if a.user_id and a.user_id not in users]
    if others:
        users.update(
            {
                u.id: u
                for u in db.session.scalars(sa.select(User).where(User.id.in_(others)))
            }
        )
    before = _attendance_names(rows, users)
    by_user = {a.user_id: a for a in rows if a.user_id}
    for user in members.values():
        row = by_user.get(user.id)
        present = user.id in wanted
        if row is None:
            if not present:
                continue
            discipline = discipline_of(user.role)
            row = Attendance(
                meeting_id=meeting.id, user_id=user.id, discipline=discipline
            )
            db.session.add(row)
            rows.append(row)
        if row.present != present or row.recorded_by_id is None:
            row.present = present
            row.recorded_at = utcnow()
            row.recorded_by_id = actor.id
    db.session.flush()
    after = _attendance_names(rows, users)
    if before != after:
        _record_meeting(
            actor,
            "attendance.record",
            meeting,
            f"Attendance at {_board(meeting).name}, {meeting.when_label}: "
            f"{len(after)} present",
            changes={"present": [before, after]},
        )
    return quorum_from(board, rows)


def add_guest(
    actor: User, meeting: Meeting, name: str, discipline: Discipline | str
) -> Attendance:
    """Record a guest (no account) as present for a discipline."""
    _check_attendance_open(actor, meeting)
    name = (name or "").strip()
    if not name:
        raise InvalidInput("Enter the guest's name.", "guest_name")
    if len(name) > 120:
        raise InvalidInput("The name must be at most 120 characters.", "guest_name")
    try:
        discipline = Discipline(discipline)
    except ValueError:
        raise InvalidInput("Choose the guest's discipline.", "discipline") from None
    duplicate = db.session.scalar(
        sa.select(Attendance.id).where(
            Attendance.meeting_id == meeting.id,
            sa.func.lower(Attendance.guest_name) == name.lower(),
        )
    )
    if duplicate is not None:
        raise Conflict(f"{name} is already recorded as a guest.", "guest_name")
    row = Attendance(
        meeting_id=meeting.id,
        guest_name=name,
        discipline=discipline,
        present=True,
        recorded_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    _record_meeting(
        actor,
        "attendance.guest",
        meeting,
        f"Guest {name} ({discipline.label}) at {_board(meeting).name}, "
        f"{meeting.when_label}",
        changes={"guest": [None, f"{name} ({discipline.value})"]},
    )
    return row


def remove_guest(actor: User, meeting: Meeting, row: Attendance) -> None:
    """Delete a guest recorded by mistake."""
    _check_attendance_open(actor, meeting)
    if row.meeting_id != meeting.id or row.guest_name is None:
        raise InvalidInput("That is not a guest of this meeting.")
    _board(meeting)
    summary = f"{row.guest_name} ({row.discipline.value})"
    db.session.delete(row)
    db.session.flush()
    _record_meeting(
        actor,
        "attendance.guest_remove",
        meeting,
        f"Removed guest {summary} from {meeting.when_label}",
        changes={"guest": [summary, None]},
    )


# Reading ------------------------------------------------------------------------


def preparation_for(case_ids: Iterable[int]) -> dict[int, dict[Discipline, bool]]:
    """Per case, whether each reviewing discipline has written its review."""
    ids = sorted(set(case_ids))
    result = {cid: dict.fromkeys(REVIEW_DISCIPLINES, False) for cid in ids}
    if not ids:
        return result
    rows = db.session.execute(
        sa.select(DisciplineReview.case_id, DisciplineReview.discipline).where(
            DisciplineReview.case_id.in_(ids)
        )
    )
    for case_id, discipline in rows:
        if discipline in result[case_id]:
            result[case_id][discipline] = True
    return result


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


def ready_pool(limit: int = 200) -> list[Case]:
    """Cases ready for the board, most urgent and longest waiting first."""
    order = sa.case(
        {Urgency.EMERGENCY.value: 0, Urgency.URGENT.value: 1},
        value=Case.urgency,
        else_=2,
    )
    return list(
        db.session.scalars(
            sa.select(Case)
            .where(Case.status == CaseStatus.READY)
            .join(Case.patient)
            .options(contains_eager(Case.patient))
            .order_by(order, Case.status_changed_at, Case.id)
            .limit(limit)
        )
    )


@dataclass
class MeetingRow:
    """A meeting in a list, with how full its agenda is."""

    meeting: Meeting
    count: int
    minutes: int


def meetings_query(
    *, board_id: int | None = None, upcoming: bool = True, now: datetime | None = None
) -> sa.Select:
    """One SELECT of meetings with board, chair, item count and minutes."""
    count, minutes = _load_columns()
    now = _now(now)
    stmt = (
        sa.select(Meeting, count.label("n"), minutes.label("minutes"))
        .join(Meeting.board)
        .options(contains_eager(Meeting.board), joinedload(Meeting.chair))
    )
    if board_id:
        stmt = stmt.where(Meeting.board_id == board_id)
    if upcoming:
        stmt = stmt.where(Meeting.ends_at > now).order_by(Meeting.starts_at, Meeting.id)
    else:
        stmt = stmt.where(Meeting.ends_at <= now).order_by(
            Meeting.starts_at.desc(), Meeting.id.desc()
        )
    return stmt


def meeting_rows(stmt: sa.Select, limit: int) -> list[MeetingRow]:
    """Run a :func:`meetings_query` with a limit."""
    return [
        MeetingRow(meeting=m, count=n, minutes=total)
        for m, n, total in db.session.execute(stmt.limit(limit)).unique()
    ]


@dataclass
class RowPage:
    """One page of meeting rows, shaped like Flask-SQLAlchemy's pagination."""

    items: list[MeetingRow]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        """True after the first page."""
        return self.page > 1

    @property
    def prev_num(self) -> int:
        """The previous page number."""
        return self.page - 1

    @property
    def has_next(self) -> bool:
        """True before the last page."""
        return self.page < self.pages

    @property
    def next_num(self) -> int:
        """The next page number."""
        return self.page + 1


def meeting_page(stmt: sa.Select, page: int, per_page: int) -> RowPage:
    """A page of a :func:`meetings_query`: one count and one select."""
    page = max(1, page)
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(
            stmt.with_only_columns(Meeting.id).order_by(None).subquery()
        )
    )
    rows = [
        MeetingRow(meeting=m, count=n, minutes=minutes)
        for m, n, minutes in db.session.execute(
            stmt.limit(per_page).offset((page - 1) * per_page)
        ).unique()
    ]
    return RowPage(items=rows, page=page, per_page=per_page, total=total)


def load_meeting(meeting_id: int) -> Meeting:
    """A meeting with its board and chair, or 404."""
    return db.first_or_404(
        sa.select(Meeting)
        .where(Meeting.id == meeting_id)
        .options(joinedload(Meeting.board), joinedload(Meeting.chair))
    )


def record_agenda_read(actor: User, meeting: Meeting, count: int) -> None:
    """Audit that ``actor`` viewed or printed an agenda naming ``count`` patients."""
    authorize(can_view_agenda(actor, meeting), AGENDA_REFUSED)
    audit.record(
        actor,
        "agenda.read",
        "meeting",
        meeting.id,
        f"Viewed the agenda of {_board(meeting).name}, {meeting.when_label} "
        f"({count} case{'s' if count != 1 else ''})",
    )


def record_presentation_read(actor: User, meeting: Meeting, item: AgendaItem) -> None:
    """Audit that ``actor`` opened a case in presentation mode."""
    authorize(can_view_agenda(actor, meeting), AGENDA_REFUSED)
    _check_item(meeting, item)
    case = _case(item.case_id)
    audit.record(
        actor,
        "case.read",
        "case",
        case.id,
        f"Presented {case.reference} at {_board(meeting).name}, {meeting.when_label}",
        case_id=case.id,
        patient_id=case.patient_id,
    )
