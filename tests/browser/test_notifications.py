"""The radiologist's notification count changes when the coordinator lists a
case for a meeting of the radiologist's board; the notification opens the
case, and the settings page is keyboard-usable."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from tests import factories
from tests.browser.conftest import TIMEOUT_MS, LiveServer, login
from tumorboard.auth.models import User
from tumorboard.auth.permissions import Role
from tumorboard.cases.models import CaseStatus
from tumorboard.db import utcnow
from tumorboard.extensions import db
from tumorboard.meetings.models import Board, Meeting

SHOTS = "/tmp/shots-notifications-{}.png"


def _setup(live_server: LiveServer, tag: str) -> tuple[int, int, str]:
    """A board the radiologist sits on, a meeting next week, a ready case."""
    with live_server.app.app_context():
        radiologist = db.session.scalar(
            sa.select(User).where(
                User.email == live_server.account(Role.RADIOLOGIST).email
            )
        )
        board = Board(
            name=f"Browser notification board {tag}",
            kind="bone_sarcoma",
            required_disciplines=["radiology"],
            weekday=1,
            start_time=utcnow().time().replace(second=0, microsecond=0),
            timezone="Europe/London",
            duration_minutes=120,
            minutes_per_case=15,
            capacity=8,
        )
        coordinator = db.session.scalar(
            sa.select(User).where(
                User.email == live_server.account(Role.COORDINATOR).email
            )
        )
        board.members = [radiologist, coordinator]
        db.session.add(board)
        db.session.flush()
        starts = utcnow().replace(second=0, microsecond=0) + timedelta(days=6)
        meeting = Meeting(
            board_id=board.id, starts_at=starts, ends_at=starts + timedelta(hours=2)
        )
        db.session.add(meeting)
        family = f"Notify{tag}"
        case = factories.make_case(
            factories.make_patient(family_name=family), status=CaseStatus.READY
        )
        db.session.commit()
        return meeting.id, case.id, f"{family.upper()}, Alex"


def _unread(page: Page) -> int:
    link = page.locator("#nav-notifications")
    expect(link).to_be_visible()
    count = link.locator(".nav-count")
    return int(re.sub(r"\D", "", count.inner_text())) if count.count() else 0


def test_the_radiologists_count_changes_when_a_case_is_listed(
    page: Page, browser: Browser, live_server: LiveServer
):
    tag = uuid.uuid4().hex[:6].upper()
    meeting_id, case_id, name = _setup(live_server, tag)
    radiologist = live_server.account(Role.RADIOLOGIST)
    login(page, live_server, radiologist.email, radiologist.password)
    before = _unread(page)

    # The coordinator, in another browser, lists the case.
    other = browser.new_context(viewport={"width": 1280, "height": 900})
    other.set_default_timeout(TIMEOUT_MS)
    coordinator_page = other.new_page()
    try:
        coordinator = live_server.account(Role.COORDINATOR)
        login(coordinator_page, live_server, coordinator.email, coordinator.password)
        coordinator_page.goto(f"{live_server.url}/meetings/{meeting_id}")
        coordinator_page.locator("#ready-pool").get_by_role(
            "link", name=re.compile(re.escape(name))
        ).click()
        coordinator_page.get_by_role("button", name="Add to agenda").click()
        expect(coordinator_page.get_by_text("added to the agenda.")).to_be_visible()
    finally:
        other.close()

    page.reload()
    assert _unread(page) == before + 1
    expect(page.locator("#nav-notifications")).to_contain_text(f"{before + 1} unread")
    page.locator("#nav-notifications").click()
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    reference = f"TB-{case_id:05d}"
    item = page.locator(".notification-list li").filter(has_text=reference)
    expect(item).to_contain_text(f"A radiology review is needed for {reference}")
    expect(item).not_to_contain_text(name)
    page.screenshot(path=SHOTS.format("list"), full_page=True)

    # Open it with the keyboard: it is marked read and the case opens.
    item.get_by_role("button", name=re.compile("^Open")).focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/cases/{case_id}$"))
    assert _unread(page) == before

    # The settings page: one choice per kind, saved with the keyboard.
    page.goto(f"{live_server.url}/notifications/preferences")
    page.get_by_role("radio", name=re.compile("^In the app only")).first.check()
    page.get_by_role("button", name="Save settings").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Notification settings saved.")).to_be_visible()
    page.screenshot(path=SHOTS.format("preferences"), full_page=True)


def test_a_mention_is_completed_from_the_keyboard_and_reaches_the_outbox(
    page: Page, browser: Browser, live_server: LiveServer
):
    tag = uuid.uuid4().hex[:6].upper()
    with live_server.app.app_context():
        case = factories.make_case(
            factories.make_patient(family_name=f"Mention{tag}"),
            status=CaseStatus.WORKUP,
        )
        db.session.commit()
        case_id = case.id
    ortho = live_server.account(Role.ORTHOPEDIC_ONCOLOGIST)
    login(page, live_server, ortho.email, ortho.password)
    page.goto(f"{live_server.url}/cases/{case_id}")
    box = page.locator("#annotation-body")
    box.click()
    box.press_sequentially("Please check the skip lesion @radiolo")
    option = page.get_by_role("option", name=re.compile("Dr Ray Radiologist"))
    expect(option).to_be_visible()
    page.screenshot(path=SHOTS.format("mention"), full_page=False)
    box.press("Enter")
    expect(box).to_have_value("Please check the skip lesion @radiologist ")
    page.get_by_role("button", name="Add annotation").click()
    expect(page.get_by_text("Annotation added.")).to_be_visible()

    # The administrator reads the e-mail in the outbox (no mail server here).
    admin = live_server.account(Role.ADMIN)
    other = browser.new_context(viewport={"width": 1280, "height": 900})
    other.set_default_timeout(TIMEOUT_MS)
    admin_page = other.new_page()
    try:
        login(admin_page, live_server, admin.email, admin.password)
        admin_page.goto(f"{live_server.url}/admin/outbox/")
        expect(admin_page.get_by_text("No mail server is configured")).to_be_visible()
        row = admin_page.locator("tr").filter(has_text=f"Mentioned: TB-{case_id:05d}")
        expect(row).to_contain_text(live_server.account(Role.RADIOLOGIST).email)
        expect(row).not_to_contain_text(f"Mention{tag}")
        admin_page.screenshot(path=SHOTS.format("outbox"), full_page=True)
    finally:
        other.close()
