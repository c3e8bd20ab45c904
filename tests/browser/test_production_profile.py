"""The production profile under load of two people at once: gunicorn with
``gunicorn.conf.py`` and 2 sync workers, production settings, on PostgreSQL;
two radiologists in two browsers edit the same review at the same time. The
later save is refused as stale with the newer version shown and what was
typed kept; saved again, both texts are in the review's history.

The server is reached over plain HTTP on loopback, which Chromium treats as
a secure origin, so the production session cookie (``__Host-``, Secure)
works as it does behind TLS.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from tests import factories
from tests.browser.conftest import TIMEOUT_MS
from tests.conftest import PG_URL, pg_url, temporary_pg_schema
from tests.reviews.factories import make_review
from tumorboard import create_app
from tumorboard.extensions import db
from tumorboard.reviews.models import DisciplineReview, ReviewRevision

ROOT = Path(__file__).resolve().parents[2]
MFA_KEY = "dGVzdC1tZmEta2V5LW5vdC1mb3ItcHJvZHVjdGlvbiE="

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL")


@dataclass
class Served:
    url: str
    case_id: int
    emails: tuple[str, str]
    logs: Path
    schema: str


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def production(tmp_path) -> Iterator[Served]:
    """A schema with two radiologists and a case whose radiology review is
    at revision 1, served by gunicorn in the production profile."""
    with temporary_pg_schema("tbprod") as schema:
        env = {
            **os.environ,
            "TUMORBOARD_ENV": "production",
            "DATABASE_URL": PG_URL,
            "TUMORBOARD_SQLALCHEMY_ENGINE_OPTIONS": json.dumps(
                {"connect_args": {"options": f"-csearch_path={schema}"}}
            ),
            "SECRET_KEY": secrets.token_hex(32),
            "TUMORBOARD_AUDIT_HMAC_KEY": secrets.token_hex(32),
            "TUMORBOARD_MFA_ENCRYPTION_KEY": MFA_KEY,
            "TUMORBOARD_INSTANCE_PATH": str(tmp_path / "instance"),
            "TUMORBOARD_UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "TUMORBOARD_ARGON2_PROFILE": "cheapest",
            "WEB_CONCURRENCY": "2",
        }
        app = create_app(
            {
                "ENV_NAME": "testing",
                "SQLALCHEMY_DATABASE_URI": pg_url(),
                "SQLALCHEMY_ENGINE_OPTIONS": {
                    "connect_args": {"options": f"-csearch_path={schema}"}
                },
                "MFA_ENCRYPTION_KEY": MFA_KEY,
                "AUDIT_HMAC_KEY": env["TUMORBOARD_AUDIT_HMAC_KEY"],
            }
        )
        with app.app_context():
            db.create_all()
            first = factories.enrol_mfa(factories.make_user("radiologist"))
            second = factories.enrol_mfa(factories.make_user("radiologist"))
            case = factories.make_case()
            make_review(case, "radiology", author=first)
            db.session.commit()
            served = (case.id, (first.email, second.email))
            db.session.remove()
            db.engine.dispose()

        port = _free_port()
        logs = tmp_path / "gunicorn.log"
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--no-control-socket",
            "wsgi:app",
        ]
        with open(logs, "wb") as log_file:
            process = subprocess.Popen(  # noqa: S603 (our interpreter, our arguments)
                command,
                cwd=ROOT,
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            url = f"http://localhost:{port}"
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, logs.read_text()
                try:
                    with urllib.request.urlopen(f"{url}/readyz", timeout=2) as answer:
                        if answer.status == 200:
                            break
                except OSError:
                    pass
                assert time.monotonic() < deadline, logs.read_text()
                time.sleep(0.3)
            yield Served(url, served[0], served[1], logs, schema)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _browser_page(browser: Browser) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def _sign_in(page: Page, served: Served, email: str) -> None:
    page.goto(f"{served.url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Authentication code").fill(factories.totp_code())
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def _differential(page: Page):
    return page.get_by_label("Differential", exact=False)


def test_two_radiologists_save_the_same_review_one_conflict_nothing_lost(
    browser: Browser, production: Served
):
    expect.set_options(timeout=TIMEOUT_MS)
    edit = f"{production.url}/cases/{production.case_id}/reviews/radiology/edit"
    first, second = _browser_page(browser), _browser_page(browser)
    try:
        _sign_in(first, production, production.emails[0])
        _sign_in(second, production, production.emails[1])
        # Both open revision 1 of the review.
        first.goto(edit)
        second.goto(edit)
        _differential(first).fill("Differential typed in the first browser.")
        _differential(second).fill("Differential typed in the second browser.")

        first.get_by_role("button", name="Save review").last.click()
        expect(first).to_have_url(re.compile(r"/reviews/radiology$"))

        # The second save started from revision 1: refused, newer version
        # shown, what was typed kept.
        second.get_by_role("button", name="Save review").last.click()
        expect(second.get_by_role("alert").first).to_contain_text(
            "changed since you opened it"
        )
        expect(second.get_by_text("The newer version (revision 2")).to_be_visible()
        expect(_differential(second)).to_have_value(
            "Differential typed in the second browser."
        )
        # Having seen it, the second radiologist saves again.
        second.get_by_role("button", name="Save review").last.click()
        expect(second).to_have_url(re.compile(r"/reviews/radiology$"))
    finally:
        first.context.close()
        second.context.close()

    # Nothing lost: revision 2 is the first browser's, revision 3 the second's.
    engine = sa.create_engine(
        pg_url(), connect_args={"options": f"-csearch_path={production.schema}"}
    )
    with engine.connect() as connection:
        saved = connection.execute(
            sa.select(ReviewRevision.number, ReviewRevision.data)
            .join(DisciplineReview, DisciplineReview.id == ReviewRevision.review_id)
            .where(DisciplineReview.case_id == production.case_id)
            .order_by(ReviewRevision.number)
        ).all()
    engine.dispose()
    assert [number for number, _ in saved] == [1, 2, 3]
    assert saved[1].data["differential"] == "Differential typed in the first browser."
    assert saved[2].data["differential"] == "Differential typed in the second browser."
    # Both workers answered, and the request log is JSON.
    log = production.logs.read_text()
    assert len(set(re.findall(r"Booting worker with pid: (\d+)", log))) == 2
    assert '"logger": "tumorboard.request"' in log
