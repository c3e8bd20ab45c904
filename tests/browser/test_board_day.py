"""Board day in a real browser: a whole meeting run from presentation mode on a
1920×1080 screen while an attendee follows the presenter on a tablet; key
images enlarged, the recommendation recorded from the side panel with every
error shown at once, signed with the password, amended and signed again with
its implementation and actions carried over; board pack, outcome letter and
minutes downloaded and read."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from tests.browser.conftest import CHROMIUM_ARGS, LiveServer, login  # noqa: F401
from tests.browser.test_recommendations import _seed_meeting, _sign_in
from tests.reviews.factories import make_performance, make_review
from tumorboard.attachments import services as attachments
from tumorboard.auth.disciplines import Discipline
from tumorboard.auth.models import User
from tumorboard.auth.permissions import Role
from tumorboard.cases.models import Case
from tumorboard.db import today
from tumorboard.extensions import db
from tumorboard.meetings.models import AgendaItem

SHOTS = "/tmp/shots-board-day"
FULL_HD = {"width": 1920, "height": 1080}
TABLET = {"width": 1280, "height": 800}


def _png(shade: int, label_width: int) -> io.BytesIO:
    """A synthetic grey-scale 'radiograph' (no real image data)."""
    image = Image.new("L", (800, 600), shade)
    for x in range(200, 200 + label_width):
        for y in range(250, 350):
            image.putpixel((x, y), 255 - shade)
    out = io.BytesIO()
    image.save(out, "PNG")
    out.seek(0)
    return out


def _prepare_first_case(live_server: LiveServer, meeting_id: int, item_id: int) -> str:
    """Reviews by every discipline, a performance status, two key images and
    one whose file is lost; an absent board member (the apologies). Returns the
    palliative-care physician's name."""
    with live_server.app.app_context():
        users = {
            role: db.session.scalar(
                sa.select(User).where(User.email == live_server.account(role).email)
            )
            for role in Role
            if role.value in live_server.accounts
        }
        item = db.session.get(AgendaItem, item_id)
        case = db.session.get(Case, item.case_id)
        case.site_code = "C40.2"
        authors = {
            Discipline.RADIOLOGY: users[Role.RADIOLOGIST],
            Discipline.PATHOLOGY: users[Role.PATHOLOGIST],
            Discipline.ORTHOPAEDIC_ONCOLOGY: users[Role.ORTHOPEDIC_ONCOLOGIST],
            Discipline.PALLIATIVE_CARE: users[Role.PALLIATIVE_CARE],
        }
        for discipline, author in authors.items():
            make_review(case, discipline, author=author)
        make_performance(case, author=users[Role.ORTHOPEDIC_ONCOLOGIST])
        radiologist, pathologist = users[Role.RADIOLOGIST], users[Role.PATHOLOGIST]
        attachments.attach_file(
            radiologist,
            case,
            kind="key_image",
            stream=_png(40, 300),
            filename="mri.png",
            caption="Coronal T1 MRI, distal femur",
            series_slice="Series 4, image 12",
        )
        attachments.attach_file(
            pathologist,
            case,
            kind="micrograph",
            stream=_png(120, 150),
            filename="he.png",
            caption="H&E, lace-like osteoid",
            series_slice="Slide A1, x200",
        )
        lost = attachments.attach_file(
            radiologist,
            case,
            kind="key_image",
            stream=_png(90, 60),
            filename="ct.png",
            caption="Axial CT, lost file",
            series_slice="Series 2, image 40",
        )
        db.session.flush()
        attachments.file_path(lost).unlink()
        palliative = users[Role.PALLIATIVE_CARE]
        # The meeting's seed seats palliative care on the board too.
        db.session.commit()
        name = palliative.name
        db.session.remove()
    return name


def _pdf_text(page: Page, link_name: str, tmp_path, filename: str) -> str:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).first.click()
    path = tmp_path / filename
    info.value.save_as(path)
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split())


