"""The chair's sign-off queue and the confirmations of irreversible steps, in a
real browser: My work lists the draft waiting, a wrong password signs nothing,
the right one signs; closing a meeting lists the undiscussed case first."""

from __future__ import annotations

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

SHOTS = "/tmp/shots-signoff"


def test_chair_signs_from_my_work_and_the_coordinator_confirms_closing(
    page: Page, live_server: LiveServer
):
    meeting_id, items = _seed_meeting(live_server)
    (first, reference), (second, _), (_third, waiting) = items
    _sign_in(page, live_server, Role.COORDINATOR)
    _mark_discussed(page, live_server, meeting_id, first)
    rec_id = _record(page, live_server, meeting_id, first, PLANS[0])
    _mark_discussed(page, live_server, meeting_id, second)

    # The chair finds the draft on My work.
    _sign_in(page, live_server, Role.ORTHOPEDIC_ONCOLOGIST)
    chair = live_server.account(Role.ORTHOPEDIC_ONCOLOGIST)
    page.goto(f"{live_server.url}/")
    queue = page.locator("section#signature")
    expect(queue).to_contain_text("Waiting for your signature")
    queue.get_by_role("link", name=reference).click()
    expect(page).to_have_url(f"{live_server.url}/recommendations/{rec_id}")
    page.get_by_role("link", name="Review and sign revision 1").click()

    # The confirmation page shows what is signed and asks for the password.
    signed = page.locator("section", has_text="What you are signing")
    expect(signed).to_contain_text(PLANS[0]["text"])
    expect(signed).to_contain_text("Limb-salvage resection with reconstruction")
    expect(signed).to_contain_text("Curative")
    page.get_by_label("Your password").fill("not the password")
    page.get_by_role("button", name="Sign revision 1").click()
    expect(page.locator("#password-error")).to_contain_text(
        "The password is not correct; nothing was signed."
    )
    page.screenshot(path=f"{SHOTS}-wrong-password.png", full_page=True)
    page.get_by_label("Your password").fill(chair.password)
    page.get_by_role("button", name="Sign revision 1").click()
    expect(page.get_by_text(f"Revision 1 signed for {reference}.")).to_be_visible()
    expect(page.locator("h1 .rec-state")).to_have_text("Signed")
    page.goto(f"{live_server.url}/")
    # Signed: no longer waiting (other drafts of this chair may be).
    expect(page.locator("section#signature a", has_text=reference)).to_have_count(0)

    # The coordinator closes the meeting: the undiscussed case is listed first.
    _sign_in(page, live_server, Role.COORDINATOR)
    page.goto(f"{live_server.url}/meetings/{meeting_id}")
    page.get_by_role("link", name="Close meeting").click()
    plan = page.locator("table.close-plan")
    expect(plan.locator("tbody tr")).to_have_count(1)
    expect(plan).to_contain_text(waiting)
    expect(plan).to_contain_text("returns to the ready pool")
    page.screenshot(path=f"{SHOTS}-close.png", full_page=True)
    page.get_by_role("button", name="Close the meeting and defer 1 case").click()
    expect(page.get_by_text("Meeting closed; its quorum was recorded.")).to_be_visible()
    expect(page.locator(".meeting-when .mstatus")).to_have_text("Closed")
