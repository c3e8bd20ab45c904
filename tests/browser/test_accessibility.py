"""axe-core finds no serious or critical accessibility violation on the main
pages, at desktop and tablet widths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import LiveServer, login

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()

PAGES = [
    "/",
    "/cases/",
    "/cases/mine",
    "/patients/?q=zz",
    "/patients/new",
    "/account/password",
    "/account/sessions",
    "/account/mfa",
    "/quality/",
    "/notifications/",
    "/notifications/preferences",
]


def _violations(page) -> list[dict]:
    page.evaluate(AXE)
    result = page.evaluate(
        "async () => JSON.stringify((await axe.run(document, "
        "{resultTypes: ['violations']})).violations)"
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "nodes": [n["target"] for n in v["nodes"]],
        }
        for v in json.loads(result)
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("width", [1280, 820])
def test_main_pages_have_no_serious_violations(
    browser: Browser, live_server: LiveServer, width: int
):
    context = browser.new_context(viewport={"width": width, "height": 1000})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/login")
        assert _violations(page) == []
        account = live_server.account("coordinator")
        login(page, live_server, account.email, account.password)
        found = {}
        for path in PAGES:
            page.goto(f"{live_server.url}{path}")
            violations = _violations(page)
            if violations:
                found[path] = violations
        assert found == {}
    finally:
        context.close()


def test_the_checker_reports_a_real_violation(page, live_server: LiveServer):
    page.goto(f"{live_server.url}/login")
    # A button with no accessible name is a critical violation for axe.
    page.evaluate("document.body.appendChild(document.createElement('button'))")
    assert [v["id"] for v in _violations(page)] == ["button-name"]
