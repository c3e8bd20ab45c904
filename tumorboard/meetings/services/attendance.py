"""Attendance at a meeting: members present, guests, and the quorum they make."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tumorboard.auth.disciplines import Discipline, discipline_of
from tumorboard.auth.models import User
from tumorboard.auth.permissions import authorize, can_record_attendance
from tumorboard.db import utcnow
from tumorboard.errors import Conflict, InvalidInput
from tumorboard.extensions import db
from tumorboard.meetings.models import Attendance, Board, Meeting, MeetingStatus
from tumorboard.meetings.services._shared import (
    board_of,
    record_meeting,
)
from tumorboard.validation import NAME_LIMIT, clean_id, clean_text

#: Why someone other than the coordinator or the chair cannot record attendance.
ATTENDANCE_REFUSED = "Only the coordinator or the chair records attendance."


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
    authorize(can_record_attendance(actor, meeting), ATTENDANCE_REFUSED)
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
    wanted = {clean_id(i, "present", "attendance entry") for i in present_ids}
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
        record_meeting(
            actor,
            "attendance.record",
            meeting,
            f"Attendance at {board_of(meeting).name}, {meeting.when_label}: "
            f"{len(after)} present",
            changes={"present": [before, after]},
        )
    return quorum_from(board, rows)


def add_guest(
    actor: User, meeting: Meeting, name: str, discipline: Discipline | str
) -> Attendance:
    """Record a guest (no account) as present for a discipline."""
    _check_attendance_open(actor, meeting)
    name = clean_text(name, "guest_name", "The name", NAME_LIMIT)
    if not name:
        raise InvalidInput("Enter the guest's name.", "guest_name")
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
    record_meeting(
        actor,
        "attendance.guest",
        meeting,
        f"Guest ({discipline.label}) at {board_of(meeting).name}, {meeting.when_label}",
        changes={"guest": [None, f"{name} ({discipline.value})"]},
    )
    return row


def remove_guest(actor: User, meeting: Meeting, row: Attendance) -> None:
    """Delete a guest recorded by mistake."""
    _check_attendance_open(actor, meeting)
    if row.meeting_id != meeting.id or row.guest_name is None:
        raise InvalidInput("That is not a guest of this meeting.")
    board_of(meeting)
    guest = f"{row.guest_name} ({row.discipline.value})"
    discipline = row.discipline.label
    db.session.delete(row)
    db.session.flush()
    record_meeting(
        actor,
        "attendance.guest_remove",
        meeting,
        f"Removed a guest ({discipline}) from {meeting.when_label}",
        changes={"guest": [guest, None]},
    )
