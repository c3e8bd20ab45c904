"""A password set by an administrator in a real browser: the administrator
confirms with their own password, the new colleague signs in, is held on the
password page until they chose their own, then lands on the home page."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, login
from tumorboard.auth.permissions import Role

ADMIN_SET = "lantern-meadow-copper-4"
OWN = "violet-harbour-kettle-9"


def test_admin_set_password_must_be_changed_before_anything_else(
    page: Page, live_server: LiveServer
):
    email = f"new.colleague.{uuid.uuid4().hex[:8]}@browser.example.org"
    admin = live_server.account(Role.ADMIN)
    login(page, live_server, admin.email, admin.password)

    page.goto(f"{live_server.url}/admin/users/new")
    page.get_by_label("Full name").fill("Dr Wren Osei")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Role").select_option("nurse_specialist")
    page.get_by_label("Initial password").fill(ADMIN_SET)
    page.get_by_label("Your own password (to confirm)").fill(admin.password)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Account created for Dr Wren Osei")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    login(page, live_server, email, ADMIN_SET)
    expect(page).to_have_url(re.compile(r"/account/password$"))
    expect(page.get_by_text("An administrator set your password")).to_be_visible()

    # Any other page leads back here until the password is changed.
    page.goto(f"{live_server.url}/cases/mine")
    expect(page).to_have_url(re.compile(r"/account/password$"))

    page.get_by_label("Current password").fill(ADMIN_SET)
    page.get_by_label("New password", exact=True).fill(OWN)
    page.get_by_label("Repeat the new password").fill(OWN)
    page.get_by_role("button", name="Change password").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    expect(page.get_by_text("Your password was changed.")).to_be_visible()
    page.goto(f"{live_server.url}/cases/mine")
    expect(page).to_have_url(re.compile(r"/cases/mine$"))
