""" "Waiting for me": per-role content, urgency and meeting order, pagination
and a constant number of queries."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from tests import factories
from tests.reviews.factories import complete_readiness, make_review
from tumorboard.cases.models import CaseStatus
from tumorboard.db import utcnow
from tumorboard.extensions import db
from tumorboard.main import worklists
from tumorboard.meetings.models import AgendaItem, Board, Meeting
from tumorboard.reviews import services


def _meeting(days: int, status: str = "published") -> Meeting:
    board = db.session.query(Board).first()
    if board is None:
        board = Board(
            name="Bone sarcoma board",
            kind="bone_sarcoma",
            weekday=2,
            start_time=time(8, 0),
            timezone="UTC",
            duration_minutes=90,
            minutes_per_case=10,
            capacity=9,
        )
        db.session.add(board)
        db.session.flush()
    starts = utcnow() + timedelta(days=days)
    meeting = Meeting(
        board_id=board.id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        status=status,
    )
    db.session.add(meeting)
    db.session.flush()
    return meeting


def _list(case, meeting) -> None:
    db.session.add(
        AgendaItem(
            meeting_id=meeting.id,
            case_id=case.id,
            position=1,
            question="q",
            planned_minutes=10,
        )
    )
    db.session.flush()


def _ids(user) -> list[int]:
    kind = worklists.worklist_for(user)
    return [e.case.id for e in worklists.page_for(user, kind, 1, 50).items]


def test_radiologist_sees_cases_heading_for_the_board_without_a_review(make_case):
    radiologist = factories.make_user("radiologist")
    waiting = make_case(status=CaseStatus.WORKUP)
    listed = make_case(status=CaseStatus.LISTED)
    make_case(status=CaseStatus.REFERRED)  # not yet heading for a board
    make_case(status=CaseStatus.CLOSED)
    reviewed = make_case(status=CaseStatus.READY)
    make_review(reviewed, "radiology")
    pathology_done = make_case(status=CaseStatus.READY)
    make_review(pathology_done, "pathology")
    assert set(_ids(radiologist)) == {waiting.id, listed.id, pathology_done.id}
    assert set(_ids(factories.make_user("pathologist"))) == {
        waiting.id,
        listed.id,
        reviewed.id,
    }


def test_order_is_urgency_then_next_meeting_then_referral(make_case):
    surgeon = factories.make_user("orthopedic_oncologist")
    today = utcnow().date()
    routine_old = make_case(
        status=CaseStatus.WORKUP, urgency="routine", referral_date=today - timedelta(30)
    )
    routine_soon = make_case(status=CaseStatus.LISTED, urgency="routine")
    urgent_late = make_case(status=CaseStatus.LISTED, urgency="urgent")
    urgent_soon = make_case(status=CaseStatus.LISTED, urgency="urgent")
    urgent_none = make_case(status=CaseStatus.WORKUP, urgency="urgent")
    emergency = make_case(status=CaseStatus.WORKUP, urgency="emergency")
    _list(routine_soon, _meeting(2))
    _list(urgent_soon, _meeting(3))
    _list(urgent_late, _meeting(10, status="planned"))
    # A past meeting does not count as "next".
    _list(urgent_none, _meeting(-7))
    assert _ids(surgeon) == [
        emergency.id,
        urgent_soon.id,
        urgent_late.id,
        urgent_none.id,
        routine_soon.id,
        routine_old.id,
    ]


def test_coordinator_sees_work_up_cases_with_what_each_lacks(make_case):
    coordinator = factories.make_user("coordinator")
    blocked = make_case(status=CaseStatus.WORKUP)
    complete = make_case(status=CaseStatus.WORKUP)
    make_case(status=CaseStatus.READY)
    complete_readiness(complete)
    services.waive_item(coordinator, blocked, "imaging", "Outside CT accepted.")
    kind = worklists.worklist_for(coordinator)
    page = worklists.page_for(coordinator, kind, 1, 25)
    by_id = {e.case.id: e.checklist for e in page.items}
    assert set(by_id) == {blocked.id, complete.id}
    assert by_id[complete.id].is_ready
    assert [i.key for i in by_id[blocked.id].missing] == [
        "pathology",
        "orthopaedic_review",
        "performance_status",
    ]


def test_other_clinicians_see_the_cases_they_lead(make_case):
    medonc = factories.make_user("medical_oncologist")
    mine = make_case(status=CaseStatus.READY, lead_clinician_id=medonc.id)
    make_case(status=CaseStatus.READY)
    assert _ids(medonc) == [mine.id]


def test_pages_are_clamped(make_case):
    radiologist = factories.make_user("radiologist")
    for _ in range(3):
        make_case(status=CaseStatus.WORKUP)
    kind = worklists.worklist_for(radiologist)
    page = worklists.page_for(radiologist, kind, 99, 2)
    assert (page.page, page.pages, page.total, len(page.items)) == (2, 2, 3, 1)


def _fill(n: int, make_case, coordinator) -> None:
    meeting = _meeting(5)
    for index in range(n):
        case = make_case(
            status=CaseStatus.WORKUP,
            urgency=("emergency", "urgent", "routine")[index % 3],
        )
        if index % 2:
            make_review(case, "radiology")
            services.waive_item(coordinator, case, "pathology", "Slides awaited.")
        if index % 5 == 0:
            _list(case, meeting)


@pytest.mark.parametrize("role", ["coordinator", "radiologist", "pathologist"])
def test_worklist_page_runs_a_constant_number_of_queries(
    client, login_as, make_case, count_queries, role
):
    login_as(role)
    coordinator = factories.make_user("coordinator")
    _fill(5, make_case, coordinator)
    db.session.commit()
    with count_queries() as small:
        response = client.get("/worklist")
    assert response.status_code == 200
    _fill(105, make_case, coordinator)
    db.session.commit()
    with count_queries() as large:
        response = client.get("/worklist")
    assert response.status_code == 200
    assert "Page 1 of" in response.text
    assert large.count == small.count


def test_palliative_care_sees_only_the_cases_that_need_its_review(make_case):
    """The readiness table: palliative care reviews metastases, not curative
    primary tumours; orthopaedic oncology reviews primary tumours and long-bone
    metastases (Mirels), not spinal ones."""
    primary = make_case(status=CaseStatus.WORKUP)
    spine = make_case(
        status=CaseStatus.WORKUP,
        case_type="skeletal_metastasis",
        site_code="C41.2",
        known_primary="lung",
    )
    femur = make_case(
        status=CaseStatus.WORKUP,
        case_type="skeletal_metastasis",
        site_code="C40.2",
        known_primary="breast",
    )
    assert set(_ids(factories.make_user("palliative_care"))) == {spine.id, femur.id}
    assert set(_ids(factories.make_user("orthopedic_oncologist"))) >= {
        primary.id,
        femur.id,
    }
    surgeon = factories.make_user("orthopedic_oncologist")
    assert spine.id not in _ids(surgeon)
    assert set(_ids(factories.make_user("pathologist"))) == {primary.id}


def test_worklist_page_shows_role_content(client, login_as, make_case):
    login_as("coordinator")
    case = make_case(
        status=CaseStatus.WORKUP,
        case_type="skeletal_metastasis",
        site_code="C41.2",
        known_primary="lung",
    )
    db.session.commit()
    page = client.get("/worklist").text
    assert "<h1>Cases at the readiness gate</h1>" in page
    assert case.reference in page and "Imaging review" in page
    client.post("/logout")
    login_as("palliative_care")
    page = client.get("/worklist").text
    assert "<h1>Waiting for a palliative care review</h1>" in page
    assert f"/cases/{case.id}/reviews/palliative_care/edit" in page


def test_admin_has_no_worklist(client, login_as):
    login_as("admin")
    assert client.get("/worklist").status_code == 403


@pytest.mark.parametrize(
    ("role", "title"),
    [
        ("radiologist", "Waiting for a radiology review"),
        ("pathologist", "Waiting for a pathology review"),
        ("orthopedic_oncologist", "Waiting for an orthopaedic oncology review"),
        ("palliative_care", "Waiting for a palliative care review"),
    ],
)
def test_worklist_titles_take_the_right_article(make_user, role, title):
    assert worklists.worklist_for(make_user(role)).title == title


@pytest.mark.parametrize("role", ["coordinator", "radiologist"])
def test_pages_follow_one_order_across_urgencies_and_meetings(make_case, role):
    """Page after page gives the order of the whole list: urgency, then the
    cases listed for a coming meeting (soonest first), then referral date."""
    user = factories.make_user(role)
    today = utcnow().date()
    soon, later, past = _meeting(2), _meeting(9, status="planned"), _meeting(-3)
    expected_key = {}
    for index in range(17):
        urgency = ("routine", "urgent", "emergency")[index % 3]
        case = make_case(
            status=CaseStatus.WORKUP,
            urgency=urgency,
            referral_date=today - timedelta(days=(index * 7) % 40),
        )
        meeting = (soon, later, past, None)[index % 4]
        if meeting is not None:
            _list(case, meeting)
        coming = meeting.starts_at if meeting in (soon, later) else None
        expected_key[case.id] = (
            ("emergency", "urgent", "routine").index(urgency),
            coming is None,
            coming or soon.starts_at,
            case.referral_date,
            case.id,
        )
    db.session.commit()
    expected = sorted(expected_key, key=expected_key.get)
    kind = worklists.worklist_for(user)
    first = worklists.page_for(user, kind, 1, 5)
    assert first.total == 17
    shown = [
        e.case.id
        for n in range(1, 5)
        for e in worklists.page_for(user, kind, n, 5).items
    ]
    assert shown == expected
    listed_soon = [e for e in first.items if e.next_meeting_at is not None]
    assert listed_soon and all(e.case.urgency == "emergency" for e in listed_soon)
