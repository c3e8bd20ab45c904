"""Browser fixtures: a live tumorboard on a file SQLite database, driven by
Debian's Chromium through Playwright.

These tests do not use the shared ``app`` fixture: that one is parametrized over
backends and lives inside one test's transaction, while a browser needs a real
server in another thread that commits for real.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade
from playwright.sync_api import Browser, Page, expect, sync_playwright
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from tests import factories
from tests.factories import MFA_SECRET, PASSWORD
from tumorboard import create_app
from tumorboard.auth import mfa, mfa_keys
from tumorboard.auth.models import User
from tumorboard.auth.permissions import BOARD_ROLES, Role
from tumorboard.auth.services import create_user
from tumorboard.db import utcnow
from tumorboard.extensions import db

HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
#: The warning werkzeug's server gives for a static file a dropped connection
#: left open (see ``pytest_collection_modifyitems``).
STATIC_FILE_LEFT_OPEN = (
    r"ignore:unclosed file <_io.BufferedReader name='[^']*/static/:ResourceWarning"
)
#: Milliseconds Playwright waits for a page, a locator or an ``expect``.
TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config, items):
    """Mark every test under tests/browser as ``browser`` (``-m "not browser"``)."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)
            # When the browser drops a connection while the development server
            # streams a static file, werkzeug leaves that file to the garbage
            # collector; nothing of the app's is leaked.
            item.add_marker(pytest.mark.filterwarnings(STATIC_FILE_LEFT_OPEN))


@dataclass(frozen=True)
class Account:
    """A test account the browser signs in with."""

    email: str
    name: str
    role: Role
    password: str = PASSWORD
    #: Sits on the default board (every clinician and the coordinator but one).
    board: bool = True


@dataclass
class LiveServer:
    """The running app: its base URL and its accounts, by role value."""

    url: str
    app: Flask
    accounts: dict[str, Account] = field(default_factory=dict)

    def account(self, role: Role | str) -> Account:
        """The account with ``role``."""
        return self.accounts[Role(role).value]


ACCOUNTS = [
    Account("coordinator@browser.example.org", "Cora Coordinator", Role.COORDINATOR),
    Account("radiologist@browser.example.org", "Dr Ray Radiologist", Role.RADIOLOGIST),
    Account("pathologist@browser.example.org", "Dr Pat Pathologist", Role.PATHOLOGIST),
    Account(
        "ortho@browser.example.org", "Dr Otto Orthopaedist", Role.ORTHOPEDIC_ONCOLOGIST
    ),
    Account(
        "palliative@browser.example.org", "Dr Pia Palliative", Role.PALLIATIVE_CARE
    ),
    Account(
        "medonc@browser.example.org", "Dr Meda Oncologist", Role.MEDICAL_ONCOLOGIST
    ),
    Account(
        "radonc@browser.example.org", "Dr Rad Radiotherapist", Role.RADIATION_ONCOLOGIST
    ),
    Account("nurse@browser.example.org", "Nell Nurse", Role.NURSE_SPECIALIST),
    Account("admin@browser.example.org", "Ada Admin", Role.ADMIN),
    Account("privacy@browser.example.org", "Pri Vacy", Role.PRIVACY_OFFICER),
    # A clinician who sits on no board: cases reach them by break-glass only.
    Account(
        "outsider@browser.example.org",
        "Dr Otis Outsider",
        Role.PAEDIATRIC_ONCOLOGIST,
        board=False,
    ),
]


class _QuietRequestHandler(WSGIRequestHandler):
    """Keep one line per request out of the test output; errors are still logged."""

    def log_request(self, *args, **kwargs) -> None:
        pass


@contextmanager
def _logging_kept() -> Iterator[None]:
    """Undo what Alembic's env.py does to logging (``fileConfig`` disables every
    existing logger and replaces the root handlers), so later tests still log."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    disabled = {
        name: logger.disabled
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    try:
        yield
    finally:
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
                handler.close()
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, logger in logging.root.manager.loggerDict.items():
            if isinstance(logger, logging.Logger):
                logger.disabled = disabled.get(name, False)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """The app on a file SQLite database built by the real migrations, served
    from a threaded werkzeug server on a free port for the whole session."""
    tmp = tmp_path_factory.mktemp("live")
    app = create_app(
        {
            "ENV_NAME": "testing",
            # A file, not ``sqlite://``: the server threads must share one
            # database, and the engine listener turns on WAL and a busy timeout.
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'tumorboard.db'}",
            "WTF_CSRF_ENABLED": True,
            "UPLOAD_FOLDER": str(tmp / "uploads"),
        }
    )
    with app.app_context():
        with _logging_kept():
            upgrade()
        for account in ACCOUNTS:
            user = create_user(
                None,
                email=account.email,
                name=account.name,
                role=account.role,
                password=account.password,
            )
            if mfa.mfa_required(user):
                # Enrolled already, with the test secret: ``login`` enters codes.
                user.mfa_secret = mfa_keys.encrypt(MFA_SECRET)
                user.mfa_enabled_at = utcnow()
            if Role(account.role) in BOARD_ROLES and account.board:
                # Every clinician and the coordinator sit on the board the
                # factories' cases are referred to.
                factories.join_board(user, factories.default_board())
        db.session.commit()
        db.session.remove()

    server: BaseWSGIServer = make_server(
        "127.0.0.1", 0, app, threaded=True, request_handler=_QuietRequestHandler
    )
    thread = threading.Thread(
        target=server.serve_forever, name="live-server", daemon=True
    )
    thread.start()
    try:
        yield LiveServer(
            url=f"http://127.0.0.1:{server.server_port}",
            app=app,
            accounts={a.role.value: a for a in ACCOUNTS},
        )
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        # Close pooled SQLite connections, or they surface as ResourceWarnings.
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium (``playwright install`` cannot download here)."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} not found: install Debian's chromium "
            "(apt-get install chromium) to run the browser tests"
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page in its own context (no cookies shared between tests)."""
    expect.set_options(timeout=TIMEOUT_MS)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def fresh_code(live_server: LiveServer, email: str, secret: str = MFA_SECRET) -> str:
    """An authenticator code for ``email`` that the app has not accepted yet:
    a code is accepted once, so a later sign-in within the same 30 seconds
    takes the next step's code (waiting for it when need be)."""
    with live_server.app.app_context():
        last = db.session.scalar(
            sa.select(User.mfa_last_step).where(User.email == email)
        )
        db.session.remove()
    # The current step's code stays acceptable for the longest (the window
    # reaches one step back), so a slow browser still submits it in time.
    step = mfa.current_step()
    if last is not None:
        step = max(step, last + 1)
    while step > mfa.current_step() + mfa.TOTP_WINDOW:
        time.sleep(1)
    return mfa.code_at(secret, step)


def login(page: Page, live_server: LiveServer, email: str, password: str) -> None:
    """Sign in through the login form (and the second step, with the test
    authenticator secret, for accounts that use one) and wait until the app
    has let us in."""
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    signed_in = page.get_by_role("button", name="Sign out")
    code = page.get_by_label("Authentication code")
    expect(signed_in.or_(code).first).to_be_visible()
    if urlsplit(page.url).path == "/login/verify":
        code.fill(fresh_code(live_server, email))
        page.get_by_role("button", name="Verify").click()
    expect(signed_in).to_be_visible()
