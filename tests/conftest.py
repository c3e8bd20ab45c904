"""Shared fixtures: an app per test on SQLite, and on PostgreSQL when
``TEST_DATABASE_URL`` is set (one schema built per run, each test inside a
rolled-back transaction)."""

from __future__ import annotations

import contextvars
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSession
from werkzeug.routing.rules import Rule

from tests import factories
from tumorboard import create_app
from tumorboard.extensions import db


def _compile_each_url_builder_once() -> None:
    """The suite creates an application per test, each with the same routes,
    and werkzeug compiles two URL builders (Python source, then bytecode) for
    every route of every application: most of an application's start. A
    builder depends only on the rule's text, domain, defaults and build mode,
    and reads the rule's converters through its ``self`` argument when
    called, so each is compiled once per test process and shared."""
    original = Rule._compile_builder
    compiled: dict[tuple, Any] = {}

    def compile_builder(self: Rule, append_unknown: bool = True):
        key = (
            self.rule,
            self.subdomain,
            self.host,
            self.map.host_matching,
            self.merge_slashes,
            repr(sorted((self.defaults or {}).items())),
            tuple(self._trace),
            append_unknown,
        )
        if key not in compiled:
            compiled[key] = original(self, append_unknown)
        return compiled[key]

    Rule._compile_builder = compile_builder


_compile_each_url_builder_once()

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


def on_backend(name: str):
    """Run a test on one backend only (``name`` when it is available).

    For the walks over every page as every role: they check the application's
    own behaviour (wording, permissions, audit), not its SQL, which the
    feature tests run on both backends. The walks are split between the two,
    so each backend still serves every page in the suite.
    """
    chosen = name if name in BACKENDS else BACKENDS[0]

    def apply(test):
        return pytest.mark.walk(pytest.mark.parametrize("backend", [chosen])(test))

    return apply


def pytest_collection_modifyitems(items):
    """The long walks first, so that no worker ends the run on one alone."""
    items.sort(key=lambda item: item.get_closest_marker("walk") is None)


BASE_CONFIG = {
    "ENV_NAME": "testing",
    "WTF_CSRF_ENABLED": False,
}


def pg_url() -> str:
    """TEST_DATABASE_URL with the psycopg 3 driver."""
    url = PG_URL or ""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def pg_engine_options(schema: str) -> dict:
    """Engine options that put every connection in ``schema``."""
    return {"connect_args": {"options": f"-csearch_path={schema}"}}


@contextmanager
def temporary_pg_schema(prefix: str = "tbtest") -> Iterator[str]:
    """Create a uniquely named schema and drop it (with everything in it) after."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(pg_url())
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


@contextmanager
def shared_database_app(backend: str, config: dict, tmp_path, prefix: str):
    """An application whose database several threads or connections really
    share, with real commits: a SQLite file in ``tmp_path``, or a throwaway
    PostgreSQL schema named after ``prefix``. Tables are created; the engine
    is disposed of (and the schema dropped) afterwards."""
    if backend == "sqlite":
        uri = f"sqlite:///{tmp_path / f'{prefix}.db'}"
        app = create_app({**config, "SQLALCHEMY_DATABASE_URI": uri})
        with app.app_context():
            db.create_all()
        yield app
        with app.app_context():
            db.engine.dispose()
        return
    with temporary_pg_schema(prefix) as schema:
        app = create_app(
            {
                **config,
                "SQLALCHEMY_DATABASE_URI": pg_url(),
                "SQLALCHEMY_ENGINE_OPTIONS": pg_engine_options(schema),
            }
        )
        with app.app_context():
            db.create_all()
        yield app
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[str | None]:
    """One PostgreSQL schema for the whole run, tables created once."""
    if not PG_URL:
        yield None
        return
    with temporary_pg_schema() as schema:
        app = create_app(
            {
                **BASE_CONFIG,
                "SQLALCHEMY_DATABASE_URI": pg_url(),
                "SQLALCHEMY_ENGINE_OPTIONS": pg_engine_options(schema),
            }
        )
        with app.app_context():
            db.create_all()
            db.engine.dispose()
        yield schema


class ConnectionBoundSession(FlaskSession):
    """Flask-SQLAlchemy's session picks the engine itself and would ignore the
    test connection (committing for real); this one always uses its bind."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return self.bind


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """The database engine this test runs on."""
    return request.param


