"""Operational logs: one JSON line per request with its id, method, path,
status and duration, and never patient data (names, MRNs, searches, forms,
feed tokens, SQL parameters)."""

from __future__ import annotations

import json
import logging

import pytest
import sqlalchemy as sa
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from tests.meetings.factories import make_board
from tumorboard import create_app
from tumorboard.extensions import db
from tumorboard.requestlog import CHATTY, json_formatter
from tumorboard.serving import dispose_engines

#: Keys of every request line, besides time, level, logger and message.
REQUEST_KEYS = {"request_id", "method", "path", "route", "status", "duration_ms"}


@pytest.fixture
def logging_restored():
    """A production app installs its JSON handler on the root logger: take it
    away afterwards, with the levels it set."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    chatty = {name: logging.getLogger(name).level for name in CHATTY}
    yield
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    for name, chatty_level in chatty.items():
        logging.getLogger(name).setLevel(chatty_level)


@pytest.fixture
def log_lines(caplog):
    """Every record logged during the test, formatted as production formats it."""
    caplog.set_level(logging.DEBUG)
    formatter = json_formatter()

    def lines() -> list[dict]:
        return [json.loads(formatter.format(record)) for record in caplog.records]

    return lines


def _request_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "tumorboard.request"]


def test_a_request_is_one_json_line_with_id_method_path_status_and_duration(
    client, login_as, log_lines
):
    user = login_as("coordinator")
    response = client.get("/cases/?status=ready")
    [line] = _request_lines(log_lines())[-1:]
    assert REQUEST_KEYS | {"time", "level", "logger", "message", "user_id"} <= set(line)
    assert line["method"] == "GET"
    assert line["path"] == "/cases/"
    assert line["route"] == "/cases/"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["user_id"] == user.id
    assert line["level"] == "INFO"
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert line["message"].startswith("GET /cases/ 200 ")


def test_refused_and_missing_pages_are_logged_too(client, log_lines):
    client.get("/cases/")
    client.get("/no-such-page")
    statuses = [line["status"] for line in _request_lines(log_lines())]
    assert statuses == [302, 404]
    assert all(line.get("user_id") is None for line in _request_lines(log_lines()))


def test_a_proxys_request_id_is_kept_and_a_strange_one_replaced(client, log_lines):
    kept = client.get("/healthz", headers={"X-Request-ID": "proxy-1234abcd"})
    replaced = client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)"})
    assert kept.headers["X-Request-ID"] == "proxy-1234abcd"
    assert replaced.headers["X-Request-ID"] != "<script>alert(1)"
    ids = [line["request_id"] for line in _request_lines(log_lines())]
    assert ids == ["proxy-1234abcd", replaced.headers["X-Request-ID"]]


def test_no_patient_data_reaches_the_logs(client, login_as, make_patient, log_lines):
    login_as("coordinator")
    make_patient(given_name="Quillon", family_name="Zephyrine", mrn="MRNSECRET77")
    db.session.commit()
    client.get("/cases/?q=Zephyrine")
    client.get("/patients/?q=MRNSECRET77")
    client.post(
        "/patients/new",
        data={
            "mrn": "MRNSECRET77",
            "given_name": "Quillon",
            "family_name": "Zephyrine",
            "birth_date": "1970-02-30",
            "sex": "female",
        },
    )
    lines = log_lines()
    assert len(_request_lines(lines)) == 4  # with the sign-in
    text = "\n".join(json.dumps(line) for line in lines)
    for secret in ("Zephyrine", "Quillon", "MRNSECRET77", "q="):
        assert secret not in text


def test_a_calendar_feeds_token_is_masked(client, log_lines):
    board = make_board()
    db.session.commit()
    client.get(f"/calendar/boards/{board.id}/{board.feed_token}.ics")
    [line] = _request_lines(log_lines())
    assert board.feed_token not in json.dumps(line)
    assert line["path"] == f"/calendar/boards/{board.id}/[masked].ics"
    assert line["status"] == 200


@pytest.mark.usefixtures("logging_restored")
def test_sql_parameters_are_hidden_from_errors_in_production(tmp_path):
    app = create_app(
        {
            "ENV_NAME": "production",
            "SECRET_KEY": "x" * 40,
            "AUDIT_HMAC_KEY": "y" * 40,
            "MFA_ENCRYPTION_KEY": "dGVzdC1tZmEta2V5LW5vdC1mb3ItcHJvZHVjdGlvbiE=",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}",
        }
    )
    with app.app_context():
        with pytest.raises(sa.exc.DBAPIError) as failure:
            db.session.execute(
                sa.text("SELECT * FROM no_such_table WHERE name = :name"),
                {"name": "Zephyrine"},
            )
        db.session.rollback()
        db.engine.dispose()
    assert "Zephyrine" not in str(failure.value)
    assert "hidden" in str(failure.value)


@pytest.mark.usefixtures("logging_restored")
def test_production_on_postgresql_has_a_deliberate_pool_and_statement_timeout():
    app = create_app(
        {
            "ENV_NAME": "production",
            "SECRET_KEY": "x" * 40,
            "AUDIT_HMAC_KEY": "y" * 40,
            "MFA_ENCRYPTION_KEY": "dGVzdC1tZmEta2V5LW5vdC1mb3ItcHJvZHVjdGlvbiE=",
            "SQLALCHEMY_DATABASE_URI": "postgresql://tb@127.0.0.1:1/tb",
        }
    )
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["pool_pre_ping"] is True
    assert options["hide_parameters"] is True
    assert (options["pool_size"], options["max_overflow"]) == (2, 3)
    assert options["pool_timeout"] == 10 and options["pool_recycle"] == 1800
    assert options["connect_args"]["connect_timeout"] == 5
    assert "statement_timeout=30000" in options["connect_args"]["options"]
    assert "-c jit=off" in options["connect_args"]["options"]
    assert app.config["LOG_FORMAT"] == "json"
    with app.app_context():
        pool = db.engine.pool
        assert (pool.size(), pool._max_overflow, pool._timeout) == (2, 3, 10)


def test_engines_inherited_over_a_fork_are_disposed_through_middleware(tmp_path):
    app = create_app(
        {"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/f.db"}
    )
    wrapped = DispatcherMiddleware(lambda environ, start: [], {"/app": app})
    with app.app_context():
        db.session.execute(sa.text("SELECT 1"))
        db.session.remove()
        inherited = db.engine.pool
        assert inherited.checkedin() == 1
        assert dispose_engines(wrapped) == 1
        # A new, empty pool: the worker opens its own connections.
        assert db.engine.pool is not inherited
        assert db.engine.pool.checkedin() == 0
        inherited.dispose()
        db.engine.dispose()
