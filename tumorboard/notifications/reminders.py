"""``flask reminders run``: reminders and the daily digest, safe to run every
15 minutes. Each reminder has a key (reminder, item, recipient, day) stored
in ``reminders_sent`` with a unique constraint, so a second run on the same
day sends nothing again."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from tumorboard.auth.disciplines import discipline_of
from tumorboard.auth.models import User
from tumorboard.auth.roles import Role
from tumorboard.cases.models import Case
from tumorboard.db import utcnow
from tumorboard.extensions import db
from tumorboard.meetings.models import (
    ACTIVE_ITEM_STATUSES,
    AgendaItem,
    AgendaItemStatus,
    Board,
    Meeting,
    MeetingStatus,
)
from tumorboard.notifications.events import (
    board_members_of,
    board_of,
    case_link,
    meeting_link,
)
from tumorboard.notifications.kinds import KIND_TITLES, Channel, Kind
from tumorboard.notifications.models import Notification, ReminderSent
from tumorboard.notifications.services import (
    SUBJECT_PREFIX,
    notify,
    path_for,
    public_url,
    queue_email,
)
from tumorboard.recommendations.models import (
    ActionItem,
    ActionStatus,
    ImplementationStatus,
    Recommendation,
    RecommendationState,
)
from tumorboard.reviews import readiness

#: Hours after a meeting's end before an unsigned draft is chased.
UNSIGNED_AFTER = timedelta(hours=24)
#: How far ahead the weekly agenda reminder looks.
AGENDA_AHEAD = timedelta(days=7)


class _Run:
    """One run: the day, the keys already used, what was sent."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.day: date = now.date()
        self.sent: Counter[str] = Counter()

    def once(self, key: str) -> bool:
        """True (and the key stored) the first time ``key`` is seen."""
        exists = db.session.scalar(
            sa.select(ReminderSent.id).where(ReminderSent.key == key)
        )
        if exists is not None:
            return False
        db.session.add(ReminderSent(key=key, created_at=self.now))
        db.session.flush()
        return True

    def remind(
        self,
        name: str,
        item_id: int,
        user: User | None,
        kind: Kind,
        text: str,
        link: str,
        case: Case | None = None,
        *,
        daily: bool = True,
    ) -> None:
        if user is None or not user.is_active:
            return
        key = f"{name}:{item_id}:{user.id}" + (f":{self.day:%Y-%m-%d}" if daily else "")
        if not self.once(key):
            return
        if notify([user], kind, text, link, case=case, now=self.now):
            self.sent[name] += 1


def _where(meeting: Meeting) -> str:
    return f"{board_of(meeting).name}, {meeting.when_label}"


def _missing_reviews(run: _Run) -> None:
    horizon = run.now + timedelta(days=30)
    meetings = db.session.scalars(
        sa.select(Meeting)
        .join(Board, Board.id == Meeting.board_id)
        .where(
            Meeting.status.in_([MeetingStatus.PLANNED, MeetingStatus.PUBLISHED]),
            Meeting.starts_at > run.now,
            Meeting.starts_at <= horizon,
            Board.review_reminder_days > 0,
        )
        .order_by(Meeting.starts_at)
    ).all()
    for meeting in meetings:
        board = db.session.get(Board, meeting.board_id)
        if meeting.starts_at > run.now + timedelta(days=board.review_reminder_days):
            continue
        items = db.session.scalars(
            sa.select(AgendaItem).where(
                AgendaItem.meeting_id == meeting.id,
                AgendaItem.status == AgendaItemStatus.LISTED,
            )
        ).all()
        cases = {i.case_id: db.session.get(Case, i.case_id) for i in items}
        states = readiness.preparation(cases.values())
        members = board_members_of(board.id)
        for item in items:
            case = cases[item.case_id]
            for discipline, state in states.get(case.id, {}).items():
                if state not in (readiness.MISSING, readiness.WAIVED):
                    continue
                for user in members:
                    if discipline_of(user.role) != discipline:
                        continue
                    run.remind(
                        "review_missing",
                        item.id,
                        user,
                        Kind.REVIEW_MISSING,
                        f"The {discipline.label.lower()} review of {case.reference} "
                        "is still missing; the case is discussed at "
                        f"{_where(meeting)}.",
                        case_link(case),
                        case,
                    )


def _unsigned_drafts(run: _Run) -> None:
    rows = db.session.execute(
        sa.select(Recommendation, Meeting)
        .join(AgendaItem, AgendaItem.id == Recommendation.agenda_item_id)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(
            Recommendation.state == RecommendationState.DRAFT,
            Meeting.ends_at <= run.now - UNSIGNED_AFTER,
            Meeting.chair_id.is_not(None),
        )
        .order_by(Recommendation.id)
    ).all()
    for rec, meeting in rows:
        case = db.session.get(Case, rec.case_id)
        run.remind(
            "draft_unsigned",
            rec.id,
            db.session.get(User, meeting.chair_id),
            Kind.SIGNATURE_NEEDED,
            f"Revision {rec.revision} of the recommendation for {case.reference} "
            "is still unsigned a day after the meeting; it waits for your "
            "signature as chair.",
            path_for("recommendations.detail", rec_id=rec.id),
            case,
        )


