"""The JSON-lines copy of the audit log: written after commit, never in the
way of a request, and usable to check the database against."""

from __future__ import annotations

import json
import logging
import socket
import threading

import pytest
import sqlalchemy as sa
from flask import Flask

from config import Config
from tests.audit.tampering import drop_append_only_triggers, execute
from tumorboard.audit import init_app, logcopy
from tumorboard.audit import services as audit
from tumorboard.audit.models import AuditEntry
from tumorboard.audit.verify import compare_with_copy
from tumorboard.extensions import db


@pytest.fixture
def copy_path(tmp_path):
    return tmp_path / "audit.jsonl"


@pytest.fixture
def app_config(copy_path):
    return {"AUDIT_LOG_PATH": str(copy_path)}


@pytest.fixture
def copy(app):
    """The application's copy, stopped after the test."""
    copy = logcopy.copy_for(app)
    yield copy
    copy.close()


def lines(copy, path) -> list[dict]:
    assert copy.flush()
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def record(n: int, **kwargs) -> AuditEntry:
    return audit.record(
        None,
        "case.update",
        "case",
        n,
        f"Updated case {n}",
        changes={"diagnosis": ["Enchondroma", "Conventional osteosarcoma"]},
        **kwargs,
    )


def test_each_committed_entry_is_copied_as_one_json_line(app, copy, copy_path):
    record(1)
    record(2)
    db.session.flush()
    assert lines(copy, copy_path) == []
    db.session.commit()
    copied = lines(copy, copy_path)
    stored = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [c["id"] for c in copied] == [e.id for e in stored] == [1, 2]
    assert [c["mac"] for c in copied] == [e.mac for e in stored]
    assert copied[0]["summary"] == "Updated case 1"
    assert copied[0]["entity_id"] == "1" and copied[0]["action"] == "case.update"
    assert copied[0]["at"] == stored[0].at.isoformat(timespec="microseconds")
    # Which fields changed, not the clinical values.
    assert copied[0]["changes"] == ["diagnosis"]
    assert "osteosarcoma" not in copy_path.read_text()
    assert copy_path.stat().st_mode & 0o777 == 0o600


def test_rolled_back_entries_are_not_copied(app, copy, copy_path):
    record(1)
    db.session.flush()
    db.session.rollback()
    record(2)
    try:
        with db.session.begin_nested():
            record(3)
            db.session.flush()
            raise RuntimeError
    except RuntimeError:
        pass
    with db.session.begin_nested():
        record(4)
    assert lines(copy, copy_path) == []
    db.session.commit()
    assert [c["summary"] for c in lines(copy, copy_path)] == [
        "Updated case 2",
        "Updated case 4",
    ]


def test_entries_of_a_closed_session_are_not_copied(app, copy, copy_path):
    record(1)
    db.session.flush()
    db.session.close()
    record(2)
    db.session.commit()
    assert [c["summary"] for c in lines(copy, copy_path)] == ["Updated case 2"]


def test_a_request_writes_its_entries_after_the_commit(
    client, login_as, copy, copy_path
):
    login_as("admin")
    copied = lines(copy, copy_path)
    assert copied[-1]["action"] == "auth.login"
    assert copied[-1]["request_path"] == "/login/verify"  # second factor


@pytest.mark.parametrize("app_config", [{"AUDIT_LOG_VALUES": True}])
def test_values_are_copied_only_when_asked(app, tmp_path):
    app.config["AUDIT_LOG_PATH"] = str(tmp_path / "values.jsonl")
    logcopy.init_app(app)
    copy = logcopy.copy_for(app)
    try:
        record(1)
        db.session.commit()
        copied = lines(copy, tmp_path / "values.jsonl")
    finally:
        copy.close()
    assert copied[0]["changes"] == {
        "diagnosis": ["Enchondroma", "Conventional osteosarcoma"]
    }


@pytest.mark.parametrize(
    "app_config", [{"AUDIT_LOG_PATH": "/nonexistent/dir/audit.jsonl"}]
)
def test_a_copy_that_cannot_be_written_never_fails_the_request(
    client, login_as, app, caplog
):
    copy = logcopy.copy_for(app)
    try:
        with caplog.at_level(logging.ERROR, logger="tumorboard.audit.logcopy"):
            login_as("admin")
            assert client.get("/admin/audit/").status_code == 200
            assert copy.flush()
    finally:
        copy.close()
    assert "audit copy: entries" in caplog.text and "not written" in caplog.text
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) >= 1


