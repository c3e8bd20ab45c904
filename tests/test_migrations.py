"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tests.conftest import BACKENDS, pg_engine_options, pg_url, temporary_pg_schema
from tumorboard import create_app
from tumorboard.db import include_name
from tumorboard.extensions import db

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations" / "versions"


@contextmanager
def empty_database(backend: str, tmp_path: Path) -> Iterator:
    """An app on a new, empty database of ``backend`` (dropped afterwards)."""
    if backend == "sqlite":
        app = create_app(
            {
                "ENV_NAME": "testing",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}",
            }
        )
        try:
            yield app
        finally:
            with app.app_context():
                db.engine.dispose()
        return
    with temporary_pg_schema("tbmig") as schema:
        app = create_app(
            {
                "ENV_NAME": "testing",
                "SQLALCHEMY_DATABASE_URI": pg_url(),
                "SQLALCHEMY_ENGINE_OPTIONS": pg_engine_options(schema),
            }
        )
        try:
            yield app
        finally:
            with app.app_context():
                db.engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrade_head_matches_models_and_downgrades_to_base(backend, tmp_path):
    with empty_database(backend, tmp_path) as app, app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "render_as_batch": True,
                    # Full-text tables and indexes made by DDL beside the models.
                    "include_name": include_name,
                },
            )
            assert compare_metadata(context, db.metadata) == []
        downgrade(revision="base")
        assert sa.inspect(db.engine).get_table_names() == ["alembic_version"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrade_head_makes_the_audit_log_append_only(backend, tmp_path):
    with empty_database(backend, tmp_path) as app, app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO audit_entries (at, action, entity_type, entity_id,"
                    " summary, changes) VALUES (CURRENT_TIMESTAMP, 'test.write',"
                    " 'test', '1', 'A test entry', '{}')"
                )
            )
        for statement in (
            "UPDATE audit_entries SET summary = 'changed'",
            "DELETE FROM audit_entries",
        ):
            with pytest.raises(sa.exc.DatabaseError, match="append-only"):
                with db.engine.begin() as conn:
                    conn.execute(sa.text(statement))
        with db.engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT summary FROM audit_entries")) == (
                "A test entry"
            )


def test_migrations_do_not_import_the_application():
    for path in MIGRATIONS.glob("*.py"):
        text = path.read_text()
        assert "import tumorboard" not in text, path.name
        assert "from tumorboard" not in text, path.name
