"""Each role signs in and lands on its own work ("My work")."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.conftest import LiveServer, login
from tumorboard.auth.models import User
from tumorboard.auth.permissions import Role
from tumorboard.cases import services as case_services
from tumorboard.cases.models import CaseStatus
from tumorboard.db import today
from tumorboard.extensions import db
from tumorboard.patients import services as patient_services

SHOTS = "/tmp/shots-my-work-{}.png"


def _user(role: Role) -> User:
    return db.session.scalar(sa.select(User).where(User.role == role).limit(1))


def _case_for_the_nurse(live_server: LiveServer) -> str:
    """A work-up case whose key worker is the nurse specialist."""
    with live_server.app.app_context():
        coordinator = _user(Role.COORDINATOR)
        patient = patient_services.create_patient(
            coordinator,
            {
                "mrn": f"MW{uuid.uuid4().int % 10**8:08d}",
                "given_name": "Ilse",
                "family_name": "Brandt",
                "birth_date": date(1961, 3, 9),
                "sex": "female",
            },
        )
        case = case_services.create_case(
            coordinator,
            patient,
            {
                "board_id": factories.default_board().id,
                "case_type": "skeletal_metastasis",
                "bone": "vertebra",
                "vertebral_level": "T9",
                "laterality": "not_applicable",
                "known_primary": "breast",
                "presentation": "Thoracic back pain at night.",
                "clinical_question": "T9 metastasis: stabilise or radiotherapy?",
                "referral_source": "internal",
                "referring_clinician": "Dr Quill",
                "referral_date": today() - timedelta(days=2),
                "urgency": "urgent",
                "biopsy_status": "not_biopsied",
                "key_worker_id": _user(Role.NURSE_SPECIALIST).id,
            },
        )
        case_services.transition_case(coordinator, case, CaseStatus.WORKUP)
        db.session.commit()
        reference = case.reference
        db.session.remove()
    return reference


def _sign_in(page: Page, live_server: LiveServer, role: Role) -> None:
    page.context.clear_cookies()
    account = live_server.account(role)
    login(page, live_server, account.email, account.password)


def test_each_role_lands_on_its_own_work(page: Page, live_server: LiveServer):
    reference = _case_for_the_nurse(live_server)

    _sign_in(page, live_server, Role.COORDINATOR)
    expect(page.get_by_role("heading", name="My work", level=1)).to_be_visible()
    pipeline = page.locator("ol.pipeline")
    expect(pipeline).to_contain_text("New referrals")
    expect(pipeline).to_contain_text("Unsigned draft recommendations")
    page.screenshot(path=SHOTS.format("coordinator"), full_page=True)
    # The work-up stage opens the readiness list with the new case in it.
    pipeline.get_by_role("link", name=re.compile("Work-up")).click()
    expect(
        page.get_by_role("heading", name="Cases at the readiness gate")
    ).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(reference))).to_be_visible()

    _sign_in(page, live_server, Role.NURSE_SPECIALIST)
    first = page.locator("section.my-work").first
    expect(first.get_by_role("heading", level=2)).to_contain_text(
        "Your patients (key worker)"
    )
    page.set_viewport_size({"width": 820, "height": 1180})
    page.screenshot(path=SHOTS.format("nurse-tablet"), full_page=True)
    page.get_by_role("link", name="My patients").click()
    expect(page.get_by_role("heading", name="My patients (key worker)")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(reference))).to_be_visible()

    _sign_in(page, live_server, Role.PALLIATIVE_CARE)
    reviews = page.locator("#reviews")
    expect(reviews.get_by_role("heading", level=2)).to_contain_text(
        "Waiting for your palliative care review"
    )
    reviews.get_by_role("link", name=re.compile("See all|Open the full list")).click()
    expect(page.get_by_role("row", name=re.compile(reference))).to_be_visible()

    _sign_in(page, live_server, Role.ADMIN)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Users")
    expect(page.get_by_role("link", name="My work")).to_have_count(0)
