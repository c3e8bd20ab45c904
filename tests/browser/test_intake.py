"""Case intake in a real browser: sign in, find or register the patient,
register the case, find it on the worklist."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.conftest import LiveServer, login
from tumorboard.auth.permissions import Role
from tumorboard.db import today

SCREENSHOT = "/tmp/browser-worklist.png"


def unique_mrn() -> str:
    """An MRN no other test (or earlier run) has used: the server lives all session."""
    return f"BT{uuid.uuid4().int % 10**8:08d}"


def sign_in_as(page: Page, live_server: LiveServer, role: Role) -> None:
    """Sign in with the session's account for ``role``."""
    account = live_server.account(role)
    login(page, live_server, account.email, account.password)


def register_patient(page: Page, mrn: str, family_name: str) -> None:
    """From the patient search, check ``mrn`` is unknown and register it; ends on
    the new-case form."""
    page.get_by_label("Search by MRN or name").fill(mrn)
    page.get_by_role("main").get_by_role("search").get_by_role(
        "button", name="Search"
    ).click()
    expect(page.get_by_text(f"No patient matches “{mrn}”.")).to_be_visible()

    page.get_by_role("link", name="Register a new patient").click()
    expect(page.get_by_role("heading", name="Register a patient")).to_be_visible()
    # The search term is carried over: an MRN-like query prefills the MRN.
    expect(page.get_by_label("MRN (hospital number)")).to_have_value(mrn)
    page.get_by_label("Family name").fill(family_name)
    page.get_by_label("Given name(s)").fill("Ingrid")
    page.get_by_label("Date of birth").fill("2009-03-14")
    page.get_by_label("Sex").select_option("female")
    page.get_by_role("button", name="Register and add a case").click()

    expect(page).to_have_url(re.compile(r"/cases/new/\d+$"))
    expect(
        page.get_by_text(f"Patient {family_name.upper()}, Ingrid registered.")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Register a case")).to_be_visible()


def fill_case_form(
    page: Page, *, presentation: str, question: str, referral_date
) -> None:
    """Fill every required field of the case intake form."""
    page.get_by_label("Board", exact=True).select_option(label=factories.DEFAULT_BOARD)
    page.get_by_label("Case type").select_option(label="Primary bone tumour")
    page.get_by_label("Bone", exact=True).select_option("femur")
    page.get_by_label("Laterality").select_option("left")
    page.get_by_label("End of the long bone").select_option("distal")
    page.get_by_label("Segment of the long bone").select_option("metaphysis")
    page.get_by_label("Presenting complaint").fill(presentation)
    page.get_by_label("Question for the board").fill(question)
    page.get_by_label("Referral source").select_option(label="External hospital")
    page.get_by_label("Referring clinician").fill("Dr Hale")
    page.get_by_label("Referral date").fill(referral_date.isoformat())
    page.get_by_label("Urgency").select_option("urgent")
    page.get_by_label("Biopsy", exact=True).select_option("not_biopsied")


def test_coordinator_registers_a_case_and_finds_it_on_the_worklist(
    page: Page, live_server: LiveServer
):
    mrn = unique_mrn()
    question = f"Suspected osteosarcoma of the distal femur ({mrn}): biopsy route?"
    sign_in_as(page, live_server, Role.COORDINATOR)

    # "Register case" starts with a patient search so nobody is registered twice.
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Register case"
    ).click()
    expect(page).to_have_url(re.compile(r"/patients/$"))
    expect(
        page.get_by_text("Find the patient first, or register a new one.")
    ).to_be_visible()

    register_patient(page, mrn, "Solberg")
    fill_case_form(
        page,
        presentation="Night pain in the left knee for eight weeks.",
        question=question,
        referral_date=today() - timedelta(days=3),
    )
    page.get_by_role("button", name="Register case").click()

    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(re.compile(r"TB-\d{5} · Primary bone tumour"))
    reference = re.search(r"TB-\d{5}", heading.inner_text()).group(0)
    expect(page.get_by_text(f"Case {reference} registered.")).to_be_visible()
    expect(page.locator("p.question")).to_have_text(question)
    expect(page.get_by_label("Patient")).to_contain_text(mrn)

    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="All cases"
    ).click()
    expect(page.get_by_role("heading", name="All cases")).to_be_visible()
    page.get_by_role("searchbox", name="Search").fill(mrn)
    page.get_by_role("button", name="Apply").click()

    expect(page).to_have_url(re.compile(rf"[?&]q={mrn}(&|$)"))
    rows = page.locator("table.worklist tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(reference)
    expect(rows.first).to_contain_text("SOLBERG, Ingrid")
    expect(rows.first).to_contain_text(mrn)
    expect(rows.first).to_contain_text("distal femur, metaphysis, left")
    expect(rows.first).to_contain_text("Urgent")
    expect(rows.first).to_contain_text("Referred")
    page.screenshot(path=SCREENSHOT, full_page=True)

    # The row links back to the case.
    rows.first.get_by_role("link", name="SOLBERG, Ingrid").click()
    expect(page.locator("p.question")).to_have_text(question)


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        (
            Role.COORDINATOR,
            ["My work", "All cases", "Patients", "Register case"],
            ["Users", "Audit log", "Cases I lead"],
        ),
        (
            Role.RADIOLOGIST,
            ["My work", "All cases", "Cases I lead", "Patients"],
            ["Register case", "Users", "Audit log", "My patients"],
        ),
        (
            Role.ADMIN,
            ["Users", "Audit log"],
            ["My work", "All cases", "Patients", "Register case"],
        ),
    ],
    ids=lambda value: value.value if isinstance(value, Role) else None,
)
def test_each_role_sees_its_own_navigation(
    page: Page, live_server: LiveServer, role: Role, shown, hidden
):
    account = live_server.account(role)
    sign_in_as(page, live_server, role)

    expect(page.locator(".account .who")).to_contain_text(account.name)
    expect(page.locator(".account .role")).to_have_text(role.label)
    nav = page.get_by_role("navigation", name="Main")
    for name in shown:
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    for name in hidden:
        expect(nav.get_by_role("link", name=name, exact=True)).to_have_count(0)


