"""Boards, meetings, agendas, attendance, calendars and presentation over HTTP."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
import vobject

from tests import factories
from tests.meetings import factories as mf
from tumorboard.audit.models import AuditEntry
from tumorboard.cases.models import Case, CaseStatus
from tumorboard.db import utcnow
from tumorboard.extensions import db
from tumorboard.meetings.models import (
    AgendaItem,
    AgendaItemStatus,
    Attendance,
    Board,
    Meeting,
    MeetingStatus,
)
from tumorboard.reviews import services as review_services


def board_form(**overrides) -> dict:
    """Valid POST data for the board form."""
    data = {
        "name": "Bone sarcoma board",
        "kind": "bone_sarcoma",
        "required_disciplines": ["orthopaedic_oncology", "radiology", "pathology"],
        "weekday": "1",
        "start_time": "16:00",
        "timezone": "Europe/London",
        "duration_minutes": "120",
        "minutes_per_case": "10",
        "capacity": "10",
        "location": "Seminar room 2",
        "video_url": "https://video.example.org/sarcoma",
        "is_active": "y",
        "member_ids": [],
    }
    data.update(overrides)
    return data


# Boards -----------------------------------------------------------------------------


def test_create_board_and_plan_its_meetings(client, login_as, make_user):
    login_as("coordinator")
    member = make_user("radiologist")
    db.session.commit()
    response = client.post(
        "/boards/new", data=board_form(member_ids=[str(member.id)], weekday="0")
    )
    assert response.status_code == 302
    board = db.session.scalar(
        sa.select(Board).where(Board.name != factories.DEFAULT_BOARD)
    )
    assert (board.weekday, board.required_disciplines) == (
        0,
        ["orthopaedic_oncology", "radiology", "pathology"],
    )
    page = client.get(response.headers["Location"]).text
    assert "Every Monday, 16:00 (Europe/London), 120 min" in page
    assert member.name in page

    response = client.post(f"/boards/{board.id}/generate", data={"weeks": "4"})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Meeting.id))) == 4
    page = client.get(f"/boards/{board.id}").text
    assert "4 meetings planned for the next 4 weeks." in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "is not an IANA time zone"),
        ({"required_disciplines": []}, "Choose at least one discipline"),
        ({"minutes_per_case": "200", "duration_minutes": "120"}, "Between 1 and 180"),
        ({"video_url": "ftp://x"}, "must be an https:// address"),
        ({"capacity": "101"}, "Between 1 and 100 cases."),
    ],
)
def test_bad_board_input_is_refused_and_kept(client, login_as, overrides, message):
    login_as("admin")
    response = client.post("/boards/new", data=board_form(**overrides))
    assert response.status_code == 400
    assert message in response.text
    assert "Seminar room 2" in response.text  # what the user typed stays
    assert db.session.scalar(sa.select(sa.func.count(Board.id))) == 0


def test_duplicate_board_name_is_refused(client, login_as, make_board):
    login_as("coordinator")
    make_board(name="Bone sarcoma board")
    db.session.commit()
    response = client.post("/boards/new", data=board_form())
    assert response.status_code == 400
    assert "already exists" in response.text


def test_stale_board_edit_is_refused(client, login_as, make_board):
    login_as("coordinator")
    board = make_board()
    db.session.commit()
    response = client.post(
        f"/boards/{board.id}/edit",
        data=board_form(name="Renamed", version=str(board.version - 1)),
    )
    assert response.status_code == 400
    assert "changed by someone else" in response.text
    assert "Renamed" in response.text
    db.session.refresh(board)
    assert board.name != "Renamed"


def test_admin_manages_boards_but_sees_no_agenda(
    client, login_as, make_board, make_meeting, make_item, make_patient, make_case
):
    login_as("admin")
    board = make_board()
    meeting = make_meeting(board, status=MeetingStatus.PUBLISHED)
    patient = make_patient(family_name="Secretname")
    make_item(meeting, make_case(patient=patient))
    when = meeting.when_label
    db.session.commit()
    page = client.get(f"/boards/{board.id}").text
    assert when in page
    assert "SECRETNAME" not in page
    assert client.get(f"/meetings/{meeting.id}").status_code == 403


def test_feed_token_regeneration(client, login_as, make_board, make_meeting):
    login_as("coordinator")
    board = make_board()
    make_meeting(board)
    db.session.commit()
    old = board.feed_token
    client.post(f"/boards/{board.id}/feed-token")
    db.session.refresh(board)
    assert board.feed_token != old
    client.post("/logout")
    assert client.get(f"/calendar/boards/{board.id}/{old}.ics").status_code == 404
    response = client.get(f"/calendar/boards/{board.id}/{board.feed_token}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert len(vobject.readOne(response.text).vevent_list) == 1
    assert client.get(f"/calendar/boards/999/{board.feed_token}.ics").status_code == 404


# Meetings -----------------------------------------------------------------------------


def test_ad_hoc_meeting_refusals_keep_the_form(client, login_as, make_board):
    login_as("coordinator")
    board = make_board()
    db.session.commit()
    data = {
        "board_id": str(board.id),
        "day": "2020-01-07",
        "start_time": "12:00",
        "end_time": "13:00",
        "location": "Typed room",
    }
    response = client.post("/meetings/new", data=data)
    assert response.status_code == 400
    assert "would start in the past" in response.text
    assert "Typed room" in response.text
    data.update(day="2099-01-06", end_time="11:00")
    response = client.post("/meetings/new", data=data)
    assert "end time must be after the start time" in response.text
    data.update(end_time="14:00")
    response = client.post("/meetings/new", data=data)
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Meeting.id))) == 1


def _statements(client, count_queries, url: str) -> int:
    """How many SQL statements one successful page load of ``url`` runs."""
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count


def test_meeting_list_query_count_is_constant(
    client, login_as, make_board, make_meeting, count_queries
):
    login_as("radiologist")
    board = make_board()

    def counted(n):
        for i in range(n):
            make_meeting(board, days=1 + i + n)
            make_meeting(board, days=-1 - i - n, status=MeetingStatus.CLOSED)
        db.session.commit()
        return _statements(client, count_queries, "/meetings/")

    assert counted(3) == counted(60)


def test_past_meetings_are_paged_newest_first_with_their_case_count(
    app, client, login_as, make_board, make_meeting, make_item
):
    login_as("radiologist")
    board = make_board()
    per_page = app.config["PAGE_SIZE"]
    past = [
        make_meeting(board, days=-1 - i, status=MeetingStatus.CLOSED)
        for i in range(per_page + 2)
    ]
    oldest = past[-1]
    make_item(oldest)
    make_item(oldest)
    make_item(oldest, status=AgendaItemStatus.WITHDRAWN)
    upcoming = make_meeting(board)
    make_item(upcoming, planned_minutes=20)
    db.session.commit()

    first = client.get("/meetings/").text
    assert f"Page 1 of 2 · {per_page + 2} in all" in first
    assert f"/meetings/{past[0].id}" in first
    assert f'/meetings/{oldest.id}"' not in first
    assert "1 of 6 cases · 20 of 120 min" in first  # the upcoming meeting

    second = client.get("/meetings/?page=2").text
    assert f"Page 2 of 2 · {per_page + 2} in all" in second
    row = re.search(rf"/meetings/{oldest.id}\".*?</tr>", second, flags=re.DOTALL).group(
        0
    )
    assert "<td>2</td>" in row  # the withdrawn item does not count

    beyond = client.get("/meetings/?page=9").text
    assert "No past meeting." in beyond


def test_meeting_page_query_count_is_constant(
    client, login_as, make_board, make_meeting, make_item, make_user, count_queries
):
    coordinator = login_as("coordinator")
    board = make_board(capacity=100, members=[coordinator, make_user("radiologist")])
    meeting = make_meeting(board, status=MeetingStatus.PUBLISHED)

    def counted(n):
        for _ in range(n):
            make_item(meeting, planned_minutes=1)
            mf.make_ready_case()
        db.session.commit()
        return _statements(client, count_queries, f"/meetings/{meeting.id}")

    assert counted(2) == counted(30)


def test_clinicians_see_published_agendas_only(
    client, login_as, make_meeting, make_item, make_case, make_patient
):
    login_as("pathologist")
    meeting = make_meeting()
    make_item(meeting, make_case(patient=make_patient(family_name="Draftperson")))
    db.session.commit()
    page = client.get(f"/meetings/{meeting.id}").text
    assert "The agenda is not published yet." in page
    assert "DRAFTPERSON" not in page
    assert client.get(f"/meetings/{meeting.id}/print").status_code == 403

    meeting.status = MeetingStatus.PUBLISHED
    db.session.commit()
    page = client.get(f"/meetings/{meeting.id}").text
    assert "DRAFTPERSON" in page
    assert "Radiology: missing" in page  # preparation per discipline
    assert "DRAFTPERSON" in client.get(f"/meetings/{meeting.id}/print").text


def test_add_case_form_prefills_the_question(
    client, login_as, make_meeting, make_ready_case
):
    login_as("coordinator")
    meeting = make_meeting()
    case = make_ready_case(clinical_question="Which margin is achievable?")
    db.session.commit()
    page = client.get(f"/meetings/{meeting.id}").text
    assert f"/meetings/{meeting.id}/agenda/add/{case.id}" in page  # ready pool
    form = client.get(f"/meetings/{meeting.id}/agenda/add/{case.id}").text
    assert "Which margin is achievable?" in form
    assert 'value="15"' in form  # the board's minutes per case
    response = client.post(
        f"/meetings/{meeting.id}/agenda/add/{case.id}",
        data={"question": "Edited question", "planned_minutes": "20"},
    )
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.status == CaseStatus.LISTED
    item = db.session.scalar(sa.select(AgendaItem))
    assert (item.question, item.planned_minutes) == ("Edited question", 20)


def test_adding_a_case_that_is_not_ready_is_refused(
    client, login_as, make_meeting, make_case
):
    login_as("coordinator")
    meeting = make_meeting()
    case = make_case(status="workup")
    db.session.commit()
    response = client.post(
        f"/meetings/{meeting.id}/agenda/add/{case.id}",
        data={"question": "Q", "planned_minutes": "10"},
    )
    assert response.status_code == 400
    assert "not ready for the board" in response.text
    assert db.session.scalar(sa.select(sa.func.count(AgendaItem.id))) == 0


def _order(meeting) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(AgendaItem.id)
            .where(AgendaItem.meeting_id == meeting.id)
            .order_by(AgendaItem.position)
        )
    )


def test_move_without_javascript_redirects(client, login_as, make_meeting, make_item):
    login_as("coordinator")
    meeting = make_meeting()
    a, b = make_item(meeting), make_item(meeting)
    db.session.commit()
    response = client.post(
        f"/meetings/{meeting.id}/agenda/{b.id}/move", data={"direction": "up"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/meetings/{meeting.id}#agenda")
    assert _order(meeting) == [b.id, a.id]


def test_move_with_htmx_returns_the_agenda_fragment(
    client, login_as, make_meeting, make_item
):
    login_as("coordinator")
    meeting = make_meeting()
    a, b = make_item(meeting), make_item(meeting)
    db.session.commit()
    response = client.post(
        f"/meetings/{meeting.id}/agenda/{a.id}/move",
        data={"direction": "down"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith("{#") is False
    assert '<section class="card" id="agenda"' in response.text
    assert "<html" not in response.text
    assert "moved to position 2 of 2." in response.text
    assert _order(meeting) == [b.id, a.id]


def test_reorder_naming_another_meetings_item_changes_nothing(
    client, login_as, make_meeting, make_item
):
    login_as("coordinator")
    meeting, other = make_meeting(days=3), make_meeting(days=4)
    a, b = make_item(meeting), make_item(meeting)
    stranger = make_item(other)
    db.session.commit()
    response = client.post(
        f"/meetings/{meeting.id}/agenda/order",
        data={"item_ids": [str(b.id), str(stranger.id)]},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409
    assert "not on this meeting&#39;s agenda" in response.text
    assert _order(meeting) == [a.id, b.id]
    response = client.post(
        f"/meetings/{meeting.id}/agenda/order",
        data={"item_ids": [str(b.id), str(a.id)]},
    )
    assert response.status_code == 302
    assert _order(meeting) == [b.id, a.id]


def test_publish_start_and_close(
    client, login_as, make_board, make_meeting, make_item, make_user
):
    login_as("coordinator")
    radiologist = make_user("radiologist")
    board = make_board(members=[radiologist], required_disciplines=["radiology"])
    meeting = make_meeting(board, chair_id=radiologist.id)
    make_item(meeting)
    db.session.commit()
    assert client.post(f"/meetings/{meeting.id}/publish").status_code == 302
    db.session.refresh(meeting)
    assert meeting.status == MeetingStatus.PUBLISHED
    client.post(
        f"/meetings/{meeting.id}/attendance", data={"present": [str(radiologist.id)]}
    )
    page = client.get(f"/meetings/{meeting.id}").text
    assert "Quorate" in page
    client.post(f"/meetings/{meeting.id}/start")
    # Without the confirmation the close page is shown and nothing changes.
    unconfirmed = client.post(f"/meetings/{meeting.id}/close", follow_redirects=True)
    assert unconfirmed.request.path == f"/meetings/{meeting.id}/close"
    assert "Check the undiscussed cases, then confirm closing." in unconfirmed.text
    assert "Cases not discussed" in unconfirmed.text
    db.session.refresh(meeting)
    assert meeting.status == MeetingStatus.IN_PROGRESS
    client.post(f"/meetings/{meeting.id}/close", data={"confirmed": "yes"})
    db.session.refresh(meeting)
    assert (meeting.status, meeting.is_quorate) == (MeetingStatus.CLOSED, True)


def test_closing_lists_the_undiscussed_cases_before_confirming(
    client, login_as, make_board, make_meeting, make_item, make_case
):
    login_as("coordinator")
    board = make_board()
    meeting = make_meeting(board, days=1, status=MeetingStatus.IN_PROGRESS)
    nxt = make_meeting(board, days=8)
    case = make_case(status=CaseStatus.LISTED)
    make_item(meeting, case)
    reference, when = case.reference, nxt.when_label
    db.session.commit()
    detail = client.get(f"/meetings/{meeting.id}").text
    assert f'href="/meetings/{meeting.id}/close"' in detail
    page = client.get(f"/meetings/{meeting.id}/close")
    assert page.status_code == 200
    assert "1 case was not discussed." in page.text
    assert reference in page.text
    assert f"Deferred to the meeting of {when}." in page.text
    db.session.refresh(meeting)
    assert meeting.status == MeetingStatus.IN_PROGRESS
    response = client.post(
        f"/meetings/{meeting.id}/close",
        data={"confirmed": "yes"},
        follow_redirects=True,
    )
    assert "Meeting closed; its quorum was recorded." in response.text
    assert f"carried over to {when}" in response.text
    db.session.refresh(meeting)
    assert meeting.status == MeetingStatus.CLOSED
    again = client.post(
        f"/meetings/{meeting.id}/close",
        data={"confirmed": "yes"},
        follow_redirects=True,
    )
    assert again.status_code == 200
    assert "This meeting was already closed on" in again.text
    assert "nothing was changed" in again.text


def test_cancel_sends_a_cancellation(client, login_as, make_meeting, make_item):
    login_as("coordinator")
    meeting = make_meeting()
    item = make_item(meeting)
    db.session.commit()
    unconfirmed = client.post(
        f"/meetings/{meeting.id}/cancel",
        data={"cancel-reason": "Strike"},
        follow_redirects=True,
    )
    assert "Tick the box to confirm cancelling the meeting" in unconfirmed.text
    db.session.refresh(meeting)
    assert meeting.status != MeetingStatus.CANCELLED
    response = client.post(
        f"/meetings/{meeting.id}/cancel",
        data={"cancel-reason": "Strike", "cancel-confirm": "y"},
    )
    assert response.status_code == 302
    db.session.refresh(item)
    assert item.status == AgendaItemStatus.DEFERRED
    body = client.get(f"/meetings/{meeting.id}/meeting.ics")
    assert body.headers["Content-Disposition"].startswith("attachment")
    cal = vobject.readOne(body.text)
    assert cal.method.value == "CANCEL"
    assert cal.vevent.status.value == "CANCELLED"


def test_non_chair_clinician_cannot_record_attendance(
    client, login_as, make_board, make_meeting, make_user
):
    user = login_as("radiologist")
    board = make_board(members=[user])
    meeting = make_meeting(board, status=MeetingStatus.PUBLISHED)
    db.session.commit()
    response = client.post(
        f"/meetings/{meeting.id}/attendance", data={"present": [str(user.id)]}
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "Only the coordinator or the chair records attendance." in page


def test_refused_attendance_says_why_and_saves_nothing(
    client, login_as, make_board, make_meeting, make_user
):
    login_as("coordinator")
    member, stranger = make_user("radiologist"), make_user("pathologist")
    meeting = make_meeting(make_board(members=[member]))
    db.session.commit()
    response = client.post(
        f"/meetings/{meeting.id}/attendance", data={"present": [str(member.id)]}
    )
    page = client.get(response.headers["Location"]).text
    assert "Attendance is recorded once the agenda is published" in page

    meeting.status = MeetingStatus.PUBLISHED
    db.session.commit()
    response = client.post(
        f"/meetings/{meeting.id}/attendance",
        data={"present": [str(member.id), str(stranger.id)]},
    )
    page = client.get(response.headers["Location"]).text
    assert "Only members of the board can be ticked present" in page
    assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == 0


# Presentation -----------------------------------------------------------------------


def test_presentation_mode_steps_through_the_agenda(
    client, login_as, make_meeting, make_item, make_user
):
    chair = login_as("orthopedic_oncologist")
    meeting = make_meeting(status=MeetingStatus.IN_PROGRESS, chair_id=chair.id)
    first, second = make_item(meeting), make_item(meeting)
    db.session.commit()
    response = client.get(f"/meetings/{meeting.id}/present")
    assert response.headers["Location"].endswith(f"/present/{first.id}")
    page = client.get(response.headers["Location"]).text
    assert "Case 1 of 2" in page
    assert first.question in page
    assert "Planned 15 minutes" in page
    assert f"/present/{second.id}" in page
    assert "Mark discussed" in page
    reads = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "case.read")
    ).all()
    assert [r.case_id for r in reads] == [first.case_id]

    # Without a recommendation the board says why: the item stays listed.
    url = f"/meetings/{meeting.id}/agenda/{first.id}/discussed"
    refused = client.post(url)
    assert refused.status_code == 400
    assert "Record the board&#39;s recommendation first" in refused.text
    db.session.refresh(first)
    assert first.status == AgendaItemStatus.LISTED
    response = client.post(url, data={f"discussed{first.id}-reason": "For information"})
    # The screen stays on the case just discussed; the presenter moves on.
    assert response.headers["Location"].endswith(f"/present/{first.id}")
    response = client.post(
        f"/meetings/{meeting.id}/agenda/{second.id}/defer?back=present",
        data={f"item{second.id}-reason": "Await MRI"},
    )
    assert response.headers["Location"].endswith(f"/present/{second.id}")
    db.session.refresh(first)
    db.session.refresh(second)
    assert first.status == AgendaItemStatus.DISCUSSED
    assert first.status_reason == "Discussed without a recommendation: For information"
    assert (second.status, second.status_reason) == (
        AgendaItemStatus.DEFERRED,
        "Await MRI",
    )


def test_presentation_of_a_draft_is_refused_to_clinicians(
    client, login_as, make_meeting, make_item
):
    login_as("radiologist")
    meeting = make_meeting()
    item = make_item(meeting)
    db.session.commit()
    assert client.get(f"/meetings/{meeting.id}/present/{item.id}").status_code == 403


def test_printable_agenda(client, login_as, make_meeting, make_item):
    login_as("coordinator")
    meeting = make_meeting()
    item = make_item(meeting)
    db.session.commit()
    page = client.get(f"/meetings/{meeting.id}/print").text
    assert item.question in page
    assert "Confidential" in page
    assert re.search(r"<td class=\"prep-missing\">missing</td>", page)


def test_meeting_ics_download(client, login_as, make_meeting):
    login_as("nurse_specialist")
    meeting = make_meeting(
        starts_at=utcnow().replace(microsecond=0) + timedelta(days=3)
    )
    local_day = meeting.local_start.date()
    db.session.commit()
    response = client.get(f"/meetings/{meeting.id}/meeting.ics")
    assert response.mimetype == "text/calendar"
    event = vobject.readOne(response.text).vevent
    assert event.uid.value == meeting.ical_uid
    assert f"/meetings/{meeting.id}" in event.url.value
    assert event.dtstart.value.date() == local_day


def test_held_meeting_links_to_recommendations_and_minutes(client, login_as):
    login_as("coordinator")
    meeting = mf.past_meeting(mf.make_board())
    item = mf.make_item(meeting, status=AgendaItemStatus.DISCUSSED)
    db.session.commit()
    page = client.get(f"/meetings/{meeting.id}").text
    assert f'href="/meetings/{meeting.id}/items/{item.id}/recommendation"' in page
    assert f'href="/documents/meetings/{meeting.id}/minutes.pdf"' in page


def test_planned_meeting_offers_no_recommendation_or_minutes(client, login_as):
    login_as("coordinator")
    meeting = mf.make_meeting()
    mf.make_item(meeting)
    db.session.commit()
    page = client.get(f"/meetings/{meeting.id}").text
    assert '/recommendation"' not in page and "minutes.pdf" not in page


# Audited agenda reads and deferral refusals ---------------------------------------


def _agenda_reads() -> list[AuditEntry]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "agenda.read")
        )
    )


@pytest.mark.parametrize("suffix", ["", "/print"], ids=["detail", "print"])
def test_viewing_an_agenda_is_audited_once_per_view(
    client, login_as, make_meeting, make_item, suffix
):
    user = login_as("radiologist")
    meeting = make_meeting(status=MeetingStatus.PUBLISHED)
    for _ in range(3):
        make_item(meeting)
    db.session.commit()
    assert client.get(f"/meetings/{meeting.id}{suffix}").status_code == 200
    (entry,) = _agenda_reads()
    assert (entry.actor_id, entry.entity_type, entry.entity_id) == (
        user.id,
        "meeting",
        str(meeting.id),
    )
    assert "(3 cases)" in entry.summary


def test_an_unpublished_agenda_is_not_read_so_not_audited(
    client, login_as, make_meeting, make_item
):
    login_as("radiologist")
    meeting = make_meeting()
    make_item(meeting)
    db.session.commit()
    assert client.get(f"/meetings/{meeting.id}").status_code == 200
    assert _agenda_reads() == []


def _discussed_item(chair):
    meeting = mf.make_meeting(status=MeetingStatus.IN_PROGRESS, chair_id=chair.id)
    item = mf.make_item(meeting, status=AgendaItemStatus.DISCUSSED)
    case = db.session.get(Case, item.case_id)
    case.status = CaseStatus.DISCUSSED
    return meeting, item, case


def test_deferring_after_a_recommendation_is_refused_with_a_message(client, login_as):
    from tests.recommendations.factories import rec_data
    from tumorboard.recommendations import services as recommendations

    chair = login_as("orthopedic_oncologist")
    meeting, item, case = _discussed_item(chair)
    recommendations.record_recommendation(chair, item, rec_data())
    db.session.commit()
    response = client.post(
        f"/meetings/{meeting.id}/agenda/{item.id}/defer",
        data={f"item{item.id}-reason": "Await MRI"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "amend it instead of deferring" in response.text
    db.session.refresh(item)
    assert item.status == AgendaItemStatus.DISCUSSED


def test_a_workflow_refusal_while_deferring_is_a_message_not_an_error(client, login_as):
    chair = login_as("orthopedic_oncologist")
    meeting, item, case = _discussed_item(chair)
    # The case moved on outside the meeting: discussed → ready is not allowed.
    case.status = CaseStatus.FOLLOW_UP
    db.session.commit()
    response = client.post(
        f"/meetings/{meeting.id}/agenda/{item.id}/defer",
        data={f"item{item.id}-reason": "Await MRI"},
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert 'class="flash flash-error">A case cannot move from' in page
    db.session.refresh(item)
    assert item.status == AgendaItemStatus.DISCUSSED


# Preparation by discipline ---------------------------------------------------------


def test_agenda_shows_waived_items_as_waived_everywhere(
    client, login_as, make_meeting, make_item, make_case
):
    coordinator = login_as("coordinator")
    case = make_case(status="workup", biopsy_status="not_biopsied")
    review_services.waive_item(
        coordinator, case, "orthopaedic_review", "Surgeon presents at the board."
    )
    review_services.waive_item(
        coordinator, case, "pathology", "Biopsy route first.", kind="pre_biopsy"
    )
    meeting = make_meeting()
    make_item(meeting, case)
    db.session.commit()

    page = client.get(f"/meetings/{meeting.id}").text
    assert '<li class="prep-waived">Orthopaedic oncology: waived</li>' in page
    assert '<li class="prep-pre_biopsy">Pathology: pre-biopsy discussion</li>' in page
    assert '<li class="prep-missing">Radiology: missing</li>' in page
    # A curative primary tumour needs no palliative care review.
    assert "Palliative care:" not in page

    printed = client.get(f"/meetings/{meeting.id}/print").text
    cells = re.findall(r'<td class="(prep-[a-z_]+)">([a-z-]+)</td>', printed)
    # Columns in the order of the review disciplines; palliative care not needed.
    assert cells == [
        ("prep-missing", "missing"),
        ("prep-pre_biopsy", "pre-biopsy"),
        ("prep-waived", "waived"),
    ]
    assert '<td class="prep-not_needed">' in printed


def test_cancelling_a_cancelled_meeting_says_so(
    client, login_as, make_meeting, make_item
):
    login_as("coordinator")
    meeting = make_meeting(status=MeetingStatus.CANCELLED, cancel_reason="Strike")
    db.session.commit()
    response = client.post(
        f"/meetings/{meeting.id}/cancel",
        data={"cancel-reason": "Again", "cancel-confirm": "y"},
        follow_redirects=True,
    )
    assert "This meeting was already cancelled; nothing was changed." in response.text
    db.session.refresh(meeting)
    assert meeting.cancel_reason == "Strike"


def test_a_closed_meeting_never_appears_under_upcoming(
    client, login_as, make_board, make_meeting
):
    login_as("coordinator")
    board = make_board()
    closed = make_meeting(board, days=2, status=MeetingStatus.CLOSED)
    running = make_meeting(board, days=-1, status=MeetingStatus.IN_PROGRESS)
    closed_url, running_url = f"/meetings/{closed.id}", f"/meetings/{running.id}"
    db.session.commit()
    page = client.get("/meetings/").text
    upcoming, _, past = page.partition('class="past"')
    assert running_url in upcoming and "In progress" in upcoming
    assert closed_url not in upcoming
    assert closed_url in past
