"""An amendment in a real browser: the signed revision keeps its
implementation status and action item while the amendment is a draft, and
the chair's signature carries them over to the new revision."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.test_recommendations import (
    PLANS,
    _mark_discussed,
    _record,
    _seed_meeting,
    _sign_in,
)
from tumorboard.auth.permissions import Role
from tumorboard.db import today

SHOTS = "/tmp/shots-amendments"


def test_an_amendment_keeps_the_loop_closed(page: Page, live_server: LiveServer):
    meeting_id, items = _seed_meeting(live_server)
    item_id, reference = items[0]
    _sign_in(page, live_server, Role.COORDINATOR)
    _mark_discussed(page, live_server, meeting_id, item_id)
    rec_id = _record(page, live_server, meeting_id, item_id, PLANS[1])

    # The chair (also the lead clinician) signs, adds an action and records
    # that the recommendation is in progress.
    _sign_in(page, live_server, Role.ORTHOPEDIC_ONCOLOGIST)
    page.goto(f"{live_server.url}/recommendations/{rec_id}")
    page.get_by_role("link", name="Review and sign revision 1").click()
    page.get_by_label("Your password").fill(
        live_server.account(Role.ORTHOPEDIC_ONCOLOGIST).password
    )
    page.get_by_role("button", name="Sign revision 1").click()
    expect(page.get_by_text(f"Revision 1 signed for {reference}.")).to_be_visible()
    page.get_by_label("Action", exact=True).fill("Book staging CT of the chest")
    page.get_by_label("Owner").select_option(
        label=f"{live_server.account(Role.RADIOLOGIST).name} (Radiologist)"
    )
    page.get_by_label("Due").fill((today() + timedelta(days=5)).isoformat())
    page.get_by_role("button", name="Add action").click()
    expect(page.get_by_text("Action item added.")).to_be_visible()
    page.get_by_label("Implementation status").select_option(label="In progress")
    page.get_by_label("Date", exact=True).fill(today().isoformat())
    page.get_by_role("button", name="Save implementation").click()
    expect(page.get_by_text("Implementation recorded: In progress.")).to_be_visible()

    # The coordinator starts an amendment: a draft, and revision 1 stays in force.
    _sign_in(page, live_server, Role.COORDINATOR)
    page.goto(f"{live_server.url}/recommendations/{rec_id}")
    page.get_by_role("link", name="Amend").click()
    page.get_by_label("Reason for the amendment").fill(
        "MRI shows a skip lesion: biopsy both sites."
    )
    page.get_by_label("Recommendation (free text)").fill(
        "Core needle biopsy of both lesions after whole-body MRI."
    )
    page.get_by_role("button", name="Create revision 2").click()
    expect(page.locator(".flash-success")).to_contain_text(
        "Revision 1 stays in force until the chair signs it."
    )
    amendment_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator(".amendment-note")).to_contain_text(
        "This amendment is a draft awaiting the chair's signature."
    )
    expect(page.locator("h1 .rec-state")).to_have_text("Draft")
    page.screenshot(path=f"{SHOTS}-draft.png", full_page=True)

    page.goto(f"{live_server.url}/recommendations/{rec_id}")
    expect(page.locator("h1 .rec-state")).to_have_text("Signed")
    expect(page.locator(".amendment-note")).to_contain_text(
        "Revision 2 is a draft amendment awaiting the chair's signature."
    )
    expect(page.locator("#impl-heading + p .impl")).to_have_text("In progress")
    expect(page.locator("table.actions-table")).to_contain_text(
        "Book staging CT of the chest"
    )
    expect(page.get_by_role("link", name="Amend", exact=True)).to_have_count(0)
    page.screenshot(path=f"{SHOTS}-signed-while-draft.png", full_page=True)

    # The chair signs the amendment: status and action carry over.
    _sign_in(page, live_server, Role.ORTHOPEDIC_ONCOLOGIST)
    page.goto(f"{live_server.url}/recommendations/{amendment_id}")
    page.get_by_role("link", name="Review and sign revision 2").click()
    page.get_by_label("Your password").fill(
        live_server.account(Role.ORTHOPEDIC_ONCOLOGIST).password
    )
    page.get_by_role("button", name="Sign revision 2").click()
    expect(page.locator(".flash-success")).to_contain_text("Revision 2 signed")
    expect(page.locator("h1 .rec-state")).to_have_text("Signed")
    expect(page.locator("#impl-heading + p .impl")).to_have_text("In progress")
    expect(page.locator("table.actions-table")).to_contain_text(
        "Book staging CT of the chest"
    )
    page.screenshot(path=f"{SHOTS}-amendment-signed.png", full_page=True)

    page.goto(f"{live_server.url}/recommendations/{rec_id}")
    expect(page.locator("h1 .rec-state")).to_have_text("Superseded")
    expect(page.locator(".amendment-note")).to_contain_text(
        "the implementation status and the open action items moved to it"
    )
    expect(page.locator("table.actions-table")).to_have_count(0)
    page.screenshot(path=f"{SHOTS}-superseded.png", full_page=True)
