"""Working diagnosis and precise location in a real browser: the form shows
the fields that fit the chosen bone, and the worklist names the case by
diagnosis and location."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.conftest import LiveServer
from tests.browser.test_accessibility import _violations
from tests.browser.test_intake import register_patient, sign_in_as, unique_mrn
from tumorboard.auth.permissions import Role
from tumorboard.db import today

FORM_SCREENSHOT = "/tmp/browser-case-location-form.png"
PELVIS_SCREENSHOT = "/tmp/browser-case-location-pelvis.png"
WORKLIST_SCREENSHOT = "/tmp/browser-case-location-worklist.png"


def test_case_with_working_diagnosis_and_distal_femur_location(
    page: Page, live_server: LiveServer
):
    mrn = unique_mrn()
    sign_in_as(page, live_server, Role.COORDINATOR)
    page.goto(f"{live_server.url}/patients/")
    register_patient(page, mrn, "Lindgren")

    end = page.get_by_label("End of the long bone")
    segment = page.get_by_label("Segment of the long bone")
    zones = page.get_by_role("group", name="Pelvic zones (Enneking–Dunham)")
    level = page.get_by_label("Vertebral level")
    diagnosis = page.get_by_label("Working diagnosis (WHO 2020)")

    # Nothing chosen yet: no detail field applies.
    for detail in (end, segment, zones, level):
        expect(detail).to_be_hidden()

    page.get_by_label("Board", exact=True).select_option(label=factories.DEFAULT_BOARD)
    page.get_by_label("Case type").select_option(label="Primary bone tumour")
    diagnosis.select_option("conventional_osteosarcoma")

    # The pelvis takes zones only.
    page.get_by_label("Bone", exact=True).select_option("pelvis")
    expect(zones).to_be_visible()
    expect(end).to_be_hidden()
    expect(level).to_be_hidden()
    zones.get_by_label("Zone II: periacetabular").check()
    page.screenshot(path=PELVIS_SCREENSHOT, full_page=True)
    assert _violations(page) == []

    # Switching to the femur hides and clears the zones, shows end and segment.
    page.get_by_label("Bone", exact=True).select_option("femur")
    expect(zones).to_be_hidden()
    expect(page.locator("#pelvic_zones-1")).not_to_be_checked()  # zone II
    expect(end).to_be_visible()
    end.select_option("distal")
    segment.select_option("metaphysis")
    page.get_by_label("Laterality").select_option("left")

    # A metastasis has no working diagnosis: the field goes and comes back empty.
    page.get_by_label("Case type").select_option(label="Skeletal metastasis")
    expect(diagnosis).to_be_hidden()
    page.get_by_label("Case type").select_option(label="Primary bone tumour")
    expect(diagnosis).to_be_visible()
    expect(diagnosis).to_have_value("")
    diagnosis.select_option("conventional_osteosarcoma")

    question = f"Suspected osteosarcoma ({mrn}): biopsy route?"
    page.get_by_label("Presenting complaint").fill("Night pain above the knee.")
    page.get_by_label("Question for the board").fill(question)
    page.get_by_label("Referral source").select_option(label="External hospital")
    page.get_by_label("Referring clinician").fill("Dr Hale")
    page.get_by_label("Referral date").fill((today() - timedelta(days=2)).isoformat())
    page.get_by_label("Urgency").select_option("urgent")
    page.get_by_label("Biopsy", exact=True).select_option("not_biopsied")
    page.screenshot(path=FORM_SCREENSHOT, full_page=True)
    page.get_by_role("button", name="Register case").click()

    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    expect(page.locator("p.case-summary")).to_have_text(
        "Osteosarcoma (suspected) · distal femur, metaphysis, left"
    )
    expect(
        page.get_by_role("definition").filter(has_text="C40.2 — Long bones of lower")
    ).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="All cases"
    ).click()
    page.get_by_role("searchbox", name="Search").fill(mrn)
    page.get_by_role("button", name="Apply").click()
    rows = page.locator("table.worklist tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Osteosarcoma (suspected) · distal femur")
    expect(rows.first).to_contain_text("metaphysis, left")
    page.screenshot(path=WORKLIST_SCREENSHOT, full_page=True)


def test_server_refusal_keeps_the_fields_that_need_fixing_visible(
    page: Page, live_server: LiveServer
):
    mrn = unique_mrn()
    sign_in_as(page, live_server, Role.COORDINATOR)
    page.goto(f"{live_server.url}/patients/")
    register_patient(page, mrn, "Vesterby")
    page.get_by_label("Board", exact=True).select_option(label=factories.DEFAULT_BOARD)
    page.get_by_label("Case type").select_option(label="Primary bone tumour")
    page.get_by_label("Bone", exact=True).select_option("vertebra")
    page.get_by_label("Vertebral level").select_option("T4")
    page.get_by_label("Laterality").select_option("midline")
    # The coordinator then picks a rib by keyboard without the change event
    # clearing the level (as a browser without scripts would send it).
    page.evaluate(
        "document.getElementById('bone').value = 'rib'"
    )  # no change event: the level stays filled in
    page.get_by_label("Presenting complaint").fill("Chest wall pain.")
    page.get_by_label("Question for the board").fill("Rib lesion: biopsy?")
    page.get_by_label("Referral source").select_option(label="Internal (this hospital)")
    page.get_by_label("Referring clinician").fill("Dr Hale")
    page.get_by_label("Referral date").fill((today() - timedelta(days=1)).isoformat())
    page.get_by_label("Urgency").select_option("routine")
    page.get_by_label("Biopsy", exact=True).select_option("not_biopsied")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Register case").click()
    assert posted.value.status == 400
    level = page.get_by_label("Vertebral level")
    expect(level).to_be_visible()
    expect(level).to_have_accessible_description(
        "A vertebral level is recorded for a vertebra only, not for the rib."
    )
    assert _violations(page) == []
    # The rib is paired: the midline side is refused too, once the level is fixed.
    level.select_option("")
    page.get_by_role("button", name="Register case").click()
    expect(page.locator("#laterality-error")).to_have_text(
        "The rib is a paired bone: choose the side (left, right or bilateral)."
    )


def test_case_page_flags_a_location_to_complete(page: Page, live_server: LiveServer):
    from tests import factories
    from tumorboard.extensions import db

    with live_server.app.app_context():
        case = factories.make_case(site_code="C41.4", laterality="right")
        db.session.commit()
        path = f"/cases/{case.id}"
        db.session.remove()
    sign_in_as(page, live_server, Role.COORDINATOR)
    page.goto(f"{live_server.url}{path}")
    flag = page.locator("#location-to-complete")
    expect(flag).to_contain_text("Location to complete: choose the bone.")
    expect(page.locator("p.case-summary")).to_have_text(
        "Primary bone tumour (no working diagnosis) · Pelvic bones, sacrum, coccyx "
        "and associated joints, right"
    )
    page.screenshot(path="/tmp/browser-case-location-flag.png", full_page=True)
    flag.get_by_role("link", name="Edit the case").click()
    expect(
        page.get_by_text("registered with its topography only (C41.4")
    ).to_be_visible()
    page.get_by_label("Bone", exact=True).select_option("pelvis")
    page.locator("#pelvic_zones-2").check()  # zone III
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("p.case-summary")).to_have_text(
        "Primary bone tumour (no working diagnosis) · pelvis, zone III, right"
    )
    expect(page.locator("#location-to-complete")).to_have_count(0)
