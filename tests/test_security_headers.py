"""Security headers, the Server header under each server, trusted proxies,
and templates that the content security policy can protect."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from tests import factories
from tumorboard import create_app
from tumorboard.audit.models import AuditEntry
from tumorboard.extensions import db
from tumorboard.serving import SERVER_HEADER, QuietRequestHandler

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (p.split() for p in policy.split(";") if p.strip())
    return {words[0]: words[1:] for words in parts}


def test_the_csp_allows_no_inline_or_evaluated_script(client):
    response = client.get("/login")
    directives = _directives(response.headers["Content-Security-Policy"])
    for name in ("script-src", "default-src"):
        assert "'unsafe-inline'" not in directives[name]
        assert "'unsafe-eval'" not in directives[name]
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["style-src"]


#: What the policy above would block: script bodies in the page, event
#: handler attributes, and style attributes.
INLINE_SCRIPT = re.compile(r"<script\b[^>]*>\s*[^\s<]", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE | re.DOTALL)


def template_problems(name: str, text: str) -> list[str]:
    """Inline scripts, ``on*=`` handlers and ``style=`` attributes in ``text``."""
    found = []
    for label, pattern in (
        ("inline <script> body", INLINE_SCRIPT),
        ("on*= event handler", EVENT_HANDLER),
        ("style= attribute", STYLE_ATTRIBUTE),
    ):
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"{name}:{line}: {label}")
    return found


def test_the_template_check_finds_each_kind():
    text = (
        '<script src="/static/app.js"></script>\n<script>alert(1)</script>\n'
        '<button type="button"\n  onclick="go()">Go</button>\n'
        '<p style="color: red">Red</p>\n<p class="onwards">Fine</p>'
    )
    assert template_problems("t.html", text) == [
        "t.html:2: inline <script> body",
        "t.html:3: on*= event handler",
        "t.html:5: style= attribute",
    ]


def test_no_template_has_inline_script_handlers_or_styles():
    paths = sorted(TEMPLATES.rglob("*.html"))
    assert len(paths) > 40
    problems = [
        problem
        for path in paths
        for problem in template_problems(
            str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")
        )
    ]
    assert problems == []


# Strict-Transport-Security ----------------------------------------------------------


def test_no_hsts_outside_production(client):
    assert "Strict-Transport-Security" not in client.get("/healthz").headers


def _production_app(tmp_path, **overrides):
    return create_app(
        {
            "ENV_NAME": "production",
            "SECRET_KEY": "production-test-secret",
            "AUDIT_HMAC_KEY": "a" * 40,
            "MFA_ENCRYPTION_KEY": factories.MFA_KEY,
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "AUDIT_LOG_PATH": None,
            "AUDIT_SYSLOG_ADDRESS": None,
            **overrides,
        }
    )


def test_production_sends_hsts_for_a_year_with_subdomains(tmp_path, monkeypatch):
    monkeypatch.setenv("TUMORBOARD_INSTANCE_PATH", str(tmp_path))
    response = _production_app(tmp_path).test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains"
    )


def test_hsts_max_age_is_a_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("TUMORBOARD_INSTANCE_PATH", str(tmp_path))
    app = _production_app(tmp_path, HSTS_MAX_AGE=600)
    response = app.test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"] == (
        "max-age=600; includeSubDomains"
    )


# Trusted proxies --------------------------------------------------------------------


@pytest.mark.parametrize("count", ["two", -1, True])
def test_a_wrong_trusted_proxy_count_stops_the_start(count):
    with pytest.raises(RuntimeError, match="TRUSTED_PROXY_COUNT"):
        create_app({"ENV_NAME": "testing", "TRUSTED_PROXY_COUNT": count})


@pytest.fixture(params=[0, 1], ids=["no-proxy", "one-proxy"])
def proxies(request) -> int:
    """How many reverse proxies the app trusts in this test."""
    return request.param


@pytest.fixture
def app_config(proxies):
    """The app under test trusts ``proxies`` proxies."""
    return {"TRUSTED_PROXY_COUNT": proxies}


def test_the_audit_takes_the_client_address_from_a_trusted_proxy_only(
    app, client, proxies
):
    app.add_url_rule("/undeclared", "undeclared", lambda: "never shown")
    response = client.get(
        "/undeclared",
        headers={"X-Forwarded-For": "198.51.100.9, 203.0.113.7"},
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )
    assert response.status_code == 403
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "access.denied")
    )
    # One trusted proxy: the address it saw connecting (the last one it
    # added); the one before it could be forged by the client. None: the
    # address of the connection itself.
    assert entry.ip_address == ("203.0.113.7" if proxies else "10.0.0.2")


# The Server header under each server ----------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_development_server_names_no_version(app):
    server = make_server(
        "127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/healthz") as r:
            assert r.headers.get_all("Server") == [SERVER_HEADER]
    finally:
        server.shutdown()
        thread.join()


def _wait_for(url: str, process: subprocess.Popen, log: Path, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn stopped: {log.read_text()}")
        try:
            return urllib.request.urlopen(url, timeout=2)
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"gunicorn did not answer on {url}")


def test_gunicorn_in_production_hides_its_name_and_sends_hsts(tmp_path):
    port = _free_port()
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TUMORBOARD_")},
        "TUMORBOARD_ENV": "production",
        "TUMORBOARD_INSTANCE_PATH": str(tmp_path),
        "SECRET_KEY": "gunicorn-test-secret",
        "TUMORBOARD_AUDIT_HMAC_KEY": "g" * 40,
        "TUMORBOARD_MFA_ENCRYPTION_KEY": factories.MFA_KEY,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("w") as errors:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "--config",
                "gunicorn.conf.py",
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{port}",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    try:
        url = f"http://127.0.0.1:{port}/healthz"
        with _wait_for(url, process, log) as response:
            headers = response.headers
        assert headers.get_all("Server") == [SERVER_HEADER]
        assert headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains"
        )
        assert "gunicorn" not in str(headers).lower()
    finally:
        process.terminate()
        process.wait(timeout=30)