def _actions(run: _Run) -> None:
    tomorrow = run.day + timedelta(days=1)
    rows = db.session.execute(
        sa.select(ActionItem, Recommendation.case_id)
        .join(Recommendation, Recommendation.id == ActionItem.recommendation_id)
        .where(ActionItem.status == ActionStatus.OPEN, ActionItem.due_date <= tomorrow)
        .order_by(ActionItem.due_date, ActionItem.id)
    ).all()
    for action, case_id in rows:
        case = db.session.get(Case, case_id)
        owner = db.session.get(User, action.owner_id)
        if action.due_date == tomorrow:
            run.remind(
                "action_due",
                action.id,
                owner,
                Kind.ACTION_DUE,
                f"Your action for {case.reference} is due tomorrow "
                f"({action.due_date:%d %b %Y}).",
                path_for("recommendations.my_actions"),
                case,
            )
        elif action.due_date < run.day:
            run.remind(
                "action_overdue",
                action.id,
                owner,
                Kind.ACTION_OVERDUE,
                f"Your action for {case.reference} was due on "
                f"{action.due_date:%d %b %Y} and is still open.",
                path_for("recommendations.my_actions"),
                case,
            )


def _implementation(run: _Run) -> None:
    recs = db.session.scalars(
        sa.select(Recommendation)
        .where(
            Recommendation.state == RecommendationState.SIGNED,
            Recommendation.implementation_status == ImplementationStatus.NOT_STARTED,
            Recommendation.start_by < run.day,
        )
        .order_by(Recommendation.start_by, Recommendation.id)
    ).all()
    if not recs:
        return
    coordinators = list(
        db.session.scalars(
            sa.select(User).where(
                User.role == Role.COORDINATOR, User.is_active.is_(True)
            )
        )
    )
    for rec in recs:
        case = db.session.get(Case, rec.case_id)
        lead = (
            db.session.get(User, case.lead_clinician_id)
            if case.lead_clinician_id
            else None
        )
        for user in [*coordinators, lead]:
            run.remind(
                "implementation_overdue",
                rec.id,
                user,
                Kind.IMPLEMENTATION_OVERDUE,
                f"The recommendation for {case.reference} should have started by "
                f"{rec.start_by:%d %b %Y} and is not started yet.",
                path_for("recommendations.detail", rec_id=rec.id),
                case,
            )


def _agenda(run: _Run) -> None:
    meetings = db.session.scalars(
        sa.select(Meeting)
        .where(
            Meeting.status == MeetingStatus.PUBLISHED,
            Meeting.starts_at > run.now,
            Meeting.starts_at <= run.now + AGENDA_AHEAD,
        )
        .order_by(Meeting.starts_at)
    ).all()
    for meeting in meetings:
        count = db.session.scalar(
            sa.select(sa.func.count(AgendaItem.id)).where(
                AgendaItem.meeting_id == meeting.id,
                AgendaItem.status.in_([s.value for s in ACTIVE_ITEM_STATUSES]),
            )
        )
        where = _where(meeting)
        for user in board_members_of(meeting.board_id):
            # Once per meeting: the reminder of the coming week.
            run.remind(
                "agenda_reminder",
                meeting.id,
                user,
                Kind.AGENDA_REMINDER,
                f"{where}: {count} case{'' if count == 1 else 's'} on the agenda.",
                meeting_link(meeting),
                daily=False,
            )


def _digests(run: _Run) -> None:
    """One e-mail per person and day with the notifications they chose to
    receive as a digest."""
    pending = db.session.scalars(
        sa.select(Notification)
        .where(
            Notification.channel == Channel.DIGEST,
            Notification.digest_sent_at.is_(None),
        )
        .order_by(Notification.recipient_id, Notification.created_at)
    ).all()
    by_user: dict[int, list[Notification]] = {}
    for notification in pending:
        by_user.setdefault(notification.recipient_id, []).append(notification)
    for user_id, notes in by_user.items():
        user = db.session.get(User, user_id)
        if not user.is_active or not run.once(f"digest:{user_id}:{run.day:%Y-%m-%d}"):
            continue
        lines = [
            f"- {KIND_TITLES[Kind(n.kind)]}: {n.text}\n  {public_url(n.link)}"
            for n in notes
        ]
        queue_email(
            user,
            f"{SUBJECT_PREFIX} Your daily summary: {len(notes)} "
            f"notification{'' if len(notes) == 1 else 's'}",
            "Since your last summary:\n\n"
            + "\n".join(lines)
            + "\n\nAll your notifications: "
            + public_url("/notifications/")
            + "\nYour notification settings: "
            + public_url("/notifications/preferences")
            + "\n",
            now=run.now,
        )
        for notification in notes:
            notification.digest_sent_at = run.now
        run.sent["digest"] += 1
    db.session.flush()


def run_reminders(*, now: datetime | None = None) -> Counter[str]:
    """Give every reminder that is due and not yet given today; returns how
    many of each were given. Does not commit."""
    run = _Run(now or utcnow())
    _missing_reviews(run)
    _unsigned_drafts(run)
    _actions(run)
    _implementation(run)
    _agenda(run)
    _digests(run)
    return run.sent
