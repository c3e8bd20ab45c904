"""A whole meeting in a real browser: three cases discussed, recommendations
recorded and signed by the chair, one amended and signed again, the minutes
downloaded and read."""

from __future__ import annotations

import io
import re
import uuid
from datetime import UTC, datetime, time, timedelta

from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from tests.browser.conftest import LiveServer, login
from tests.browser.test_accessibility import _violations
from tumorboard.auth.models import User
from tumorboard.auth.permissions import Role
from tumorboard.cases.models import Case, CaseStatus
from tumorboard.db import today, utcnow
from tumorboard.extensions import db
from tumorboard.meetings.models import (
    AgendaItem,
    Attendance,
    Board,
    Meeting,
    MeetingStatus,
)
from tumorboard.patients.models import Patient

SHOTS = "/tmp/shots-recommendations"


def _seed_meeting(live_server: LiveServer) -> tuple[int, list[tuple[int, str]]]:
    """A quorate meeting in progress, chaired by the orthopaedic oncologist, with
    three listed cases; returns the meeting id and (item id, case reference)."""
    tag = uuid.uuid4().hex[:8]
    with live_server.app.app_context():
        accounts = {
            role: db.session.scalar(
                db.select(User).where(User.email == live_server.account(role).email)
            )
            for role in (
                Role.COORDINATOR,
                Role.ORTHOPEDIC_ONCOLOGIST,
                Role.RADIOLOGIST,
                Role.PATHOLOGIST,
                Role.PALLIATIVE_CARE,
            )
        }
        board = Board(
            name=f"Browser bone board {tag}",
            kind="bone_sarcoma",
            required_disciplines=["orthopaedic_oncology", "radiology", "pathology"],
            weekday=today().weekday(),
            start_time=time(8, 0),
            timezone="UTC",
            duration_minutes=120,
            minutes_per_case=10,
            capacity=10,
        )
        # The coordinator and the clinicians sit on the board: they read its
        # agendas and cases.
        board.members = list(accounts.values())
        db.session.add(board)
        db.session.flush()
        starts = datetime.combine(today(), time(0, 5), UTC)
        meeting = Meeting(
            board_id=board.id,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            status=MeetingStatus.IN_PROGRESS,
            started_at=utcnow(),
            published_at=utcnow(),
            chair_id=accounts[Role.ORTHOPEDIC_ONCOLOGIST].id,
            location="Seminar room 2",
        )
        db.session.add(meeting)
        db.session.flush()
        for role in (Role.ORTHOPEDIC_ONCOLOGIST, Role.RADIOLOGIST, Role.PATHOLOGIST):
            db.session.add(
                Attendance(
                    meeting_id=meeting.id,
                    user_id=accounts[role].id,
                    discipline={
                        Role.ORTHOPEDIC_ONCOLOGIST: "orthopaedic_oncology",
                        Role.RADIOLOGIST: "radiology",
                        Role.PATHOLOGIST: "pathology",
                    }[role],
                    present=True,
                )
            )
        items = []
        for n, (family, question) in enumerate(
            [
                ("Aaltonen", "Distal femoral osteosarcoma: neoadjuvant plan?"),
                ("Bjornsson", "Proximal tibial lesion: biopsy route?"),
                ("Castellano", "Femoral metastasis: fixation before RT?"),
            ],
            start=1,
        ):
            patient = Patient(
                mrn=f"BR{tag}{n}",
                given_name="Ines",
                family_name=f"{family}{tag}",
                birth_date=datetime(1990, 3, n).date(),
                sex="female",
            )
            db.session.add(patient)
            db.session.flush()
            case = Case(
                patient_id=patient.id,
                board_id=board.id,
                case_type="primary_bone_tumour",
                site_code="C40.2",
                laterality="left",
                presentation="Pain for six weeks.",
                clinical_question=question,
                referral_source="external_hospital",
                referring_clinician="Dr Referrer",
                referral_date=today() - timedelta(days=10),
                urgency="urgent",
                biopsy_status="done_at_centre",
                status=CaseStatus.LISTED,
                lead_clinician_id=accounts[Role.ORTHOPEDIC_ONCOLOGIST].id,
            )
            db.session.add(case)
            db.session.flush()
            item = AgendaItem(
                meeting_id=meeting.id,
                case_id=case.id,
                position=n,
                question=question,
                planned_minutes=10,
            )
            db.session.add(item)
            db.session.flush()
            items.append((item.id, case.reference))
        db.session.commit()
        meeting_id = meeting.id
        db.session.remove()
    return meeting_id, items


def _sign_in(page: Page, live_server: LiveServer, role: Role) -> None:
    page.goto(f"{live_server.url}/")
    if page.get_by_role("button", name="Sign out").count():
        page.get_by_role("button", name="Sign out").click()
    account = live_server.account(role)
    login(page, live_server, account.email, account.password)


