"""Boards: their settings, members, recurrence and calendar feed secret."""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tumorboard.audit import services as audit
from tumorboard.auth.disciplines import Discipline
from tumorboard.auth.models import User
from tumorboard.auth.permissions import authorize, can_manage_board, may_sit_on_board
from tumorboard.db import utcnow
from tumorboard.errors import Conflict, InvalidInput
from tumorboard.extensions import db
from tumorboard.meetings.models import Board, BoardKind, new_feed_token
from tumorboard.meetings.services._shared import (
    int_field,
    video_url,
)
from tumorboard.validation import NAME_LIMIT, clean_id, clean_text

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
    "review_reminder_days",
    "location",
    "video_url",
    "is_active",
)


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
    name = clean_text(data.get("name"), "name", "The name", NAME_LIMIT)
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
    clean["weekday"] = int_field(data, "weekday", "weekday", 0, 6)
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
    clean["duration_minutes"] = int_field(
        data, "duration_minutes", "meeting length in minutes", 15, 600
    )
    clean["minutes_per_case"] = int_field(
        data, "minutes_per_case", "minutes per case", 1, 180
    )
    if clean["minutes_per_case"] > clean["duration_minutes"]:
        raise InvalidInput(
            "The minutes per case cannot exceed the meeting length.",
            "minutes_per_case",
        )
    clean["capacity"] = int_field(data, "capacity", "case capacity", 1, 100)
    clean["review_reminder_days"] = (
        int_field(
            data, "review_reminder_days", "days before the meeting for reminders", 0, 30
        )
        if data.get("review_reminder_days") not in (None, "")
        else 3
    )
    clean["location"] = clean_text(
        data.get("location"), "location", "The location", 200
    )
    clean["video_url"] = video_url(data.get("video_url"))
    clean["is_active"] = bool(data.get("is_active", True))
    clean["members"] = _members(data.get("member_ids") or [])
    return clean


def _members(ids: Iterable[Any]) -> list[User]:
    wanted = {clean_id(i, "member_ids", "chosen member") for i in ids}
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
