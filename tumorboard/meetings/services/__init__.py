"""Boards, meeting scheduling, agenda building, attendance, quorum and the
running of a meeting.

Every service authorises, validates, changes, flushes and writes its audit
entries; none commits. Times are stored as aware UTC and converted from and to
the board's IANA time zone at the edges.
"""

from __future__ import annotations

from tumorboard.meetings.services._shared import RUN_REFUSED
from tumorboard.meetings.services.agenda import (
    CarryOver,
    add_case,
    check_room,
    defer_item,
    remove_item,
)
from tumorboard.meetings.services.attendance import (
    ATTENDANCE_REFUSED,
    Quorum,
    add_guest,
    quorum,
    quorum_from,
    record_attendance,
    remove_guest,
)
from tumorboard.meetings.services.boards import (
    BOARD_FIELDS,
    create_board,
    feed_token_matches,
    load_board,
    regenerate_feed_token,
    update_board,
    valid_timezone,
)
from tumorboard.meetings.services.closing import PlannedCarryOver, close_preview
from tumorboard.meetings.services.ordering import (
    move_item,
    prioritise_urgent,
    reorder_agenda,
)
from tumorboard.meetings.services.presenting import (
    DECISION_MISSING,
    NO_RECOMMENDATION,
    FollowState,
    follow_state,
    mark_discussed,
    move_presenter,
    presented_ids,
    record_follow_read,
)
from tumorboard.meetings.services.queries import (
    AGENDA_REFUSED,
    MeetingRow,
    PoolPage,
    agenda_items,
    attendance_rows,
    load_meeting,
    meeting_page,
    meeting_rows,
    meetings_query,
    next_meeting_with_room,
    preparation_for,
    ready_pool,
    ready_pool_page,
    record_agenda_read,
    record_presentation_read,
)
from tumorboard.meetings.services.scheduling import (
    CALENDAR_FIELDS,
    MAX_WEEKS,
    MEETING_FIELDS,
    cancel_meeting,
    close_meeting,
    create_meeting,
    generate_meetings,
    local_to_utc,
    publish_meeting,
    start_meeting,
    update_meeting,
)

__all__ = [
    "AGENDA_REFUSED",
    "ATTENDANCE_REFUSED",
    "BOARD_FIELDS",
    "CALENDAR_FIELDS",
    "MAX_WEEKS",
    "MEETING_FIELDS",
    "RUN_REFUSED",
    "DECISION_MISSING",
    "NO_RECOMMENDATION",
    "CarryOver",
    "FollowState",
    "MeetingRow",
    "PlannedCarryOver",
    "Quorum",
    "add_case",
    "add_guest",
    "agenda_items",
    "attendance_rows",
    "cancel_meeting",
    "check_room",
    "close_meeting",
    "close_preview",
    "create_board",
    "create_meeting",
    "defer_item",
    "feed_token_matches",
    "generate_meetings",
    "load_board",
    "load_meeting",
    "local_to_utc",
    "mark_discussed",
    "meeting_page",
    "meeting_rows",
    "meetings_query",
    "move_item",
    "next_meeting_with_room",
    "preparation_for",
    "prioritise_urgent",
    "publish_meeting",
    "quorum",
    "quorum_from",
    "PoolPage",
    "ready_pool",
    "ready_pool_page",
    "record_agenda_read",
    "record_attendance",
    "move_presenter",
    "presented_ids",
    "record_follow_read",
    "follow_state",
    "record_presentation_read",
    "regenerate_feed_token",
    "remove_guest",
    "remove_item",
    "reorder_agenda",
    "start_meeting",
    "update_board",
    "update_meeting",
    "valid_timezone",
]
