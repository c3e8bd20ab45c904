"""Events become notifications and outbox e-mails in the same transaction;
preferences decide the channel."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest
import sqlalchemy as sa

from tests import factories
from tests.meetings import factories as mf
from tests.notifications.factories import ITEM, board_setup
from tests.recommendations import factories as rf
from tumorboard.errors import InvalidInput
from tumorboard.extensions import db
from tumorboard.hooks import Hook
from tumorboard.meetings import services as meetings
from tumorboard.meetings.calendar import board_feed_ics
from tumorboard.notifications import services
from tumorboard.notifications.kinds import Channel, Kind, default_channel
from tumorboard.notifications.models import (
    Notification,
    NotificationPreference,
    OutboxMessage,
)
from tumorboard.recommendations import services as recs


def _notes(user=None, kind=None) -> list[Notification]:
    query = sa.select(Notification).order_by(Notification.id)
    if user is not None:
        query = query.where(Notification.recipient_id == user.id)
    if kind is not None:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query))


def _mails(user=None) -> list[OutboxMessage]:
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if user is not None:
        query = query.where(OutboxMessage.recipient_id == user.id)
    return list(db.session.scalars(query))


# Listing a case ------------------------------------------------------------------


def test_listing_a_case_asks_each_discipline_for_its_review_and_tells_the_lead(app):
    s = board_setup()
    meetings.add_case(s.coordinator, s.meeting, s.case, ITEM)

    (radiology,) = _notes(s.radiologist)
    assert radiology.kind == Kind.REVIEW_NEEDED
    assert radiology.case_reference == s.case.reference
    assert f"radiology review is needed for {s.case.reference}" in radiology.text
    assert radiology.link == f"/cases/{s.case.id}"
    assert [n.kind for n in _notes(s.pathologist)] == [Kind.REVIEW_NEEDED]
    assert {n.kind for n in _notes(s.lead)} == {Kind.REVIEW_NEEDED, Kind.CASE_LISTED}
    # Review requests come by e-mail at once (the default); a listing of a
    # case the orthopaedic oncologist leads too.
    (mail,) = _mails(s.radiologist)
    assert mail.to_address == s.radiologist.email
    assert mail.subject == f"[Tumour board] Review needed: {s.case.reference}"
    assert f"/cases/{s.case.id}" in mail.body
    assert _notes(s.coordinator) == []  # who acted is not told


def test_a_discipline_whose_review_is_written_is_not_asked(app):
    from tests.reviews.factories import make_review

    s = board_setup()
    make_review(s.case, "radiology", author=s.radiologist)
    meetings.add_case(s.coordinator, s.meeting, s.case, ITEM)
    assert _notes(s.radiologist, Kind.REVIEW_NEEDED) == []
    assert len(_notes(s.pathologist, Kind.REVIEW_NEEDED)) == 1


def test_a_refused_listing_notifies_nobody(app):
    """The notification is written in the event's transaction: when the
    change is rolled back, so is everything it would have told."""
    s = board_setup()
    meetings.add_case(s.coordinator, s.meeting, s.case, ITEM)
    db.session.rollback()
    assert _notes() == [] and _mails() == []


def test_a_deactivated_member_is_not_notified(app):
    s = board_setup()
    s.radiologist.is_active = False
    meetings.add_case(s.coordinator, s.meeting, s.case, ITEM)
    assert _notes(s.radiologist) == [] and _mails(s.radiologist) == []


def test_discussed_and_deferred_reach_the_lead(app):
    s = board_setup()
    item = meetings.add_case(s.coordinator, s.meeting, s.case, ITEM)
    meetings.publish_meeting(s.coordinator, s.meeting)
    meetings.start_meeting(s.coordinator, s.meeting)
    meetings.mark_discussed(s.coordinator, s.meeting, item, reason="For information.")
    other = mf.make_ready_case(lead_clinician_id=s.lead.id)
    second = mf.make_item(s.meeting, other)
    meetings.defer_item(s.coordinator, s.meeting, second, "Imaging not yet reported.")
    kinds = [n.kind for n in _notes(s.lead)]
    assert Kind.CASE_DISCUSSED in kinds and Kind.CASE_DEFERRED in kinds
    deferred = _notes(s.lead, Kind.CASE_DEFERRED)[0]
    # The reason may describe the patient: it stays in the application.
    assert "Imaging not yet reported" not in deferred.text


# Invitations ----------------------------------------------------------------------


def _calendar(message: OutboxMessage) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(message.ics)


def test_publishing_sends_each_member_an_invitation_with_the_feeds_uid(app):
    s = board_setup()
    meetings.add_case(s.coordinator, s.meeting, s.case, ITEM)
    meetings.publish_meeting(s.coordinator, s.meeting)
    invites = [m for m in _mails() if m.ics]
    assert {m.recipient_id for m in invites} == {
        s.radiologist.id,
        s.pathologist.id,
        s.lead.id,
    }
    cal = _calendar(invites[0])
    assert cal["METHOD"] == "REQUEST" and invites[0].ics_method == "REQUEST"
    (event,) = cal.walk("VEVENT")
    feed = icalendar.Calendar.from_ical(
        board_feed_ics(s.board, [s.meeting], lambda m: "https://x.example/m")
    )
    (fed,) = feed.walk("VEVENT")
    assert str(event["UID"]) == str(fed["UID"]) == s.meeting.ical_uid
    assert event["SEQUENCE"] == fed["SEQUENCE"] == s.meeting.ical_sequence
    recipient = db.session.get(type(s.lead), invites[0].recipient_id)
    assert str(event["ATTENDEE"]) == f"mailto:{recipient.email}"
    assert str(event["ORGANIZER"]) == f"mailto:{app.config['MAIL_FROM']}"


def test_cancelling_a_published_meeting_sends_cancel_with_a_higher_sequence(app):
    s = board_setup()
    meetings.add_case(s.coordinator, s.meeting, s.case, ITEM)
    meetings.publish_meeting(s.coordinator, s.meeting)
    published = _calendar([m for m in _mails(s.radiologist) if m.ics][0])
    meetings.cancel_meeting(s.coordinator, s.meeting, "Bank holiday.")
    cancel = [m for m in _mails(s.radiologist) if m.ics][-1]
    assert cancel.ics_method == "CANCEL"
    cal = _calendar(cancel)
    assert cal["METHOD"] == "CANCEL"
    (before,) = published.walk("VEVENT")
    (after,) = cal.walk("VEVENT")
    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after["STATUS"] == "CANCELLED"


def test_moving_a_published_meeting_sends_an_updated_request(app):
    s = board_setup()
    meetings.add_case(s.coordinator, s.meeting, s.case, ITEM)
    meetings.publish_meeting(s.coordinator, s.meeting)
    first = _calendar([m for m in _mails(s.radiologist) if m.ics][0])
    local = s.meeting.local_start
    meetings.update_meeting(
        s.coordinator,
        s.meeting,
        {
            "day": local.date(),
            "start_time": (local + timedelta(hours=1)).time(),
            "end_time": (local + timedelta(hours=3)).time(),
            "chair_id": s.lead.id,
            "location": "Lecture theatre",
            "video_url": "",
        },
        s.meeting.version,
    )
    update = [m for m in _mails(s.radiologist) if m.ics][-1]
    cal = _calendar(update)
    assert cal["METHOD"] == "REQUEST"
    (event,) = cal.walk("VEVENT")
    assert event["SEQUENCE"] > first.walk("VEVENT")[0]["SEQUENCE"]
    assert str(event["LOCATION"]) == "Lecture theatre"
    assert _notes(s.radiologist, Kind.MEETING_CHANGED)


def test_cancelling_a_meeting_nobody_was_invited_to_sends_nothing(app):
    s = board_setup()
    meetings.cancel_meeting(s.coordinator, s.meeting, "No cases.")
    assert _mails() == []


# Recommendations and actions -----------------------------------------------------


def test_a_draft_waits_for_the_chair_and_signing_tells_lead_and_reviewers(app):
    from tests.reviews.factories import make_review

    lead = factories.make_user("medical_oncologist")
    radiologist = factories.make_user("radiologist")
    case = factories.make_case(lead_clinician_id=lead.id)
    make_review(case, "radiology", author=radiologist)
    setup = rf.discussed_item(case=case)
    coordinator = factories.make_user("coordinator")
    rec = recs.record_recommendation(coordinator, setup.item, rf.rec_data())
    (waiting,) = _notes(setup.chair)
    assert waiting.kind == Kind.SIGNATURE_NEEDED
    assert waiting.link == f"/recommendations/{rec.id}"
    recs.sign_recommendation(
        setup.chair, rec, step_up=factories.signing_proof(setup.chair), version=1
    )
    assert [n.kind for n in _notes(lead)] == [Kind.RECOMMENDATION_SIGNED]
    assert [n.kind for n in _notes(radiologist)] == [Kind.RECOMMENDATION_SIGNED]


def test_an_action_owner_is_told(app):
    rec = rf.signed_recommendation()
    owner = factories.make_user("nurse_specialist")
    coordinator = factories.make_user("coordinator")
    recs.create_action(
        coordinator,
        rec,
        {
            "description": "Book the staging CT.",
            "owner_id": owner.id,
            "due_date": rec.start_by,
        },
    )
    (note,) = _notes(owner)
    assert note.kind == Kind.ACTION_ASSIGNED
    assert "Book the staging CT" not in note.text  # free text stays in the app


# Preferences ----------------------------------------------------------------------


def test_role_defaults_and_a_choice_change_the_channel(app):
    s = board_setup()
    assert default_channel("coordinator", Kind.IMPLEMENTATION_OVERDUE) == Channel.EMAIL
    assert default_channel("radiologist", Kind.IMPLEMENTATION_OVERDUE) == Channel.DIGEST
    services.save_preferences(s.radiologist, {"review_needed": "in_app"})
    services.save_preferences(s.pathologist, {"review_needed": "off"})
    meetings.add_case(s.coordinator, s.meeting, s.case, ITEM)
    assert len(_notes(s.radiologist)) == 1 and _mails(s.radiologist) == []
    assert _notes(s.pathologist) == [] and _mails(s.pathologist) == []


def test_an_unknown_kind_is_refused_with_a_clear_error(app):
    user = factories.make_user("radiologist")
    with pytest.raises(InvalidInput, match="no kind of notification called 'gossip'"):
        services.save_preferences(user, {"gossip": "email"})
    with pytest.raises(InvalidInput, match="'pigeon' is not a way of being notified"):
        services.save_preferences(user, {"mention": "pigeon"})
    assert db.session.scalars(sa.select(NotificationPreference)).all() == []


@pytest.mark.parametrize("kind", ["signature_needed", "action_overdue"])
def test_safety_kinds_cannot_be_turned_off(app, kind):
    user = factories.make_user("orthopedic_oncologist")
    with pytest.raises(InvalidInput, match="cannot be turned off"):
        services.save_preferences(user, {kind: "off"})
    # Even a stored "off" (from an older setting) still reaches the app.
    db.session.add(NotificationPreference(user_id=user.id, kind=kind, channel="off"))
    db.session.flush()
    assert services.channels_for([user], Kind(kind))[user.id] == Channel.IN_APP


def test_saving_only_stores_what_differs_and_counts_changes(app):
    user = factories.make_user("radiologist")
    assert services.save_preferences(user, {"mention": "email"}) == 0  # default
    assert services.save_preferences(user, {"mention": "digest"}) == 1
    assert services.save_preferences(user, {"mention": "digest"}) == 0
    rows = {r.kind: r for r in services.preference_rows(user)}
    assert rows[Kind.MENTION].channel == Channel.DIGEST
    assert rows[Kind.MENTION].default == Channel.EMAIL


# The centre ------------------------------------------------------------------------


def test_unread_count_mark_read_and_mark_all(app):
    s = board_setup()
    meetings.add_case(s.coordinator, s.meeting, s.case, ITEM)
    assert services.unread_count(s.lead) == 2
    first = _notes(s.lead)[0]
    services.mark_read(s.lead, first.id)
    assert services.unread_count(s.lead) == 1
    with pytest.raises(Exception, match="does not exist"):
        services.mark_read(s.radiologist, first.id)  # not theirs
    assert services.mark_all_read(s.lead) == 1
    assert services.unread_count(s.lead) == 0


def test_notifying_leaves_the_meeting_unchanged(app):
    """The callbacks read the meeting's board without marking the meeting
    changed: its version (the stale-edit check) is what it would be without
    notifications."""
    quiet = board_setup()
    with Hook.all_paused():
        meetings.add_case(quiet.coordinator, quiet.meeting, quiet.case, ITEM)
        meetings.publish_meeting(quiet.coordinator, quiet.meeting)
        db.session.flush()
    told = board_setup()
    meetings.add_case(told.coordinator, told.meeting, told.case, ITEM)
    meetings.publish_meeting(told.coordinator, told.meeting)
    db.session.flush()
    assert _mails()
    assert told.meeting.version == quiet.meeting.version
