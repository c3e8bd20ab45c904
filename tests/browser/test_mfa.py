"""Multi-factor sign-in in a real browser: a new administrator is sent to
enrolment, scans (here: reads) the key, keeps the recovery codes, then signs in
with an authenticator code and later with a recovery code."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, fresh_code, login
from tests.browser.test_accessibility import _violations
from tests.factories import PASSWORD
from tumorboard.auth import mfa
from tumorboard.auth.permissions import Role
from tumorboard.auth.services import create_user
from tumorboard.extensions import db

#: Where screenshots go (set TUMORBOARD_SCREENSHOTS to keep them).
SHOTS = os.environ.get("TUMORBOARD_SCREENSHOTS")


def _shot(page: Page, name: str) -> None:
    """Screenshot the page (when asked to) and check it with axe-core."""
    assert _violations(page) == [], name
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _new_admin(live_server: LiveServer) -> str:
    email = f"admin.{uuid.uuid4().hex[:8]}@browser.example.org"
    with live_server.app.app_context():
        create_user(
            None, email=email, name="Ines Okoro", role=Role.ADMIN, password=PASSWORD
        )
        db.session.commit()
        db.session.remove()
    return email


def _password_step(page: Page, live_server: LiveServer, email: str) -> None:
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_enrol_then_sign_in_with_a_code_and_with_a_recovery_code(
    page: Page, live_server: LiveServer
):
    email = _new_admin(live_server)
    login(page, live_server, email, PASSWORD)

    # Mandatory for administrators: enrolment before anything else.
    expect(page).to_have_url(re.compile(r"/account/mfa$"))
    expect(
        page.get_by_text("Your account must use multi-factor sign-in")
    ).to_be_visible()
    qr = page.get_by_role("img", name=re.compile("QR code"))
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 100  # the image did load
    page.goto(f"{live_server.url}/cases/mine")
    expect(page).to_have_url(re.compile(r"/account/mfa$"))
    _shot(page, "mfa-enrol")

    key = page.locator("#mfa-key").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", key)
    secret = key.replace(" ", "")
    wrong = mfa.code_at(secret, mfa.current_step() + 5)
    page.get_by_label("Authentication code").fill(wrong)
    page.get_by_role("button", name="Confirm and turn on").click()
    expect(
        page.get_by_text("Multi-factor sign-in is not turned on yet")
    ).to_be_visible()
    page.get_by_label("Authentication code").fill(
        fresh_code(live_server, email, secret)
    )
    page.get_by_role("button", name="Confirm and turn on").click()

    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.get_by_text("These codes are shown only now.")).to_be_visible()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    assert all(re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", c) for c in codes)
    _shot(page, "mfa-recovery-codes")
    page.get_by_role("link", name="I have kept my codes; continue").click()
    expect(page).to_have_url(f"{live_server.url}/admin/users")
    page.get_by_role("button", name="Sign out").click()

    # Password, then the authenticator code.
    _password_step(page, live_server, email)
    expect(page).to_have_url(re.compile(r"/login/verify$"))
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    _shot(page, "mfa-verify")
    page.get_by_label("Authentication code").fill("12ab56")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("The code is the 6 digits")).to_be_visible()
    _shot(page, "mfa-verify-error")
    page.get_by_label("Authentication code").fill(
        fresh_code(live_server, email, secret)
    )
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{live_server.url}/admin/users")
    page.get_by_role("button", name="Sign out").click()

    # Password, then a recovery code instead.
    _password_step(page, live_server, email)
    page.get_by_role("link", name="Use a recovery code").click()
    expect(page.get_by_role("heading", name="Use a recovery code")).to_be_visible()
    _shot(page, "mfa-recovery")
    page.get_by_label("Recovery code").fill(codes[4].upper())
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{live_server.url}/admin/users")

    page.get_by_role("link", name="Sign-in codes").click()
    expect(page.get_by_text("You have 9 unused recovery codes of 10.")).to_be_visible()
    expect(page.get_by_text("cannot be turned off")).to_be_visible()
    _shot(page, "mfa-status")

    # Another administrator's account page offers the reset, with step-up.
    page.goto(f"{live_server.url}/admin/users")
    page.get_by_role("link", name="Ada Admin").click()
    section = page.locator(
        "section", has=page.get_by_role("heading", name="Multi-factor sign-in")
    )
    expect(section.get_by_text("On", exact=True)).to_be_visible()
    expect(
        section.get_by_role("button", name="Reset multi-factor sign-in")
    ).to_be_visible()
    _shot(page, "mfa-admin-user-page")
