"""The printable agenda as Chromium prints it: A4 landscape, every column
readable, the question in full."""

from __future__ import annotations

from datetime import UTC, datetime

from playwright.sync_api import Page
from pypdf import PdfReader

from tests import factories
from tests.browser.conftest import LiveServer, login
from tests.documents.test_print_agenda import LONG_QUESTION
from tests.recommendations import factories as rf
from tumorboard.auth.permissions import Role
from tumorboard.extensions import db
from tumorboard.meetings.models import AgendaItemStatus, MeetingStatus

SHOT = "/tmp/shots-print-agenda.png"
PDF = "/tmp/print-agenda.pdf"


def test_printed_agenda_fits_a4_with_a_readable_question(
    page: Page, live_server: LiveServer
):
    with live_server.app.app_context():
        board = rf.make_board(start_time=datetime(2026, 1, 1, 16, 0).time())
        meeting = rf.make_meeting(
            board,
            starts_at=datetime(2026, 12, 8, 16, 0, tzinfo=UTC),
            status=MeetingStatus.PUBLISHED,
        )
        for index in range(3):
            rf.make_item(
                meeting,
                factories.make_case(factories.make_patient()),
                status=AgendaItemStatus.LISTED,
                planned_minutes=15,
                question=LONG_QUESTION if index == 0 else f"Short question {index}",
            )
        db.session.commit()
        meeting_id = meeting.id
    account = live_server.account(Role.COORDINATOR)
    login(page, live_server, account.email, account.password)
    page.goto(f"{live_server.url}/meetings/{meeting_id}/print")
    page.emulate_media(media="print")
    # A4 landscape at 96 dpi, less the margins.
    page.set_viewport_size({"width": 1047, "height": 720})
    page.screenshot(path=SHOT, full_page=True)

    question = page.locator("td.question").first
    box = question.bounding_box()
    table = page.locator("table.print-items").bounding_box()
    assert box and table
    # The widest column (over a fifth of the table), a few lines high at most.
    widths = [
        cell.bounding_box()["width"]
        for cell in page.locator("table.print-items tbody tr").first.locator("td").all()
    ]
    assert box["width"] == max(widths)
    assert box["width"] > table["width"] * 0.2
    assert box["height"] < 160
    assert page.locator(".topbar").is_hidden()

    page.pdf(path=PDF, prefer_css_page_size=True, print_background=False)
    reader = PdfReader(PDF)
    first = reader.pages[0]
    width, height = float(first.mediabox.width), float(first.mediabox.height)
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, points
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "16:00" in text and "16:15" in text and "16:30" in text
    assert " ".join(LONG_QUESTION.split()[-6:]) in text