def test_sending_never_waits_for_the_writer(app, copy, copy_path, monkeypatch):
    release = threading.Event()
    original = copy._write
    monkeypatch.setattr(
        copy, "_write", lambda entries: (release.wait(5), original(entries))
    )
    for n in range(3):
        record(n)
        db.session.commit()  # returns although the writer is held up
    assert not copy_path.exists()
    release.set()
    assert len(lines(copy, copy_path)) == 3


def test_entries_go_to_syslog(app):
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(5)
    app.config["AUDIT_SYSLOG_ADDRESS"] = f"127.0.0.1:{receiver.getsockname()[1]}"
    app.config["AUDIT_LOG_PATH"] = None
    app.extensions.pop("tumorboard.audit.copy", None)
    copy = logcopy.copy_for(app)
    try:
        record(1)
        db.session.commit()
        message = receiver.recv(65536).decode()
    finally:
        copy.close()
        receiver.close()
    # local0.info, then the JSON line
    assert message.startswith("<134>tumorboard-audit: {")
    assert json.loads(message.split(": ", 1)[1])["id"] == 1


@pytest.mark.parametrize(
    ("value", "address"),
    [
        ("/dev/log", "/dev/log"),
        ("logs.example.org:5514", ("logs.example.org", 5514)),
        ("logs.example.org", ("logs.example.org", 514)),
        ("[::1]:514", ("::1", 514)),
    ],
)
def test_syslog_addresses(value, address):
    assert logcopy.syslog_address(value) == address


@pytest.mark.parametrize("value", ["host:", "host:²", ":514", "[::1]:x"])
def test_wrong_syslog_addresses_are_refused(value):
    with pytest.raises(ValueError):
        logcopy.syslog_address(value)


def test_wrong_copy_settings_stop_the_start_but_not_a_request(tmp_path, caplog):
    app = Flask("copytest", instance_path=str(tmp_path))
    app.config.update(AUDIT_HMAC_KEY="k" * 32, AUDIT_SYSLOG_ADDRESS="host:x")
    with pytest.raises(RuntimeError, match="not a syslog address"):
        init_app(app)
    app.config.update(AUDIT_SYSLOG_ADDRESS="host", AUDIT_SYSLOG_FACILITY="nope")
    with pytest.raises(RuntimeError, match="not a facility"):
        init_app(app)
    app.extensions.clear()
    with caplog.at_level(logging.ERROR):
        logcopy.send(app, [{"id": 1}])
    assert "copy is off" in caplog.text
    assert app.extensions["tumorboard.audit.copy"] is None


def test_off_by_default():
    assert Config.AUDIT_LOG_PATH is None and Config.AUDIT_SYSLOG_ADDRESS is None
    assert logcopy.build(Flask("off")) is None


# -- checking the database against the copy ------------------------------


def test_the_copy_shows_entries_removed_from_the_end(app, copy, copy_path):
    for n in range(4):
        record(n)
        db.session.commit()
    assert copy.flush()
    copied = copy_path.read_text()
    assert compare_with_copy(copied.splitlines()).ok
    assert compare_with_copy(copied.splitlines()).checked == 4
    drop_append_only_triggers()
    execute("DELETE FROM audit_entries WHERE id = 4")
    result = compare_with_copy(copied.splitlines())
    assert (result.ok, result.entry_id) == (False, 4)
    assert "not in the database" in result.summary()
    runner = app.test_cli_runner()
    outcome = runner.invoke(args=["audit", "verify", "--copy", str(copy_path)])
    # The chain alone cannot see a shortened end; the copy does.
    assert outcome.exit_code == 1
    assert outcome.stdout.startswith("Audit log OK: 3 entries")
    assert "Copy DIFFERS: entry 4 is in the copy but not in the database" in (
        outcome.stderr
    )


def test_the_copy_shows_entries_rewritten_with_the_key(app):
    record(1)
    db.session.commit()
    entry = db.session.scalar(sa.select(AuditEntry))
    syslog_line = "Dec  1 10:00:00 host tumorboard-audit: " + json.dumps(
        {"id": entry.id, "mac": "0" * 64}
    )
    result = compare_with_copy([syslog_line, ""])
    assert (result.ok, result.entry_id) == (False, 1)
    assert "another MAC" in result.message
    good = json.dumps({"id": entry.id, "mac": entry.mac})
    assert compare_with_copy([good]).ok
    assert not compare_with_copy(["not json"]).ok
