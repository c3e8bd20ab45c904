"""The printable agenda: time, age, working diagnosis, site, question and
presenter for each case, on an A4 print stylesheet."""

from __future__ import annotations

import html
from datetime import UTC, datetime

from tests import factories
from tests.recommendations import factories as rf
from tumorboard.cases.models import Case
from tumorboard.extensions import db
from tumorboard.meetings.models import AgendaItemStatus, MeetingStatus

LONG_QUESTION = (
    "Primary limb salvage with endoprosthetic replacement of the distal femur, "
    "or rotationplasty given the patient's age and activity level; please also "
    "advise on the timing of surgery relative to the last chemotherapy cycle."
)


def published_agenda(make_user):
    board = rf.make_board(start_time=datetime(2026, 1, 1, 16, 0).time())
    meeting = rf.make_meeting(
        board,
        starts_at=datetime(2026, 12, 8, 16, 0, tzinfo=UTC),
        status=MeetingStatus.PUBLISHED,
    )
    presenter = make_user("orthopedic_oncologist", name="Dr Olu Ortho")
    patient = factories.make_patient(birth_date=datetime(2010, 3, 1).date())
    first = rf.make_item(
        meeting,
        factories.make_case(patient),
        status=AgendaItemStatus.LISTED,
        planned_minutes=20,
        question=LONG_QUESTION,
        presenter_id=presenter.id,
    )
    second = rf.make_item(meeting, status=AgendaItemStatus.LISTED, planned_minutes=10)
    return meeting, first, second


def test_printable_agenda_lists_time_age_diagnosis_site_question_presenter(
    client, login_as, make_user
):
    meeting, first, second = published_agenda(make_user)
    db.session.commit()
    login_as("radiologist")
    page = html.unescape(client.get(f"/meetings/{meeting.id}/print").text)
    assert "css/print-agenda.css" in page
    for heading in ("Time", "Patient", "Working diagnosis · site", "Question"):
        assert f'<th scope="col">{heading}</th>' in page
    rows = page.split("<tr>")[2:]
    assert "<strong>16:00</strong>" in rows[0] and "<strong>16:20</strong>" in rows[1]
    assert "16 y" in rows[0]  # born 1 Mar 2010, meeting on 8 Dec 2026
    case = db.session.get(Case, first.case_id)
    # "diagnosis · site", as every list names a case.
    assert f"<td>{case.summary_label}</td>" in rows[0]
    assert case.diagnosis_label in case.summary_label
    assert "distal femur, metaphysis, left" in case.summary_label
    assert f'<td class="question">{LONG_QUESTION}</td>' in rows[0]
    assert "Dr Olu Ortho" in rows[0]