def test_a_meeting_run_from_the_room_screen_with_a_follower(
    browser: Browser, live_server: LiveServer, tmp_path
):
    meeting_id, items = _seed_meeting(live_server)
    (first, reference), (second, second_reference), (third, _) = items
    absent = _prepare_first_case(live_server, meeting_id, first)
    chair = live_server.account(Role.ORTHOPEDIC_ONCOLOGIST)

    room = browser.new_context(viewport=FULL_HD).new_page()
    tablet = browser.new_context(viewport=TABLET).new_page()
    try:
        # The chair opens the room screen; the radiologist follows on a tablet.
        _sign_in(room, live_server, Role.ORTHOPEDIC_ONCOLOGIST)
        room.goto(f"{live_server.url}/meetings/{meeting_id}/present")
        room.wait_for_load_state()
        expect(room.locator(".present-count")).to_have_text("Case 1 of 3")
        expect(room.locator("header.topbar")).to_have_count(0)
        expect(room.locator(".present-question .question")).to_contain_text(
            "Distal femoral osteosarcoma"
        )
        stage = room.locator(".present-stage")
        expect(stage).to_contain_text("AJCC 8th")
        expect(stage).to_contain_text("Enneking")
        findings = room.locator(".present-findings")
        expect(findings.locator(".finding-pathology")).to_contain_text(
            "Histological grade"
        )
        expect(findings.locator(".finding-radiology")).to_contain_text(
            "Greatest dimension"
        )
        expect(findings.locator(".finding-orthopaedic_oncology")).to_contain_text(
            "Planned procedure"
        )
        expect(findings.locator(".finding-palliative_care")).to_contain_text(
            "Goals of care"
        )
        expect(room.locator(".present-performance")).to_contain_text("ECOG")

        _sign_in(tablet, live_server, Role.RADIOLOGIST)
        tablet.goto(f"{live_server.url}/meetings/{meeting_id}")
        tablet.get_by_role("link", name="Follow the presenter").click()
        expect(tablet.locator(".stage-case")).to_have_attribute(
            "data-reference", reference
        )
        tablet.evaluate("window.followMarker = 'same page'")

        # Key images large; the lost one is a labelled placeholder.
        gallery = room.locator(".present-images")
        expect(gallery.locator("img")).to_have_count(2)
        expect(gallery.locator(".img-missing")).to_contain_text(
            "Image could not be loaded: Axial CT, lost file"
        )
        room.screenshot(path=f"{SHOTS}-room-1920.png")
        room.screenshot(path=f"{SHOTS}-room-1920-full.png", full_page=True)
        room.keyboard.press("i")
        viewer = room.locator("#image-viewer")
        expect(viewer).to_be_visible()
        expect(room.locator("#viewer-caption")).to_have_text(
            "Coronal T1 MRI, distal femur"
        )
        room.keyboard.press("ArrowRight")
        expect(room.locator("#viewer-caption")).to_have_text("H&E, lace-like osteoid")
        room.screenshot(path=f"{SHOTS}-viewer.png")
        room.keyboard.press("Escape")
        expect(viewer).to_be_hidden()
        expect(room).to_have_url(re.compile(rf"/present/{first}"))

        # The side panel: every error at once, the input kept.
        panel = room.locator("#decision")
        panel.get_by_label("Recommendation (free text)").fill(
            "MAP chemotherapy, then limb salvage."
        )
        panel.get_by_label("Surgery", exact=True).check()
        panel.get_by_role("button", name="Record the draft").click()
        errors = room.locator("#decision .error")
        expect(errors.first).to_be_visible()
        assert errors.count() >= 3
        expect(room.locator("#decision")).to_contain_text("Choose the conference type.")
        expect(room.locator("#decision")).to_contain_text(
            "Choose the treatment intent."
        )
        expect(panel.get_by_label("Recommendation (free text)")).to_have_value(
            "MAP chemotherapy, then limb salvage."
        )
        room.screenshot(path=f"{SHOTS}-panel-errors.png")
        panel.get_by_label("Conference type").select_option(label="Pre-therapeutic")
        panel.get_by_label("Treatment intent").select_option(label="Curative")
        panel.get_by_label("Neoadjuvant chemotherapy", exact=True).check()
        panel.get_by_label("Kind of surgery").select_option(
            label="Limb-salvage resection with reconstruction"
        )
        panel.get_by_label("Start by").fill((today() + timedelta(days=14)).isoformat())
        panel.get_by_role("button", name="Record the draft").click()
        expect(room.locator(".flash-success")).to_contain_text(
            f"Draft recommendation for {reference} recorded"
        )
        room.locator(".discussed-form").get_by_role(
            "button", name="Mark discussed"
        ).click()
        expect(room.locator(".flash-success")).to_contain_text(
            f"{reference} marked discussed."
        )

        # The presenter moves on: the follower's screen follows, no reload.
        room.wait_for_load_state()
        room.keyboard.press("ArrowRight")
        expect(room.locator(".present-count")).to_have_text("Case 2 of 3")
        expect(tablet.locator(".stage-case")).to_have_attribute(
            "data-reference", second_reference, timeout=8000
        )
        assert tablet.evaluate("window.followMarker") == "same page"
        expect(tablet.locator("#follow-status")).to_contain_text("case 2 of 3")
        tablet.screenshot(path=f"{SHOTS}-follower-1280.png")

        # Discussed without a recommendation needs the board's reason.
        room.locator(".discussed-form button[type=submit]").click()
        expect(room.locator("#decision")).to_contain_text(
            "Record the board's recommendation first"
        )
        room.get_by_label("Why the board gives no recommendation").fill(
            "For information: biopsy already planned."
        )
        room.locator(".discussed-form button[type=submit]").click()
        expect(room.locator(".flash-success")).to_contain_text("marked discussed.")

        # The tablet-size room screen: the panel is a drawer opened with D.
        room.set_viewport_size(TABLET)
        room.goto(f"{live_server.url}/meetings/{meeting_id}/present/{third}")
        expect(room.locator("#decision")).to_be_hidden()
        room.keyboard.press("d")
        expect(room.locator("#decision")).to_be_visible()
        room.screenshot(path=f"{SHOTS}-room-1280-panel.png")
        room.keyboard.press("Escape")
        expect(room.locator("#decision")).to_be_hidden()
        room.screenshot(path=f"{SHOTS}-room-1280.png")
        room.set_viewport_size(FULL_HD)

        # The chair signs with the password step.
        room.goto(f"{live_server.url}/")
        room.locator("section#signature").get_by_role("link", name=reference).click()
        room.get_by_role("link", name="Review and sign revision 1").click()
        room.get_by_label("Your password").fill(chair.password)
        room.get_by_role("button", name="Sign revision 1").click()
        expect(room.get_by_text(f"Revision 1 signed for {reference}.")).to_be_visible()
        rec_url = room.url
        room.get_by_label("Action", exact=True).fill("Book port insertion")
        room.get_by_label("Owner").select_option(
            label=f"{live_server.account(Role.RADIOLOGIST).name} (Radiologist)"
        )
        room.get_by_label("Due").fill((today() + timedelta(days=5)).isoformat())
        room.get_by_role("button", name="Add action").click()
        expect(room.get_by_text("Action item added.")).to_be_visible()
        room.get_by_label("Implementation status").select_option(label="In progress")
        room.get_by_label("Date", exact=True).fill(today().isoformat())
        room.get_by_role("button", name="Save implementation").click()
        expect(
            room.get_by_text("Implementation recorded: In progress.")
        ).to_be_visible()

        # Amended and signed again: status and action carry over.
        room.get_by_role("link", name="Amend").click()
        room.get_by_label("Reason for the amendment").fill(
            "Pathology review confirms high grade: add trial screening."
        )
        room.get_by_label("Recommendation (free text)").fill(
            "MAP chemotherapy, trial screening, then limb salvage."
        )
        room.get_by_role("button", name="Create revision 2").click()
        expect(room.locator(".flash-success")).to_contain_text("Revision 2 saved")
        room.get_by_role("link", name="Review and sign revision 2").click()
        room.get_by_label("Your password").fill(chair.password)
        room.get_by_role("button", name="Sign revision 2").click()
        expect(room.locator(".flash-success")).to_contain_text("Revision 2 signed")
        expect(room.locator("#impl-heading + p .impl")).to_have_text("In progress")
        expect(room.locator("table.actions-table")).to_contain_text(
            "Book port insertion"
        )
        amended_url = room.url
        assert amended_url != rec_url

        # The outcome letter and the minutes, read as their recipients would.
        letter = _pdf_text(room, "Outcome letter (PDF)", tmp_path, "letter.pdf")
        assert "Osteosarcoma (confirmed)" in letter
        assert "Stage IIB" in letter and "Enneking IIB" in letter
        assert "revision 2" in letter.lower()
        assert chair.name in letter

        # The coordinator closes the meeting; the follower stops.
        _sign_in(room, live_server, Role.COORDINATOR)
        room.goto(f"{live_server.url}/meetings/{meeting_id}")
        pack = _pdf_text(room, "Board pack (PDF)", tmp_path, "pack.pdf")
        assert reference in pack and "Osteosarcoma (confirmed)" in pack
        assert "Stage IIB" in pack
        room.get_by_role("link", name="Close meeting").click()
        room.get_by_role("button", name=re.compile("^Close the meeting")).click()
        expect(room.locator(".flash-success")).to_be_visible()
        expect(tablet.locator("#follow-status")).to_contain_text(
            "following stopped", timeout=8000
        )
        expect(tablet.locator(".stage-case")).to_have_count(0)
        minutes = _pdf_text(room, "Minutes (PDF)", tmp_path, "minutes.pdf")
        assert chair.name in minutes
        assert "Apologies" in minutes and absent in minutes
        assert reference in minutes and second_reference in minutes
    finally:
        room.context.close()
        tablet.context.close()
