"""The coordinator builds and publishes an agenda for three cases, records
attendance and steps through presentation mode, in a real browser."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.conftest import LiveServer, login
from tumorboard.auth.models import User
from tumorboard.auth.permissions import Role
from tumorboard.cases.models import CaseStatus
from tumorboard.db import utcnow
from tumorboard.extensions import db
from tumorboard.meetings.models import Board, Meeting

SHOTS = "/tmp/shots-meetings-{}.png"
MEMBER_ROLES = (
    Role.COORDINATOR,
    Role.ORTHOPEDIC_ONCOLOGIST,
    Role.RADIOLOGIST,
    Role.PATHOLOGIST,
    Role.MEDICAL_ONCOLOGIST,
    Role.NURSE_SPECIALIST,
)


def _setup(live_server: LiveServer, tag: str) -> tuple[int, list[str], dict]:
    """A board whose members are the session's clinicians, a meeting next week
    chaired by the orthopaedic oncologist, and three ready cases."""
    with live_server.app.app_context():
        people = {
            role: db.session.scalar(
                sa.select(User).where(User.email == live_server.account(role).email)
            )
            for role in MEMBER_ROLES
        }
        board = Board(
            name=f"Browser sarcoma board {tag}",
            kind="bone_sarcoma",
            required_disciplines=[
                "orthopaedic_oncology",
                "radiology",
                "pathology",
                "medical_oncology",
            ],
            weekday=1,
            start_time=utcnow().time().replace(second=0, microsecond=0),
            timezone="Europe/London",
            duration_minutes=120,
            minutes_per_case=15,
            capacity=8,
            location="Seminar room 2",
        )
        board.members = list(people.values())
        db.session.add(board)
        db.session.flush()
        starts = utcnow().replace(second=0, microsecond=0) + timedelta(days=7)
        meeting = Meeting(
            board_id=board.id,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            chair_id=people[Role.ORTHOPEDIC_ONCOLOGIST].id,
            location=board.location,
        )
        db.session.add(meeting)
        names = []
        for index, urgency in enumerate(("routine", "routine", "emergency")):
            family = f"Agenda{tag}{'ABC'[index]}"
            patient = factories.make_patient(family_name=family)
            factories.make_case(
                patient,
                status=CaseStatus.READY,
                urgency=urgency,
                clinical_question=f"Question {index + 1} for {family}",
            )
            names.append(f"{family.upper()}, Alex")
        db.session.commit()
        ids = {role: user.id for role, user in people.items()}
        return meeting.id, names, ids


def test_coordinator_builds_publishes_and_presents_an_agenda(
    page: Page, live_server: LiveServer
):
    tag = uuid.uuid4().hex[:6].upper()
    meeting_id, names, people = _setup(live_server, tag)
    account = live_server.account(Role.COORDINATOR)
    login(page, live_server, account.email, account.password)

    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Meetings").click()
    expect(page.get_by_role("heading", name="Meetings", level=1)).to_be_visible()
    page.goto(f"{live_server.url}/meetings/{meeting_id}")

    # Build the agenda from the ready pool; the question is prefilled.
    for index, name in enumerate(names):
        page.locator("#ready-pool").get_by_role(
            "link", name=re.compile(re.escape(name))
        ).click()
        question = page.get_by_label("Question for this discussion")
        expect(question).to_have_value(
            re.compile(rf"^Question {index + 1} for Agenda{tag}")
        )
        if index == 0:
            question.fill("Biopsy route and staging?")
        page.get_by_role("button", name="Add to agenda").click()
        expect(page.get_by_text("added to the agenda.")).to_be_visible()

    agenda = page.locator("#agenda ol.agenda > li")
    expect(agenda).to_have_count(3)
    expect(page.locator("#agenda")).to_contain_text("3 of 8 cases · 45 of 120 min")
    expect(agenda.nth(0)).to_contain_text("Biopsy route and staging?")
    expect(agenda.nth(0)).to_contain_text("Radiology: missing")
    page.screenshot(path=SHOTS.format("agenda"), full_page=True)

    # Move the last case up with the keyboard: htmx swaps the agenda in place.
    page.evaluate("window.__stillHere = true")
    last = agenda.nth(2)
    last.get_by_role("button", name=re.compile("^Move up")).focus()
    page.keyboard.press("Enter")
    expect(page.locator("#agenda .agenda-message")).to_contain_text(
        "moved to position 2 of 3."
    )
    expect(agenda.nth(1)).to_contain_text(names[2])
    assert page.evaluate("window.__stillHere") is True  # no full page load
    # Focus stays on the moved item's button, so it can be moved again.
    expect(
        agenda.nth(1).get_by_role("button", name=re.compile("^Move up"))
    ).to_be_focused()

    # "Prioritise urgent" puts the emergency case first.
    page.get_by_role("button", name="Prioritise urgent cases").click()
    expect(agenda.nth(0)).to_contain_text(names[2])
    expect(agenda.nth(1)).to_contain_text(names[0])
    assert page.evaluate("window.__stillHere") is True

    page.get_by_role("button", name="Publish agenda").click()
    expect(page.get_by_text("Agenda published")).to_be_visible()
    expect(page.locator(".meeting-when .mstatus")).to_have_text("Published")
    expect(page.get_by_role("button", name=re.compile("^Move up"))).to_have_count(0)

    # Attendance: three of the four required disciplines, then the fourth.
    form = page.locator("#attendance")
    for role in (Role.ORTHOPEDIC_ONCOLOGIST, Role.RADIOLOGIST, Role.PATHOLOGIST):
        form.locator(f"input[name=present][value='{people[role]}']").check()
    form.get_by_role("button", name="Save attendance").click()
    expect(page.locator(".quorum")).to_contain_text("Not quorate")
    expect(page.locator(".quorum")).to_contain_text("Medical oncology")
    page.locator("#attendance").locator(
        f"input[name=present][value='{people[Role.MEDICAL_ONCOLOGIST]}']"
    ).check()
    page.locator("#attendance").get_by_role("button", name="Save attendance").click()
    expect(page.locator(".quorum")).to_contain_text("Quorate")
    page.set_viewport_size({"width": 820, "height": 1180})
    page.screenshot(path=SHOTS.format("published-tablet"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    # Run the meeting in presentation mode.
    page.get_by_role("button", name="Start meeting").click()
    # Wait for the started meeting's page before following its link.
    expect(page.locator(".meeting-when .mstatus")).to_have_text("In progress")
    page.get_by_role("link", name="Presentation mode").click()
    expect(page.locator(".present-count")).to_contain_text("Case 1 of 3")
    expect(page.get_by_label("Patient")).to_contain_text(names[2])
    expect(page.locator("#timer")).to_have_text(
        re.compile(r"^0:[0-5]\d of 15:00 planned$")
    )
    page.screenshot(path=SHOTS.format("present"), full_page=True)
    page.wait_for_load_state()
    # Without a recommendation, the board's reason; the screen stays on the case.
    page.keyboard.press("d")
    page.get_by_label("Why the board gives no recommendation").fill(
        "For information: the plan was agreed last week."
    )
    page.get_by_role("button", name="Mark discussed without a recommendation").click()
    expect(page.locator(".flash-success")).to_contain_text("marked discussed.")
    expect(page.locator(".present-count")).to_contain_text("Case 1 of 3")
    expect(page.locator(".stage-head .istatus")).to_have_text("Discussed")
    page.wait_for_load_state()
    page.keyboard.press("ArrowRight")

    expect(page.locator(".present-count")).to_contain_text("Case 2 of 3")
    expect(page.get_by_label("Patient")).to_contain_text(names[0])
    expect(page.locator("p.question")).to_have_text("Biopsy route and staging?")
    page.wait_for_load_state()
    page.keyboard.press("ArrowLeft")
    expect(page.locator(".present-count")).to_contain_text("Case 1 of 3")
    expect(page.locator(".stage-head .istatus")).to_have_text("Discussed")
    page.get_by_role("link", name="Next →").click()
    expect(page.locator(".present-count")).to_contain_text("Case 2 of 3")
    page.wait_for_load_state()
    page.keyboard.press("d")
    page.get_by_label("Why the board gives no recommendation").fill(
        "Awaiting the biopsy result."
    )
    page.get_by_role("button", name="Mark discussed without a recommendation").click()
    expect(page.locator(".flash-success")).to_contain_text("marked discussed.")
    page.wait_for_load_state()
    page.keyboard.press("ArrowRight")

    expect(page.locator(".present-count")).to_contain_text("Case 3 of 3")
    page.wait_for_load_state()
    page.keyboard.press("d")
    page.get_by_text("Defer to the next meeting").click()
    page.get_by_label("Reason for deferring").fill(
        "MRI of the whole femur still outstanding"
    )
    page.get_by_role("button", name="Defer", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text("was deferred")

    page.get_by_role("link", name="Exit").click()
    page.get_by_role("link", name="Close meeting").click()
    page.get_by_role("button", name="Close the meeting").click()
    expect(page.get_by_text("Meeting closed; its quorum was recorded.")).to_be_visible()
    expect(page.locator(".meeting-when .mstatus")).to_have_text("Closed")
    expect(page.locator("#agenda ol.agenda > li")).to_have_count(2)
    page.screenshot(path=SHOTS.format("closed"), full_page=True)
