"""Access follows the work, in a real browser: a clinician on no board of a
case finds it by its reference, sees it masked, breaks the glass with a
reason, reads it under the banner; the privacy officer reviews the grant."""

from __future__ import annotations

import re
import uuid

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.conftest import LiveServer, login
from tests.meetings.factories import make_board
from tumorboard.auth.models import User
from tumorboard.auth.permissions import Role
from tumorboard.extensions import db

RESTRICTED_SHOT = "/tmp/browser-break-glass-masked.png"
BANNER_SHOT = "/tmp/browser-break-glass-banner.png"
REVIEW_SHOT = "/tmp/browser-break-glass-review.png"


def _case_elsewhere(live_server: LiveServer) -> tuple[int, str, str, str]:
    """A case of a board the outsider does not sit on; its id, reference,
    patient family name and MRN."""
    tag = uuid.uuid4().hex[:6].upper()
    with live_server.app.app_context():
        lead = db.session.scalar(
            sa.select(User).where(
                User.email == live_server.account(Role.ORTHOPEDIC_ONCOLOGIST).email
            )
        )
        board = make_board(members=[lead], name=f"Browser pelvic board {tag}")
        family = f"Blackwood{tag}"
        patient = factories.make_patient(family_name=family, mrn=f"BG{tag}")
        case = factories.make_case(
            patient, board_id=board.id, lead_clinician_id=lead.id
        )
        db.session.commit()
        found = (case.id, case.reference, family, patient.mrn)
        db.session.remove()
    return found


def test_break_glass_from_search_to_review(page: Page, live_server: LiveServer):
    case_id, reference, family, mrn = _case_elsewhere(live_server)
    outsider = live_server.account(Role.PAEDIATRIC_ONCOLOGIST)
    login(page, live_server, outsider.email, outsider.password)

    # Searching by name finds nothing: the case is outside the outsider's work.
    page.goto(f"{live_server.url}/cases/?q={family}")
    expect(page.get_by_role("table")).to_have_count(0)

    # The reference finds it, masked: board and status, no name, no MRN.
    search = page.get_by_role("searchbox").first
    search.fill(reference)
    search.press("Enter")
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("Restricted")
    expect(row).to_contain_text("Browser pelvic board")
    expect(page.get_by_role("main")).not_to_contain_text(family.upper())
    expect(page.get_by_role("main")).not_to_contain_text(mrn)
    page.screenshot(path=RESTRICTED_SHOT, full_page=True)

    # Opening it offers break-glass; a missing reason is refused, text kept.
    row.get_by_role("link").click()
    expect(
        page.get_by_role("heading", name=f"{reference} is outside your work")
    ).to_be_visible()
    explanation = "Seen tonight in the emergency department with a fracture."
    page.get_by_label("Explain in a sentence").fill(explanation)
    page.get_by_role("button", name=re.compile(r"^Open TB-")).click()
    expect(page.get_by_text("Choose why you need this case.")).to_be_visible()
    expect(page.get_by_label("Explain in a sentence")).to_have_value(explanation)

    page.get_by_label("Why do you need this case?").select_option(
        label="Emergency care"
    )
    page.get_by_role("button", name=re.compile(r"^Open TB-")).click()
    expect(page).to_have_url(re.compile(rf"/cases/{case_id}$"))
    banner = page.get_by_role("alert").filter(has_text="Break-glass access")
    expect(banner).to_contain_text(reference)
    expect(page.get_by_role("main")).to_contain_text(family.upper())
    page.screenshot(path=BANNER_SHOT, full_page=True)

    # The privacy officer lands on the reviews and closes this grant.
    page.get_by_role("button", name="Sign out").click()
    officer = live_server.account(Role.PRIVACY_OFFICER)
    login(page, live_server, officer.email, officer.password)
    expect(page.get_by_role("heading", name="Break-glass reviews")).to_be_visible()
    grant_row = page.get_by_role("row").filter(has_text=reference)
    expect(grant_row).to_contain_text("Emergency care")
    expect(grant_row).to_contain_text(outsider.name)
    expect(page.get_by_role("main")).not_to_contain_text(family.upper())
    grant_row.get_by_role("link", name=re.compile("Review")).click()
    expect(page.get_by_role("main")).to_contain_text(f"Viewed case {reference}")
    expect(page.get_by_role("main")).not_to_contain_text(family.upper())
    page.get_by_label("Review note").fill("Confirmed with the ED consultant.")
    page.screenshot(path=REVIEW_SHOT, full_page=True)
    page.get_by_role("button", name="Mark reviewed").click()
    expect(page.get_by_text(re.compile(r"Grant \d+ marked reviewed."))).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=reference)).to_have_count(0)