@pytest.fixture
def app_config() -> dict:
    """Per-test config overrides; a test module may override this fixture."""
    return {}


_sqlite_template: sqlite3.Connection | None = None


def _empty_sqlite_schema() -> None:
    """Give the app's in-memory database every table, empty: built once per
    test process with create_all, then copied page by page (SQLite's backup)
    into each test's database, which is many times faster."""
    global _sqlite_template
    if _sqlite_template is None:
        db.create_all()
        template = sqlite3.connect(":memory:", check_same_thread=False)
        with db.engine.connect() as connection:
            connection.connection.driver_connection.backup(template)
        _sqlite_template = template
        return
    with db.engine.connect() as connection:
        _sqlite_template.backup(connection.connection.driver_connection)


@pytest.fixture
def app(backend, pg_schema, app_config, tmp_path):
    """A fresh application with an empty database, inside an app context."""
    config = {
        **BASE_CONFIG,
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        **app_config,
    }
    if backend == "sqlite":
        application = create_app({**config, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
        with application.app_context():
            _empty_sqlite_schema()
            yield application
            db.session.remove()
            db.engine.dispose()
        return

    application = create_app(
        {
            **config,
            "SQLALCHEMY_DATABASE_URI": pg_url(),
            "SQLALCHEMY_ENGINE_OPTIONS": pg_engine_options(pg_schema),
        }
    )
    with application.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original_session = db.session
        # Every session of this test joins the outer transaction; commits in
        # views release savepoints and the whole test is rolled back at the end.
        db.session = db._make_scoped_session(
            {
                "bind": connection,
                "join_transaction_mode": "create_savepoint",
                "class_": ConnectionBoundSession,
            }
        )
        try:
            yield application
        finally:
            db.session.remove()
            db.session = original_session
            transaction.rollback()
            connection.close()
            db.engine.dispose()


class FreshContextClient(FlaskClient):
    """Runs every request in its own app context, and so its own database
    session, as in production; the test's objects are expired afterwards so
    that they show what the request stored."""

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():  # redirects re-enter open() inside the fresh context
            db.session.expire_all()
        return response


@pytest.fixture
def client(app):
    """A test client whose requests do not share the test's session."""
    app.test_client_class = FreshContextClient
    return app.test_client()


@pytest.fixture
def make_user(app):
    """Factory: ``make_user(role, **fields)`` returns a flushed User."""
    return factories.make_user


@pytest.fixture
def make_patient(app):
    """Factory: ``make_patient(**fields)`` returns a flushed Patient."""
    return factories.make_patient


@pytest.fixture
def make_case(app):
    """Factory: ``make_case(patient=None, **fields)`` returns a flushed Case."""
    return factories.make_case


@pytest.fixture
def login_as(app, client):
    """Sign the test client in through the login form (and the code of the
    test authenticator secret when the account uses one); returns the user."""

    def login(role: str = "coordinator", **fields):
        user = factories.make_user(role, **fields)
        db.session.commit()
        # Administrators also pass the second step, with the test secret.
        response = factories.sign_in(client, user.email)
        assert response.status_code == 302, response.text
        return user

    return login


#: Statements the PostgreSQL test harness adds around each request.
SAVEPOINT_SQL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


class QueryCounter:
    """Counts SQL statements sent by the app's engine while active."""

    def __init__(self):
        self.statements: list[str] = []
        #: Each statement's parameters, in the order the SQL names them.
        self.parameters: list[list] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """Context manager yielding a QueryCounter for the statements run inside it."""

    @contextmanager
    def counting():
        counter = QueryCounter()

        def before_execute(conn, cursor, statement, parameters, *args):
            if not statement.lstrip().upper().startswith(SAVEPOINT_SQL):
                counter.statements.append(statement)
                values = (
                    parameters.values() if isinstance(parameters, dict) else parameters
                )
                counter.parameters.append(list(values or ()))

        sa.event.listen(db.engine, "before_cursor_execute", before_execute)
        try:
            yield counter
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", before_execute)

    return counting


def pytest_sessionfinish(session, exitstatus):
    """Turn skips into a failure when every backend and the browser must run."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if (
        os.environ.get("TUMORBOARD_REQUIRE_ALL")
        and reporter is not None
        and reporter.stats.get("skipped")
    ):
        reporter.write_line(
            "TUMORBOARD_REQUIRE_ALL is set and tests were skipped: failing the run.",
            red=True,
        )
        session.exitstatus = 1
