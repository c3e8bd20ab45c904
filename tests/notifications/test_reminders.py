"""``flask reminders run``: each reminder once per item, recipient and day."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from tests import factories
from tests.notifications.factories import ITEM, board_setup
from tests.recommendations import factories as rf
from tumorboard.extensions import db
from tumorboard.meetings import services as meetings
from tumorboard.notifications.kinds import Kind
from tumorboard.notifications.models import (
    Notification,
    OutboxMessage,
    ReminderSent,
)
from tumorboard.notifications.reminders import run_reminders
from tumorboard.recommendations import services as recs


def _kinds(user) -> Counter:
    return Counter(
        db.session.scalars(
            sa.select(Notification.kind).where(Notification.recipient_id == user.id)
        )
    )


def _noon(day) -> datetime:
    return datetime.combine(day, time(12, 0), UTC)


def test_missing_reviews_are_chased_once_a_day_within_the_boards_setting(app):
    s = board_setup(days=2)
    meetings.add_case(s.coordinator, s.meeting, s.case, ITEM)
    # Noon, so that three hours later is the same day.
    now = _noon((s.meeting.starts_at - timedelta(days=2)).date())
    given = run_reminders(now=now)
    assert given["review_missing"] == 3  # radiology, pathology, orthopaedics
    assert _kinds(s.radiologist)[Kind.REVIEW_MISSING] == 1
    # The same day again: nothing new.
    assert run_reminders(now=now + timedelta(hours=3))["review_missing"] == 0
    assert _kinds(s.radiologist)[Kind.REVIEW_MISSING] == 1
    # The next day: reminded again.
    assert run_reminders(now=now + timedelta(days=1))["review_missing"] == 3


def test_missing_reviews_wait_for_the_boards_number_of_days(app):
    s = board_setup(days=5)
    s.board.review_reminder_days = 2
    meetings.add_case(s.coordinator, s.meeting, s.case, ITEM)
    assert run_reminders(now=s.meeting.starts_at - timedelta(days=4)) == Counter()
    s.board.review_reminder_days = 0  # never
    db.session.flush()
    assert run_reminders(now=s.meeting.starts_at - timedelta(hours=2)) == Counter()


def test_an_unsigned_draft_is_chased_a_day_after_the_meeting(app):
    setup = rf.discussed_item()
    recs.record_recommendation(
        factories.make_user("coordinator"), setup.item, rf.rec_data()
    )
    before = _kinds(setup.chair)[Kind.SIGNATURE_NEEDED]
    assert run_reminders(now=setup.meeting.ends_at + timedelta(hours=2)) == Counter()
    later = setup.meeting.ends_at + timedelta(hours=25)
    assert run_reminders(now=later)["draft_unsigned"] == 1
    assert run_reminders(now=later)["draft_unsigned"] == 0
    assert _kinds(setup.chair)[Kind.SIGNATURE_NEEDED] == before + 1


def test_actions_due_tomorrow_and_overdue(app):
    rec = rf.signed_recommendation()
    owner = factories.make_user("nurse_specialist")
    due = rec.start_by
    recs.create_action(
        factories.make_user("coordinator"),
        rec,
        {"description": "Book the staging CT.", "owner_id": owner.id, "due_date": due},
    )
    assert run_reminders(now=_noon(due - timedelta(days=2)))["action_due"] == 0
    assert run_reminders(now=_noon(due - timedelta(days=1)))["action_due"] == 1
    assert run_reminders(now=_noon(due - timedelta(days=1)))["action_due"] == 0
    assert run_reminders(now=_noon(due))["action_overdue"] == 0  # due today
    assert run_reminders(now=_noon(due + timedelta(days=1)))["action_overdue"] == 1
    assert run_reminders(now=_noon(due + timedelta(days=1)))["action_overdue"] == 0
    assert run_reminders(now=_noon(due + timedelta(days=2)))["action_overdue"] == 1
    kinds = _kinds(owner)
    assert kinds[Kind.ACTION_DUE] == 1 and kinds[Kind.ACTION_OVERDUE] == 2


def test_implementation_past_start_by_reaches_coordinator_and_lead(app):
    lead = factories.make_user("orthopedic_oncologist")
    case = factories.make_case(lead_clinician_id=lead.id)
    rec = rf.signed_recommendation(rf.discussed_item(case=case))
    coordinator = factories.make_user("coordinator")
    day = rec.start_by + timedelta(days=1)
    given = run_reminders(now=_noon(day))
    assert given["implementation_overdue"] >= 2
    assert _kinds(lead)[Kind.IMPLEMENTATION_OVERDUE] == 1
    assert _kinds(coordinator)[Kind.IMPLEMENTATION_OVERDUE] == 1
    assert run_reminders(now=_noon(day))["implementation_overdue"] == 0


def test_weekly_agenda_reminder_once_per_meeting_and_the_daily_digest(app):
    s = board_setup(days=3)
    meetings.add_case(s.coordinator, s.meeting, s.case, ITEM)
    meetings.publish_meeting(s.coordinator, s.meeting)
    now = s.meeting.starts_at - timedelta(days=3)
    given = run_reminders(now=now)
    assert given["agenda_reminder"] == 3
    assert run_reminders(now=now + timedelta(days=1))["agenda_reminder"] == 0
    # The agenda reminder is a digest kind by default: one summary e-mail per
    # member that day, listing it.
    digests = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.subject.like("%daily summary%"))
    ).all()
    assert {m.recipient_id for m in digests} == {
        s.radiologist.id,
        s.pathologist.id,
        s.lead.id,
    }
    assert "1 case on the agenda" in digests[0].body
    pending = db.session.scalars(
        sa.select(Notification).where(
            Notification.channel == "digest", Notification.digest_sent_at.is_(None)
        )
    ).all()
    assert pending == []


def test_a_reminder_key_is_unique_in_the_database(app):
    import pytest
    from sqlalchemy.exc import IntegrityError

    db.session.add(ReminderSent(key="action_due:1:1:2026-12-01"))
    db.session.flush()
    db.session.add(ReminderSent(key="action_due:1:1:2026-12-01"))
    with pytest.raises(IntegrityError):
        db.session.flush()
