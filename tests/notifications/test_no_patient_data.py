"""No message of any kind carries a patient's name or MRN: every kind of
notification is produced, and every notification text and every e-mail
(subject, body, invitation) of the outbox is searched."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from tests import factories
from tests.meetings import factories as mf
from tests.notifications.factories import ITEM
from tests.recommendations import factories as rf
from tests.reviews.factories import make_review
from tumorboard.annotations import services as annotations
from tumorboard.cases import breakglass
from tumorboard.db import utcnow
from tumorboard.extensions import db
from tumorboard.meetings import services as meetings
from tumorboard.notifications.kinds import Kind
from tumorboard.notifications.models import Notification, OutboxMessage
from tumorboard.notifications.reminders import run_reminders
from tumorboard.notifications.services import save_preferences
from tumorboard.recommendations import services as recs

NAMES = ("Zebulon", "Quixotewright", "Ottilie", "Brannagh")
MRNS = ("MRN-778899", "MRN-665544")
QUESTION = "Resection of the Quixotewright lesion or radiotherapy?"


def _patient(given: str, family: str, mrn: str):
    return factories.make_patient(given_name=given, family_name=family, mrn=mrn)


def _everyone_by_email(users) -> None:
    """Every kind by e-mail at once, so that every kind reaches the outbox."""
    for user in users:
        save_preferences(user, {k.value: "email" for k in Kind})


def test_no_message_of_any_kind_names_the_patient(app):
    coordinator = factories.make_user("coordinator")
    radiologist = factories.make_user("radiologist")
    pathologist = factories.make_user("pathologist")
    lead = factories.make_user("orthopedic_oncologist")
    owner = factories.make_user("nurse_specialist")
    people = [coordinator, radiologist, pathologist, lead, owner]
    _everyone_by_email(people)
    board = mf.make_board(
        members=[coordinator, radiologist, pathologist, lead],
        required_disciplines=rf.REQUIRED,
    )

    # Listed, then discussed, signed, acted on; a second case deferred.
    first = mf.make_ready_case(
        patient=_patient(NAMES[0], NAMES[1], MRNS[0]),
        lead_clinician_id=lead.id,
        clinical_question=QUESTION,
    )
    second = mf.make_ready_case(
        patient=_patient(NAMES[2], NAMES[3], MRNS[1]), lead_clinician_id=lead.id
    )
    # The radiologist reviews the first case: told when it is signed.
    make_review(first, "radiology", author=radiologist)
    day = utcnow().date() + timedelta(days=2)
    meeting = mf.make_meeting(
        board, starts_at=datetime.combine(day, time(12, 0), UTC), chair_id=lead.id
    )
    item = meetings.add_case(
        coordinator, meeting, first, {**ITEM, "question": QUESTION}
    )
    other = meetings.add_case(coordinator, meeting, second, ITEM)
    meetings.publish_meeting(coordinator, meeting)
    local = meeting.local_start
    meetings.update_meeting(
        coordinator,
        meeting,
        {
            "day": local.date(),
            "start_time": (local + timedelta(minutes=30)).time(),
            "end_time": (local + timedelta(hours=2, minutes=30)).time(),
            "chair_id": lead.id,
            "location": "Room 4",
            "video_url": "",
        },
        meeting.version,
    )
    # Reminders before the meeting: missing reviews, the week's agenda.
    run_reminders(now=meeting.starts_at - timedelta(days=1))
    annotations.create_annotation(
        coordinator,
        first,
        f"@{radiologist.email.split('@')[0]} {NAMES[1]} MRN {MRNS[0]}",
    )
    meeting.starts_at -= timedelta(days=3)
    meeting.ends_at -= timedelta(days=3)
    db.session.flush()
    meetings.start_meeting(coordinator, meeting, now=meeting.starts_at)
    meetings.mark_discussed(
        coordinator, meeting, item, reason="For information.", now=meeting.starts_at
    )
    meetings.defer_item(coordinator, meeting, other, f"{NAMES[3]} too unwell")
    rf.make_quorate(meeting, lead)
    rec = recs.record_recommendation(
        coordinator, item, rf.rec_data(free_text=f"Operate on {NAMES[0]} {MRNS[0]}")
    )
    recs.sign_recommendation(
        lead, rec, step_up=factories.signing_proof(lead), version=rec.version
    )
    recs.create_action(
        coordinator,
        rec,
        {
            "description": f"Call {NAMES[0]} {NAMES[1]} ({MRNS[0]})",
            "owner_id": owner.id,
            "due_date": rec.start_by,
        },
    )
    # A second draft, left unsigned; the action falls due and overdue; the
    # recommendation passes its start-by date unstarted.
    setup = rf.discussed_item(chair=lead, case=second)
    recs.record_recommendation(coordinator, setup.item, rf.rec_data())
    run_reminders(now=rf.at_midnight(rec.start_by - timedelta(days=1)))
    run_reminders(now=rf.at_midnight(rec.start_by + timedelta(days=2)))
    for user in people:
        save_preferences(user, {"mention": "digest"})
    annotations.create_annotation(lead, first, f"@{owner.email.split('@')[0]} thanks")
    run_reminders(now=rf.at_midnight(rec.start_by + timedelta(days=3)))
    # A clinician from no board of the case breaks the glass: the lead is told.
    outsider = factories.make_user("medical_oncologist", boards=[])
    breakglass.break_glass(
        outsider,
        first.id,
        {"reason": "other", "explanation": f"{NAMES[0]} {MRNS[0]} seen in clinic."},
    )

    notes = db.session.scalars(sa.select(Notification)).all()
    assert {n.kind for n in notes} == set(Kind), "every kind was produced"
    mails = db.session.scalars(sa.select(OutboxMessage)).all()
    assert any(m.ics_method == "REQUEST" for m in mails)
    assert any("daily summary" in m.subject for m in mails)
    texts = [n.text for n in notes] + [
        part for m in mails for part in (m.subject, m.body, m.ics or "")
    ]
    for secret in (*NAMES, *MRNS, "Resection of the"):
        leaks = [t for t in texts if secret.lower() in t.lower()]
        assert leaks == [], f"{secret!r} appears in a message"
