"""Boards, their meetings, agenda items and attendance."""

from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tumorboard.auth.disciplines import Discipline
from tumorboard.db import LabelledEnum, TimestampMixin, enum_type, utcnow
from tumorboard.extensions import db

if TYPE_CHECKING:
    from tumorboard.auth.models import User
    from tumorboard.cases.models import Case

WEEKDAYS = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)


def new_feed_token() -> str:
    """A fresh secret for a board's calendar feed URL."""
    return secrets.token_urlsafe(32)


class BoardKind(LabelledEnum):
    """Which cases a board discusses."""

    BONE_SARCOMA = "bone_sarcoma"
    SKELETAL_METASTASIS = "skeletal_metastasis"
    GENERAL = "general"


class MeetingStatus(LabelledEnum):
    """planned → published → in_progress → closed; cancelled from planned/published."""

    PLANNED = "planned"
    PUBLISHED = "published"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class AgendaItemStatus(LabelledEnum):
    """What happened to a case on one meeting's agenda."""

    LISTED = "listed"
    DISCUSSED = "discussed"
    DEFERRED = "deferred"
    WITHDRAWN = "withdrawn"


#: Items that take a place (and minutes) on the agenda.
ACTIVE_ITEM_STATUSES = frozenset({AgendaItemStatus.LISTED, AgendaItemStatus.DISCUSSED})

