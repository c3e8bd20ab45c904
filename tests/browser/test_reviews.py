"""Four disciplines review one case in a real browser until the coordinator
can mark it ready for the board."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.conftest import LiveServer, login
from tests.reviews.factories import radiology_data
from tumorboard.auth.models import User
from tumorboard.auth.permissions import Role
from tumorboard.cases import services as case_services
from tumorboard.cases.models import Case, CaseStatus
from tumorboard.db import today
from tumorboard.extensions import db
from tumorboard.patients import services as patient_services
from tumorboard.performance import services as performance
from tumorboard.reviews import services as review_services

SHOTS = "/tmp/shots-reviews-{}.png"


def _case_in_workup(
    live_server: LiveServer, biopsy_status: str = "done_at_centre"
) -> tuple[int, str]:
    """A new primary tumour case in work-up; returns its id and reference."""
    with live_server.app.app_context():
        coordinator = db.session.scalar(
            sa.select(User).where(
                User.email == live_server.account(Role.COORDINATOR).email
            )
        )
        patient = patient_services.create_patient(
            coordinator,
            {
                "mrn": f"BR{uuid.uuid4().int % 10**8:08d}",
                "given_name": "Nora",
                "family_name": "Lindahl",
                "birth_date": date(2008, 4, 2),
                "sex": "female",
            },
            # Each call registers another synthetic patient of the same name.
            confirmed_different=True,
        )
        case = case_services.create_case(
            coordinator,
            patient,
            {
                "board_id": factories.default_board().id,
                "case_type": "primary_bone_tumour",
                "bone": "femur",
                "bone_end": "distal",
                "bone_segment": "metaphysis",
                "laterality": "left",
                "presentation": "Night pain above the left knee for two months.",
                "clinical_question": "Distal femoral osteosarcoma: neoadjuvant plan?",
                "referral_source": "external_hospital",
                "referring_clinician": "Dr Hale",
                "referral_date": today() - timedelta(days=4),
                "urgency": "urgent",
                "biopsy_status": biopsy_status,
            },
        )
        case_services.transition_case(coordinator, case, CaseStatus.WORKUP)
        db.session.commit()
        result = case.id, case.reference
        db.session.remove()
    return result


def _sign_in(page: Page, live_server: LiveServer, role: Role) -> None:
    page.context.clear_cookies()
    account = live_server.account(role)
    login(page, live_server, account.email, account.password)


def _open_form(page: Page, live_server: LiveServer, case_id: int, name: str) -> None:
    page.goto(f"{live_server.url}/cases/{case_id}")
    page.get_by_role("link", name=f"Write the {name} review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(f"{name} review", re.IGNORECASE)
    )


def _save(page: Page, name: str) -> None:
    page.get_by_role("button", name="Save review").last.click()
    expect(
        page.get_by_text(re.compile(f"{name} review saved as revision 1"))
    ).to_be_visible()


def test_four_disciplines_review_a_case_until_it_can_be_marked_ready(
    page: Page, live_server: LiveServer
):
    case_id, reference = _case_in_workup(live_server)
    case_url = f"{live_server.url}/cases/{case_id}"

    # The coordinator cannot mark it ready yet, and is told what is missing.
    _sign_in(page, live_server, Role.COORDINATOR)
    page.goto(f"{live_server.url}/worklist")
    expect(page.get_by_role("row", name=re.compile(reference))).to_contain_text(
        "Imaging review"
    )
    page.goto(case_url)
    page.get_by_role("button", name="Mark ready for the board").click()
    expect(page.locator(".flash-error")).to_contain_text(
        "cannot be marked ready for the board. Missing: Imaging review"
    )

    # Radiologist: from "My work" to a saved review, adding a study row.
    _sign_in(page, live_server, Role.RADIOLOGIST)
    page.get_by_role("link", name="My work").click()
    page.locator("#reviews").get_by_role(
        "link", name=re.compile("See all|Open the full list")
    ).click()
    row = page.get_by_role("row", name=re.compile(reference))
    row.get_by_role("link", name=re.compile("Write the review")).click()
    page.locator("#studies-0-modality").select_option("mri")
    page.locator("#studies-0-date").fill((today() - timedelta(days=6)).isoformat())
    page.locator("#studies-0-reference").fill("ACC-77001")
    page.get_by_label("Differential", exact=False).fill("Conventional osteosarcoma.")
    page.get_by_role("button", name="Add a row to “studies reviewed”").click()
    expect(page.locator("#studies-2-modality")).to_be_visible()
    expect(page.locator("#studies-0-reference")).to_have_value("ACC-77001")
    page.locator("#studies-1-modality").select_option("ct")
    page.locator("#studies-1-date").fill((today() - timedelta(days=3)).isoformat())
    page.get_by_label("Craniocaudal (mm)").fill("95")
    page.get_by_label("Anteroposterior (mm)").fill("52")
    page.get_by_label("Mediolateral (mm)").fill("47")
    page.get_by_label("Modified Lodwick–Madewell grade").select_option("IIIB")
    page.get_by_label("Skip lesions", exact=False).select_option("no")
    page.get_by_label("Chest CT").select_option("negative")
    page.get_by_label("Bone scan / PET").select_option("negative")
    page.get_by_label("Regional lymph nodes").select_option("no")
    page.screenshot(path=SHOTS.format("radiology-form"), full_page=True)
    _save(page, "Radiology")
    expect(page.get_by_text("Greatest dimension 95 mm (9.5 cm).")).to_be_visible()

    # Pathologist.
    _sign_in(page, live_server, Role.PATHOLOGIST)
    _open_form(page, live_server, case_id, "pathology")
    page.get_by_label("Specimen", exact=True).select_option("core_needle")
    page.get_by_label("Biopsy / specimen date").fill(
        (today() - timedelta(days=2)).isoformat()
    )
    page.get_by_label("Done at the treating centre").select_option("yes")
    page.get_by_label("WHO 2020 diagnosis").select_option("conventional_osteosarcoma")
    page.get_by_label("Histological grade").select_option("G3")
    page.locator("#ancillary-0-method").select_option("ihc")
    page.locator("#ancillary-0-marker").fill("SATB2")
    page.locator("#ancillary-0-result").fill("Diffusely positive")
    # A necrosis percent on a core biopsy is refused and the input is kept.
    page.get_by_label("Tumour necrosis (%)").fill("95")
    page.get_by_role("button", name="Save review").last.click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("#necrosis_percent-error")).to_contain_text(
        "excision and resection specimens only"
    )
    expect(page.locator("#ancillary-0-marker")).to_have_value("SATB2")
    page.get_by_label("Tumour necrosis (%)").fill("")
    _save(page, "Pathology")
    expect(page.get_by_text(re.compile("9180/3, malignant"))).to_be_visible()

    # Orthopaedic oncologist.
    _sign_in(page, live_server, Role.ORTHOPEDIC_ONCOLOGIST)
    _open_form(page, live_server, case_id, "orthopaedic oncology")
    page.get_by_label("Resectability").select_option("resectable")
    page.get_by_label("Planned procedure").select_option("limb_salvage")
    page.get_by_label("Planned margin").select_option("wide")
    page.get_by_label("Compartment (malignant tumours)").select_option("extra")
    _save(page, "Orthopaedic oncology")

    # The orthopaedic oncologist records the performance status on the case;
    # a curative primary tumour needs no palliative care review.
    page.goto(case_url)
    page.get_by_role("link", name="Record performance status").click()
    page.get_by_label("ECOG").select_option("0")
    page.get_by_label("Karnofsky").select_option("30")
    page.get_by_label("Where it was assessed").select_option("clinic")
    page.get_by_role("button", name="Record").click()
    # ECOG 0 with Karnofsky 30 disagree (reference §8.4): confirm or correct.
    expect(page.locator("#confirm_disagreement-error")).to_contain_text(
        "ECOG 0 and Karnofsky 30 fall outside the published correspondence"
    )
    expect(page.get_by_label("ECOG", exact=True)).to_have_value("0")
    page.screenshot(path=SHOTS.format("performance-form"), full_page=True)
    page.get_by_label("Karnofsky", exact=True).select_option("100")
    page.get_by_role("button", name="Record").click()
    expect(page.locator("#performance")).to_contain_text("ECOG 0 · Karnofsky 100")
    expect(page.locator("#performance")).not_to_contain_text("disagree")

    # The coordinator sees a complete checklist and derived staging.
    _sign_in(page, live_server, Role.COORDINATOR)
    page.goto(case_url)
    readiness = page.locator("#readiness")
    expect(readiness).to_contain_text("Minimum dataset complete")
    expect(readiness).not_to_contain_text("Waived")
    expect(readiness).not_to_contain_text("Palliative care review")
    staging = page.locator("#staging")
    expect(staging).to_contain_text("T2")
    expect(staging).to_contain_text("IIB")
    page.screenshot(path=SHOTS.format("case-1280"), full_page=True)
    page.set_viewport_size({"width": 820, "height": 1100})
    page.screenshot(path=SHOTS.format("case-820"), full_page=True)
    page.get_by_role("button", name="Mark ready for the board").click()
    expect(page.locator(".status.large")).to_have_text("Ready")
    expect(page.get_by_text(f"{reference} is now 'Ready'.")).to_be_visible()


def test_the_coordinator_declares_a_pre_biopsy_discussion_by_keyboard(
    page: Page, live_server: LiveServer
):
    case_id, _ = _case_in_workup(live_server, biopsy_status="not_biopsied")
    _sign_in(page, live_server, Role.COORDINATOR)
    page.goto(f"{live_server.url}/cases/{case_id}")
    declare = page.locator("#readiness summary", has_text="Declare a pre-biopsy")
    expect(declare).to_be_visible()
    # Its own action on the checklist, not inside "Waive this item".
    own = page.locator(
        "#readiness details",
        has=page.locator("summary", has_text="Declare a pre-biopsy discussion"),
    )
    expect(own).to_have_count(1)
    expect(own).not_to_contain_text("Waive this item")

    # Reached with the Tab key alone from the top of the readiness panel.
    page.locator("#readiness-heading").evaluate("h => { h.tabIndex = -1; h.focus(); }")
    for _ in range(40):
        page.keyboard.press("Tab")
        if declare.evaluate("s => s === document.activeElement"):
            break
    else:
        raise AssertionError("the pre-biopsy declaration is not reachable by Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(
        page.get_by_label("Why should the board discuss the case before any")
    ).to_be_focused()
    page.keyboard.type("Biopsy route to be agreed by the board.")
    page.keyboard.press("Tab")
    expect(
        page.get_by_role("button", name="Declare a pre-biopsy discussion")
    ).to_be_focused()
    page.keyboard.press("Enter")
    expect(
        page.get_by_text("Pre-biopsy discussion declared; the reason")
    ).to_be_visible()
    expect(page.locator("#readiness")).to_contain_text(
        "Pre-biopsy discussion declared: Biopsy route to be agreed by the board."
    )
    expect(
        page.get_by_role("button", name="Withdraw the pre-biopsy declaration")
    ).to_be_visible()


def test_a_metastasis_needs_the_palliative_review(page: Page, live_server: LiveServer):
    """The readiness table: a spinal metastasis needs the palliative care review
    (and SINS), and palliative care finds it on its worklist."""
    case_id, reference = _case_in_workup(live_server)
    with live_server.app.app_context():
        case = db.session.get(Case, case_id)
        case.case_type, case.site_code, case.known_primary = (
            "skeletal_metastasis",
            "C41.2",
            "breast",
        )
        radiologist = db.session.scalar(
            sa.select(User).where(User.role == Role.RADIOLOGIST)
        )
        carer = db.session.scalar(
            sa.select(User).where(User.role == Role.PALLIATIVE_CARE)
        )
        performance.record_status(
            carer,
            case,
            assessed_on=today(),
            source="clinic",
            based_on=0,
            ecog=1,
            karnofsky=80,
        )
        review_services.save_review(
            radiologist,
            case,
            "radiology",
            radiology_data(
                t_category="T1",
                sins_level="L2",
                sins_pain="mechanical",
                sins_lesion="mixed",
                sins_alignment="normal",
                sins_collapse="none",
                sins_posterolateral="unilateral",
            ),
            0,
        )
        db.session.commit()
        db.session.remove()

    _sign_in(page, live_server, Role.COORDINATOR)
    page.goto(f"{live_server.url}/cases/{case_id}")
    readiness = page.locator("#readiness")
    expect(readiness).to_contain_text("1 item missing")
    expect(readiness).to_contain_text("Palliative care review")
    expect(readiness).not_to_contain_text("Pathology review")

    _sign_in(page, live_server, Role.PALLIATIVE_CARE)
    page.get_by_role("link", name="My work").click()
    page.locator("#reviews").get_by_role(
        "link", name=re.compile("See all|Open the full list")
    ).click()
    row = page.get_by_role("row", name=re.compile(reference))
    row.get_by_role("link", name=re.compile("Write the review")).click()
    page.get_by_label("Goals of care").select_option("symptom_control")
    page.get_by_label("Extraspinal bone metastases").fill("1")
    page.get_by_label("Vertebral bodies involved").fill("1")
    page.get_by_label("Major internal organ metastases").select_option("none")
    page.get_by_label("Palsy").select_option("none")
    _save(page, "Palliative care")
    # Tokuhashi read the Karnofsky recorded on the case, and says so.
    expect(page.locator(".scores")).to_contain_text("Used Karnofsky 80 assessed")

    _sign_in(page, live_server, Role.COORDINATOR)
    page.goto(f"{live_server.url}/cases/{case_id}")
    expect(page.locator("#readiness")).to_contain_text("Minimum dataset complete")
