"""Search from the top bar, and the probable-duplicate warning at registration,
in a real browser."""

from __future__ import annotations

import re
import uuid
from datetime import date

from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.conftest import LiveServer, login
from tumorboard.auth.models import User
from tumorboard.auth.permissions import Role
from tumorboard.cases.services import create_case
from tumorboard.db import today
from tumorboard.extensions import db
from tumorboard.patients.services import create_patient

RESULTS_SHOT = "/tmp/browser-search-results.png"
WARNING_SHOT = "/tmp/browser-duplicate-warning.png"


def _unique() -> str:
    return uuid.uuid4().hex[:8]


def _coordinator(live_server: LiveServer) -> User:
    email = live_server.account(Role.COORDINATOR).email
    return db.session.scalar(db.select(User).where(User.email == email))


def _sign_in(page: Page, live_server: LiveServer) -> None:
    account = live_server.account(Role.COORDINATOR)
    login(page, live_server, account.email, account.password)


def test_osteosarcoma_femur_is_found_from_the_top_bar(
    page: Page, live_server: LiveServer
):
    tag = _unique()
    family = f"Lindqvist{tag}"
    with live_server.app.app_context():
        coordinator = _coordinator(live_server)
        patient = create_patient(
            coordinator,
            {
                "mrn": f"DEMO-{tag}",
                "given_name": "Emil",
                "family_name": family,
                "birth_date": date(2010, 4, 2),
                "sex": "male",
            },
        )
        case = create_case(
            coordinator,
            patient,
            {
                "board_id": factories.default_board().id,
                "case_type": "primary_bone_tumour",
                "bone": "femur",
                "bone_end": "distal",
                "bone_segment": "metaphysis",
                "laterality": "left",
                "presentation": "Night pain in the left knee for eight weeks.",
                "clinical_question": "Suspected osteosarcoma: biopsy route?",
                "referral_source": "external_hospital",
                "referring_clinician": "Dr Hale",
                "referral_date": today(),
                "urgency": "urgent",
                "biopsy_status": "not_biopsied",
            },
        )
        reference = case.reference
        db.session.commit()
        db.session.remove()

    _sign_in(page, live_server)
    page.goto(f"{live_server.url}/meetings/")
    search = page.get_by_role("search", name="Find cases")
    search.get_by_role("searchbox").fill("osteosarcoma femur")
    search.get_by_role("button", name="Find").click()

    expect(page).to_have_url(re.compile(r"/cases/\?q=osteosarcoma\+femur"))
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_be_visible()
    expect(row).to_contain_text(family.upper())
    expect(page.get_by_label("Sort by")).to_have_value("relevance")
    page.screenshot(path=RESULTS_SHOT, full_page=True)

    # The MRN typed without its dash, in lower case, finds only this case.
    search = page.get_by_role("search", name="Find cases")
    search.get_by_role("searchbox").fill(f"demo{tag}")
    search.get_by_role("button", name="Find").click()
    expect(page.get_by_text("1 in all")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=reference)).to_be_visible()


def test_a_probable_duplicate_needs_confirmation(page: Page, live_server: LiveServer):
    tag = _unique()
    with live_server.app.app_context():
        existing = create_patient(
            _coordinator(live_server),
            {
                "mrn": f"DUP-{tag}",
                "given_name": "Anna-Lena",
                "family_name": f"Müller{tag}",
                "birth_date": date(1984, 2, 29),
                "sex": "female",
            },
        )
        existing_reference = existing.reference
        db.session.commit()
        db.session.remove()

    _sign_in(page, live_server)
    page.goto(f"{live_server.url}/patients/new")
    page.get_by_label("MRN (hospital number)").fill(f"NEW-{tag}")
    page.get_by_label("Family name").fill("Anna Lena")
    page.get_by_label("Given name(s)").fill(f"Muller{tag}")
    page.get_by_label("Date of birth").fill("1984-02-29")
    page.get_by_label("Sex").select_option("female")
    page.get_by_role("button", name="Register and add a case").click()

    warning = page.locator("#probable-duplicates")
    expect(warning).to_contain_text("This may be a patient who is already registered.")
    expect(warning).to_contain_text(existing_reference)
    expect(warning).to_contain_text(f"DUP-{tag}".upper())
    expect(
        warning.get_by_role("link", name=re.compile(f"MÜLLER{tag}".upper()))
    ).to_be_visible()
    confirm = page.get_by_label("This is a different patient")
    expect(confirm).not_to_be_checked()
    page.screenshot(path=WARNING_SHOT, full_page=True)

    # Saving again without the tick is refused again, keeping what was typed.
    page.get_by_role("button", name="Register and add a case").click()
    expect(page.locator("#probable-duplicates")).to_be_visible()
    expect(page.get_by_label("Family name")).to_have_value("Anna Lena")

    page.get_by_label("This is a different patient").check()
    page.get_by_role("button", name="Register and add a case").click()
    expect(page).to_have_url(re.compile(r"/cases/new/\d+$"))
    expect(page.get_by_role("heading", name="Register a case")).to_be_visible()
