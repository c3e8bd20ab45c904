"""API tokens, the API documentation and the referral import in a real
browser: a token is created, shown once, works with curl-like requests and is
revoked; the documentation renders under the CSP; a referral file becomes a
case."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Page, expect

from tests import factories
from tests.api.test_fhir_import import staged_referral
from tests.browser.conftest import LiveServer
from tests.browser.test_intake import sign_in_as, unique_mrn
from tumorboard.api.fhir.export import DEFAULT_MRN_SYSTEM
from tumorboard.auth.permissions import Role

SHOTS = "/tmp/shots-api-{}.png"


def test_a_token_is_created_shown_once_used_and_revoked(
    page: Page, live_server: LiveServer
):
    sign_in_as(page, live_server, Role.RADIOLOGIST)
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", name="API tokens", level=1)).to_be_visible()
    page.get_by_label("Name").fill("Imaging script")
    page.get_by_label("Access").select_option("read")
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_role("textbox", name="Token", exact=True).input_value()
    assert secret.startswith("tbk_")
    page.screenshot(path=SHOTS.format("token-created"), full_page=True)

    api = page.context.request
    url = f"{live_server.url}/api/v1/cases/"
    headers = {"Authorization": f"Bearer {secret}"}
    assert api.get(url, headers=headers).status == 200

    page.goto(f"{live_server.url}/account/tokens")
    expect(page.get_by_role("textbox", name="Token", exact=True)).to_have_count(
        0
    )  # shown once
    row = page.get_by_role("row").filter(has_text="Imaging script")
    expect(row).to_contain_text("Read")
    row.get_by_role("button", name=re.compile("Revoke")).click()
    expect(page.get_by_text("The token is revoked")).to_be_visible()
    assert api.get(url, headers=headers).status == 401


def test_the_documentation_page_renders_the_description(
    page: Page, live_server: LiveServer
):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.get_by_text("/api/v1/cases/{case_id}/fhir").first).to_be_visible()
    page.screenshot(path=SHOTS.format("docs"), full_page=False)
    assert not [e for e in errors if "Content Security Policy" in e]


def test_the_coordinator_imports_a_referral_file(
    page: Page, live_server: LiveServer, tmp_path
):
    mrn = unique_mrn()
    bundle = staged_referral()
    bundle["entry"][0]["resource"]["identifier"] = [
        {"system": DEFAULT_MRN_SYSTEM, "value": mrn}
    ]
    path = tmp_path / "referral.json"
    path.write_text(json.dumps(bundle))
    sign_in_as(page, live_server, Role.COORDINATOR)
    page.goto(f"{live_server.url}/cases/")
    page.get_by_role("link", name="Import referral").click()
    page.get_by_label("Board", exact=True).select_option(label=factories.DEFAULT_BOARD)
    page.get_by_label("FHIR bundle (JSON)").set_input_files(str(path))
    page.get_by_role("button", name="Import referral").click()
    expect(
        page.get_by_text(re.compile(r"Imported TB-\d+ with a new patient"))
    ).to_be_visible()
    expect(page.get_by_text("from a FHIR referral")).to_be_visible()
    expect(page.get_by_role("link", name="Export FHIR bundle")).to_be_visible()
    # The stage the referring centre reported, beside the board's own (none yet).
    staging = page.locator("#staging")
    expect(staging).to_contain_text(
        "Reported with the referral: T1 N0 M0 · stage group IIA"
    )
    page.screenshot(path=SHOTS.format("imported"), full_page=True)
    staging.screenshot(path=SHOTS.format("imported-stage"))
