"""Your sessions in a real browser: the same person signed in from two
browsers signs one of them out from the other, which is sent to sign-in at
its next click."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Browser, expect

from tests.browser.conftest import TIMEOUT_MS, LiveServer, login
from tests.factories import PASSWORD
from tumorboard.auth.permissions import Role
from tumorboard.auth.services import create_user
from tumorboard.extensions import db

SHOTS = "/tmp/shots-sessions-{}.png"
WINDOWS_FIREFOX = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
)


def _own_account(live_server: LiveServer) -> str:
    """A coordinator of this test alone, so no other test's sessions show."""
    email = f"sessions.{uuid.uuid4().hex[:8]}@browser.example.org"
    with live_server.app.app_context():
        create_user(
            None,
            email=email,
            name="Sam Sessions",
            role=Role.COORDINATOR,
            password=PASSWORD,
        )
        db.session.commit()
        db.session.remove()
    return email


def _context(browser: Browser, **options):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **options)
    context.set_default_timeout(TIMEOUT_MS)
    return context


def test_signing_out_another_browser_from_your_sessions(
    browser: Browser, live_server: LiveServer
):
    email = _own_account(live_server)
    here, there = _context(browser), _context(browser, user_agent=WINDOWS_FIREFOX)
    try:
        mine, other = here.new_page(), there.new_page()
        login(mine, live_server, email, PASSWORD)
        login(other, live_server, email, PASSWORD)

        mine.get_by_role("link", name="Sessions").click()
        expect(mine.get_by_role("heading", name="Your sessions")).to_be_visible()
        rows = mine.locator("tbody tr")
        expect(rows).to_have_count(2)
        this_device = rows.filter(has_text="This device")
        expect(this_device).to_have_count(1)
        expect(this_device).to_contain_text("Chrome on Linux")
        firefox = rows.filter(has_text="Firefox on Windows")
        expect(firefox).to_contain_text("127.0.0.1")
        mine.screenshot(path=SHOTS.format("list"), full_page=True)

        firefox.get_by_role("button", name=re.compile("^Sign out")).click()
        expect(mine.get_by_text("That session is signed out.")).to_be_visible()
        expect(mine.locator("tbody tr")).to_have_count(1)
        expect(
            mine.get_by_role("button", name="Sign out everywhere else")
        ).to_have_count(0)

        # The other browser still shows its page; its next click meets sign-in.
        other.get_by_role("link", name="All cases").click()
        expect(other).to_have_url(re.compile(r"/login\?next="))
        expect(other.get_by_text("Your session has ended.")).to_be_visible()
        other.screenshot(path=SHOTS.format("signed-out"))

        # This browser carries on.
        mine.get_by_role("link", name="All cases").click()
        expect(mine).to_have_url(re.compile(r"/cases/$"))
    finally:
        here.close()
        there.close()
