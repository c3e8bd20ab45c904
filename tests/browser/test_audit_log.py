"""The audit log in a real browser: a clinician's list read and refused page,
then the administrator finds both and sees references, not names."""

from __future__ import annotations

import uuid

from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.conftest import LiveServer, login
from tumorboard.auth.permissions import Role
from tumorboard.extensions import db

LIST_SCREENSHOT = "/tmp/browser-audit-list-read.png"
REFUSED_SCREENSHOT = "/tmp/browser-audit-refused.png"


def _case(live_server: LiveServer, family_name: str) -> tuple[str, str]:
    """A case of a new patient; its case and patient references."""
    with live_server.app.app_context():
        patient = factories.make_patient(family_name=family_name)
        case = factories.make_case(patient)
        db.session.commit()
        references = case.reference, patient.reference
        db.session.remove()
    return references


def _sign_in(page: Page, live_server: LiveServer, role: Role) -> None:
    account = live_server.account(role)
    login(page, live_server, account.email, account.password)


def test_admin_finds_a_list_read_and_a_refused_page(page: Page, live_server):
    family = f"Audit{uuid.uuid4().hex[:8]}"
    case_ref, patient_ref = _case(live_server, family)

    _sign_in(page, live_server, Role.COORDINATOR)
    page.goto(f"{live_server.url}/cases/?q={family}")
    expect(page.get_by_role("cell", name=case_ref)).to_be_visible()
    page.goto(f"{live_server.url}/admin/audit/")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    _sign_in(page, live_server, Role.ADMIN)
    page.goto(f"{live_server.url}/admin/audit/")
    page.get_by_label("Action starts with").fill("case.list")
    page.get_by_role("button", name="Apply").click()
    row = page.get_by_role("row").filter(has_text="Viewed the case list (1 case)")
    expect(row.first).to_be_visible()
    row.first.get_by_text("1 case, 1 patient").click()
    expect(row.first.get_by_text(case_ref)).to_be_visible()
    expect(row.first.get_by_text(patient_ref)).to_be_visible()
    expect(row.first.get_by_text("(search text not shown)")).to_be_visible()
    # The administrator never sees the name that was searched.
    expect(page.get_by_text(family)).to_have_count(0)
    page.screenshot(path=LIST_SCREENSHOT, full_page=True)

    page.get_by_label("Action starts with").fill("")
    page.get_by_label("Record type").select_option(label="Refused request")
    page.get_by_role("button", name="Apply").click()
    refused = page.get_by_role("row").filter(has_text="Refused GET /admin/audit/")
    expect(refused.first).to_be_visible()
    expect(refused.first.get_by_text("access.denied")).to_be_visible()
    expect(refused.first.get_by_text("Cora Coordinator")).to_be_visible()
    page.screenshot(path=REFUSED_SCREENSHOT, full_page=True)
