"""The HMAC chain: every entry sealed over its predecessor, and ``flask audit
verify`` naming the first entry deleted, altered or forged behind the
application's back."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.audit.tampering import drop_append_only_triggers, execute, insert_raw
from tests.conftest import (
    BACKENDS,
    shared_database_app,
)
from tests.factories import MFA_KEY
from tumorboard import create_app
from tumorboard.audit import chain, init_app, keys
from tumorboard.audit import services as audit
from tumorboard.audit.models import AuditEntry
from tumorboard.audit.verify import verify
from tumorboard.extensions import db


def write(count: int, *, start: int = 0) -> None:
    """Record and commit ``count`` entries, one per transaction."""
    for n in range(start, start + count):
        audit.record(
            None,
            "test.write",
            "case",
            n,
            f"Entry {n}",
            changes={"status": ["referred", f"step {n}"]},
        )
        db.session.commit()


def rows() -> list[sa.Row]:
    return db.session.execute(
        sa.select(AuditEntry.__table__).order_by(AuditEntry.id)
    ).all()


def run_verify(app) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    return result.exit_code, result.stdout + result.stderr


def test_each_entry_is_sealed_over_its_predecessor(app):
    write(2)
    audit.record(None, "test.write", "patient", 7, "Two in one", patient_id=None)
    audit.record(None, "test.write", "patient", 8, "transaction")
    db.session.commit()
    key = app.config["AUDIT_HMAC_KEY"].encode()
    previous = chain.GENESIS
    stored = rows()
    assert [row.id for row in stored] == [1, 2, 3, 4]
    for row in stored:
        message = previous + chain.canonical(row._mapping)
        assert row.mac == hmac.new(key, message.encode(), hashlib.sha256).hexdigest()
        previous = row.mac
    assert '"changes"' not in chain.canonical(stored[0]._mapping)
    assert '{"status":["referred","step 0"]}' in chain.canonical(stored[0]._mapping)


def test_the_mac_covers_every_field_of_the_entry(app):
    write(1)
    row = dict(rows()[0]._mapping)
    key = app.config["AUDIT_HMAC_KEY"].encode()
    assert chain.compute_mac(key, None, row) == row["mac"]
    for field, other in {
        "id": 2,
        "actor_id": 5,
        "action": "test.other",
        "entity_type": "patient",
        "entity_id": "99",
        "case_id": 3,
        "patient_id": 4,
        "summary": "Else",
        "changes": {},
        "ip_address": "10.0.0.1",
        "user_agent": "curl",
        "request_path": "/x",
    }.items():
        assert chain.compute_mac(key, None, {**row, field: other}) != row["mac"], field
    later = row["at"].replace(microsecond=(row["at"].microsecond + 1) % 1_000_000)
    assert chain.compute_mac(key, None, {**row, "at": later}) != row["mac"]
    assert chain.compute_mac(key, "f" * 64, row) != row["mac"]


def test_request_details_are_sealed_too(client, login_as, app):
    login_as("admin")
    entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()[-1]
    # Administrators sign in with a second factor: the sign-in is recorded
    # by the request that accepted the code.
    assert entry.action == "auth.login" and entry.request_path == "/login/verify"
    assert verify().ok


def test_rolled_back_entries_leave_no_gap(app):
    write(1)
    audit.record(None, "test.write", "case", 1, "Rolled back")
    db.session.flush()
    db.session.rollback()
    write(1, start=1)
    with db.session.begin_nested():
        audit.record(None, "test.write", "case", 2, "Kept")
    try:
        with db.session.begin_nested():
            audit.record(None, "test.write", "case", 3, "Savepoint rolled back")
            db.session.flush()
            raise RuntimeError
    except RuntimeError:
        pass
    audit.record(None, "test.write", "case", 4, "After the savepoint")
    db.session.commit()
    assert [(r.id, r.summary) for r in rows()] == [
        (1, "Entry 0"),
        (2, "Entry 1"),
        (3, "Kept"),
        (4, "After the savepoint"),
    ]
    assert verify().ok


def test_the_application_chooses_id_and_mac(app):
    entry = AuditEntry(
        id=500, action="x.y", entity_type="case", entity_id=7, summary="s", mac="0"
    )
    db.session.add(entry)
    db.session.commit()
    assert entry.id == 1 and entry.mac != "0" and entry.entity_id == "7"
    assert verify().ok


def test_a_clean_chain_verifies(app):
    assert run_verify(app) == (0, "Audit log OK: no entries yet.\n")
    write(5)
    code, output = run_verify(app)
    assert code == 0
    head = rows()[-1].mac
    assert output == (
        "Audit log OK: 5 entries; the chain of entries 1–5 is intact.\n"
        f"Last entry 5, MAC {head}.\n"
    )


@pytest.mark.parametrize(
    ("tamper", "entry_id", "problem"),
    [
        ("DELETE FROM audit_entries WHERE id = 3", 3, "missing"),
        ("DELETE FROM audit_entries WHERE id IN (2, 3)", 2, "missing"),
        (
            "UPDATE audit_entries SET summary = 'Nothing happened' WHERE id = 3",
            3,
            "altered",
        ),
        (
            "UPDATE audit_entries SET entity_id = '999', ip_address = '10.0.0.9' "
            "WHERE id = 2",
            2,
            "altered",
        ),
        ("UPDATE audit_entries SET changes = '{}' WHERE id = 4", 4, "altered"),
        (
            "UPDATE audit_entries SET at = at - INTERVAL '1 day' WHERE id = 1",
            1,
            "altered",
        ),
        ("UPDATE audit_entries SET action = 'case.read' WHERE id = 5", 5, "mismatch"),
        ("UPDATE audit_entries SET mac = NULL WHERE id = 3", 3, "unsealed"),
        ("UPDATE audit_entries SET mac = NULL WHERE id IN (1, 2)", 3, "broken"),
        ("UPDATE audit_entries SET id = id + 10 WHERE id = 5", 5, "missing"),
    ],
)
def test_verify_names_the_first_entry_changed_behind_the_apps_back(
    app, backend, tamper, entry_id, problem
):
    write(5)
    drop_append_only_triggers()
    if backend == "sqlite":
        tamper = tamper.replace("at - INTERVAL '1 day'", "datetime(at, '-1 day')")
    execute(tamper)
    result = verify()
    assert (result.ok, result.entry_id, result.problem) == (False, entry_id, problem)
    code, output = run_verify(app)
    assert code == 1
    assert output.startswith(f"Audit log BROKEN at entry {entry_id}: entry {entry_id}")


@pytest.mark.parametrize(
    ("forge", "entry_id", "problem"),
    [
        # A new last entry, without a MAC or with one made up.
        (lambda last: insert_raw(6, None), 6, "unsealed"),
        (lambda last: insert_raw(6, "ab" * 32), 6, "mismatch"),
        # An entry slipped in after the last one, leaving a gap.
        (lambda last: insert_raw(9, "ab" * 32), 6, "missing"),
        # An entry replaced by a forged one with the same id.
        (
            lambda last: (
                execute("DELETE FROM audit_entries WHERE id = 3"),
                insert_raw(3, last, "Forged"),
            ),
            3,
            "forged",
        ),
    ],
)
def test_verify_names_inserted_and_forged_entries(app, forge, entry_id, problem):
    write(5)
    drop_append_only_triggers()
    forge(rows()[-1].mac)
    result = verify()
    assert (result.ok, result.entry_id, result.problem) == (False, entry_id, problem)
    assert run_verify(app)[0] == 1


def test_a_forger_without_the_key_cannot_seal_an_entry(app):
    write(3)
    drop_append_only_triggers()
    last = dict(rows()[-1]._mapping)
    forged = {**last, "id": 4, "summary": "Forged"}
    forged["mac"] = chain.compute_mac(
        b"a guessed key of sufficient length!", last["mac"], forged
    )
    insert_raw(4, forged["mac"], "Forged")
    assert verify().problem == "mismatch"
    app.config["AUDIT_HMAC_KEY"] = "a guessed key of sufficient length!"
    assert verify().entry_id == 1


def test_entries_from_before_the_chain_are_unsealed_not_tampered(app):
    insert_raw(1, None, "Before the chain")
    insert_raw(4, None, "Before the chain, after a rollback")
    write(3)
    result = verify()
    assert result.ok
    assert (result.entries, result.unsealed, result.sealed) == (5, 2, 3)
    assert (result.first_sealed, result.last_id) == (5, 7)
    code, output = run_verify(app)
    assert code == 0
    assert "; 2 entries written before the chain existed are unsealed." in output
    # Only before the first sealed entry.
    drop_append_only_triggers()
    insert_raw(8, None, "Slipped in")
    assert (verify().entry_id, verify().problem) == (8, "unsealed")


def test_an_empty_or_unsealed_log_verifies(app):
    assert verify().ok and verify().entries == 0
    insert_raw(1, None)
    result = verify()
    assert result.ok and result.unsealed == 1 and result.last_id == 1


# -- the key ---------------------------------------------------------------


def bare_app(tmp_path, **config) -> Flask:
    app = Flask("keytest", instance_path=str(tmp_path / "instance"))
    app.config.update(config)
    return app


def test_development_generates_one_key_in_the_instance_folder(tmp_path):
    app = bare_app(tmp_path, ENV_NAME="development")
    init_app(app)
    key_file = tmp_path / "instance" / keys.KEY_FILE
    assert app.config["AUDIT_HMAC_KEY"] == key_file.read_text()
    assert len(key_file.read_text()) == 64
    assert key_file.stat().st_mode & 0o777 == 0o600
    again = bare_app(tmp_path, ENV_NAME="development")
    init_app(again)
    assert again.config["AUDIT_HMAC_KEY"] == app.config["AUDIT_HMAC_KEY"]
    assert [p.name for p in key_file.parent.iterdir()] == [keys.KEY_FILE]


def test_production_refuses_to_start_without_a_key(tmp_path):
    with pytest.raises(RuntimeError, match="TUMORBOARD_AUDIT_HMAC_KEY"):
        init_app(bare_app(tmp_path, ENV_NAME="production"))
    assert not (tmp_path / "instance" / keys.KEY_FILE).exists()
    with pytest.raises(RuntimeError, match="at least 32"):
        init_app(bare_app(tmp_path, ENV_NAME="production", AUDIT_HMAC_KEY="short"))
    app = bare_app(tmp_path, ENV_NAME="production", AUDIT_HMAC_KEY="k" * 32)
    init_app(app)
    assert app.config["AUDIT_HMAC_KEY"] == "k" * 32


def test_the_key_is_read_from_the_environment(tmp_path, monkeypatch):
    digits = "1234567890" * 4
    monkeypatch.setenv("TUMORBOARD_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 32)
    monkeypatch.setenv("TUMORBOARD_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'k.db'}")
    monkeypatch.setenv(keys.ENV_VAR, digits)
    monkeypatch.setenv("TUMORBOARD_MFA_ENCRYPTION_KEY", MFA_KEY)
    app = create_app()
    init_app(app)
    assert app.config["AUDIT_HMAC_KEY"] == digits


def test_tests_use_the_fixed_key(app):
    write(1)
    assert app.config["AUDIT_HMAC_KEY"] == "test-audit-hmac-key-not-for-production"


# -- concurrency -------------------------------------------------------------


def _concurrent_writers(app, threads: int = 4, rounds: int = 8) -> list[Exception]:
    """Writers in their own sessions and connections, started together; each
    transaction flushes one entry, pauses, then adds a second."""
    barrier = threading.Barrier(threads)
    errors: list[Exception] = []

    def writer(number: int) -> None:
        try:
            with app.app_context():
                barrier.wait()
                for n in range(rounds):
                    audit.record(None, "test.write", "case", number, f"{number}.{n}a")
                    db.session.flush()
                    time.sleep(0.002)
                    audit.record(None, "test.write", "case", number, f"{number}.{n}b")
                    db.session.commit()
                db.session.remove()
        except Exception as error:  # collected for the assertion
            errors.append(error)

    workers = [threading.Thread(target=writer, args=(t,)) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    return errors


@pytest.fixture(params=BACKENDS)
def shared_app(request, tmp_path):
    """An application on a database that several connections really share."""
    config = {"ENV_NAME": "testing"}
    with shared_database_app(request.param, config, tmp_path, "tbaudit") as app:
        yield app


def test_concurrent_writers_extend_one_chain(shared_app):
    assert _concurrent_writers(shared_app) == []
    with shared_app.app_context():
        result = verify()
        assert result.ok, result.message
        assert (result.sealed, result.last_id) == (64, 64)
        assert run_verify(shared_app)[0] == 0


def test_without_the_lock_writers_collide_but_never_fork(shared_app, monkeypatch):
    monkeypatch.setattr(chain, "lock_chain", lambda connection: None)
    errors = _concurrent_writers(shared_app)
    expected = (sa.exc.IntegrityError, sa.exc.OperationalError)
    assert all(isinstance(e, expected) for e in errors), errors
    with shared_app.app_context():
        assert verify().ok