def test_admin_lands_on_users_and_cannot_open_the_worklist(
    page: Page, live_server: LiveServer
):
    sign_in_as(page, live_server, Role.ADMIN)
    expect(page).to_have_url(f"{live_server.url}/admin/users")

    response = page.goto(f"{live_server.url}/cases/")
    assert response is not None and response.status == 403


def test_case_with_future_referral_date_is_refused_and_keeps_typed_text(
    page: Page, live_server: LiveServer
):
    mrn = unique_mrn()
    presentation = f"Painful swelling of the proximal humerus ({mrn}).\nNo trauma."
    sign_in_as(page, live_server, Role.COORDINATOR)
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Patients"
    ).click()
    register_patient(page, mrn, "Varga")
    form_url = page.url

    fill_case_form(
        page,
        presentation=presentation,
        question="Aggressive lesion: plan the biopsy tract.",
        referral_date=today() + timedelta(days=2),
    )
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Register case").click()
    assert posted.value.status == 400

    expect(page).to_have_url(form_url)
    expect(page.get_by_role("alert")).to_contain_text(
        "Please correct the field marked below; nothing was saved."
    )
    date_field = page.get_by_label("Referral date")
    expect(date_field).to_have_attribute("aria-invalid", "true")
    expect(date_field).to_have_accessible_description("This date is in the future.")
    expect(page.locator("#referral_date-error")).to_have_text(
        "This date is in the future."
    )
    expect(page.get_by_label("Presenting complaint")).to_have_value(presentation)
    expect(page.get_by_label("Question for the board")).to_have_value(
        "Aggressive lesion: plan the biopsy tract."
    )
    expect(page.get_by_label("Bone", exact=True)).to_have_value("femur")
    expect(page.get_by_label("Segment of the long bone")).to_have_value("metaphysis")

    # Nothing was saved: the patient record still has no case.
    page.get_by_role("link", name="Patient record").click()
    expect(page.get_by_text("No case yet.")).to_be_visible()


def test_login_form_works_with_the_keyboard_only(page: Page, live_server: LiveServer):
    account = live_server.account(Role.COORDINATOR)
    page.goto(f"{live_server.url}/login")

    # The first Tab reaches the skip link, as on every page.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()

    # Then the brand link, then the first field: nothing else is in the way.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="tumorboard", exact=True)).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type(account.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(account.password)
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    expect(page.locator(".account .who")).to_contain_text(account.name)


def test_unknown_account_is_refused_with_a_message(page: Page, live_server: LiveServer):
    # An unknown email, so that no real account collects failed sign-ins.
    email = "nobody@browser.example.org"
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_have_text(
        "The email or password is not correct, or the account is deactivated."
    )
    expect(page).to_have_url(f"{live_server.url}/login")
    expect(page.get_by_label("Email")).to_have_value(email)
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
