"""In a real browser: the count beside "My work" follows the drafts waiting
for the chair's signature and goes down when one is signed; the coordinator
records a patient's GP and sees it on the patient's record."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.conftest import LiveServer, login
from tests.browser.test_accessibility import _violations
from tests.browser.test_recommendations import _seed_meeting, _sign_in
from tests.recommendations import factories as rf
from tumorboard.auth.models import User
from tumorboard.auth.permissions import Role
from tumorboard.cases.models import Case
from tumorboard.extensions import db
from tumorboard.meetings.models import AgendaItem, AgendaItemStatus, Board, Meeting
from tumorboard.recommendations import services as rec_services

SHOTS = "/tmp/shots-signature-count-{}.png"


def _chair_with_two_drafts(live_server: LiveServer) -> tuple[str, int]:
    """A new chair (their own account, so no other test's drafts count) of a
    meeting with two discussed items whose drafts wait for their signature;
    returns the chair's email and the meeting's first case's patient id."""
    meeting_id, items = _seed_meeting(live_server)
    with live_server.app.app_context():
        chair = factories.make_user(
            "medical_oncologist",
            email=f"chair-{uuid.uuid4().hex[:8]}@browser.example.org",
            name="Dr Chara Chair",
        )
        meeting = db.session.get(Meeting, meeting_id)
        meeting.chair_id = chair.id
        # A chair sits on the board: they read its cases.
        factories.join_board(chair, db.session.get(Board, meeting.board_id))
        coordinator = db.session.scalar(
            db.select(User).where(
                User.email == live_server.account(Role.COORDINATOR).email
            )
        )
        patient_id = None
        for item_id, _reference in items[:2]:
            item = db.session.get(AgendaItem, item_id)
            item.status = AgendaItemStatus.DISCUSSED
            rec_services.record_recommendation(coordinator, item, rf.rec_data())
            patient_id = patient_id or db.session.get(Case, item.case_id).patient_id
        db.session.commit()
        email = chair.email
        db.session.remove()
    return email, patient_id


def _my_work(page: Page):
    return page.get_by_role("navigation", name="Main").get_by_role(
        "link", name=re.compile(r"^My work")
    )


def test_the_count_follows_the_drafts_and_the_gp_is_recorded(
    page: Page, live_server: LiveServer
):
    email, patient_id = _chair_with_two_drafts(live_server)
    page.goto(f"{live_server.url}/")
    if page.get_by_role("button", name="Sign out").count():
        page.get_by_role("button", name="Sign out").click()
    login(page, live_server, email, factories.PASSWORD)

    link = _my_work(page)
    expect(link).to_have_accessible_name(
        "My work, 2 recommendations waiting for your signature"
    )
    expect(link).to_have_text(re.compile(r"My work \(2\)"))
    page.goto(f"{live_server.url}/cases/")
    expect(_my_work(page).locator(".nav-count")).to_have_text("(2)")
    page.screenshot(path=SHOTS.format("nav"))
    assert _violations(page) == []

    # Sign one from the home page's list: the count goes down to one.
    page.goto(f"{live_server.url}/")
    page.locator("section#signature a").first.click()
    page.get_by_role("link", name="Review and sign revision 1").click()
    page.get_by_label("Your password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign revision 1").click()
    expect(page.get_by_text(re.compile("Revision 1 signed for"))).to_be_visible()
    expect(_my_work(page)).to_have_accessible_name(
        "My work, 1 recommendation waiting for your signature"
    )

    # The coordinator never signs: no count. They record the patient's GP.
    _sign_in(page, live_server, Role.COORDINATOR)
    expect(_my_work(page)).to_have_accessible_name("My work")
    page.goto(f"{live_server.url}/patients/{patient_id}")
    expect(page.get_by_text("No GP recorded.")).to_be_visible()
    page.get_by_role("link", name="Edit patient").click()
    page.get_by_label("GP's name").fill("Dr Ruth Calder")
    page.get_by_label("GP practice and address").fill(
        "Brookside Medical Practice, 4 Mill Lane, Eastfield"
    )
    page.screenshot(path=SHOTS.format("gp-form"), full_page=True)
    assert _violations(page) == []
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Patient record updated.")).to_be_visible()
    gp = page.locator(
        "section", has=page.get_by_role("heading", name="General practitioner")
    )
    expect(gp).to_contain_text("Dr Ruth Calder")
    expect(gp).to_contain_text("Brookside Medical Practice, 4 Mill Lane, Eastfield")
    page.screenshot(path=SHOTS.format("patient"), full_page=True)
    assert _violations(page) == []