def _mark_discussed(
    page: Page,
    live_server: LiveServer,
    meeting_id,
    item_id,
    reason: str = "Recommendation recorded after the discussion.",
):
    """Mark an item discussed from presentation mode's decision panel; without
    a recorded recommendation the board's reason is given."""
    page.goto(f"{live_server.url}/meetings/{meeting_id}/present/{item_id}")
    page.keyboard.press("d")
    button = page.locator(".discussed-form button[type=submit]")
    reason_box = page.get_by_label("Why the board gives no recommendation")
    if reason_box.count():
        reason_box.fill(reason)
    button.click()
    expect(page.locator(".flash-success")).to_contain_text("marked discussed.")


def _record(page: Page, live_server: LiveServer, meeting_id, item_id, plan) -> int:
    page.goto(f"{live_server.url}/meetings/{meeting_id}/items/{item_id}/recommendation")
    expect(
        page.get_by_role("heading", name="Record the recommendation")
    ).to_be_visible()
    page.get_by_label("Conference type").select_option(label=plan["conference"])
    page.get_by_label("Treatment intent").select_option(label=plan["intent"])
    for label in plan["types"]:
        page.get_by_label(label, exact=True).check()
    if "surgery" in plan:
        page.get_by_label("Kind of surgery").select_option(label=plan["surgery"])
    if "nct" in plan:
        page.get_by_label("Trial NCT number").fill(plan["nct"])
    page.get_by_label("Recommendation (free text)").fill(plan["text"])
    page.get_by_label("Start by").fill((today() + timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Record draft").click()
    expect(page).to_have_url(re.compile(r"/recommendations/\d+$"))
    expect(page.get_by_text("recorded as a draft")).to_be_visible()
    return int(page.url.rsplit("/", 1)[1])


PLANS = [
    {
        "conference": "Pre-therapeutic",
        "intent": "Curative",
        "types": ["Neoadjuvant chemotherapy", "Surgery", "Clinical trial"],
        "surgery": "Limb-salvage resection with reconstruction",
        "nct": "nct01234567",
        "text": "MAP chemotherapy within the trial, then limb salvage.",
    },
    {
        "conference": "Pre-therapeutic",
        "intent": "Diagnostic",
        "types": ["Biopsy", "Further imaging"],
        "text": "Core needle biopsy at the centre after whole-body MRI.",
    },
    {
        "conference": "Pre-therapeutic",
        "intent": "Palliative",
        "types": ["Surgery", "Radiotherapy"],
        "surgery": "Prophylactic fixation",
        "text": "Prophylactic nailing, then 8 Gy single fraction.",
    },
]


def test_a_whole_meeting_from_discussion_to_minutes(
    page: Page, browser: Browser, live_server: LiveServer, tmp_path
):
    meeting_id, items = _seed_meeting(live_server)
    _sign_in(page, live_server, Role.COORDINATOR)

    # The first case is recorded during its discussion, then marked discussed;
    # the others are marked discussed first.
    recs = [_record(page, live_server, meeting_id, items[0][0], PLANS[0])]
    expect(page.get_by_text("Clinical trial: NCT01234567")).to_be_visible()
    for index, (item_id, _) in enumerate(items):
        _mark_discussed(page, live_server, meeting_id, item_id)
        if index:
            recs.append(_record(page, live_server, meeting_id, item_id, PLANS[index]))
    page.screenshot(path=f"{SHOTS}-draft.png", full_page=True)

    # The coordinator cannot sign: only the chair sees the sign form.
    page.goto(f"{live_server.url}/recommendations/{recs[0]}")
    expect(page.get_by_role("link", name="Review and sign revision 1")).to_have_count(0)

    _sign_in(page, live_server, Role.ORTHOPEDIC_ONCOLOGIST)
    chair = live_server.account(Role.ORTHOPEDIC_ONCOLOGIST)
    for rec_id, (_, reference) in zip(recs, items, strict=True):
        page.goto(f"{live_server.url}/recommendations/{rec_id}")
        expect(page.get_by_text("The meeting is quorate.")).to_be_visible()
        page.get_by_role("link", name="Review and sign revision 1").click()
        page.get_by_label("Your password").fill(chair.password)
        page.get_by_role("button", name="Sign revision 1").click()
        expect(page.get_by_text(f"Revision 1 signed for {reference}.")).to_be_visible()
        expect(page.locator("h1 .rec-state")).to_have_text("Signed")
    page.screenshot(path=f"{SHOTS}-signed.png", full_page=True)

    # The chair adds an action item for the second case.
    page.goto(f"{live_server.url}/recommendations/{recs[1]}")
    page.get_by_label("Action", exact=True).fill("Book whole-body MRI")
    page.get_by_label("Owner").select_option(
        label=f"{live_server.account(Role.RADIOLOGIST).name} (Radiologist)"
    )
    page.get_by_label("Due").fill((today() + timedelta(days=5)).isoformat())
    page.get_by_role("button", name="Add action").click()
    expect(page.get_by_text("Action item added.")).to_be_visible()
    expect(page.locator("table.actions-table")).to_contain_text("Book whole-body MRI")

    # Amend the third case's recommendation; the chair signs revision 2.
    _sign_in(page, live_server, Role.COORDINATOR)
    page.goto(f"{live_server.url}/recommendations/{recs[2]}")
    page.get_by_role("link", name="Amend").click()
    expect(page.get_by_role("heading", name="Amend revision 1")).to_be_visible()
    page.get_by_label("Reason for the amendment").fill(
        "Fracture risk reassessed: radiotherapy alone."
    )
    page.get_by_label("Surgery", exact=True).uncheck()
    page.get_by_label("Recommendation (free text)").fill(
        "Radiotherapy 8 Gy single fraction; protected weight bearing."
    )
    page.get_by_role("button", name="Create revision 2").click()
    expect(page.locator(".flash-success")).to_contain_text(
        "Revision 2 saved as a draft amendment"
    )
    amended = int(page.url.rsplit("/", 1)[1])
    _sign_in(page, live_server, Role.ORTHOPEDIC_ONCOLOGIST)
    page.goto(f"{live_server.url}/recommendations/{amended}")
    page.get_by_role("link", name="Review and sign revision 2").click()
    page.get_by_label("Your password").fill(chair.password)
    page.get_by_role("button", name="Sign revision 2").click()
    expect(page.locator(".flash-success")).to_contain_text("Revision 2 signed")
    revisions = page.locator("ol.revisions li")
    expect(revisions).to_have_count(2)
    expect(revisions.nth(1)).to_contain_text("Superseded")
    page.screenshot(path=f"{SHOTS}-amended.png", full_page=True)

    # The case page shows both revisions, newest first.
    page.get_by_role("link", name=items[2][1]).first.click()
    decisions = page.locator(".board-decisions li.decision")
    expect(decisions).to_have_count(2)
    expect(decisions.nth(0)).to_contain_text("revision 2")
    expect(decisions.nth(1)).to_contain_text("Superseded")
    page.screenshot(path=f"{SHOTS}-case.png", full_page=True)

    # The minutes, downloaded from the recommendation page.
    page.goto(f"{live_server.url}/recommendations/{amended}")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Minutes (PDF)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("minutes-")
    path = tmp_path / "minutes.pdf"
    download.save_as(path)
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Quorate: every required discipline was present." in text
    for _, reference in items:
        assert reference in text
    assert "Recommendation revision 2 (signed)" in text
    assert "other revision(s): 1" in text
    assert "Clinical trial: NCT01234567" in text

    # The radiologist finds the action under "My actions", at tablet width too.
    _sign_in(page, live_server, Role.RADIOLOGIST)
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="My actions"
    ).click()
    expect(page.locator("table.my-actions")).to_contain_text("Book whole-body MRI")
    page.set_viewport_size({"width": 820, "height": 1000})
    page.screenshot(path=f"{SHOTS}-my-actions-tablet.png", full_page=True)
    page.get_by_role("button", name="Mark done: Book whole-body MRI").click()
    expect(page.get_by_text("Action marked done.")).to_be_visible()
    expect(page.locator("table.my-actions-closed")).to_contain_text(
        "Book whole-body MRI"
    )


def test_recommendation_pages_have_no_serious_accessibility_violations(
    page: Page, live_server: LiveServer
):
    meeting_id, items = _seed_meeting(live_server)
    _sign_in(page, live_server, Role.COORDINATOR)
    _mark_discussed(page, live_server, meeting_id, items[0][0])
    record_url = (
        f"{live_server.url}/meetings/{meeting_id}/items/{items[0][0]}/recommendation"
    )
    page.goto(record_url)
    found = {"form": _violations(page)}
    page.screenshot(path=f"{SHOTS}-form.png", full_page=True)
    page.set_viewport_size({"width": 820, "height": 1000})
    page.screenshot(path=f"{SHOTS}-form-tablet.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    rec_id = _record(page, live_server, meeting_id, items[0][0], PLANS[1])
    found["detail"] = _violations(page)
    for path in ("/actions/mine", "/recommendations/overdue"):
        page.goto(f"{live_server.url}{path}")
        found[path] = _violations(page)
    _sign_in(page, live_server, Role.ORTHOPEDIC_ONCOLOGIST)
    page.goto(f"{live_server.url}/recommendations/{rec_id}")
    found["chair"] = _violations(page)
    assert {k: v for k, v in found.items() if v} == {}


def test_the_form_is_usable_with_the_keyboard(page: Page, live_server: LiveServer):
    meeting_id, items = _seed_meeting(live_server)
    _sign_in(page, live_server, Role.COORDINATOR)
    _mark_discussed(page, live_server, meeting_id, items[1][0])
    page.goto(
        f"{live_server.url}/meetings/{meeting_id}/items/{items[1][0]}/recommendation"
    )
    page.get_by_label("Conference type").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Treatment intent")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Biopsy", exact=True)).to_be_focused()
    page.keyboard.press("Space")
    expect(page.get_by_label("Biopsy", exact=True)).to_be_checked()
    # An empty submission is refused with a message and nothing is saved.
    page.get_by_label("Biopsy", exact=True).uncheck()
    page.get_by_role("button", name="Record draft").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "The recommendation is empty: choose at least one recommendation type."
    )
