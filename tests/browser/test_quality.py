"""The quality dashboard in Chromium: filter by board, drill down from the
quorum figure to the meetings behind it, download an indicator's CSV."""

from __future__ import annotations

import csv
import io

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, login
from tests.browser.test_accessibility import _violations
from tests.quality import dataset
from tumorboard.auth.permissions import Role
from tumorboard.extensions import db

SHOT = "/tmp/shots-quality-dashboard.png"
DRILL_SHOT = "/tmp/shots-quality-quorum-meetings.png"


def test_filter_drill_down_and_download(page: Page, live_server: LiveServer):
    with live_server.app.app_context():
        data = dataset.build(suffix=" (browser)")
        db.session.commit()
        board_id, board_name = data.sarcoma.id, data.sarcoma.name
        first_meeting = data.meetings["m1"].id
    account = live_server.account(Role.COORDINATOR)
    login(page, live_server, account.email, account.password)
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Quality"
    ).click()
    expect(
        page.get_by_role("heading", name="Quality indicators", level=1)
    ).to_be_visible()

    # A range that ends before it starts is refused on the field.
    page.get_by_label("From", exact=True).fill("2026-03-31")
    page.get_by_label("To", exact=True).fill("2026-01-01")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#end-error")).to_contain_text("before it starts")

    page.get_by_label("From", exact=True).fill("2026-01-01")
    page.get_by_label("To", exact=True).fill("2026-03-31")
    page.get_by_label("Board", exact=True).select_option(str(board_id))
    page.get_by_role("button", name="Apply").click()
    quorum = page.locator("#quorum")
    expect(quorum.locator(".headline")).to_contain_text("50%")
    expect(quorum.locator(".headline")).to_contain_text("1 of 2 meetings")
    chart = quorum.get_by_role("img", name="Quorate meetings by month")
    expect(chart).to_be_visible()
    assert _violations(page) == []
    page.screenshot(path=SHOT, full_page=True)

    # The CSV of the figure, for the same filters.
    with page.expect_download() as download:
        quorum.get_by_role("link", name="CSV of quorate meetings").click()
    with open(download.value.path(), encoding="utf-8") as downloaded:
        text = downloaded.read()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[-1] == ["all", "1", "2", "0", "50.0"]
    assert download.value.suggested_filename == "quorum-2026-01-01-2026-03-31.csv"

    # Drill down from the figure to the meetings behind it.
    quorum.get_by_role("link", name="2 meetings").click()
    expect(page.get_by_role("heading", name="Quorate meetings")).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(board_name)
    expect(page.get_by_text("Tue 10 Feb 2026")).to_be_visible()
    page.screenshot(path=DRILL_SHOT, full_page=True)
    page.get_by_role("link", name="Tue 13 Jan 2026").click()
    expect(page).to_have_url(f"{live_server.url}/meetings/{first_meeting}")


TEACHING_SHOT = "/tmp/shots-quality-teaching.png"


def test_teaching_view_from_the_case_page(page: Page, live_server: LiveServer):
    with live_server.app.app_context():
        from tests import factories
        from tests.recommendations import factories as rf
        from tumorboard.recommendations import services as recommendations

        patient = factories.make_patient(given_name="Rosalind", family_name="Tegwen")
        case = factories.make_case(
            patient, presentation="Rosalind Tegwen: pain since 3 March 2026."
        )
        setup = rf.discussed_item(case=case)
        recommendations.record_recommendation(
            factories.make_user("coordinator"), setup.item, rf.rec_data()
        )
        db.session.commit()
        case_id = case.id
    account = live_server.account(Role.ORTHOPEDIC_ONCOLOGIST)
    login(page, live_server, account.email, account.password)
    page.goto(f"{live_server.url}/cases/{case_id}")
    page.get_by_role("link", name="De-identified for teaching").click()
    expect(page.get_by_role("note")).to_contain_text("De-identified — for teaching")
    main = page.locator("main")
    expect(main).to_contain_text("[name] [name]: pain since [date].")
    expect(main).not_to_contain_text("Tegwen")
    assert _violations(page) == []
    page.screenshot(path=TEACHING_SHOT, full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF for teaching").click()
    assert download.value.suggested_filename == "teaching-case.pdf"