board_members = sa.Table(
    "board_members",
    db.metadata,
    sa.Column(
        "board_id", sa.ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("user_id", sa.ForeignKey("users.id"), primary_key=True, index=True),
)


class Board(TimestampMixin, db.Model):
    """A recurring multidisciplinary board (e.g. the weekly bone sarcoma board)."""

    __tablename__ = "boards"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    kind: Mapped[BoardKind] = mapped_column(enum_type(BoardKind, "board_kind"))
    #: Discipline values that must be present for the meeting to be quorate.
    required_disciplines: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: Recurrence: ISO weekday (0 = Monday) and local start time in ``timezone``.
    weekday: Mapped[int]
    start_time: Mapped[time]
    timezone: Mapped[str] = mapped_column(sa.String(64))
    duration_minutes: Mapped[int]
    minutes_per_case: Mapped[int]
    capacity: Mapped[int]
    #: Reviews still missing this many days before a meeting are chased
    #: (``flask reminders run``); 0 sends no such reminder.
    #: (Deferred: loaded where it is used, by the reminders and the board page.)
    review_reminder_days: Mapped[int] = mapped_column(server_default="3", deferred=True)
    location: Mapped[str] = mapped_column(sa.String(200), default="")
    video_url: Mapped[str] = mapped_column(sa.String(500), default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    #: Secret in the calendar feed URL: calendar clients cannot sign in.
    feed_token: Mapped[str] = mapped_column(sa.String(64), default=new_feed_token)
    version: Mapped[int] = mapped_column(default=1)

    members: Mapped[list[User]] = relationship(
        "User", secondary=board_members, lazy="raise", order_by="User.name"
    )

    # Server defaults are read when first used, not returned by every INSERT.
    __mapper_args__ = {"version_id_col": version, "eager_defaults": False}
    __table_args__ = (
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        sa.CheckConstraint("duration_minutes > 0", name="duration_positive"),
        sa.CheckConstraint("minutes_per_case > 0", name="minutes_per_case_positive"),
        sa.CheckConstraint("capacity > 0", name="capacity_positive"),
        sa.CheckConstraint(
            "review_reminder_days BETWEEN 0 AND 30", name="review_reminder_days_range"
        ),
    )

    @property
    def zone(self) -> ZoneInfo:
        """The board's IANA time zone."""
        return ZoneInfo(self.timezone)

    @property
    def required(self) -> list[Discipline]:
        """Disciplines required for quorum, in the board's order."""
        return [Discipline(value) for value in self.required_disciplines]

    @property
    def weekday_label(self) -> str:
        """``Tuesday``."""
        return WEEKDAYS[self.weekday]

    @property
    def recurrence_label(self) -> str:
        """``Every Tuesday, 16:00 (Europe/London), 120 min``."""
        return (
            f"Every {self.weekday_label}, {self.start_time:%H:%M} "
            f"({self.timezone}), {self.duration_minutes} min"
        )


class Meeting(TimestampMixin, db.Model):
    """One sitting of a board."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(sa.ForeignKey("boards.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    status: Mapped[MeetingStatus] = mapped_column(
        enum_type(MeetingStatus, "meeting_status"), default=MeetingStatus.PLANNED
    )
    chair_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    location: Mapped[str] = mapped_column(sa.String(200), default="")
    video_url: Mapped[str] = mapped_column(sa.String(500), default="")
    published_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)
    #: Quorum as recorded when the meeting closed (None while open).
    is_quorate: Mapped[bool | None]
    #: Required disciplines that were absent, recorded at close.
    missing_disciplines: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: RFC 5545 SEQUENCE, incremented on every change sent to calendars.
    ical_sequence: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)

    board: Mapped[Board] = relationship("Board", lazy="raise")
    chair: Mapped[User | None] = relationship("User", lazy="raise")
    items: Mapped[list[AgendaItem]] = relationship(
        "AgendaItem",
        back_populates="meeting",
        lazy="raise",
        order_by="AgendaItem.position",
    )
    attendance: Mapped[list[Attendance]] = relationship(
        "Attendance", back_populates="meeting", lazy="raise"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.UniqueConstraint("board_id", "starts_at", name="board_start"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    @property
    def ical_uid(self) -> str:
        """Stable calendar UID for this meeting."""
        return f"meeting-{self.id}@tumorboard"

    @property
    def duration_minutes(self) -> int:
        """Length of the meeting in whole minutes."""
        return int((self.ends_at - self.starts_at) / timedelta(minutes=1))

    @property
    def local_start(self) -> datetime:
        """Start in the board's time zone (needs ``board`` loaded)."""
        return self.starts_at.astimezone(self.board.zone)

    @property
    def local_end(self) -> datetime:
        """End in the board's time zone (needs ``board`` loaded)."""
        return self.ends_at.astimezone(self.board.zone)

    @property
    def when_label(self) -> str:
        """``Tue 3 Nov 2026, 16:00–18:00 GMT`` in the board's time zone."""
        start, end = self.local_start, self.local_end
        return (
            f"{start:%a} {start.day} {start:%b %Y}, "
            f"{start:%H:%M}–{end:%H:%M} {start.tzname()}"
        )

    @property
    def is_open(self) -> bool:
        """Planned or published: the agenda can still change."""
        return self.status in (MeetingStatus.PLANNED, MeetingStatus.PUBLISHED)


class AgendaItem(TimestampMixin, db.Model):
    """One discussion of one case at one meeting."""

    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by ix_agenda_items_meeting_id_status_case_id_id.
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"))
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    position: Mapped[int]
    question: Mapped[str] = mapped_column(sa.Text)
    presenter_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id"), index=True
    )
    planned_minutes: Mapped[int]
    status: Mapped[AgendaItemStatus] = mapped_column(
        enum_type(AgendaItemStatus, "agenda_item_status"),
        default=AgendaItemStatus.LISTED,
    )
    #: Why the item was deferred or withdrawn.
    status_reason: Mapped[str | None] = mapped_column(sa.Text)
    #: The item of an earlier meeting this one carries over, if any.
    carried_from_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agenda_items.id"), index=True
    )
    discussed_at: Mapped[datetime | None]
    #: Listed for ratification only (e.g. a protocol case): grouped at the end
    #: of the agenda with a short time budget, ratified by the chair in one step.
    #: A server default, so rows written without it (older code, data
    #: migrations) are full discussions.
    standard_of_care: Mapped[bool] = mapped_column(server_default=sa.false())
    #: Set once a recommendation is recorded for the item (by the
    #: recommendations layer, whatever writes it), so that the discussed items
    #: still waiting for theirs are read off an index rather than found by
    #: testing every discussion ever held.
    has_recommendation: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false()
    )
    version: Mapped[int] = mapped_column(default=1)

    meeting: Mapped[Meeting] = relationship(
        "Meeting", back_populates="items", lazy="raise"
    )
    case: Mapped[Case] = relationship("Case", lazy="raise")
    presenter: Mapped[User | None] = relationship("User", lazy="raise")

    @property
    def is_active(self) -> bool:
        """Listed or discussed: the item is (or was) on the agenda proper."""
        return self.status in ACTIVE_ITEM_STATUSES

    __mapper_args__ = {
        "version_id_col": version,
        # standard_of_care's server default is read when first used, not
        # returned by every INSERT (which older schemas could not answer).
        "eager_defaults": False,
    }
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "case_id", name="meeting_case"),
        sa.CheckConstraint("planned_minutes > 0", name="planned_minutes_positive"),
        # The discussed items without a recommendation, meeting by meeting.
        sa.Index(
            "ix_agenda_items_status_has_recommendation",
            "status",
            "has_recommendation",
            "meeting_id",
            "id",
        ),
        # A meeting's items, and the discussions of a range of meetings read
        # from the index alone (the quality dashboard's rows).
        sa.Index(
            "ix_agenda_items_meeting_id_status_case_id_id",
            "meeting_id",
            "status",
            "case_id",
            "id",
        ),
        # The listed items case by case: each case's next meeting.
        sa.Index(
            "ix_agenda_items_status_case_id_meeting_id",
            "status",
            "case_id",
            "meeting_id",
        ),
    )


class Attendance(db.Model):
    """Who was at a meeting, and for which discipline; guests have no account."""

    __tablename__ = "attendances"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    guest_name: Mapped[str | None] = mapped_column(sa.String(120))
    discipline: Mapped[Discipline] = mapped_column(
        enum_type(Discipline, "attendance_discipline")
    )
    present: Mapped[bool] = mapped_column(default=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    meeting: Mapped[Meeting] = relationship(
        "Meeting", back_populates="attendance", lazy="raise"
    )
    user: Mapped[User | None] = relationship(
        "User", foreign_keys=[user_id], lazy="raise"
    )

    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "user_id", name="meeting_user"),
        sa.CheckConstraint(
            "(user_id IS NULL) <> (guest_name IS NULL)", name="member_or_guest"
        ),
    )


class PresenterPosition(db.Model):
    """The agenda item the person running a meeting has on screen, for the
    attendees who follow the presenter on their own devices.

    A row of its own, not a column of the meeting: moving between cases must
    not change the meeting's version and refuse someone's edit of it."""

    __tablename__ = "presenter_positions"

    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("agenda_items.id"))
    moved_at: Mapped[datetime] = mapped_column(default=utcnow)
    moved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    moved_by: Mapped[User | None] = relationship("User", lazy="raise")
