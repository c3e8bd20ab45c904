"""Every rendered page has unique element ids (WCAG 1.3.1/4.1.2), and the
keyboard focus indicator keeps 3:1 contrast against the background it sits on
(WCAG 1.4.11), on the pages people use most, at desktop and tablet widths."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Browser, Page

from tests import factories
from tests.browser.conftest import LiveServer, login
from tumorboard.auth.models import User
from tumorboard.cases.services import create_case
from tumorboard.extensions import db
from tumorboard.patients.services import create_patient

#: Ids used more than once on the page: {id: count}.
DUPLICATE_IDS = """() => {
  const seen = {};
  for (const el of document.querySelectorAll('[id]'))
    seen[el.id] = (seen[el.id] || 0) + 1;
  return Object.fromEntries(Object.entries(seen).filter(([, n]) => n > 1));
}"""

#: For the focused element: the lowest contrast of its focus indicator against
#: the colour behind it (outline or halo, whichever contrasts better), with a
#: description of the element.
FOCUS_CONTRAST = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const parse = (c) => {
    const m = c && c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const [r, g, b, a] = m[1].split(',').map(Number);
    return {r, g, b, a: a === undefined ? 1 : a};
  };
  const lum = ({r, g, b}) => {
    const ch = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b);
  };
  const ratio = (x, y) => {
    const [hi, lo] = [lum(x), lum(y)].sort((p, q) => q - p);
    return (hi + 0.05) / (lo + 0.05);
  };
  let node = el.parentElement, bg = null;
  while (node) {
    const c = parse(getComputedStyle(node).backgroundColor);
    if (c && c.a > 0.5) { bg = c; break; }
    node = node.parentElement;
  }
  bg = bg || {r: 255, g: 255, b: 255, a: 1};
  const style = getComputedStyle(el);
  const candidates = [];
  if (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2)
    candidates.push(parse(style.outlineColor));
  const halo = style.boxShadow.match(/rgba?\\([^)]+\\)/);
  if (halo) candidates.push(parse(halo[0]));
  const best = Math.max(0, ...candidates.filter(Boolean).map((c) => ratio(c, bg)));
  const name = (el.textContent || '').trim().slice(0, 30);
  return {ratio: best, what: el.tagName + (el.id ? '#' + el.id : '') + ' ' + name};
}"""

#: How many Tab presses each page is checked for.
TABS = 25


@pytest.fixture(scope="module")
def case_path(live_server: LiveServer) -> str:
    """A case page with its annotation and attachment forms."""
    app = live_server.app
    with app.app_context():
        coordinator = db.session.scalar(
            db.select(User).where(
                User.email == live_server.account("coordinator").email
            )
        )
        patient = create_patient(
            coordinator,
            {
                "mrn": "FOCUS0001",
                "given_name": "Kit",
                "family_name": "Focusworth",
                "birth_date": date(1990, 2, 3),
                "sex": "female",
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
                "presentation": "Pain in the left knee for three months.",
                "clinical_question": "Biopsy route and staging?",
                "referral_source": "external_hospital",
                "referring_clinician": "Dr Example",
                "referral_date": date(2026, 11, 2),
                "urgency": "urgent",
                "biopsy_status": "not_biopsied",
            },
        )
        db.session.commit()
        path = f"/cases/{case.id}"
        db.session.remove()
    return path


def _pages(case_path: str) -> list[str]:
    return ["/", "/cases/", "/patients/new", "/worklist", case_path]


def _focus_failures(page: Page) -> list[str]:
    failures = []
    page.locator("body").focus()
    for _ in range(TABS):
        page.keyboard.press("Tab")
        found = page.evaluate(FOCUS_CONTRAST)
        if found and found["ratio"] < 3:
            failures.append(f"{found['what']}: {found['ratio']:.2f}:1")
    return failures


@pytest.mark.parametrize("width", [1280, 820])
def test_ids_are_unique_and_focus_is_visible_everywhere(
    browser: Browser, live_server: LiveServer, case_path: str, width: int
):
    context = browser.new_context(viewport={"width": width, "height": 1000})
    page = context.new_page()
    try:
        account = live_server.account("coordinator")
        login(page, live_server, account.email, account.password)
        duplicates, low_contrast = {}, {}
        for path in _pages(case_path):
            page.goto(f"{live_server.url}{path}")
            if found := page.evaluate(DUPLICATE_IDS):
                duplicates[path] = found
            if failures := _focus_failures(page):
                low_contrast[path] = failures
        assert duplicates == {}
        assert low_contrast == {}
    finally:
        context.close()


def test_the_checks_report_a_duplicate_id_and_a_faint_focus_ring(
    page: Page, live_server: LiveServer
):
    page.goto(f"{live_server.url}/login")
    page.evaluate(
        "() => { for (const i of [1, 2]) { const b = document.createElement('b');"
        " b.id = 'twice'; document.body.appendChild(b); } }"
    )
    assert page.evaluate(DUPLICATE_IDS) == {"twice": 2}
    # Amber on white is below 3:1: the check must see it.
    page.evaluate(
        "() => document.styleSheets[0].insertRule(':focus-visible {"
        " outline: 3px solid #f2a900 !important; box-shadow: none !important; }',"
        " document.styleSheets[0].cssRules.length)"
    )
    assert _focus_failures(page)
